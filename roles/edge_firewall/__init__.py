"""Edge firewall (nftables): routing between zones, routes behind the VPN, the ruleset with commit-confirm."""

from __future__ import annotations

from io import StringIO

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.operations import files, server, systemd

from ferme.operations import nft_commit
from ferme.plan.types import EdgeState


def routes_unit(routes: list[dict[str, str]], addresses: list[dict[str, str]]) -> str:
    """The unit that puts the edge's extra public addresses, and routes to networks behind other hosts, at every
    boot."""
    lines = "".join(f"ExecStart=/sbin/ip address replace {a['address']} dev {a['interface']}\n" for a in addresses)
    lines += "".join(f"ExecStart=/sbin/ip route replace {r['to']} via {r['via']}\n" for r in routes)
    return ("[Unit]\nDescription=ferme: routes to networks behind other hosts\nAfter=network.target\n\n"
            f"[Service]\nType=oneshot\nRemainAfterExit=yes\n{lines or 'ExecStart=/bin/true'}\n\n"
            "[Install]\nWantedBy=multi-user.target\n")  # fmt: skip


def sysctls(state: EdgeState) -> dict[str, int]:
    """Routing between zones, and never an ICMP redirect: a router that redirects teaches hosts to go around it."""
    wanted = {"net.ipv4.ip_forward": 1}
    wanted |= {f"net.ipv4.conf.{scope}.send_redirects": 0 for scope in ("all", "default", *state["interfaces"])}
    return wanted


def _scope(key: str) -> str:
    return key.removeprefix("net.ipv4.conf.").removesuffix(".send_redirects")


def _routes(routes: list[dict[str, str]], addresses: list[dict[str, str]]) -> None:
    unit = files.put(
        name="Public addresses and routes behind other hosts (VPN pool)",
        src=StringIO(routes_unit(routes, addresses)),
        dest="/etc/systemd/system/ferme-routes.service",
    )
    systemd.daemon_reload(name="Routes: reload units", _if=unit.did_change)
    systemd.service(name="Routes: enabled and applied", service="ferme-routes", enabled=True, running=True)
    systemd.service(name="Routes: re-apply", service="ferme-routes", restarted=True, _if=unit.did_change)


@deploy("Edge firewall (nftables)")
def apply() -> None:
    """Converge the edge firewall from its planned state and the rendered ruleset."""
    state: EdgeState = host.data.ferme["state"]["firewall"]
    ruleset = host.data.ferme_artifacts[state["ruleset"]]
    for key, value in sysctls(state).items():
        what = "Routing between zones" if key == "net.ipv4.ip_forward" else f"No ICMP redirects ({_scope(key)})"
        server.sysctl(name=what, key=key, value=value, persist=True)
    _routes(state["routes"], state["public_addresses"])
    nft_commit.commit_ruleset(ruleset, state["confirm_seconds"])

"""Edge firewall (nftables): routing between zones, routes behind the VPN, the ruleset with commit-confirm."""

from __future__ import annotations

from io import StringIO

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.operations import files, server, systemd

from ferme.operations import nft_commit
from ferme.plan.types import EdgeState


def _routes(routes: list[dict[str, str]], addresses: list[dict[str, str]]) -> None:
    """The edge's extra public addresses, and routes to networks behind other hosts, at every boot."""
    lines = "".join(f"ExecStart=/sbin/ip address replace {a['address']} dev {a['interface']}\n" for a in addresses)
    lines += "".join(f"ExecStart=/sbin/ip route replace {r['to']} via {r['via']}\n" for r in routes)
    unit = files.put(
        name="Public addresses and routes behind other hosts (VPN pool)",
        src=StringIO("[Unit]\nDescription=ferme: routes to networks behind other hosts\nAfter=network.target\n\n"
                     f"[Service]\nType=oneshot\nRemainAfterExit=yes\n{lines or 'ExecStart=/bin/true'}\n\n"
                     "[Install]\nWantedBy=multi-user.target\n"),
        dest="/etc/systemd/system/ferme-routes.service",
    )  # fmt: skip
    systemd.daemon_reload(name="Routes: reload units", _if=unit.did_change)
    systemd.service(name="Routes: enabled and applied", service="ferme-routes", enabled=True, running=True)
    systemd.service(name="Routes: re-apply", service="ferme-routes", restarted=True, _if=unit.did_change)


@deploy("Edge firewall (nftables)")
def apply() -> None:
    """Converge the edge firewall from its planned state and the rendered ruleset."""
    state: EdgeState = host.data.ferme["state"]["firewall"]
    ruleset = host.data.ferme_artifacts[state["ruleset"]]
    server.sysctl(name="Routing between zones", key="net.ipv4.ip_forward", value=1, persist=True)
    # A router that redirects teaches hosts to go around it: the edge never sends ICMP redirects.
    for scope in ("all", "default", *state["interfaces"]):
        server.sysctl(name=f"No ICMP redirects ({scope})", key=f"net.ipv4.conf.{scope}.send_redirects", value=0,
                      persist=True)  # fmt: skip
    _routes(state["routes"], state["public_addresses"])
    nft_commit.commit_ruleset(ruleset, state["confirm_seconds"])

"""Edge firewall (nftables): routing between zones, routes behind the VPN, the ruleset with commit-confirm."""

from __future__ import annotations

import hashlib
from io import StringIO

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.server import Command
from pyinfra.operations import files, python, server, systemd

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
    files.directory(name="ferme state directory", path=nft_commit.STATE_DIR, mode="700")
    files.put(name="nftables: candidate ruleset", src=StringIO(ruleset), dest=nft_commit.CANDIDATE, mode="600")
    wanted = hashlib.sha256(ruleset.encode()).hexdigest()
    status = host.get_fact(Command, command=nft_commit.is_current_command(wanted))
    if status != "current":
        server.shell(
            name=f"nftables: check, snapshot, arm a {state['confirm_seconds']} s rollback, apply",
            commands=nft_commit.arm_and_apply_commands(state["confirm_seconds"]),
        )
        target = nft_commit.SshTarget.from_host_data(host.data)
        python.call(name="nftables: confirm from a new SSH connection", function=nft_commit.confirm, target=target)
    systemd.service(name="nftables at boot", service="nftables", enabled=True)

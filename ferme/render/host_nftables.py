"""A Debian host's own firewall (nftables, input only), rendered from the flows that reach it.

Each flow whose destination is the host (its role, the host by name, a zone it has a leg in, or `any`)
becomes one accept rule: from the flow's sources (anyone for what is published to the Internet: the
edge's DNAT keeps the client's address), to the host's addresses the flow names, on its ports. The
administrators come in from the admin zone like any other flow (`management/ssh/…`).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ferme.plan.types import Plan, PlannedFlow
from ferme.render.nftables import nft_templates


def _targets(plan: Plan, flow: PlannedFlow, host: str) -> list[str] | None:
    """The host's addresses a flow reaches (empty: any of them), or None when the flow does not reach it."""
    destination = flow["destination"]
    addresses = plan["hosts"][host]["addresses"]
    if destination["kind"] == "any":
        return []
    if host in destination["hosts"]:
        mine = [a for a in destination["addresses"] if a in addresses.values()]
        return mine or None
    if destination["kind"] == "zone":
        subnet = ipaddress.IPv4Network(plan["zones"][destination["name"]]["subnet"])
        mine = [a for a in addresses.values() if ipaddress.IPv4Address(a) in subnet]
        return mine or None
    return None


def host_rules(plan: Plan, host: str) -> list[dict[str, Any]]:
    """One rule per flow and protocol that reaches `host`, in the flows' order."""
    rules = []
    for flow in plan["flows"]:
        if flow["source"]["hosts"] == [host] or flow["service"] == "ping":
            continue  # the host talking to itself (loopback); echo requests are answered, rate-limited
        targets = _targets(plan, flow, host)
        if targets is None:
            continue
        sources = [] if flow["published"] else list(flow["source"]["addresses"])
        by_protocol: dict[str, list[str]] = {}
        for rule in flow["rules"]:
            by_protocol.setdefault(rule["protocol"], []).append(rule["ports"])
        for protocol, ports in by_protocol.items():
            rules.append({"id": flow["id"], "protocol": protocol, "ports": ports, "addresses": sources,
                          "destinations": targets})  # fmt: skip
    return rules


def render_host_ruleset(plan: Plan, host: str) -> str:
    rules = host_rules(plan, host)
    return nft_templates().get_template("host.nft.j2").render(
        site=plan["site"]["name"], host=host, rules=rules, flow_count=len({r["id"] for r in rules}),
        log_drops=plan["settings"]["firewall"]["log_drops"],
    )  # fmt: skip

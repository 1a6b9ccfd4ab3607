"""The edge firewall's nftables ruleset, rendered from the flows (templates/nftables/edge.nft.j2)."""

from __future__ import annotations

import zlib
from typing import Any

import jinja2

from ferme.plan.types import EdgePolicy, Plan
from ferme.resources import template_environment


def _set(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _names(interfaces: list[str]) -> str:
    return _set([f'"{name}"' for name in interfaces])


def nft_match(rule: dict[str, Any]) -> str:
    """The match part of one accept rule: interfaces or sources, destinations, protocol and ports."""
    parts = []
    if rule.get("interfaces"):
        parts.append(f"iifname {_names(rule['interfaces'])}")
    elif rule.get("addresses"):
        parts.append(f"ip saddr {_set(rule['addresses'])}")
    if rule.get("out_interfaces"):
        parts.append(f"oifname {_names(rule['out_interfaces'])}")
    if rule.get("destinations"):
        parts.append(f"ip daddr {_set(rule['destinations'])}")
    if rule["protocol"] == "icmp":
        types = [p for p in rule["ports"] if p]
        parts.append(f"icmp type {_set(types)}" if types else "meta l4proto icmp")
    else:
        parts.append(f"{rule['protocol']} dport {_set(rule['ports'])}")
    if rule.get("dnat"):
        parts.append("ct status dnat")
    return " ".join(parts)


def _dnat(policy: EdgePolicy) -> list[dict[str, str]]:
    entries = []
    outside = policy["masquerade"]
    for publication in policy["publications"]:
        if publication["local"]:
            continue
        addresses = publication["addresses"]
        if len(addresses) == 1:
            target = addresses[0]
        else:
            # Several hosts behind one service: chosen by a hash of the client's address, the same for
            # TCP and UDP, so that one client's HTTPS channels and its UDP channel reach the same RD
            # gateway (round robin per connection broke its sessions).
            # The seed is explicit: without one, nft draws a random seed per rule, and the TCP and UDP rules
            # hash the same client differently (found by the lab test with real packets).
            pairs = ", ".join(f"{i} : {a}" for i, a in enumerate(addresses))
            seed = zlib.crc32(publication["public_address"].encode())
            target = f"jhash ip saddr mod {len(addresses)} seed 0x{seed:08x} map {{ {pairs} }}"
        for rule in publication["rules"]:
            address = publication["public_address"]
            match = f"iifname {_names(outside)} ip daddr {address} {rule['protocol']} dport {rule['ports']}"
            entries.append({"match": match, "target": target, "comment": ", ".join(publication["flows"])})
    return entries


def nft_templates() -> jinja2.Environment:
    """The nftables templates (the edge's and the hosts'), with the `nft_match` filter."""
    environment = template_environment("nftables")
    environment.filters["nft_match"] = nft_match
    return environment


def render_edge_ruleset(plan: Plan) -> str | None:
    """The ruleset for the site's Linux edge firewall, or None when it has none."""
    policy = plan.get("edge")
    if not policy:
        return None
    return (
        nft_templates()
        .get_template("edge.nft.j2")
        .render(
            site=plan["site"]["name"],
            flow_count=len(plan["flows"]),
            dnat=_dnat(policy),
            outside_names=_names(policy["masquerade"]) if policy["masquerade"] else "",
            known_interfaces=", ".join(f'"{n}"' for n in ["lo", *sorted(set(policy["interfaces"].values()))]),
            **{k: v for k, v in policy.items() if k != "publications"},
        )
    )

"""Vendor firewall configurations (FortiGate, Cisco ASA, Juniper SRX, Palo Alto) from the same flows,
through Aerleon, for sites whose edge is a commercial firewall.

Zone-based platforms get one filter per (source zone, destination zone) pair; Cisco ASA one ACL.
Published services keep their real addresses here: the NAT (VIP) side is the vendor's own object
and is listed in plan.json (`publications`).
"""

from __future__ import annotations

import re
from typing import Any

from ferme.plan.types import Plan, PlannedFlow

PLATFORMS = {"fortigate": "fortigate", "ciscoasa": "ciscoasa", "srx": "srx", "paloalto": "paloalto"}
ZONE_BASED = ("fortigate", "srx", "paloalto")


def _token(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _zone_of(plan: Plan, address: str) -> str:
    import ipaddress

    ip = ipaddress.IPv4Network(address, strict=False)
    for name, zone in plan["zones"].items():
        if ip.subnet_of(ipaddress.IPv4Network(zone["subnet"])):
            return str(name)
    return "outside"


def _pairs(plan: Plan, flow: PlannedFlow) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """Addresses of the flow by (source zone, destination zone), only where the zones differ."""
    outside = next((n for n, z in plan["zones"].items() if z["kind"] == "outside"), "outside")
    sources = [(_zone_of(plan, a), a) for a in flow["source"]["addresses"]] or [(outside, "")]
    if flow["published"]:
        sources = [(outside, "")]  # the Internet: any source
    targets = [(_zone_of(plan, a), a) for a in flow["destination"]["addresses"]]
    if flow["destination"]["kind"] == "any":  # every zone, the Internet included
        targets = [(str(name), "") for name in plan["zones"]]
    elif flow["destination"]["kind"] == "internet" or (
        flow["destination"]["kind"] == "zone" and plan["zones"][flow["destination"]["name"]]["kind"] == "outside"
    ):
        named = flow["destination"]["kind"] == "internet" and flow["destination"]["addresses"]
        targets = [(outside, a) for a in flow["destination"]["addresses"]] if named else [(outside, "")]
    pairs: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for source_zone, source in sources:
        for target_zone, target in targets:
            if source_zone == target_zone:
                continue
            src, dst = pairs.setdefault((source_zone, target_zone), ([], []))
            if source and source not in src:
                src.append(source)
            if target and target not in dst:
                dst.append(target)
    return pairs


def _policy_and_definitions(plan: Plan, platform: str) -> tuple[dict[str, Any], dict[str, Any]]:
    networks: dict[str, Any] = {}
    services: dict[str, Any] = {}
    filters: dict[str, list[dict[str, Any]]] = {}
    for flow in plan["flows"]:
        for (source_zone, target_zone), (sources, targets) in sorted(_pairs(plan, flow).items()):
            for protocol in sorted({r["protocol"] for r in flow["rules"]}):
                name = _token(f"{flow['id']}_{source_zone}_{target_zone}_{protocol}")
                comment = f"{flow['asked_by']}: {flow['why_fr']}"
                term: dict[str, Any] = {"name": _term_name(name), "action": "accept", "protocol": protocol,
                                        "comment": comment}  # fmt: skip
                if sources:
                    networks[name + "_SRC"] = {"values": [{"address": _cidr(a)} for a in sources]}
                    term["source-address"] = name + "_SRC"
                if targets:
                    networks[name + "_DST"] = {"values": [{"address": _cidr(a)} for a in targets]}
                    term["destination-address"] = name + "_DST"
                ports = [r["ports"] for r in flow["rules"] if r["protocol"] == protocol and r["ports"]]
                if protocol == "icmp":
                    # Aerleon's FortiGate generator cannot sort ICMP-type services among port services (a
                    # TypeError): there the term matches ICMP as a whole.
                    if ports and platform != "fortigate":
                        term["icmp-type"] = ports
                elif ports:
                    services[name] = [{"port": p, "protocol": protocol} for p in ports]
                    term["destination-port"] = name
                key = f"from-zone {source_zone} to-zone {target_zone}" if platform in ZONE_BASED else "ferme-edge"
                filters.setdefault(key, []).append(term)
    policy = {
        "filename": f"ferme-{plan['site']['name']}",
        "filters": [
            {"header": {"targets": {PLATFORMS[platform]: header}, "comment": f"ferme: {plan['site']['name']}"},
             "terms": terms}
            for header, terms in sorted(filters.items())
        ],
    }  # fmt: skip
    return policy, {"networks": networks, "services": services}


def _term_name(name: str) -> str:
    """Readable and unique within 47 characters (Palo Alto derives 63-character service names from it)."""
    import hashlib

    slug = name.lower().replace("_", "-")
    if len(slug) <= 47:
        return slug
    return f"{slug[:40].rstrip('-')}-{hashlib.sha1(slug.encode()).hexdigest()[:6]}"


def _cidr(address: str) -> str:
    return address if "/" in address else f"{address}/32"


def render_vendor(plan: Plan, platform: str) -> str:
    """One platform's configuration text."""
    from aerleon import api
    from aerleon.lib import naming

    policy, definitions = _policy_and_definitions(plan, platform)
    names = naming.Naming()
    names.ParseDefinitionsObject(definitions, "")
    output = api.Generate([policy], names)  # type: ignore[list-item]
    assert output is not None
    (text,) = output.values()
    return text

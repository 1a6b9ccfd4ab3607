"""A Palo Alto edge's complete configuration (PAN-OS XML), loaded with `load config partial … mode merge`.

Layer-3 interfaces and zones, address objects named by host or zone, services by protocol and port, one
security rule per flow and zone pair that logs at session end (published services: the **pre-NAT** public
address with the post-NAT zone, as PAN-OS matches them), NAT rules (destination NAT for the published
services, one real host per public port; dynamic IP and port to the outside interface), a final deny that
logs, static routes, and a RADIUS server profile for privacyIDEA. Secrets are placeholders
(`FERME_SECRET_<name>`): ferme never writes a secret into a file.
"""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET

from ferme.plan.types import Plan
from ferme.render.appliance import EdgeConfig, flow_labels

VSYS = "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']"
NETWORK = "/config/devices/entry[@name='localhost.localdomain']/network"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _members(parent: ET.Element, tag: str, values: list[str]) -> None:
    node = _sub(parent, tag)
    for value in values:
        _sub(node, "member", value)


def _service(config: EdgeConfig, protocol: str, ports: str) -> str:
    return "any" if protocol == "icmp" else config.service(protocol, ports)


def _rules(config: EdgeConfig, rules: ET.Element) -> None:
    labels = flow_labels(config.plan)
    for number, rule in enumerate(config.edge["forward"], 1):
        services = [_service(config, rule["protocol"], p) for p in rule["ports"]] or ["any"]
        for (source_zone, target_zone), (sources, targets) in config.pairs(rule).items():
            if rule.get("dnat"):  # PAN-OS matches the pre-NAT address and the post-NAT zone
                targets = [config.public_of(rule["id"], t) or t for t in targets]
            entry = _sub(rules, "entry", name=f"{rule['id'].replace('/', '_').replace('>', '')}-{number}"[:63])
            _members(entry, "from", [source_zone])
            _members(entry, "to", [target_zone])
            _members(entry, "source", ["any" if s == "any" else config.address(s) for s in sources])
            _members(entry, "destination", ["any" if d == "any" else config.address(d) for d in targets])
            _members(entry, "application", ["ping"] if rule["protocol"] == "icmp" else ["any"])
            _members(entry, "service", ["application-default"] if rule["protocol"] == "icmp" else services)
            _sub(entry, "action", "allow")
            _sub(entry, "log-end", "yes")
            _sub(entry, "description", labels[rule["id"]][:1000])
    deny = _sub(rules, "entry", name="ferme-deny-all")
    for tag in ("from", "to", "source", "destination", "application", "service"):
        _members(deny, tag, ["any"])
    _sub(deny, "action", "deny")
    _sub(deny, "log-end", "yes")
    _sub(deny, "description", "ferme: tout flux absent de la matrice est refusé")


def _nat(config: EdgeConfig, rules: ET.Element) -> None:
    outside = config.outside_zones()
    if not outside:
        return
    for publication in config.edge["publications"]:
        if publication["local"]:
            continue
        for rule in publication["rules"]:
            name = f"ferme-dnat-{'-'.join(publication['services'])}-{rule['protocol']}-{rule['ports']}"[:63]
            entry = _sub(rules, "entry", name=name)
            _members(entry, "from", outside)
            _members(entry, "to", outside)
            _members(entry, "source", ["any"])
            _members(entry, "destination", [config.address(publication["public_address"])])
            _sub(entry, "service", config.service(rule["protocol"], rule["ports"]))
            translated = _sub(entry, "destination-translation")
            _sub(translated, "translated-address", config.address(publication["addresses"][0]))
            note = "" if len(publication["addresses"]) == 1 else f" (first of {', '.join(publication['hosts'])})"
            _sub(entry, "description", f"{', '.join(publication['fqdns']) or publication['services'][0]}{note}")
    snat = _sub(rules, "entry", name="ferme-snat-outside")
    _members(snat, "from", config.inside_zones())
    _members(snat, "to", outside)
    _members(snat, "source", ["any"])
    _members(snat, "destination", ["any"])
    _sub(snat, "service", "any")
    dynamic = _sub(_sub(snat, "source-translation"), "dynamic-ip-and-port")
    _sub(_sub(dynamic, "interface-address"), "interface", config.interfaces[outside[0]])


def render_panos(plan: Plan) -> str:
    config = EdgeConfig(plan)
    root = ET.Element("config", version="10.2.0")
    device = _sub(_sub(root, "devices"), "entry", name="localhost.localdomain")
    network = _sub(device, "network")
    vsys = _sub(_sub(device, "vsys"), "entry", name="vsys1")
    rulebase = _sub(vsys, "rulebase")
    _rules(config, _sub(_sub(rulebase, "security"), "rules"))
    _nat(config, _sub(_sub(rulebase, "nat"), "rules"))
    ethernet = _sub(_sub(network, "interface"), "ethernet")
    zones = _sub(vsys, "zone")
    for zone, interface in config.zone_interfaces().items():
        layer3 = _sub(_sub(ethernet, "entry", name=interface), "layer3")
        address = config.fw["addresses"].get(zone)
        addresses = _sub(layer3, "ip")
        if address:
            prefix = ipaddress.IPv4Network(plan["zones"][zone]["subnet"]).prefixlen
            _sub(addresses, "entry", name=f"{address}/{prefix}")
        for extra in (a for a in config.edge["public_addresses"] if a["interface"] == interface):
            _sub(addresses, "entry", name=extra["address"])
        _members(_sub(_sub(zones, "entry", name=zone), "network"), "layer3", [interface])
    objects = _sub(vsys, "address")
    for name, cidr, comment in config.objects:
        entry = _sub(objects, "entry", name=name)
        _sub(entry, "ip-netmask", cidr)
        if comment:
            _sub(entry, "description", comment)
    services = _sub(vsys, "service")
    for (protocol, ports), name in config.services.items():
        _sub(_sub(_sub(_sub(services, "entry", name=name), "protocol"), protocol), "port", ports)
    router = _sub(_sub(_sub(network, "virtual-router"), "entry", name="default"), "routing-table")
    static = _sub(_sub(router, "ip"), "static-route")
    for zone in config.outside_zones():
        if plan["zones"][zone]["gateway"]:
            route = _sub(static, "entry", name=f"ferme-internet-{zone}")
            _sub(route, "destination", "0.0.0.0/0")
            _sub(_sub(route, "nexthop"), "ip-address", plan["zones"][zone]["gateway"])
    for number, item in enumerate(config.edge["routes"], 1):
        route = _sub(static, "entry", name=f"ferme-route-{number}")
        _sub(route, "destination", item["to"])
        _sub(_sub(route, "nexthop"), "ip-address", item["via"])
    if config.mfa_servers():
        profile = _sub(_sub(_sub(vsys, "server-profile"), "radius"), "entry", name="ferme-privacyidea")
        _sub(profile, "timeout", "10")  # an OTP takes a human a few seconds
        servers = _sub(profile, "server")
        for server in config.mfa_servers():
            entry = _sub(servers, "entry", name=f"privacyidea-{server}")
            _sub(entry, "ip-address", server)
            _sub(entry, "secret", config.radius_secret())
            _sub(entry, "port", "1812")
    ET.indent(root)
    header = (
        f"<!-- Managed by ferme: Palo Alto configuration of {plan['site']['name']} ({config.edge['host']}), "
        f"from {len(plan['flows'])} flows.\n"
        "     Load the vsys and the network part with `load config partial mode merge from ferme.xml`\n"
        f"     from-xpath {VSYS} to-xpath {VSYS}\n"
        f"     (and the same for {NETWORK}), then `commit`. Nothing of the running configuration is deleted;\n"
        "     ferme's rules are appended, the last one refuses and logs the rest. Replace FERME_SECRET_<name> by\n"
        "     the secret's value: ferme never writes a secret into a file. -->\n"
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + header + ET.tostring(root, encoding="unicode") + "\n"

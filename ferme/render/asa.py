"""A Cisco ASA edge's complete configuration (ASA 8.3 and later), pasted in `configure terminal`.

Interfaces with their `nameif` (the inventory's zone) and security level, network objects named by host
or zone, static NAT for the published services (object NAT with `service`: one real host per public
port; several hosts need the load balancer the inventory names), dynamic PAT to the outside interface,
one access list per ingress interface with a line per flow that logs, a final `deny ip any any log`,
`access-group` bindings, SSH and HTTPS management from the admin addresses only, routes, and the
privacyIDEA servers as a RADIUS server group. Secrets are placeholders (`FERME_SECRET_<name>`).
"""

from __future__ import annotations

import ipaddress

from ferme.plan.types import Plan
from ferme.render.appliance import EdgeConfig, flow_labels


def _object(config: EdgeConfig, value: str) -> str:
    return "any4" if value == "any" else f"object {config.address(value)}"


def _net(cidr: str) -> str:
    """`10.0.0.0 255.255.255.0`, as the ASA writes a network."""
    return ipaddress.IPv4Network(cidr, strict=False).with_netmask.replace("/", " ")


def _deny(zone: str) -> list[str]:
    return [
        f"access-list ferme-{zone}-in extended deny ip any4 any4 log",
        f"access-group ferme-{zone}-in in interface {zone}",
    ]


def _ports(protocol: str, ports: str) -> str:
    if protocol == "icmp":
        return " echo" if ports == "echo-request" else ""
    low, _, high = ports.partition("-")
    return f" range {low} {high}" if high else f" eq {low}"


def _access_lists(config: EdgeConfig) -> dict[str, list[str]]:
    labels = flow_labels(config.plan)
    lists: dict[str, list[str]] = {}
    seen: set[str] = set()
    for rule in config.edge["forward"]:
        protocol = rule["protocol"]
        for (source_zone, _), (sources, targets) in config.pairs(rule).items():
            acl = lists.setdefault(source_zone, [])
            remark = f"access-list ferme-{source_zone}-in remark {rule['id']}: {labels[rule['id']]}"[:100]
            if remark not in acl:
                acl.append(remark)
            for source in sources:
                for target in targets:
                    for ports in rule["ports"] or [""]:
                        match = f"{_object(config, source)} {_object(config, target)}{_ports(protocol, ports)}"
                        line = f"access-list ferme-{source_zone}-in extended permit {protocol} {match} log"
                        # One list per ingress interface: a line two flows share (the gateway and RD Web on one
                        # host) is written once (the ASA refuses a duplicate entry); each flow keeps its remark.
                        if line not in seen:
                            seen.add(line)
                            acl.append(line)
    return lists


def render_asa(plan: Plan) -> str:
    config = EdgeConfig(plan)
    lists = _access_lists(config)
    outside = config.outside_zones()
    out = [
        f"! Managed by ferme: Cisco ASA configuration of {plan['site']['name']} ({config.edge['host']}), "
        f"from {len(plan['flows'])} flows.",
        "! Paste in `configure terminal` (or `copy` it to running-config): it adds or replaces ferme-… objects and",
        "! access lists, and deletes nothing else. Every line logs; each list ends by refusing and logging the",
        "! rest. Replace FERME_SECRET_<name> by the secret's value: ferme never writes a secret into a file.",
    ]
    for zone, interface in config.zone_interfaces().items():
        address = config.fw["addresses"].get(zone)
        level = 0 if zone in outside else 100 if plan["zones"][zone]["kind"] in ("admin", "mgmt") else 50
        out += [f"interface {interface}", f" nameif {zone}", f" security-level {level}"]
        if address:
            mask = ipaddress.IPv4Network(plan["zones"][zone]["subnet"]).netmask
            out.append(f" ip address {address} {mask}")
        out.append("!")
    nat: list[str] = []
    for publication in config.edge["publications"]:
        if publication["local"]:
            continue
        real = publication["addresses"][0]
        zone = config.zone_for(real)
        for rule in publication["rules"]:
            name = f"ferme-vip-{'-'.join(publication['services'])}-{rule['protocol']}-{rule['ports']}"[:64]
            note = "" if len(publication["addresses"]) == 1 else f" (first of {', '.join(publication['hosts'])})"
            nat += [f"object network {name}", f" description {', '.join(publication['fqdns']) or real}{note}",
                    f" host {real}", f" nat ({zone},{outside[0]}) static {publication['public_address']} "
                    f"service {rule['protocol']} {rule['ports']} {rule['ports']}"]  # fmt: skip
    for zone in config.inside_zones() if outside else []:
        nat += [f"object network ferme-pat-{zone}", f" subnet {_net(plan['zones'][zone]['subnet'])}",
                f" nat ({zone},{outside[0]}) dynamic interface"]  # fmt: skip
    body: list[str] = []
    for zone, lines in sorted(lists.items()):
        body += [*lines, *_deny(zone)]
    for zone in sorted(set(config.zone_interfaces()) - set(lists)):
        body += _deny(zone)
    objects = []
    for name, cidr, comment in config.objects:
        network = ipaddress.IPv4Network(cidr)
        value = f"host {network.network_address}" if network.prefixlen == 32 else f"subnet {_net(cidr)}"
        objects += [f"object network {name}", f" {value}"] + ([f" description {comment}"] if comment else [])
    management = []
    for rule in config.edge["input"]:
        for source in rule.get("addresses", []):
            network = ipaddress.IPv4Network(source, strict=False)
            for ports in rule["ports"]:
                kind = {"22": "ssh", "443": "http"}.get(ports)
                if kind:
                    management.append(f"{kind} {network.network_address} {network.netmask} {config.zone_for(source)}")
    routes = [
        f"route {z} 0.0.0.0 0.0.0.0 {plan['zones'][z]['gateway']}" for z in outside if plan["zones"][z]["gateway"]
    ]
    routes += [f"route {r['zone']} {_net(r['to'])} {r['via']}" for r in config.edge["routes"]]
    radius = ["aaa-server ferme-privacyidea protocol radius"] if config.mfa_servers() else []
    for server in config.mfa_servers():
        radius += [f"aaa-server ferme-privacyidea ({config.zone_for(server)}) host {server}", " timeout 10",
                   f" key {config.radius_secret()}"]  # fmt: skip
    return "\n".join([*out, *objects, *nat, *body, *management, "http server enable", *routes, *radius]) + "\n"

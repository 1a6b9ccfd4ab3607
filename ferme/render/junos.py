"""A Juniper SRX edge's complete configuration, in Junos's hierarchical form, loaded with `load merge`.

Interfaces and security zones (host-inbound SSH and HTTPS only where the admin zone arrives), a global
address book named by host or zone, applications by protocol and port, destination NAT for the published
services (a pool per port: the first host; several hosts need the load balancer the inventory names),
source NAT to the outside interface, one policy per flow and zone pair that logs each session, a
global deny that logs, static routes, and the privacyIDEA servers as RADIUS servers. Secrets are
placeholders (`FERME_SECRET_<name>`): ferme never writes a secret into a file.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ferme.plan.types import Plan
from ferme.render.appliance import EdgeConfig, flow_labels

# A statement (`permit`, children None) or a block (`then { … }`, children a list of nodes), in order.
Node = tuple[str, Any]


def _text(nodes: list[Node], depth: int = 0) -> list[str]:
    lines = []
    for statement, children in nodes:
        pad = "    " * depth
        if children is None:
            lines.append(f"{pad}{statement};")
        else:
            lines += [f"{pad}{statement} {{", *_text(children, depth + 1), f"{pad}}}"]
    return lines


def _leaf(*statements: str) -> list[Node]:
    return [(s, None) for s in statements]


def _list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else f"[ {' '.join(values)} ]"


def _application(config: EdgeConfig, protocol: str, ports: str) -> str:
    if protocol == "icmp":
        return "junos-ping" if ports == "echo-request" else "junos-icmp-all"
    return config.service(protocol, ports)


def _policies(config: EdgeConfig) -> list[Node]:
    labels = flow_labels(config.plan)
    by_pair: dict[tuple[str, str], list[Node]] = {}
    for number, rule in enumerate(config.edge["forward"], 1):
        applications = [_application(config, rule["protocol"], p) for p in rule["ports"]] or ["any"]
        for (source_zone, target_zone), (sources, targets) in config.pairs(rule).items():
            src = ["any" if s == "any" else config.address(s) for s in sources]
            dst = ["any" if d == "any" else config.address(d) for d in targets]
            name = f"{rule['id'].replace('/', '_').replace('>', '')}-{number}"[:63]
            match = _leaf(f"source-address {_list(src)}", f"destination-address {_list(dst)}",
                          f"application {_list(applications)}")  # fmt: skip
            then: list[Node] = [("permit", None), ("log", _leaf("session-init", "session-close"))]
            policy = [(f'description "{labels[rule["id"]][:250]}"', None), ("match", match), ("then", then)]
            by_pair.setdefault((source_zone, target_zone), []).append((f"policy {name}", policy))
    nodes: list[Node] = [(f"from-zone {s} to-zone {t}", body) for (s, t), body in sorted(by_pair.items())]
    deny: list[Node] = [
        ('description "ferme: tout flux absent de la matrice est refusé"', None),
        ("match", _leaf("source-address any", "destination-address any", "application any")),
        ("then", [("deny", None), ("log", _leaf("session-init"))]),
    ]
    return [*nodes, ("global", [("policy ferme-deny-all", deny)])]


def _nat(config: EdgeConfig) -> list[Node]:
    outside = config.outside_zones()
    if not outside:
        return []
    pools: list[Node] = []
    rules: list[Node] = []
    for publication in config.edge["publications"]:
        if publication["local"]:
            continue
        real = publication["addresses"][0]
        note = "" if len(publication["addresses"]) == 1 else f" (first of {', '.join(publication['hosts'])})"
        for rule in publication["rules"]:
            name = f"ferme-dnat-{len(pools) + 1}"  # Junos names are short: what it is goes in the description
            what = f"{', '.join(publication['services'])} {rule['ports']}/{rule['protocol']} to {real}{note}"
            pools.append((f"pool {name}", _leaf(f'description "{what}"', f"address {real}/32 port {rule['ports']}")))
            match = _leaf(f"destination-address {publication['public_address']}/32",
                          f"destination-port {rule['ports']}", f"protocol {rule['protocol']}")  # fmt: skip
            rules.append((f"rule {name}", [("match", match), ("then", [("destination-nat", _leaf(f"pool {name}"))])]))
    snat: Node = ("rule ferme-interface", [("match", _leaf("source-address 0.0.0.0/0")),
                                           ("then", [("source-nat", _leaf("interface"))])])  # fmt: skip
    nat: list[Node] = [("source", [("rule-set ferme-snat", [
        (f"from zone {_list(config.inside_zones())}", None), (f"to zone {_list(outside)}", None), snat])])]  # fmt: skip
    if rules:
        nat.append(("destination", [*pools, ("rule-set ferme-dnat", [(f"from zone {_list(outside)}", None), *rules])]))
    return [("nat", nat)]


def render_junos(plan: Plan) -> str:
    config = EdgeConfig(plan)
    policies = _policies(config)
    nat = _nat(config)
    admin = {config.zone_for(a) for r in config.edge["input"] for a in r.get("addresses", [])}
    interfaces: list[Node] = []
    zones: list[Node] = []
    for zone, interface in config.zone_interfaces().items():
        address = config.fw["addresses"].get(zone)
        if address:
            prefix = ipaddress.IPv4Network(plan["zones"][zone]["subnet"]).prefixlen
            extra = [a["address"] for a in config.edge["public_addresses"] if a["interface"] == interface]
            family = _leaf(*(f"address {a}" for a in [f"{address}/{prefix}", *extra]))
            interfaces.append((interface, [("unit 0", [("family inet", family)])]))
        services = ["ping", "ssh", "https"] if zone in admin else ["ping"]
        inbound = [("host-inbound-traffic", [("system-services", _leaf(*services))])]
        zones.append((f"security-zone {zone}", [("interfaces", [(f"{interface}.0", inbound)])]))
    book = _leaf(*(f"address {name} {cidr}" for name, cidr, _ in config.objects))
    security: list[Node] = [("address-book", [("global", book)]), ("zones", zones), *nat, ("policies", policies)]
    applications = [(f"application {name}", _leaf(f"protocol {protocol}", f"destination-port {ports}"))
                    for (protocol, ports), name in config.services.items()]  # fmt: skip
    routes = _leaf(
        *(
            f"route 0.0.0.0/0 next-hop {plan['zones'][z]['gateway']}"
            for z in config.outside_zones()
            if plan["zones"][z]["gateway"]
        ),
        *(f"route {r['to']} next-hop {r['via']}" for r in config.edge["routes"]),
    )
    # An OTP takes a human a few seconds: a RADIUS timeout of 10 s.
    radius = [(f"radius-server {server}", _leaf(f'secret "{config.radius_secret()}"', "timeout 10"))
              for server in config.mfa_servers()]  # fmt: skip
    tree: list[Node] = [("interfaces", interfaces), ("security", security)]
    tree += [("applications", applications)] if applications else []
    tree += [("routing-options", [("static", routes)])] if routes else []
    tree += [("access", radius)] if radius else []
    header = [
        f"/* Managed by ferme: Juniper SRX configuration of {plan['site']['name']} ({config.edge['host']}), "
        f"from {len(plan['flows'])} flows.",
        "   Load with `load merge` (then `show | compare`, `commit confirmed 5`): it adds or replaces ferme's",
        "   objects, zones, NAT rule sets and policies, and deletes nothing. Policies log every session; the",
        "   global policy refuses and logs the rest. Replace FERME_SECRET_<name> by the secret's value. */",
    ]
    return "\n".join([*header, *_text(tree)]) + "\n"

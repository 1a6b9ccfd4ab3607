"""A FortiGate edge's complete configuration, from the same edge policy as the nftables ruleset.

What a FortiOS administrator loads as a CLI script (a partial load: only `ferme-…` objects are created
or updated, nothing is deleted): interfaces and their zone aliases, address objects named by host or
network, custom services, VIPs for the published services (several hosts: a server load balance by
source address, so that one client's channels stay on one RD gateway), one policy per flow and
interface pair with `logtraffic all`, source NAT to the outside, a final deny that logs, local-in
policies for the management flows to the appliance itself, static routes, and — where the appliance
terminates the VPN — the RADIUS server (privacyIDEA) and the SSL-VPN settings. Secrets are never
written: `FERME_SECRET_<name>` marks where the operator puts a secret's value when loading.
"""

from __future__ import annotations

import hashlib
import ipaddress

from ferme.plan.types import Plan
from ferme.render.appliance import SSL_VPN_INTERFACE, EdgeConfig

POLICY_BASE = 1000  # ferme's policy ids (an existing configuration keeps its own below)


def _q(values: list[str]) -> str:
    return " ".join(f'"{v}"' for v in values)


def _name(flow_id: str, suffix: str) -> str:
    """A policy name of at most 35 characters (FortiOS), readable and unique."""
    text = f"{flow_id}{suffix}"
    return text if len(text) <= 35 else f"{text[:28]}-{hashlib.sha1(text.encode()).hexdigest()[:6]}"


def _vips(config: EdgeConfig) -> tuple[list[str], dict[tuple[str, str, str], list[str]]]:
    """VIP blocks, and the VIP names per (flow id, protocol, port)."""
    lines: list[str] = []
    by_flow: dict[tuple[str, str, str], list[str]] = {}
    outside = config.edge["masquerade"][0] if config.edge["masquerade"] else "any"
    for publication in config.edge["publications"]:
        if publication["local"]:
            continue
        service = "-".join(publication["services"])[:40]
        for rule in publication["rules"]:
            protocol, port = rule["protocol"], rule["ports"]
            name = f"ferme-vip-{service}-{protocol}-{port}"[:79]
            lines += [f'    edit "{name}"',
                      f'        set comment "{", ".join(publication["fqdns"]) or service} → '
                      f'{", ".join(publication["hosts"])}"',
                      f"        set extip {publication['public_address']}", f'        set extintf "{outside}"',
                      "        set portforward enable", f"        set protocol {protocol}",
                      f"        set extport {port}", f"        set mappedport {port}"]  # fmt: skip
            if len(publication["addresses"]) == 1:
                lines.append(f'        set mappedip "{publication["addresses"][0]}"')
            else:
                # Several hosts: chosen by the client's address, the same for TCP and UDP.
                lines += ["        set type server-load-balance", f"        set server-type {protocol}",
                          "        set ldb-method source-ip-hash", "        config realservers"]  # fmt: skip
                for i, address in enumerate(publication["addresses"], 1):
                    lines += [f"            edit {i}", f"                set ip {address}",
                              f"                set port {port}", "            next"]  # fmt: skip
                lines.append("        end")
            lines.append("    next")
            for flow in publication["flows"]:
                by_flow.setdefault((flow, protocol, port), []).append(name)
    return lines, by_flow


def _policies(config: EdgeConfig, vips: dict[tuple[str, str, str], list[str]]) -> list[str]:
    lines: list[str] = []
    number = POLICY_BASE
    flows = {f["id"]: f for f in config.plan["flows"]}
    for rule in config.edge["forward"]:
        flow = flows[rule["id"]]
        services = [config.service(rule["protocol"], p) for p in rule["ports"]] or ["ALL"]
        if rule.get("interfaces"):  # published: from the Internet, to the VIPs
            pairs: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
            names = sorted({v for p in rule["ports"] for v in vips.get((rule["id"], rule["protocol"], p), [])})
            for destination in rule["destinations"]:
                src, dst = pairs.setdefault((rule["interfaces"][0], config.interface_of(destination)), ([], []))
                dst[:] = names
                src[:] = ["all"]
        else:
            pairs = {}
            sources = rule["addresses"] or ["0.0.0.0/0"]
            destinations = rule["destinations"] or []
            for source in sources:
                src_if = config.interface_of(source) if rule["addresses"] else "any"
                src_obj = config.address(source) if rule["addresses"] else "all"
                targets = [(config.interface_of(d), config.address(d)) for d in destinations]
                if not destinations:
                    targets = [(i, "all") for i in (rule.get("out_interfaces") or ["any"])]
                for dst_if, dst_obj in targets:
                    src, dst = pairs.setdefault((src_if, dst_if), ([], []))
                    if src_obj not in src:
                        src.append(src_obj)
                    if dst_obj not in dst:
                        dst.append(dst_obj)
        for (src_if, dst_if), (src, dst) in pairs.items():
            lines += [f"    edit {number}", f'        set name "{_name(rule["id"], f"-{number}")}"',
                      f'        set srcintf "{src_if}"', f'        set dstintf "{dst_if}"',
                      f"        set srcaddr {_q(src)}", f"        set dstaddr {_q(dst)}",
                      "        set action accept", '        set schedule "always"',
                      f"        set service {_q(services)}", "        set logtraffic all",
                      f'        set comments "{rule["id"]}: {flow["why_fr"]}"']  # fmt: skip
            if src_if == SSL_VPN_INTERFACE:
                lines.append('        set groups "ferme-vpn"')
            if dst_if in config.edge["masquerade"]:
                lines.append("        set nat enable")
            lines.append("    next")
            number += 1
    lines += [f"    edit {number}", '        set name "ferme-deny-all"', '        set srcintf "any"',
              '        set dstintf "any"', '        set srcaddr "all"', '        set dstaddr "all"',
              "        set action deny", '        set schedule "always"', '        set service "ALL"',
              "        set logtraffic all", '        set comments "ferme: tout flux absent de la matrice est refusé"',
              "    next"]  # fmt: skip
    return lines


def _local_in(config: EdgeConfig) -> tuple[list[str], set[str]]:
    """Management flows to the appliance itself; the interfaces they arrive on get admin access."""
    lines, admin_interfaces = [], set()
    number = POLICY_BASE
    for rule in config.edge["input"]:
        if not rule.get("addresses"):
            continue  # the VPN's own port: the SSL-VPN settings open it
        for source in rule["addresses"]:
            interface = config.interface_of(source)
            admin_interfaces.add(interface)
            services = [config.service(rule["protocol"], p) for p in rule["ports"]]
            lines += [f"    edit {number}", f'        set intf "{interface}"',
                      f'        set srcaddr "{config.address(source)}"',
                      f"        set dstaddr {_q([config.address(d) for d in rule['destinations']])}",
                      "        set action accept", f"        set service {_q(services)}",
                      '        set schedule "always"', f'        set comments "{rule["id"]}"', "    next"]  # fmt: skip
            number += 1
    return lines, admin_interfaces


def render_fortigate(plan: Plan) -> str:
    config = EdgeConfig(plan)
    vip_lines, vips = _vips(config)
    policy_lines = _policies(config, vips)
    local_in, admin_interfaces = _local_in(config)
    site = plan["site"]["name"]
    out: list[str] = [
        f"# Managed by ferme: FortiGate configuration of {site} ({config.edge['host']}), "
        f"from {len(plan['flows'])} flows.",
        "# A partial load (CLI script: `execute batch`, or System > Configuration > Scripts): it creates or updates",
        "# ferme-… objects and policies 1000+, and deletes nothing. Policies are appended in this order; the last",
        "# one refuses and logs everything else. Replace FERME_SECRET_<name> by the secret's value when loading:",
        "# ferme never writes a secret into a file.",
        "config system interface",
    ]  # fmt: skip
    for zone, interface in config.interfaces.items():
        if interface == SSL_VPN_INTERFACE:
            continue
        address = config.fw["addresses"].get(zone)
        lines = [f'    edit "{interface}"', f'        set alias "{zone}"']
        if address:
            subnet = ipaddress.IPv4Network(plan["zones"][zone]["subnet"])
            lines.append(f"        set ip {address} {subnet.netmask}")
        access = "ping https ssh" if interface in admin_interfaces else "ping"
        lines += [f"        set allowaccess {access}", "    next"]
        out += lines
    out.append("end")
    policies_text = policy_lines  # objects are collected while rendering policies and local-in
    out += ["config firewall address"]
    for name, cidr, comment in config.objects:
        net = ipaddress.IPv4Network(cidr)
        out += [f'    edit "{name}"', f"        set subnet {net.network_address} {net.netmask}"]
        out += [f'        set comment "{comment}"'] if comment else []
        out.append("    next")
    out.append("end")
    out.append("config firewall service custom")
    for (protocol, ports), name in config.services.items():
        out += [f'    edit "{name}"', f"        set {protocol}-portrange {ports}", "    next"]
    out.append("end")
    if vip_lines:
        out += ["config firewall vip", *vip_lines, "end"]
    out += _vpn(config)
    out += ["config firewall policy", *policies_text, "end"]
    if local_in:
        out += ["config firewall local-in-policy", *local_in, "end"]
    out += _routes(config)
    return "\n".join(out) + "\n"


def _routes(config: EdgeConfig) -> list[str]:
    lines = ["config router static"]
    number = POLICY_BASE
    outside = [z for z, info in config.plan["zones"].items() if info["kind"] == "outside"]
    for zone in outside:
        gateway = config.plan["zones"][zone]["gateway"]
        if gateway and zone in config.interfaces:
            lines += [f"    edit {number}", f"        set gateway {gateway}",
                      f'        set device "{config.interfaces[zone]}"', '        set comment "ferme: Internet"',
                      "    next"]  # fmt: skip
            number += 1
    for route in config.edge["routes"]:
        network = ipaddress.IPv4Network(route["to"])
        lines += [f"    edit {number}", f"        set dst {network.network_address} {network.netmask}",
                  f"        set gateway {route['via']}", f'        set device "{config.interfaces[route["zone"]]}"',
                  "    next"]  # fmt: skip
        number += 1
    return [*lines, "end"] if len(lines) > 1 else []


def _vpn(config: EdgeConfig) -> list[str]:
    """RADIUS to privacyIDEA and the SSL-VPN, where the appliance terminates the VPN."""
    if not config.vpn_on_edge:
        return []
    plan = config.plan
    vpn = plan["settings"]["vpn"]
    servers = config.mfa_servers()
    pool = ipaddress.IPv4Network(config.pool)
    lines = ["config user radius", '    edit "ferme-privacyidea"']
    if servers:
        lines.append(f'        set server "{servers[0]}"')
    if len(servers) > 1:
        lines.append(f'        set secondary-server "{servers[1]}"')
    lines += [f'        set secret "{config.radius_secret()}"', "        set auth-type pap",
              "        set timeout 10", "    next", "end",  # an OTP takes a human a few seconds
              "config user group", '    edit "ferme-vpn"', '        set member "ferme-privacyidea"', "    next", "end",
              "config firewall address", '    edit "ferme-vpn-pool"', "        set type iprange",
              f"        set start-ip {pool.network_address + 1}", f"        set end-ip {pool.broadcast_address - 1}",
              "    next", "end",
              "config vpn ssl web portal", '    edit "ferme-tunnel"', "        set tunnel-mode enable",
              '        set ip-pools "ferme-vpn-pool"', "        set split-tunneling enable", "    next", "end",
              "config vpn ssl settings", f"    set port {vpn['port']}",
              f'    set source-interface "{config.edge["masquerade"][0] if config.edge["masquerade"] else "any"}"',
              '    set source-address "all"', '    set tunnel-ip-pools "ferme-vpn-pool"',
              '    set default-portal "ferme-tunnel"', "    config authentication-rule", "        edit 1",
              '            set groups "ferme-vpn"', '            set portal "ferme-tunnel"', "        next",
              "    end", "end"]  # fmt: skip
    return lines

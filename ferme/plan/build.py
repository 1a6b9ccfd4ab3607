"""The Plan: everything later layers need, derived from the Site once, with no I/O."""

from __future__ import annotations

from typing import Any

from ferme import __version__
from ferme.plan.edge import edge_policy
from ferme.plan.flows import derive_flows
from ferme.plan.hosts import directory_addresses, plan_host
from ferme.plan.published import agent_services
from ferme.plan.sizing import size_site
from ferme.plan.types import Plan
from ferme.plan.waves import plan_waves, proposed_waves
from ferme.site.model import Site, Switch

PLAN_FORMAT = 1
# Where the host artifacts a role deploys are rendered (ferme.render.artifacts reads these too).
ARTIFACT_PATHS = {
    "edge_ruleset": "firewall/{host}.nft",
    "windows_firewall": "windows/{host}/firewall.ps1",
    "host_ruleset": "firewall/hosts/{host}.nft",
}


def _switch(switch: Switch, site: Site) -> dict[str, Any]:
    syslog = site.outbound.syslog
    return {
        "vendor": switch.vendor,
        "model": switch.model,
        "ntp_servers": list(site.info.ntp_servers) or directory_addresses(site),
        "syslog": syslog.model_dump(mode="json") if syslog else None,
        "management": {"zone": switch.management_zone, "address": str(switch.management_address)},
        "connection": {
            "via": "netdev",
            "user": switch.connection.user,
            "port": switch.connection.port,
            "password_secret": switch.connection.password,
        },
        "interfaces": list(switch.interfaces),
        "ports": {
            p.name: {
                k: v
                for k, v in {
                    "host": p.host,
                    "zone": p.zone,
                    "trunk": list(p.trunk) if p.trunk else None,
                    "native": p.native,
                    "uplink": p.uplink,
                    "description": p.description or None,
                    "shutdown": p.shutdown or None,
                }.items()
                if v is not None
            }
            for p in switch.ports
        },
    }


def _settings(site: Site) -> dict[str, Any]:
    sections = {"agents": site.agents, "rds": site.rds, "collab": site.collab, "mfa": site.mfa, "vpn": site.vpn,
                "firewall": site.firewall, "switching": site.switching}  # fmt: skip
    return {name: (s.model_dump(mode="json") if s is not None else None) for name, s in sections.items()}


def build_plan(site: Site) -> Plan:
    """The whole plan as a JSON-ready mapping (stable order, no timestamps: golden-testable)."""
    flows = derive_flows(site)
    edge = edge_policy(site, flows)
    hosts = {name: plan_host(host, site) for name, host in sorted(site.hosts.items())}
    for name, planned in hosts.items():
        if planned["os"] == "windows" and planned["managed"]:  # ferme writes nothing for hosts it does not manage
            planned["state"]["firewall_script"] = ARTIFACT_PATHS["windows_firewall"].format(host=name)
        if planned["os"] == "debian" and planned["managed"] and not (edge and edge["host"] == name):
            # Every Debian host filters what reaches it (the edge's own ruleset does it for the edge).
            planned["state"]["host_firewall"] = {"ruleset": ARTIFACT_PATHS["host_ruleset"].format(host=name),
                                                 "confirm_seconds": site.confirm_seconds}  # fmt: skip
    if site.vpn is not None and site.vpn.kind == "openvpn":
        from ferme.plan.vpn import vpn_state

        for host in site.hosts_with("vpn"):
            if host.os == "debian" and host.managed:
                hosts[host.name]["state"]["vpn"] = vpn_state(host, site, flows)
    if site.rds is not None and "portal" in site.rds.gateway.mfa:
        from ferme.plan.portal import portal_state

        for host in site.hosts_with("portal"):
            if host.os == "debian" and host.managed:
                hosts[host.name]["state"]["portal"] = portal_state(host, site, flows)
    if edge and hosts[edge["host"]]["os"] == "debian":  # an appliance edge: its configuration is an artifact
        hosts[edge["host"]]["state"]["firewall"] = {
            "ruleset": ARTIFACT_PATHS["edge_ruleset"].format(host=edge["host"]),
            "routes": edge["routes"],
            "public_addresses": edge["public_addresses"],
            # physical interfaces only: a VPN tunnel appears when the VPN starts
            "interfaces": sorted(i for z, i in edge["interfaces"].items() if site.zones[z].kind != "vpn"),
            "confirm_seconds": edge["confirm_seconds"],
        }
    return {
        "format": PLAN_FORMAT,
        "ferme": __version__,
        "site": site.info.model_dump(mode="json"),
        "zones": {
            z.name: {
                "kind": z.kind,
                "vlan": z.vlan,
                "subnet": str(z.subnet),
                "gateway": str(z.gateway) if z.gateway else None,
                "description": z.description,
                **({"via": str(z.via), "bandwidth_mbps": z.bandwidth_mbps} if z.kind == "remote" else {}),
                **({"bandwidth_mbps": z.bandwidth_mbps} if z.kind == "outside" and z.bandwidth_mbps else {}),
            }
            for z in site.zones.values()
        },
        "hosts": hosts,
        "switches": {name: _switch(sw, site) for name, sw in sorted(site.switches.items())},
        "roles": {
            role: sorted(h.name for h in site.hosts.values() if role in h.roles)
            for role in sorted({r for h in site.hosts.values() for r in h.roles})
        },
        "settings": _settings(site),
        "admins": [a.model_dump(mode="json") for a in site.admins],
        "run": site.run.to_json(),
        "sizing": size_site(site),
        "waves": plan_waves(site),
        "waves_proposed": proposed_waves(site),
        "flows": [flow.to_json() for flow in flows],
        "edge": edge,
        "agent_services": agent_services(site, edge),
        "secrets": list(site.secret_names),
    }

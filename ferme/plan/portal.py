"""The OTP pre-authentication portal's planned state: its name, session rules, the MFA servers it asks and the
RD Web / RD gateway hosts it proxies to (each at the address the portal reaches it on)."""

from __future__ import annotations

from typing import Any

from ferme.plan.edge import published_fqdn
from ferme.plan.flows import Flow, hosts_endpoint
from ferme.site.model import Host, Site

PORTAL_PORT = 8090  # the cookie checker, on loopback behind nginx
COOKIE = "ferme_portail"


def _targets(flows: list[Flow], flow_id: str) -> list[str]:
    flow = next((f for f in flows if f.id == flow_id), None)
    return list(flow.destination.addresses) if flow else []


def _server(server: Host, site: Site) -> dict[str, str]:
    """An MFA server as the portal asks it: by address (toward the portal), its name for TLS."""
    address = hosts_endpoint("role", "mfa", [server], site).addresses[0]
    return {"name": f"{server.name}.{site.info.domain}", "address": address}


def portal_state(host: Host, site: Site, flows: list[Flow]) -> dict[str, Any]:
    """What the portal role converges on one portal host."""
    assert site.rds is not None  # `ferme check` requires the rds section for the portal role
    portal = site.rds.portal
    servers = sorted(site.hosts_with("mfa"), key=lambda h: h.name)
    return {
        "fqdn": published_fqdn(site, "portal"),
        "session_hours": portal.session_hours,
        "idle_minutes": portal.idle_minutes,
        "port": PORTAL_PORT,
        "cookie": COOKIE,
        "title": f"Bureau à distance — {site.info.label}",
        "realm": site.mfa.realm if site.mfa else None,
        "privacyidea": [_server(s, site) for s in servers],
        "rd_web": _targets(flows, "portal/https/rds_web"),
        "rd_gateway": _targets(flows, "portal/https/rds_gateway"),
    }

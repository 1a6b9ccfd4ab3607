"""The OTP pre-authentication portal's planned state: its name, session rules, the MFA servers it asks and the
RD Web / RD gateway hosts it proxies to (each at the address the portal reaches it on)."""

from __future__ import annotations

from typing import Any

from ferme.plan.edge import published_fqdn
from ferme.plan.flows import Flow
from ferme.plan.mfa import mfa_servers, server_address
from ferme.site.model import Host, Site

PORTAL_PORT = 8090  # the cookie checker, on loopback behind nginx
COOKIE = "ferme_portail"


def _targets(flows: list[Flow], flow_id: str) -> list[str]:
    flow = next((f for f in flows if f.id == flow_id), None)
    return list(flow.destination.addresses) if flow else []


def _server(server: Host, site: Site) -> dict[str, str]:
    """An MFA server as the portal asks it: by address, its name for TLS."""
    return {"name": f"{server.name}.{site.info.domain}", "address": server_address(server, site)}


def portal_state(host: Host, site: Site, flows: list[Flow]) -> dict[str, Any]:
    """What the portal role converges on one portal host."""
    assert site.rds is not None  # `ferme check` requires the rds section for the portal role
    portal = site.rds.portal
    return {
        "fqdn": published_fqdn(site, "portal"),
        "session_hours": portal.session_hours,
        "idle_minutes": portal.idle_minutes,
        "port": PORTAL_PORT,
        "cookie": COOKIE,
        "title": f"Bureau à distance — {site.info.label}",
        "realm": site.mfa.realm if site.mfa else None,
        "privacyidea": [_server(s, site) for s in mfa_servers(site)],
        "rd_web": _targets(flows, "portal/https/rds_web"),
        "rd_gateway": _targets(flows, "portal/https/rds_gateway"),
    }

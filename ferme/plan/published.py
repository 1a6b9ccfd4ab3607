"""What the agents are given: each service by name, FQDN, public address (or how it is reached) and URL.

The list a consultant hands over to the collectivité (and the DAT prints): the edge's publications, plus the
collaboration server when it stays inside (reached through the VPN, from the offices and the remote desktops),
with each library's browser and WebDAV address.
"""

from __future__ import annotations

from typing import Any

from ferme.plan.types import EdgePolicy
from ferme.site.model import Site

LABELS_FR = {
    "collab": "espace collaboratif",
    "vpn": "VPN des télétravailleurs",
    "portal": "portail d'authentification (code OTP)",
    "rds_gateway": "passerelle des bureaux à distance",
    "rds_web": "accès web aux bureaux à distance",
}


def _url(fqdn: str | None, rules: list[dict[str, str]]) -> str:
    if not fqdn:
        return ""
    if any(r["protocol"] == "tcp" and r["ports"] == "443" for r in rules):
        return f"https://{fqdn}/"
    return ", ".join(f"{fqdn}:{r['ports']}/{r['protocol']}" for r in rules)


def agent_services(site: Site, edge: EdgePolicy | None) -> list[dict[str, Any]]:
    """One entry per service the agents use, in a stable order."""
    entries: list[dict[str, Any]] = []
    for publication in edge["publications"] if edge else []:
        fqdn = publication["fqdns"][0] if publication["fqdns"] else None
        entries.append({
            "services": publication["services"], "fqdn": fqdn, "public_address": publication["public_address"],
            "reached": "Internet", "url": _url(fqdn, publication["rules"]),
            "label_fr": ", ".join(LABELS_FR.get(s, s) for s in publication["services"]),
        })  # fmt: skip
    collab = site.collab
    if collab is not None and site.hosts_with("collab"):
        from ferme.plan.collab import library_urls

        entry = next((e for e in entries if "collab" in e["services"]), None)
        if entry is None:
            entry = {"services": ["collab"], "fqdn": collab.fqdn, "public_address": None,
                     "reached": "VPN, offices, remote desktops", "url": f"https://{collab.fqdn}/",
                     "label_fr": LABELS_FR["collab"]}  # fmt: skip
            entries.append(entry)
        entry["libraries"] = library_urls(collab)
    return sorted(entries, key=lambda e: (e["fqdn"] or "", e["services"]))

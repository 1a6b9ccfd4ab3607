"""The *dossier d'architecture technique* (DAT) in French, rendered from the plan as one self-contained HTML
page (the topology inline as SVG, print styles for A4): what `ferme docs` turns into a PDF."""

from __future__ import annotations

from typing import Any

import jinja2

from ferme import __version__
from ferme.docs.anssi import GUIDE, REFERENCES_CHECKED, checklist
from ferme.docs.topology import render_topology, switch_links, zone_pairs
from ferme.plan.types import Plan
from ferme.render.matrix import generated_on, rows, version, zone_table
from ferme.render.sizing_sheet import sizing_rows
from ferme.resources import templates

# The DAT's sections, in order: (anchor, title). The PDF test checks that every title is in the PDF's text.
SECTIONS = (
    ("contexte", "Contexte et périmètre"),
    ("topologie", "Topologie"),
    ("adressage", "Plan d'adressage IP et VLAN"),
    ("serveurs", "Serveurs"),
    ("commutateurs", "Commutateurs"),
    ("flux", "Matrice des flux"),
    ("dimensionnement", "Dimensionnement"),
    ("licences", "Licences"),
    ("vagues", "Vagues d'ouverture"),
    ("exploitation", "Procédures d'exploitation"),
    ("securite", "Mesures de sécurité (ANSSI-PA-054)"),
)
ROLES_FR = {
    "base": "socle Debian",
    "edge_firewall": "pare-feu de bordure",
    "directory": "annuaire Active Directory",
    "rds_broker": "service Broker RDS",
    "rds_session_host": "hôte de session RDS",
    "rds_web": "RD Web Access",
    "rds_gateway": "passerelle RD",
    "rds_licensing": "licences RDS",
    "rds_database": "base SQL des brokers",
    "profiles": "profils FSLogix",
    "mfa": "authentification multifacteur",
    "vpn": "VPN",
    "portal": "portail OTP",
    "collab": "serveur de partage",
}
WAVE_STATES_FR = {"planned": "planifiée", "open": "ouverte", "rolled_back": "retirée"}
MATRIX_COLUMNS = (0, 1, 4, 9, 10, 12, 13, 16)  # of matrix.COLUMNS: id, source, destination, service, ports, point,
# encryption, why


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates("docs")),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _host_rows(plan: Plan) -> list[list[str]]:
    result = []
    for name, host in sorted(plan["hosts"].items()):
        hardware = host.get("hardware") or {}
        size = " / ".join(
            f"{hardware[k]} {unit}"
            for k, unit in (("vcpu", "vCPU"), ("ram_gb", "Go"), ("disk_gb", "Go disque"))
            if hardware.get(k)
        )
        result.append(
            [
                name,
                host["os"].capitalize(),
                ", ".join(ROLES_FR.get(r, r) for r in host["roles"]) or "-",
                ", ".join(f"{z} {a}" for z, a in host["addresses"].items()),
                size or "-",
                "géré" if host["managed"] else "décrit",
            ]
        )
    return result


def _switch_rows(plan: Plan) -> list[list[str]]:
    result = []
    for name, switch in sorted(plan["switches"].items()):
        zones, uplinks = switch_links(plan, switch)
        result.append(
            [
                name,
                f"{switch.get('model') or ''} ({switch['vendor']})".strip(),
                f"{switch['management']['address']} ({switch['management']['zone']})",
                ", ".join(f"{z} ({plan['zones'][z].get('vlan')})" for z in zones),
                ", ".join(uplinks) or "-",
                str(len(switch["ports"])),
            ]
        )
    return result


def _wave_rows(plan: Plan) -> list[list[str]]:
    result = []
    for wave in plan["waves"]:
        result.append(
            [
                str(wave["number"]),
                wave["label"] or "",
                wave["start"] or "",
                ", ".join(wave["services"]),
                str(wave["agents"]),
                str(wave["agents_cumulative"]),
                str(wave["concurrent_cumulative"]),
                WAVE_STATES_FR.get(wave["state"], wave["state"]),
            ]
        )
    return result


def _licence_rows(plan: Plan) -> list[list[str]]:
    names = ("licences d'accès RDS", "CAL utilisateur", "licences cœur", "suite bureautique")
    return [row for row in sizing_rows(plan["sizing"]) if row[0].startswith(names)]


def context(plan: Plan) -> dict[str, Any]:
    """Everything the template shows, already in French and as rows."""
    zones, cells = zone_table(plan)
    matrix = [[row[i] for i in MATRIX_COLUMNS] for row in rows(plan)]
    security = checklist(plan)
    counts = {
        status: sum(1 for m in security if m["status"] == status)
        for status in ("conforme", "non conforme", "non applicable", "hors inventaire")
    }
    roles = sorted({r for h in plan["hosts"].values() for r in h["roles"]})
    sizing = plan["sizing"]
    return {
        "plan": plan,
        "site": plan["site"],
        "sections": SECTIONS,
        "ferme_version": __version__,
        "generated_on": generated_on(),
        "policy_version": version(plan),
        "roles": [ROLES_FR.get(r, r) for r in roles],
        "services": plan["agent_services"],
        "svg": render_topology(plan),
        "zone_pairs": len(zone_pairs(plan)),
        "zones": [
            [
                z,
                info["kind"],
                str(info.get("vlan") or "-"),
                info.get("subnet") or "-",
                info.get("gateway") or "-",
                info.get("description") or "",
            ]
            for z, info in plan["zones"].items()
        ],
        "hosts": _host_rows(plan),
        "switches": _switch_rows(plan),
        "zone_matrix": {"zones": zones, "cells": {f"{a}>{b}": ", ".join(v) for (a, b), v in cells.items()}},
        "flows": matrix,
        "sizing": sizing_rows(sizing),
        "sizing_warnings": sizing["warnings"],
        "licences": _licence_rows(plan),
        "waves": _wave_rows(plan),
        "waves_proposed": plan.get("waves_proposed"),
        "security": security,
        "security_counts": counts,
        "guide": GUIDE,
        "references_checked": REFERENCES_CHECKED,
    }


def render_dat(plan: Plan) -> str:
    return _environment().get_template("dat.html.j2").render(**context(plan))

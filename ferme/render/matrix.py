"""The *matrice des flux*: zone-to-zone table and detailed list, in CSV and HTML, in French.

Each row carries the flow id and who asked for it (a role, the management rules or an extra flow
of the inventory), so the security officer can trace every opening back to its reason.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
from datetime import UTC, date, datetime

from ferme.plan.services import encryption_fr
from ferme.plan.types import FlowEnd, Plan, PlannedFlow

COLUMNS = [
    "Identifiant", "Source", "Zones source", "Adresses source", "Destination", "Zones destination",
    "Adresses destination", "Adresse publique", "Nom public", "Service", "Protocoles et ports", "Action",
    "Point de contrôle", "Chiffrement", "Journalisation", "Demandé par", "Justification",
]  # fmt: skip
ASKED_BY_FR = {"management": "règles d'administration", "outbound": "sorties du site (inventaire : outbound)"}
VENDORS_FR = {"fortigate": "FortiGate", "ciscoasa": "Cisco ASA", "srx": "Juniper SRX", "paloalto": "Palo Alto"}


def _asked_by(value: str) -> str:
    if value.startswith("role "):
        return "rôle " + value.removeprefix("role ")
    if value.startswith("extra flow "):
        return "flux spécifique " + value.removeprefix("extra flow ")
    return ASKED_BY_FR.get(value, value)


def _is_internet(plan: Plan, endpoint: FlowEnd) -> bool:
    """The Internet as a flow end: `internet`, or a zone of kind outside (its /28 is the ISP link, not the clients)."""
    return endpoint["kind"] == "internet" or (
        endpoint["kind"] == "zone" and plan["zones"][endpoint["name"]]["kind"] == "outside"
    )


def _endpoint(plan: Plan, endpoint: FlowEnd) -> str:
    if _is_internet(plan, endpoint):
        return "Internet"
    kind = {
        "zone": "zone",
        "role": "rôle",
        "hosts": "hôtes",
        "switches": "commutateurs",
        "any": "toutes zones",
        "address": "serveur",
    }
    label = (
        f"{kind.get(endpoint['kind'], endpoint['kind'])} {endpoint['name']}"
        if endpoint["kind"] != "any"
        else kind["any"]
    )
    if endpoint["hosts"] and endpoint["kind"] != "hosts":
        label += f" ({', '.join(endpoint['hosts'])})"
    elif endpoint["kind"] == "hosts" and endpoint["hosts"]:
        label = "hôtes " + ", ".join(endpoint["hosts"])
    return label


def _addresses(plan: Plan, endpoint: FlowEnd) -> tuple[str, str]:
    if _is_internet(plan, endpoint):
        named = endpoint["kind"] == "internet" and endpoint["addresses"]
        return "Internet", ", ".join(endpoint["addresses"]) if named else "toutes"
    return ", ".join(endpoint["zones"]) or "toutes", ", ".join(endpoint["addresses"]) or "toutes"


def _ports(flow: PlannedFlow) -> str:
    """`TCP 53, 88; UDP 53`: one row per flow, its ports grouped by protocol."""
    by_protocol: dict[str, list[str]] = {}
    for rule in flow["rules"]:
        by_protocol.setdefault(rule["protocol"].upper(), []).append(rule["ports"])
    return "; ".join(f"{proto} {', '.join(p for p in ports if p)}".strip() for proto, ports in by_protocol.items())


def _enforcement(plan: Plan, flow: PlannedFlow) -> tuple[str, str]:
    """Where the flow is filtered, and what is logged there."""
    points, logs = [], []
    edge = plan.get("edge")
    vendor = plan["settings"].get("firewall", {}).get("vendor", "nftables")
    if edge is not None:
        if any(r["id"] == flow["id"] for r in [*edge["input"], *edge["forward"]]):
            points.append("bordure (nftables)")
            logs.append("compteur par règle")
            if flow["published"]:
                logs.append("nouvelles connexions depuis Internet journalisées")
    elif vendor in VENDORS_FR and set(flow["source"]["zones"] or ["*"]) != set(flow["destination"]["zones"] or ["*"]):
        points.append(f"bordure ({VENDORS_FR[vendor]})")
        logs.append("journal de l'équipement")
    windows = [h for h in flow["destination"]["hosts"] if h in plan["hosts"] and plan["hosts"][h]["os"] == "windows"]
    if windows:
        points.append("pare-feu Windows des hôtes")
        logs.append("journal du pare-feu Windows (s'il est activé)")
    if not points:
        return "non filtré (même segment)", "aucune"
    return ", ".join(points), "; ".join(logs)


def _publication(plan: Plan, flow: PlannedFlow) -> tuple[str, str]:
    edge = plan.get("edge")
    for publication in edge["publications"] if edge else []:
        if flow["id"] in publication["flows"]:
            return publication["public_address"], ", ".join(publication["fqdns"]) or "-"
    return "-", "-"


def rows(plan: Plan) -> list[list[str]]:
    result = []
    for flow in plan["flows"]:
        source_zones, source_addresses = _addresses(plan, flow["source"])
        target_zones, target_addresses = _addresses(plan, flow["destination"])
        public, name = _publication(plan, flow)
        point, logging = _enforcement(plan, flow)
        result.append([
            flow["id"], _endpoint(plan, flow["source"]), source_zones, source_addresses,
            _endpoint(plan, flow["destination"]), target_zones, target_addresses, public, name, flow["label_fr"],
            _ports(flow), "autoriser", point, encryption_fr(flow["service"]), logging, _asked_by(flow["asked_by"]),
            flow["why_fr"],
        ])  # fmt: skip
    return result


def version(plan: Plan) -> str:
    """The policy's version: a digest of its flows (it changes when, and only when, a flow changes)."""
    return hashlib.sha256(json.dumps(plan["flows"], sort_keys=True).encode()).hexdigest()[:12]


def generated_on() -> str:
    """Today, or SOURCE_DATE_EPOCH's date (reproducible builds, golden files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = datetime.fromtimestamp(int(epoch), tz=UTC).date() if epoch else date.today()
    return day.isoformat()


def zone_table(plan: Plan) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """Zones in plan order, and for each (source zone, destination zone) the services allowed."""
    zones = list(plan["zones"])
    cells: dict[tuple[str, str], list[str]] = {}
    for flow in plan["flows"]:
        outside = [z for z in zones if plan["zones"][z]["kind"] == "outside"]
        sources = flow["source"]["zones"] or (outside if flow["source"]["kind"] == "internet" else zones)
        targets = flow["destination"]["zones"] or (outside if flow["destination"]["kind"] == "internet" else zones)
        for source in sources:
            for target in targets:
                label = flow["service"]
                cell = cells.setdefault((source, target), [])
                if label not in cell:
                    cell.append(label)
    return zones, cells


def render_csv(plan: Plan) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")  # `;`: what a French spreadsheet opens
    writer.writerow(COLUMNS)
    writer.writerows(rows(plan))
    return buffer.getvalue()


def render_html(plan: Plan) -> str:
    site = plan["site"]
    zones, cells = zone_table(plan)
    e = html.escape
    label = {z: f"Internet ({z})" if plan["zones"][z]["kind"] == "outside" else z for z in zones}
    head = "".join(f"<th>{e(label[z])}</th>" for z in zones)
    body = ""
    for source in zones:
        tds = "".join(f"<td>{e(', '.join(cells.get((source, target), [])))}</td>" for target in zones)
        body += f"<tr><th>{e(label[source])}</th>{tds}</tr>\n"
    detail = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>\n" for row in rows(plan))
    columns = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Matrice des flux — {e(site["label"])}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 2em; font-size: 0.85em; }}
th, td {{ border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }}
th {{ background: #eef; }}
</style>
</head>
<body>
<h1>Matrice des flux — {e(site["label"])}</h1>
<p>Produite par ferme à partir de l'inventaire {e(site["name"])} : {len(plan["flows"])} flux.
Version de la politique {version(plan)}, générée le {generated_on()}.</p>
<h2>Matrice zone à zone</h2>
<p>Lignes : zone source ; colonnes : zone destination.</p>
<table>
<tr><th>source \\ destination</th>{head}</tr>
{body}</table>
<h2>Liste détaillée des flux</h2>
<table>
<tr>{columns}</tr>
{detail}</table>
<h2>Ce qui n'est pas filtré</h2>
<p>Entre zones, la bordure refuse tout flux absent de cette matrice (politique par défaut : refus, refus
journalisés). À l'intérieur d'une zone (même segment), les flux ne traversent pas la bordure : seul le
pare-feu des hôtes Windows les filtre ; les hôtes Debian n'ont pas de filtrage local. Les flux sortants de la
bordure elle-même ne sont pas filtrés.</p>
</body>
</html>
"""

"""The *matrice des flux*: zone-to-zone table and detailed list, in CSV and HTML, in French.

Each row carries the flow id and who asked for it (a role, the management rules or an extra flow
of the inventory), so the security officer can trace every opening back to its reason.
"""

from __future__ import annotations

import csv
import html
import io

from ferme.plan.types import FlowEnd, Plan

COLUMNS = [
    "Identifiant", "Source", "Zones source", "Adresses source", "Destination", "Zones destination",
    "Adresses destination", "Service", "Protocole", "Ports", "Demandé par", "Justification", "Publié sur Internet",
]  # fmt: skip
ASKED_BY_FR = {"management": "règles d'administration"}


def _asked_by(value: str) -> str:
    if value.startswith("role "):
        return "rôle " + value.removeprefix("role ")
    if value.startswith("extra flow "):
        return "flux spécifique " + value.removeprefix("extra flow ")
    return ASKED_BY_FR.get(value, value)


def _endpoint(endpoint: FlowEnd) -> str:
    kind = {"zone": "zone", "role": "rôle", "hosts": "hôtes", "switches": "commutateurs", "any": "toutes zones",
            "internet": "Internet"}  # fmt: skip
    label = (
        f"{kind.get(endpoint['kind'], endpoint['kind'])} {endpoint['name']}"
        if endpoint["kind"] not in ("any", "internet")
        else kind[endpoint["kind"]]
    )
    if endpoint["hosts"] and endpoint["kind"] != "hosts":
        label += f" ({', '.join(endpoint['hosts'])})"
    elif endpoint["kind"] == "hosts" and endpoint["hosts"]:
        label = "hôtes " + ", ".join(endpoint["hosts"])
    return label


def rows(plan: Plan) -> list[list[str]]:
    result = []
    for flow in plan["flows"]:
        for rule in flow["rules"]:
            result.append([
                flow["id"], _endpoint(flow["source"]), ", ".join(flow["source"]["zones"]) or "toutes",
                ", ".join(flow["source"]["addresses"]) or "toutes", _endpoint(flow["destination"]),
                ", ".join(flow["destination"]["zones"]) or "toutes",
                ", ".join(flow["destination"]["addresses"]) or "toutes", flow["label_fr"], rule["protocol"].upper(),
                rule["ports"] or "-", _asked_by(flow["asked_by"]), flow["why_fr"],
                "oui" if flow["published"] else "non",
            ])  # fmt: skip
    return result


def zone_table(plan: Plan) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """Zones in plan order, and for each (source zone, destination zone) the services allowed."""
    zones = list(plan["zones"])
    cells: dict[tuple[str, str], list[str]] = {}
    for flow in plan["flows"]:
        sources = flow["source"]["zones"] or zones
        targets = flow["destination"]["zones"] or zones
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
    head = "".join(f"<th>{e(z)}</th>" for z in zones)
    body = ""
    for source in zones:
        tds = "".join(f"<td>{e(', '.join(cells.get((source, target), [])))}</td>" for target in zones)
        body += f"<tr><th>{e(source)}</th>{tds}</tr>\n"
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
<p>Produite par ferme à partir de l'inventaire {e(site["name"])} : {len(plan["flows"])} flux. Tout flux absent
de cette matrice est refusé (politique par défaut : refus).</p>
<h2>Matrice zone à zone</h2>
<p>Lignes : zone source ; colonnes : zone destination.</p>
<table>
<tr><th>source \\ destination</th>{head}</tr>
{body}</table>
<h2>Liste détaillée des flux</h2>
<table>
<tr>{columns}</tr>
{detail}</table>
</body>
</html>
"""

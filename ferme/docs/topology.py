"""The topology drawn from the plan, as SVG: the edge, one column per zone (VLAN, subnet, its hosts), the flows
between zones as arcs under the columns (arrow at the destination, width by the number of flows), the switches
with the VLANs they carry. Deterministic (same plan, same bytes): the DAT embeds it and a golden can hold it."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ferme.plan.types import Plan

COLUMN = 210  # width of a zone's column
BOX = 190  # width of a zone's box
LINE = 15  # text line height
TOP = 150  # the zones' boxes start here
MAX_LINES = 14  # hosts listed per zone before "… and N more"
KIND_COLOURS = {
    "outside": "#fde2e2",
    "dmz": "#fff1cc",
    "servers": "#dbeafe",
    "users": "#dcfce7",
    "mgmt": "#ede9fe",
    "admin": "#f3e8ff",
    "vpn": "#ffedd5",
    "wan": "#e0f2fe",
}


def _text(x: float, y: float, text: str, *, size: int = 11, weight: str = "normal", anchor: str = "start") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _stem(name: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.*?)(\d+)", name)
    return (match.group(1), int(match.group(2))) if match else (name, None)


def host_lines(plan: Plan, zone: str) -> list[str]:
    """The hosts of a zone, one line each (name and address); numbered hosts of the same roles folded into one
    line when there are three or more (`rdsh01…rdsh40 (40)`). A host appears in every zone it has a leg in."""
    rows: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    edge = plan["edge"]["host"] if plan["edge"] else None
    for name, host in sorted(plan["hosts"].items()):
        address = host["addresses"].get(zone)
        if address is None or name == edge:  # the edge is drawn as the bar, its address on each zone's leg
            continue
        stem, number = _stem(name)
        key = (stem if number is not None else name, tuple(host["roles"]))
        rows.setdefault(key, []).append((name, address))
    lines = []
    for members in rows.values():
        if len(members) >= 3:
            lines.append(f"{members[0][0]}…{members[-1][0]} ({len(members)})")
        else:
            lines += [f"{name}  {address}" for name, address in members]
    return lines


def _flows_between(plan: Plan) -> dict[tuple[str, str], int]:
    """How many flows go from one zone to another (a flow to or from several zones counts in each pair)."""
    zones = list(plan["zones"])
    outside = [z for z in zones if plan["zones"][z]["kind"] == "outside"]
    pairs: dict[tuple[str, str], int] = {}
    for flow in plan["flows"]:
        sources = flow["source"]["zones"] or (outside if flow["source"]["kind"] == "internet" else [])
        targets = flow["destination"]["zones"] or (outside if flow["destination"]["kind"] == "internet" else [])
        for source in sources:
            for target in targets:
                if source != target and source in plan["zones"] and target in plan["zones"]:
                    pairs[(source, target)] = pairs.get((source, target), 0) + 1
    return pairs


def _zone_box(plan: Plan, index: int, zone: str, height: int, edge_address: str | None) -> list[str]:
    info = plan["zones"][zone]
    x = 10 + index * COLUMN
    colour = KIND_COLOURS.get(info["kind"], "#f1f5f9")
    parts = [
        f'<g class="zone" id="zone-{escape(zone)}">',
        f'<line x1="{x + BOX / 2:.0f}" y1="92" x2="{x + BOX / 2:.0f}" y2="{TOP}" stroke="#475569"/>',
    ]
    if edge_address:
        parts.append(_text(x + BOX / 2 + 4, TOP - 8, edge_address, size=9))
    parts.append(f'<rect x="{x}" y="{TOP}" width="{BOX}" height="{height}" rx="6" fill="{colour}" stroke="#334155"/>')
    vlan = f"VLAN {info['vlan']}" if info.get("vlan") else "sans VLAN"
    parts.append(_text(x + 8, TOP + 18, zone, size=13, weight="bold"))
    parts.append(_text(x + 8, TOP + 33, f"{vlan} · {info.get('subnet') or ''}", size=10))
    lines = host_lines(plan, zone)
    shown = lines if len(lines) <= MAX_LINES else [*lines[: MAX_LINES - 1], f"… et {len(lines) - MAX_LINES + 1} autres"]
    for row, line in enumerate(shown):
        parts.append(_text(x + 8, TOP + 52 + row * LINE, line, size=10))
    parts.append("</g>")
    return parts


def _arcs(plan: Plan, order: list[str], bottom: int) -> tuple[list[str], int]:
    """The flows between zones as arcs under the boxes; the arcs' depth grows with the distance between columns.
    Returns the SVG and the lowest point reached."""
    parts, lowest = [], bottom
    for (source, target), count in sorted(
        _flows_between(plan).items(), key=lambda i: (order.index(i[0][0]), order.index(i[0][1]))
    ):
        a, b = order.index(source), order.index(target)
        xa = 10 + a * COLUMN + BOX / 2 + (-12 if a < b else 12)
        xb = 10 + b * COLUMN + BOX / 2 + (-6 if a < b else 6)
        depth = 30 + abs(a - b) * 28
        lowest = max(lowest, bottom + round(depth * 0.75))
        width = min(1 + count * 0.5, 5)
        colour = "#b91c1c" if plan["zones"][source]["kind"] == "outside" else "#1d4ed8"
        parts.append(
            f'<path class="flow" d="M {xa:.0f} {bottom} C {xa:.0f} {bottom + depth} {xb:.0f} '
            f'{bottom + depth} {xb:.0f} {bottom + 6}" fill="none" stroke="{colour}" stroke-width="{width:.1f}" '
            f'stroke-opacity="0.7" marker-end="url(#arrow)"><title>{escape(source)} → {escape(target)} : '
            f"{count} flux</title></path>"
        )
        parts.append(_text((xa + xb) / 2, bottom + depth * 0.75 + 4, f"{count}", size=9, anchor="middle"))
    return parts, lowest


def switch_links(plan: Plan, switch: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The zones a switch carries on its ports (in the plan's order) and the switches its uplinks reach."""
    carried = {z for port in switch["ports"].values()
               for z in [*(port.get("trunk") or []), *([port["zone"]] if port.get("zone") else [])]}  # fmt: skip
    uplinks = sorted({port["uplink"] for port in switch["ports"].values() if port.get("uplink")})
    return [z for z in plan["zones"] if z in carried], uplinks


def _switches(plan: Plan, top: int, width: int) -> tuple[list[str], int]:
    names = sorted(plan["switches"])
    if not names:
        return [], top
    per_row = max(1, width // COLUMN)
    parts = [_text(10, top, "Commutateurs", size=13, weight="bold")]
    height = 0
    for i, name in enumerate(names):
        switch = plan["switches"][name]
        x, y = 10 + (i % per_row) * COLUMN, top + 12 + (i // per_row) * 96
        carried, uplinks = switch_links(plan, switch)
        vlans = ", ".join(str(plan["zones"][z]["vlan"]) for z in carried if plan["zones"][z].get("vlan"))
        parts += [
            f'<g class="switch" id="switch-{escape(name)}">',
            f'<rect x="{x}" y="{y}" width="{BOX}" height="84" rx="4" fill="#f8fafc" stroke="#334155"/>',
            _text(x + 8, y + 17, name, size=12, weight="bold"),
            _text(x + 8, y + 32, f"{switch.get('model') or switch['vendor']}", size=10),
            _text(x + 8, y + 47, f"admin {switch['management']['address']}", size=10),
            _text(x + 8, y + 62, f"VLAN {vlans}" if vlans else "aucun VLAN", size=10),
            _text(x + 8, y + 77, f"vers {', '.join(uplinks)}" if uplinks else "", size=10),
            "</g>",
        ]
        height = y + 84 - top
    return parts, top + height + 12


def render_topology(plan: Plan) -> str:
    """The SVG document of the site's topology."""
    order = list(plan["zones"])
    width = 20 + len(order) * COLUMN
    edge = plan.get("edge")
    edge_addresses: dict[str, str] = {}
    if edge is not None:
        edge_host = plan["hosts"].get(edge["host"])
        edge_addresses = dict(edge_host["addresses"]) if edge_host else {}
    lines = max((len(host_lines(plan, z)) for z in order), default=0)
    height = 52 + min(lines, MAX_LINES) * LINE + 8
    body: list[str] = []
    title = f"{plan['site']['label']} — topologie"
    body.append(_text(10, 22, title, size=16, weight="bold"))
    edge_label = f"Pare-feu de bordure {edge['host']}" if edge else "Pare-feu de bordure (équipement du site)"
    body.append(f'<rect x="10" y="58" width="{width - 20}" height="34" rx="4" fill="#1e293b"/>')
    body.append(
        f'<text x="{width / 2:.0f}" y="80" font-size="13" fill="#ffffff" text-anchor="middle">'
        f"{escape(edge_label)}</text>"
    )
    published = sorted({p["public_address"] for p in edge["publications"]}) if edge else []
    if published:
        body.append(_text(10, 48, f"Services publiés sur : {', '.join(published)}", size=10))
    for i, zone in enumerate(order):
        body += _zone_box(plan, i, zone, height, edge_addresses.get(zone))
    arcs, lowest = _arcs(plan, order, TOP + height)
    body += arcs
    legend_y = lowest + 22
    body.append(
        _text(
            10,
            legend_y,
            "Arcs : flux autorisés entre zones (nombre de flux ; flèche vers la destination ; "
            "rouge : depuis Internet). Détail : matrice des flux.",
            size=10,
        )
    )
    switches, bottom = _switches(plan, legend_y + 28, width)
    body += switches
    total = max(bottom, legend_y + 12)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" width="{width}" height="{total}" '
        'font-family="DejaVu Sans, Arial, sans-serif" role="img">'
        f"<title>{escape(title)}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'markerUnits="userSpaceOnUse" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#334155"/></marker></defs>'
    )
    return head + "".join(body) + "</svg>\n"


def zone_pairs(plan: Plan) -> dict[tuple[str, str], int]:
    """The zone pairs the diagram draws and their flow counts (for the DAT's text and tests)."""
    return _flows_between(plan)

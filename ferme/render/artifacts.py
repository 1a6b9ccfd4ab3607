"""Every rendered artifact of a plan, as relative path → text (written by `ferme plan`)."""

from __future__ import annotations

from typing import Any

from ferme.render.matrix import render_csv, render_html
from ferme.render.nftables import render_edge_ruleset
from ferme.render.vendor import PLATFORMS, render_vendor
from ferme.render.windows_firewall import render_host_rules

VENDOR_FILES = {"fortigate": "fortigate.conf", "ciscoasa": "cisco-asa.acl", "srx": "juniper-srx.conf",
                "paloalto": "paloalto.xml"}  # fmt: skip


def render_artifacts(plan: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = {
        "matrice-des-flux.csv": render_csv(plan),
        "matrice-des-flux.html": render_html(plan),
    }
    ruleset = render_edge_ruleset(plan)
    if ruleset is not None:
        files[f"firewall/{plan['edge']['host']}.nft"] = ruleset
    for platform in PLATFORMS:
        files[f"firewall/vendor/{VENDOR_FILES[platform]}"] = render_vendor(plan, platform)
    for name, host in plan["hosts"].items():
        if host["os"] == "windows":
            files[f"windows/{name}/firewall.ps1"] = render_host_rules(plan, name)
    return files


def artifacts_for_host(plan: dict[str, Any], host: str) -> dict[str, str]:
    """The artifacts a host's roles deploy (only those: rendering is not free on a big site)."""
    files: dict[str, str] = {}
    if plan.get("edge") and plan["edge"]["host"] == host:
        ruleset = render_edge_ruleset(plan)
        assert ruleset is not None
        files[f"firewall/{host}.nft"] = ruleset
    if plan["hosts"][host]["os"] == "windows":
        files[f"windows/{host}/firewall.ps1"] = render_host_rules(plan, host)
    return files

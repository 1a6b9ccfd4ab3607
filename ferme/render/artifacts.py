"""The artifact table: every file `ferme plan` renders, where it goes, and for which site or host.

`ferme plan` writes what it renders; the plan names a host artifact's path (a role deploys it from
there) with the same `ARTIFACT_PATHS`, so a path is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ferme.plan.build import ARTIFACT_PATHS
from ferme.plan.types import Plan
from ferme.render.asa import render_asa
from ferme.render.fortigate import render_fortigate
from ferme.render.host_nftables import render_host_ruleset
from ferme.render.junos import render_junos
from ferme.render.matrix import render_csv, render_html
from ferme.render.nftables import render_edge_ruleset
from ferme.render.panos import render_panos
from ferme.render.sizing_sheet import render_sizing_csv
from ferme.render.vendor import render_vendor
from ferme.render.windows_firewall import render_host_rules
from ferme.switches.render import render_switch, rendered_vendor

# Configuration file per vendor edge (`firewall.vendor`); `nftables` is the Debian edge's ruleset.
VENDOR_FILES = {"fortigate": "fortigate.conf", "ciscoasa": "cisco-asa.acl", "srx": "juniper-srx.conf",
                "paloalto": "paloalto.xml"}  # fmt: skip


def _vendor(plan: Plan) -> str:
    return str(plan["settings"]["firewall"]["vendor"])


def _nft_edge(plan: Plan, host: str) -> bool:
    edge = plan["edge"]
    return edge is not None and edge["host"] == host and _vendor(plan) == "nftables"


@dataclass(frozen=True)
class Artifact:
    key: str
    path: str  # relative to build/<site>/; {host} and {vendor_file} are filled in
    render: Callable[[Plan, str], str]  # (plan, host or "") → text
    for_host: Callable[[Plan, str], bool] | None = None  # per-host artifact: which hosts get one
    for_site: Callable[[Plan], bool] | None = None  # per-site artifact: whether the site gets it
    for_switch: Callable[[Plan, str], bool] | None = None  # per-switch artifact: which switches get one

    def path_for(self, plan: Plan, host: str = "") -> str:
        vendor_file = VENDOR_FILES.get(_vendor(plan), "")
        return self.path.format(host=host, vendor_file=vendor_file)


# The complete configuration of each vendor's appliance, when the inventory declares the edge host.
COMPLETE = {"fortigate": render_fortigate, "srx": render_junos, "ciscoasa": render_asa, "paloalto": render_panos}


def _vendor_config(plan: Plan) -> str:
    """The vendor edge's configuration: complete when the edge appliance is declared (interfaces, NAT,
    policies, logging, routes, RADIUS); without an edge host, the filtering policy only, through Aerleon."""
    if plan["edge"] is not None:
        return COMPLETE[_vendor(plan)](plan)
    return render_vendor(plan, _vendor(plan))


def _ruleset(plan: Plan, host: str) -> str:
    text = render_edge_ruleset(plan)
    assert text is not None, "the ruleset is rendered only for the edge host"
    return text


TABLE: tuple[Artifact, ...] = (
    Artifact("flow_matrix_csv", "matrice-des-flux.csv", lambda plan, _: render_csv(plan), for_site=lambda plan: True),
    Artifact("flow_matrix_html", "matrice-des-flux.html", lambda plan, _: render_html(plan),
             for_site=lambda plan: True),
    Artifact("sizing_csv", "dimensionnement.csv", lambda plan, _: render_sizing_csv(plan), for_site=lambda plan: True),
    Artifact("edge_ruleset", ARTIFACT_PATHS["edge_ruleset"], _ruleset, for_host=_nft_edge),
    Artifact("vendor_edge", "firewall/vendor/{vendor_file}", lambda plan, _: _vendor_config(plan),
             for_site=lambda plan: _vendor(plan) != "nftables"),
    Artifact("host_ruleset", ARTIFACT_PATHS["host_ruleset"], render_host_ruleset,
             for_host=lambda plan, host: "host_firewall" in plan["hosts"][host]["state"]),
    Artifact("windows_firewall", ARTIFACT_PATHS["windows_firewall"], lambda plan, host: render_host_rules(plan, host),
             for_host=lambda plan, host: "firewall_script" in plan["hosts"][host]["state"]),
    Artifact("switch_config", "switches/{host}.cfg", render_switch, for_switch=rendered_vendor),
)  # fmt: skip
# What `ferme plan` owns in its output folder: stale files there (a deleted host's) are removed.
OWNED_FOLDERS = ("firewall", "windows", "switches")


def render_artifacts(plan: Plan) -> dict[str, str]:
    """Every artifact of the site: relative path → text."""
    files: dict[str, str] = {}
    for artifact in TABLE:
        if artifact.for_site is not None and artifact.for_site(plan):
            files[artifact.path_for(plan)] = artifact.render(plan, "")
        if artifact.for_host is not None:
            for host in plan["hosts"]:
                if artifact.for_host(plan, host):
                    files[artifact.path_for(plan, host)] = artifact.render(plan, host)
        if artifact.for_switch is not None:
            for switch in plan["switches"]:
                if artifact.for_switch(plan, switch):
                    files[artifact.path_for(plan, switch)] = artifact.render(plan, switch)
    return files


def artifacts_for_host(plan: Plan, host: str) -> dict[str, str]:
    """The artifacts a host's roles deploy (only those: rendering is not free on a big site)."""
    return {artifact.path_for(plan, host): artifact.render(plan, host) for artifact in TABLE
            if artifact.for_host is not None and artifact.for_host(plan, host)}  # fmt: skip

"""The licences a farm needs before it is bought: RDS CALs, Windows Server CALs and core licences, the office
suite on RDS. Counts only: prices are the site's (the Standard/Datacenter choice uses Microsoft's list price
ratio, which resellers change)."""

from __future__ import annotations

import math
from typing import Any

from ferme.site.model import Site

CORES_PER_PROCESSOR_MIN = 8
CORES_PER_SERVER_MIN = 16
VMS_PER_STANDARD = 2  # a Standard licence of every core covers two VMs; stacked for more
# Microsoft's Windows Server 2025 list prices for 16 cores: Standard 1,176 USD, Datacenter 6,771 USD.
DATACENTER_TO_STANDARD = 6771 / 1176
SOURCES = {
    "rds_cal": "Microsoft, RDS CALs: per user counts named users, not concurrent ones",
    "windows_cal": "Microsoft, Windows Server CALs: every user (or device) that reaches a Windows Server",
    "cores": "Microsoft, Windows Server core licensing: every physical core, at least 8 per processor and 16 per "
    "server; Standard covers 2 VMs per full licence (stacked), Datacenter unlimited VMs; list prices 2025",
    "office": "Microsoft 365 Apps on RDS need shared computer activation (a plan that includes it, per user); "
    "Office LTSC on RDS needs a volume licence for every device that reaches it",
}


def _cores(site: Site, vms: int, warnings: list[str]) -> dict[str, Any] | None:
    hypervisors = site.hypervisors
    if hypervisors is None:
        return None
    per_host = max(CORES_PER_SERVER_MIN,
                   hypervisors.processors * max(CORES_PER_PROCESSOR_MIN, hypervisors.cores_per_processor))  # fmt: skip
    vms_per_host = math.ceil(vms / hypervisors.count)
    standard = per_host * math.ceil(vms_per_host / VMS_PER_STANDARD) * hypervisors.count
    datacenter = per_host * hypervisors.count
    edition = "Datacenter" if datacenter * DATACENTER_TO_STANDARD < standard else "Standard"
    return {
        "hypervisors": hypervisors.count,
        "cores_licensed_per_hypervisor": per_host,
        "windows_vms": vms,
        "windows_vms_per_hypervisor": vms_per_host,
        "standard_core_licences": standard,
        "datacenter_core_licences": datacenter,
        "cheaper_edition": edition,
    }


def licences(site: Site, warnings: list[str]) -> dict[str, Any]:
    agents = site.agents.count
    mode = site.rds.licensing.mode if site.rds else None
    vms = sum(1 for h in site.hosts.values() if h.os == "windows")
    cores = _cores(site, vms, warnings)
    office = {
        "microsoft365": f"Microsoft 365 Apps with shared computer activation: {agents} users on a plan that includes "
        "it",
        "ltsc": f"Office LTSC volume licences: one per device reaching the farm (at least {agents})",
        "none": "no Microsoft office suite in the sessions",
    }[site.agents.office]
    if mode == "PerDevice":
        warnings.append("RDS CALs per device: every device that connects takes one (the HTML5 web client needs per "
                        "user); telework from personal devices favours per user")  # fmt: skip
    return {
        "rds_cals": {"mode": mode, "count": agents} if mode else None,
        "windows_server_user_cals": agents,
        "windows_server_cores": cores or "give `hypervisors` (count, processors, cores) to count core licences",
        "office": office,
        "sources": SOURCES,
    }

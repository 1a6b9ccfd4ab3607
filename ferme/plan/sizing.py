"""Sizing a buyer can trust: session hosts, memory, storage, bandwidth, VPN and licences, each with its source,
compared with what the inventory declares (an under-sized site gets a warning with the numbers).

Rules from an RDS architect's review (WINDOWS.md, "Sizing facts"): Microsoft's users per vCPU are maxima, so
ferme plans at 75 % of them; 8 vCPU / 16 GB is a minimum VM size, not a per-user figure, so memory is budgeted
per session plus the OS; session hosts of 8 to 16 vCPU (logon storms); N+1 and one host in drain; profile
storage as expected use with the cap as ceiling, with the volume limits of one file server; bandwidth at peak
from per-session figures.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from ferme.plan.licences import licences
from ferme.plan.vpn import instance_count, slice_prefix, slice_room, vpn_concurrent
from ferme.site.model import Site

USERS_PER_VCPU_MAX = {"light": 6, "medium": 4, "heavy": 2, "power": 1}
PLANNING_SHARE = 0.75  # plan at 70-80 % of the maxima
GB_RAM_PER_SESSION = {"light": 1.5, "medium": 2.0, "heavy": 3.0, "power": 4.0}
GB_RAM_OS = 4
HOST_VCPU_RANGE = (8, 16)
DEFAULT_HOST_VCPU = 16
SPARE_HOSTS = 2  # one for a failure (N+1), one drained for maintenance
MBPS_PER_SESSION = {"light": 1.5, "medium": 3.0, "heavy": 5.0, "power": 15.0}
IOPS_AT_LOGON = 50  # per agent logging on
IOPS_STEADY = 15  # per session, within 10-20
STORM_MINUTES = 10  # the morning peak logs on within ten minutes
NTFS_MAX_TIB = 16  # one NTFS volume at 4 KB clusters
VSS_MAX_TIB = 64  # shadow copies of one volume
# One OpenVPN process, measured in the lab (bench/RESULTS-vpn.md): Mbit/s per core through the tunnel and the edge.
VPN_MBIT_PER_CORE = 396
SOURCES = {
    "users_per_vcpu": "Microsoft, session host virtual machine sizing guidelines: users per vCPU by workload "
    "(light 6, medium 4, heavy 2, power 1) are maxima; ferme plans at 75 % of them",
    "ram": "8 vCPU / 16 GB is Microsoft's minimum VM size, not a per-user figure; RAM per session: field practice "
    "1.5-2 GB for light-medium, 3 and 4 GB for heavy and power (ferme's assumption), plus 4 GB for the OS: confirm "
    "in a pilot",
    "host_size": "Microsoft: multi-session hosts of 8-16 vCPU; more than ~30 logons in 10 minutes on one 16-core "
    "host is worse than two 8-core hosts",
    "bandwidth": "Microsoft, RDP bandwidth requirements: Mbps per session by workload (light 1.5, medium 3, heavy 5, "
    "power 15), at the peak of concurrent sessions",
    "storage": "profile size_gb is a cap (ceiling), expected_gb the expected use; about 50 IOPS per agent at "
    "logon and 10-20 in steady state (unverified for FSLogix: measure); NTFS 16 TB per volume at 4 KB clusters, "
    "VSS 64 TB",
    "vpn": "ferme, bench/RESULTS-vpn.md (one OpenVPN process: Mbit/s per core, measured on the built-in lab)",
}


def _vpn(site: Site) -> dict[str, Any] | None:
    """OpenVPN: one process per core, each with its share of the clients and its slice of the pool."""
    if site.vpn is None or site.vpn.kind != "openvpn":
        return None
    processes = instance_count(site)
    concurrent = vpn_concurrent(site)
    return {
        "concurrent": concurrent,
        "processes": processes,
        "cores": processes + 1,  # one more for the system, RADIUS and the routing
        "clients_per_process": math.ceil(concurrent / processes),
        "pool_room": processes * slice_room(slice_prefix(ipaddress.IPv4Network(site.vpn.pool), processes)),
        "mbit_s_per_process_measured": VPN_MBIT_PER_CORE,
    }


def _mix(site: Site) -> dict[str, float]:
    return {kind: share for kind, share in site.agents.workload.model_dump().items() if share}


def _session_hosts(site: Site, concurrent: int, warnings: list[str]) -> dict[str, Any]:
    mix = _mix(site)
    vcpu_needed = sum(concurrent * share / (USERS_PER_VCPU_MAX[k] * PLANNING_SHARE) for k, share in mix.items())
    hosts = site.hosts_with("rds_session_host")
    declared = [h.hardware.vcpu for h in hosts if h.hardware.vcpu]
    per_host = min(declared) if declared else DEFAULT_HOST_VCPU
    needed = max(math.ceil(round(vcpu_needed / per_host, 6)), 1)
    spare = SPARE_HOSTS if needed > 1 or len(hosts) > 1 else 0
    ram_per_session = sum(share * GB_RAM_PER_SESSION[k] for k, share in mix.items())
    sessions_per_host = math.ceil(concurrent / needed)
    ram_per_host = math.ceil(sessions_per_host * ram_per_session + GB_RAM_OS)
    provisioned_vcpu = sum(h.hardware.vcpu or DEFAULT_HOST_VCPU for h in hosts)
    if hosts:
        if provisioned_vcpu < vcpu_needed:
            warnings.append(f"session hosts under-provisioned: {provisioned_vcpu} vCPU for {math.ceil(vcpu_needed)} "
                            f"needed at {PLANNING_SHARE:.0%} of Microsoft's maxima")  # fmt: skip
        elif len(hosts) < needed + spare:
            warnings.append(f"no spare session host: {len(hosts)} in the inventory, {needed} + {spare} recommended "
                            "(N+1 and one drained)")  # fmt: skip
        elif len(hosts) == 1:
            warnings.append("one session host: no spare, a failure or a restart stops every session")
        small = [h.name for h in hosts if h.hardware.ram_gb and h.hardware.ram_gb < ram_per_host]
        if small:
            warnings.append(f"session hosts short of memory: {ram_per_host} GB needed for {sessions_per_host} "
                            f"sessions of {ram_per_session:.2f} GB + {GB_RAM_OS} GB for the OS; "
                            f"{', '.join(small[:3])}{'…' if len(small) > 3 else ''} declare less")  # fmt: skip
        low, high = HOST_VCPU_RANGE
        off = sorted({h.hardware.vcpu for h in hosts if h.hardware.vcpu and not low <= h.hardware.vcpu <= high})
        if off:
            warnings.append(f"session hosts of {', '.join(map(str, off))} vCPU: prefer {low}-{high} vCPU (logon "
                            "storms: more smaller hosts)")  # fmt: skip
    return {
        "vcpu_needed": math.ceil(round(vcpu_needed, 6)),
        "vcpu_per_session_host": per_host,
        "session_hosts_needed": needed,
        "session_hosts_spare": spare,
        "session_hosts_provisioned": len(hosts),
        "vcpu_provisioned": provisioned_vcpu,
        "sessions_per_host": sessions_per_host,
        "ram_gb_per_session": round(ram_per_session, 2),
        "ram_gb_per_session_host": ram_per_host,
        "ram_gb_min_per_session_host": per_host * 2,  # Microsoft's VM minimum (2 GB per vCPU), for reference
    }


def _profiles(site: Site, concurrent: int, warnings: list[str]) -> dict[str, Any]:
    profiles = site.rds.profiles if site.rds else None
    cap = profiles.size_gb if profiles else 30
    expected = profiles.expected_gb if profiles else 10
    count = site.agents.count
    ceiling_tib, expected_tib = count * cap / 1024, count * expected / 1024
    servers = site.hosts_with("profiles")
    if profiles:
        for limit, what in ((NTFS_MAX_TIB, "one NTFS volume (4 KB clusters)"), (VSS_MAX_TIB, "shadow copies (VSS)")):
            if ceiling_tib > limit:
                warnings.append(f"profiles: {ceiling_tib:.1f} TiB at the {cap} GB cap exceed {limit} TiB, the limit of "
                                f"{what}: spread them over {math.ceil(ceiling_tib / limit)} volumes or more "
                                f"(expected use {expected_tib:.1f} TiB)")  # fmt: skip
        if len(servers) == 1:
            warnings.append(f"profiles on one file server ({servers[0].name}): a single point of failure for every "
                            "session's logon")  # fmt: skip
    return {
        "profile_storage_gb": count * cap,  # the ceiling
        "profile_expected_gb": count * expected,
        "iops_steady": concurrent * IOPS_STEADY,
        "iops_logon_storm": math.ceil(concurrent / STORM_MINUTES) * IOPS_AT_LOGON,
    }


def _vpn_warnings(vpn: dict[str, Any] | None, warnings: list[str]) -> None:
    if vpn and vpn["pool_room"] < vpn["concurrent"]:
        warnings.append(f"VPN pool: {vpn['pool_room']} addresses for {vpn['concurrent']} concurrent clients")


def size_site(site: Site) -> dict[str, Any]:
    agents = site.agents
    concurrent = math.ceil(round(agents.count * agents.concurrency, 6))
    warnings: list[str] = []
    hosts = _session_hosts(site, concurrent, warnings)
    storage = _profiles(site, concurrent, warnings)
    vpn = _vpn(site)
    _vpn_warnings(vpn, warnings)
    licensing = licences(site, warnings)
    mix = _mix(site)
    return {
        "agents": agents.count,
        "concurrent_sessions": concurrent,
        "workload": agents.workload.model_dump(),
        **hosts,
        "verdict": warnings[0] if warnings else "ok",
        "warnings": warnings,
        "bandwidth_mbps": round(sum(concurrent * share * MBPS_PER_SESSION[k] for k, share in mix.items()), 1),
        **storage,
        "vpn_concurrent": vpn_concurrent(site) if site.vpn else 0,
        "vpn": vpn,
        "licences": licensing,
        "sources": SOURCES,
    }

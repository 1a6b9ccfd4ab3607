"""Session-host, bandwidth, storage and VPN sizing from the agents section.

Figures: Microsoft session-host VM recommendations (users per vCPU by workload, 8 vCPU / 16 GB
minimum per multi-session host, 30 GB profile storage per user) and Microsoft's RDP bandwidth
guidance (Mbps per user by workload). See WINDOWS.md.
"""

from __future__ import annotations

import math
from typing import Any

from ferme.plan.vpn import instance_count, vpn_concurrent
from ferme.site.model import Site

USERS_PER_VCPU = {"light": 6, "medium": 4, "heavy": 2, "power": 1}
MBPS_PER_USER = {"light": 1.5, "medium": 3.0, "heavy": 5.0, "power": 15.0}
GB_RAM_PER_VCPU = 2
DEFAULT_HOST_VCPU = 16
PROFILE_GB_PER_USER = 30
# One OpenVPN process, measured in the lab (bench/RESULTS-vpn.md): Mbit/s per core through the tunnel and the edge.
VPN_MBIT_PER_CORE = 396
SOURCES = [
    "Microsoft, session host virtual machine sizing guidelines (users per vCPU by workload)",
    "Microsoft, Remote Desktop Protocol bandwidth requirements (Mbps per user by workload)",
    "ferme, bench/RESULTS-vpn.md (one OpenVPN process: Mbit/s per core, measured on the built-in lab)",
]


def _vpn(site: Site) -> dict[str, Any] | None:
    """OpenVPN: one process per core, each with its share of the clients and of the traffic."""
    if site.vpn is None or site.vpn.kind != "openvpn":
        return None
    processes = instance_count(site)
    concurrent = vpn_concurrent(site)
    return {
        "concurrent": concurrent,
        "processes": processes,
        "cores": processes + 1,  # one more for the system, RADIUS and the routing
        "clients_per_process": math.ceil(concurrent / processes),
        "mbit_s_per_process_measured": VPN_MBIT_PER_CORE,
    }


def size_site(site: Site) -> dict[str, Any]:
    agents = site.agents
    concurrent = math.ceil(agents.count * agents.concurrency)
    mix = agents.workload.model_dump()
    vcpu_needed = sum(concurrent * share / USERS_PER_VCPU[kind] for kind, share in mix.items())
    session_hosts = site.hosts_with("rds_session_host")
    host_vcpus = [h.hardware.vcpu for h in session_hosts if h.hardware.vcpu]
    vcpu_per_host = min(host_vcpus) if host_vcpus else DEFAULT_HOST_VCPU
    needed_hosts = math.ceil(vcpu_needed / vcpu_per_host)
    spare = 1 if needed_hosts > 1 else 0  # N+1 once a farm has more than one session host
    provisioned_vcpu = sum(h.hardware.vcpu or DEFAULT_HOST_VCPU for h in session_hosts)
    profile_gb = agents.count * (site.rds.profiles.size_gb if site.rds and site.rds.profiles else PROFILE_GB_PER_USER)
    verdict = "ok"
    if session_hosts and provisioned_vcpu < vcpu_needed:
        verdict = f"under-provisioned: {provisioned_vcpu} vCPU for {math.ceil(vcpu_needed)} needed"
    elif session_hosts and len(session_hosts) < needed_hosts + spare:
        verdict = f"no spare host: {len(session_hosts)} session hosts, {needed_hosts} + {spare} recommended"
    return {
        "agents": agents.count,
        "concurrent_sessions": concurrent,
        "workload": mix,
        "vcpu_needed": math.ceil(vcpu_needed),
        "vcpu_per_session_host": vcpu_per_host,
        "ram_gb_min_per_session_host": vcpu_per_host * GB_RAM_PER_VCPU,
        "session_hosts_needed": needed_hosts,
        "session_hosts_spare": spare,
        "session_hosts_provisioned": len(session_hosts),
        "vcpu_provisioned": provisioned_vcpu,
        "verdict": verdict,
        "bandwidth_mbps": round(sum(concurrent * share * MBPS_PER_USER[k] for k, share in mix.items()), 1),
        "profile_storage_gb": profile_gb,
        "vpn_concurrent": vpn_concurrent(site) if site.vpn else 0,
        "vpn": _vpn(site),
        "sources": SOURCES,
    }

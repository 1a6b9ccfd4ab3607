"""Sizing, computed by hand for the three inventories (each figure's arithmetic in the comment next to it).

Rules (ferme/plan/sizing.py, WINDOWS.md): users per vCPU at 75 % of Microsoft's maxima (light 6, medium 4,
heavy 2, power 1 → 4.5, 3, 1.5, 0.75); RAM per session light 1.5, medium 2, heavy 3, power 4 GB + 4 GB OS;
N+1 and one drained; profiles: the cap is a ceiling, NTFS 16 TiB and VSS 64 TiB per volume; bandwidth per
concurrent session; licences per named user; Windows Server cores: all physical cores, 8 per processor, 16 per
server, Standard covers 2 VMs per full licence.
"""

from __future__ import annotations

from ferme.plan.sizing import size_site
from ferme.site import load_site
from tests.conftest import INVENTORIES


def test_departement_sizing() -> None:
    sizing = size_site(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    # 4500 agents × 0.3333 = 1499.85 → 1500 concurrent sessions
    assert sizing["concurrent_sessions"] == 1500
    # 1500 × (0.30/4.5 + 0.50/3 + 0.15/1.5 + 0.05/0.75) = 1500 × 0.4 = 600 vCPU → 600/16 = 37.5 → 38 hosts, + 2
    assert (sizing["vcpu_needed"], sizing["session_hosts_needed"], sizing["session_hosts_spare"]) == (600, 38, 2)
    assert (sizing["session_hosts_provisioned"], sizing["vcpu_provisioned"]) == (40, 640)
    # RAM per session 0.30×1.5 + 0.50×2 + 0.15×3 + 0.05×4 = 2.1 GB; 1500/38 → 40 sessions × 2.1 + 4 = 88 GB
    assert (sizing["ram_gb_per_session"], sizing["sessions_per_host"], sizing["ram_gb_per_session_host"]) == (
        2.1, 40, 88)  # fmt: skip
    # 1500 × (0.30×1.5 + 0.50×3 + 0.15×5 + 0.05×15) Mbps = 1500 × 3.45
    assert sizing["bandwidth_mbps"] == 5175.0
    # profiles: 4500 × 30 GB = 135,000 GB (ceiling), 4500 × 10 GB expected; IOPS 1500 × 15, 150 logons a minute × 50
    assert (sizing["profile_storage_gb"], sizing["profile_expected_gb"]) == (135000, 45000)
    assert (sizing["iops_steady"], sizing["iops_logon_storm"]) == (22500, 7500)
    # 135,000/1024 = 131.8 TiB: over 16 TiB (9 volumes) and over 64 TiB (3 volumes); one file server
    assert sizing["warnings"] == [
        "profiles: 131.8 TiB at the 30 GB cap exceed 16 TiB, the limit of one NTFS volume (4 KB clusters): spread "
        "them over 9 volumes or more (expected use 43.9 TiB)",
        "profiles: 131.8 TiB at the 30 GB cap exceed 64 TiB, the limit of shadow copies (VSS): spread them over 3 "
        "volumes or more (expected use 43.9 TiB)",
        "profiles on one file server (fs01): a single point of failure for every session's logon",
    ]
    # VPN: 3 processes of 500, each a /23 slice of the /21 pool: 3 × (512 - 3) = 1527 ≥ 1500
    assert sizing["vpn"] == {"concurrent": 1500, "processes": 3, "cores": 4, "clients_per_process": 500,
                             "pool_room": 1527, "mbit_s_per_process_measured": 396}  # fmt: skip
    licences = sizing["licences"]
    # per user: named users, not concurrent ones
    assert licences["rds_cals"] == {"mode": "PerUser", "count": 4500} and licences["windows_server_user_cals"] == 4500
    # 51 Windows VMs on 12 hypervisors of 2 × 24 cores: 48 cores each, ceil(51/12) = 5 VMs each →
    # Standard 48 × ceil(5/2) × 12 = 1728 core licences, Datacenter 48 × 12 = 576; 576 × 6771/1176 = 3316 > 1728
    assert licences["windows_server_cores"] == {
        "hypervisors": 12, "cores_licensed_per_hypervisor": 48, "windows_vms": 51, "windows_vms_per_hypervisor": 5,
        "standard_core_licences": 1728, "datacenter_core_licences": 576, "cheaper_edition": "Standard"}  # fmt: skip


def test_mairie_sizing() -> None:
    sizing = size_site(load_site(INVENTORIES / "mairie-exemple", with_secrets=False))
    # 52 × 0.6 = 31.2 → 32 sessions; 32 × (0.5/4.5 + 0.4/3 + 0.1/1.5) = 9.96 → 10 vCPU: one host of 16
    assert (sizing["concurrent_sessions"], sizing["vcpu_needed"], sizing["session_hosts_needed"]) == (32, 10, 1)
    # 32 × (0.5×1.5 + 0.4×2 + 0.1×3 = 1.85) + 4 = 63.2 → 64 GB: the server's 64 GB are enough
    assert (sizing["ram_gb_per_session"], sizing["ram_gb_per_session_host"]) == (1.85, 64)
    # 32 × (0.5×1.5 + 0.4×3 + 0.1×5) = 78.4 Mbps
    assert sizing["bandwidth_mbps"] == 78.4
    assert sizing["warnings"] == [
        "one session host: no spare, a failure or a restart stops every session",
        "profiles on one file server (srv-rds01): a single point of failure for every session's logon",
    ]
    assert sizing["licences"]["rds_cals"] == {"mode": "PerUser", "count": 52}
    assert "give `hypervisors`" in sizing["licences"]["windows_server_cores"]


def test_lab_sizing() -> None:
    sizing = size_site(load_site(INVENTORIES / "lab", with_secrets=False))
    # 40 × 0.5 = 20 sessions; 20 × (0.5/4.5 + 0.5/3) = 5.56 → 6 vCPU; hosts of 8 vCPU: one needed, two declared
    assert (sizing["concurrent_sessions"], sizing["vcpu_needed"], sizing["vcpu_per_session_host"]) == (20, 6, 8)
    # one needed + 2 spare = 3 recommended; 20 × 1.75 + 4 = 39 GB per host
    assert sizing["verdict"] == "no spare session host: 2 in the inventory, 1 + 2 recommended (N+1 and one drained)"
    assert sizing["ram_gb_per_session_host"] == 39


def test_too_few_session_hosts_is_flagged(copy_example) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    hosts = folder / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("rdsh[01:40]", "rdsh[01:20]"))
    services = folder / "services.yml"
    services.write_text(
        services.read_text().replace('["rdsh[33:40]"]', '["rdsh[19:20]"]').replace('["rdsh[01:32]"]', '["rdsh[01:18]"]')
    )
    sizing = size_site(load_site(folder, with_secrets=False))
    assert sizing["verdict"] == "session hosts under-provisioned: 320 vCPU for 600 needed at 75% of Microsoft's maxima"


def test_big_hosts_short_memory_and_per_device_cals_are_flagged(copy_example) -> None:
    """Session hosts of 32 vCPU (logon storms), with 64 GB for ~80 sessions, and per-device CALs."""
    folder = copy_example("departement-exemple", secrets=False)
    hosts = folder / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("{vcpu: 16, ram_gb: 96", "{vcpu: 32, ram_gb: 64"))
    services = folder / "services.yml"
    services.write_text(services.read_text().replace("licensing: {mode: PerUser}", "licensing: {mode: PerDevice}"))
    warnings = size_site(load_site(folder, with_secrets=False))["warnings"]
    # 600/32 = 18.75 → 19 hosts; 1500/19 → 79 sessions × 2.1 + 4 = 169.9 → 170 GB
    assert "session hosts short of memory: 170 GB needed for 79 sessions of 2.10 GB + 4 GB for the OS; rdsh01, " \
           "rdsh02, rdsh03… declare less" in warnings  # fmt: skip
    assert "session hosts of 32 vCPU: prefer 8-16 vCPU (logon storms: more smaller hosts)" in warnings
    assert any(w.startswith("RDS CALs per device") for w in warnings)


def test_the_sizing_sheet_opens_in_a_french_spreadsheet(tmp_path, cli) -> None:
    """`ferme plan` writes dimensionnement.csv: UTF-8 with a BOM, `;`-separated, each figure with its
    arithmetic and source, the warnings last."""
    import csv

    out = tmp_path / "out"
    assert cli("plan", "--no-secrets", str(INVENTORIES / "departement-exemple"), "--out", str(out)).exit_code == 0
    raw = (out / "dimensionnement.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["rubrique", "valeur", "calcul", "source"] and all(len(row) == 4 for row in rows)
    values = {row[0]: row[1] for row in rows}
    assert values["vCPU nécessaires"] == "600" and values["hôtes de session"] == "38 + 2"
    assert values["licences d'accès RDS (CAL)"] == "4500"
    assert [row[0] for row in rows[-3:]] == ["alerte"] * 3

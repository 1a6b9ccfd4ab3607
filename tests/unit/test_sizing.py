"""Sizing figures for the département: 1,500 concurrent sessions of a mixed workload."""

from __future__ import annotations

from ferme.plan.sizing import size_site
from ferme.site import load_site
from tests.conftest import INVENTORIES


def test_departement_sizing() -> None:
    sizing = size_site(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    assert sizing["concurrent_sessions"] == 1500
    # 1500 × (0.30/6 + 0.50/4 + 0.15/2 + 0.05/1) = 450 vCPU → 29 hosts of 16 vCPU, plus one spare
    assert sizing["vcpu_needed"] == 450
    assert (sizing["session_hosts_needed"], sizing["session_hosts_spare"]) == (29, 1)
    assert sizing["verdict"] == "ok"
    # 1500 × (0.30×1.5 + 0.50×3 + 0.15×5 + 0.05×15) Mbps
    assert sizing["bandwidth_mbps"] == 5175.0
    assert sizing["vpn_concurrent"] == 1500
    # One OpenVPN process per 500 clients, a core each, plus one for the system; the per-core figure is measured.
    assert sizing["vpn"] == {"concurrent": 1500, "processes": 3, "cores": 4, "clients_per_process": 500,
                             "mbit_s_per_process_measured": 396}  # fmt: skip


def test_too_few_session_hosts_is_flagged(copy_example) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    hosts = folder / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("rdsh[01:30]", "rdsh[01:20]"))
    services = folder / "services.yml"
    services.write_text(
        services.read_text().replace('["rdsh[25:30]"]', '["rdsh[19:20]"]').replace('["rdsh[01:24]"]', '["rdsh[01:18]"]')
    )
    sizing = size_site(load_site(folder, with_secrets=False))
    assert sizing["verdict"] == "under-provisioned: 320 vCPU for 450 needed"

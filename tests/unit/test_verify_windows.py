"""`ferme verify`'s Windows checks, run for real through the WinRM session against the WS-Management double."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ferme.checks.windows import expectations, wanted
from ferme.facts.windows import host_facts_script
from ferme.plan import build_plan
from ferme.site import load_site
from ferme.verify import run_suites
from tests.conftest import INVENTORIES
from tests.protocol.wsman_double import Reply, Server, converged_facts

PASSWORD = "Double-Password-1"


@pytest.fixture
def double(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, dict]]:
    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    with Server(tmp_path, "ferme-deploy", PASSWORD) as server:
        connection = plan["hosts"]["lab-rdsh01"]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        monkeypatch.setenv("FERME_SECRET_WINRM_DEPLOY", PASSWORD)
        yield server, plan


def test_a_converged_windows_host_passes(double: tuple[Server, dict], tmp_path: Path) -> None:
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=converged_facts(expected)))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code == 0, hosts
    assert (hosts["lab-rdsh01"].passed, hosts["lab-rdsh01"].failed) == (9, 0)  # FSLogix's service too
    assert server.double.requests["Command"] == 1  # one PowerShell call for every check of the host


def test_a_missing_feature_and_a_stopped_service_fail(double: tuple[Server, dict], tmp_path: Path) -> None:
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    stopped = {"TermService": "Stopped", "frxsvc": "Running"}
    state = converged_facts(expected, features={"RDS-RD-Server": False}, services=stopped)
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=state))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0
    assert sorted(hosts["lab-rdsh01"].failures) == ["test_features_installed", "test_services_running"]


def test_a_missing_certificate_fails_by_thumbprint(double: tuple[Server, dict], tmp_path: Path) -> None:
    server, plan = double
    plan["hosts"]["lab-rdsh01"]["state"]["certificates"] = [{"thumbprint": "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C"}]
    expected = expectations(plan, "lab-rdsh01")
    state = converged_facts(expected, certificates=["AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000"])
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=state))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0
    assert hosts["lab-rdsh01"].failures == ["test_certificates_present"]


def test_a_group_left_in_remote_desktop_users_fails(double: tuple[Server, dict], tmp_path: Path) -> None:
    """A group taken out of every collection keeps no logon right: verify sees it (issue 10, point 8);
    a local account in the group is not ferme's to judge."""
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    members = [f"WinNT://{m.replace(chr(92), '/')}" for m in next(iter(expected["groups"].values()))]
    group = next(iter(expected["groups"]))
    kept_local = converged_facts(expected, groups={group: [*members, "WinNT://LAB/LAB-RDSH01/Administrateur"]})
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=kept_local))
    assert run_suites(plan, None, tmp_path / "ok.xml", limit=["lab-rdsh01"])[0] == 0
    stale = converged_facts(expected, groups={group: [*members, "WinNT://LAB/GG-Ancien-Service"]})
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=stale))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0
    assert hosts["lab-rdsh01"].failures == ["test_local_group_members"]


def test_a_firewall_rule_changed_by_hand_fails(double: tuple[Server, dict], tmp_path: Path) -> None:
    """A rule with the right name but another remote address is drift, not a pass (issue 10, point 6)."""
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    rules = list(expected["firewall_rules"])
    name, *fields = rules[0].split("|")
    rules[0] = "|".join([name, *fields[:-1], "Any"])  # opened to everyone by hand
    server.double.register(
        host_facts_script(wanted(expected)), Reply(stdout=converged_facts(expected, firewall_rules=rules))
    )
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0
    assert hosts["lab-rdsh01"].failures == ["test_firewall_rules"]


def test_the_builtin_rdp_rule_enabled_again_fails(double: tuple[Server, dict], tmp_path: Path) -> None:
    """Windows' own Remote Desktop rule is open to any address: left on, ferme's rules restrict nothing
    (issue 10, point 10)."""
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    assert "RemoteDesktop-UserMode-In-TCP" in expected["builtin_rules_off"]
    builtin = {**dict.fromkeys(expected["builtin_rules_off"], False), "RemoteDesktop-UserMode-In-TCP": True}
    state = converged_facts(expected, builtin_rules=builtin)
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=state))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0
    assert hosts["lab-rdsh01"].failures == ["test_builtin_rules_replaced_by_ferme_are_off"]


def test_the_broker_passes_with_its_deployment_and_fails_on_a_changed_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The managing broker's deployment is checked from the same single call; a gateway certificate changed on
    the deployment is named."""
    import json

    from ferme.rds.web import RDWEB_PAGES, machine_key_digest, machine_keys
    from tests.rds_model import raw_deployment

    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    with Server(tmp_path, "ferme-deploy", PASSWORD) as server:
        connection = plan["hosts"]["lab-rds01"]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        monkeypatch.setenv("FERME_SECRET_WINRM_DEPLOY", PASSWORD)
        monkeypatch.setenv("FERME_SECRET_RDWEB_MACHINE_KEY", "Machine-Key-Secret-4")
        expected = expectations(plan, "lab-rds01")
        facts = json.loads(converged_facts(expected))
        keys = machine_key_digest(machine_keys("Machine-Key-Secret-4"))
        facts["machine_keys"] = {RDWEB_PAGES: keys}  # what the host computes from the keys ferme set
        raw = raw_deployment(expected["rd_deployment"])
        facts["rd_deployment"] = {expected["rd_deployment"]["broker"]: raw}
        script = host_facts_script(wanted(expected))
        server.double.register(script, Reply(stdout=json.dumps(facts)))
        code, hosts = run_suites(plan, None, tmp_path / "ok.xml", limit=["lab-rds01"])
        assert code == 0 and hosts["lab-rds01"].failed == 0, hosts
        raw["certificates"]["RDGateway"] = "00" * 20
        server.double.register(script, Reply(stdout=json.dumps(facts)))
        code, hosts = run_suites(plan, None, tmp_path / "changed.xml", limit=["lab-rds01"])
        assert code != 0 and hosts["lab-rds01"].failed == 1, hosts
        assert "certificate RDGateway" in (tmp_path / "changed.xml").read_text()


def test_fslogix_stopped_fails(double: tuple[Server, dict], tmp_path: Path) -> None:
    server, plan = double
    expected = expectations(plan, "lab-rdsh01")
    state = converged_facts(expected, services={"TermService": "Running", "frxsvc": "Stopped"})
    server.double.register(host_facts_script(wanted(expected)), Reply(stdout=state))
    code, hosts = run_suites(plan, None, tmp_path / "junit.xml", limit=["lab-rdsh01"])
    assert code != 0 and hosts["lab-rdsh01"].failures == ["test_fslogix_running"]

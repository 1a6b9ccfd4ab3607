"""The remote access group in Active Directory (issue 12, point 3): on the first domain controller, through
pyinfra and the winrm connector against the WS-Management double (no Windows here). The group has exactly the
agents and services' groups mfa.remote_access names: a converged DC changes nothing in one call; an agent taken
out of remote access is removed from the group; a missing group is created with its members."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferme.checks.windows import expectations
from ferme.checks.windows import wanted as facts_wanted
from ferme.facts.windows import host_facts_script
from ferme.operations.windows import wanted_for
from ferme.plan import build_plan
from ferme.powershell.check import check_script
from ferme.site import load_site
from tests.protocol.wsman_double import Reply, Server, converged_facts
from tests.unit import test_apply_windows
from tests.unit.test_broken_inventories import _break

PASSWORD = test_apply_windows.PASSWORD
DC = "lab-dc01"


def _double(tmp_path: Path, folder: Path) -> Iterator[tuple[Server, dict, Path]]:
    plan = build_plan(load_site(folder, with_secrets=False))
    with Server(tmp_path, "ferme-deploy", PASSWORD) as server:
        connection = plan["hosts"][DC]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        plan_file = tmp_path / "plan.json"
        plan_file.write_text(json.dumps(plan))
        yield server, plan, plan_file


@pytest.fixture
def lab_copy(copy_example) -> Path:
    folder: Path = copy_example("lab", secrets=False)
    return folder


def _run(plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setattr(test_apply_windows, "HOST", DC)
    return test_apply_windows.run_apply(plan_file)


def test_the_plan_puts_the_group_on_the_first_dc_only() -> None:
    from tests.conftest import INVENTORIES

    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    # the remote access group, and one group per onboarding wave holding its services' groups
    assert plan["hosts"][DC]["state"]["ad_groups"] == {
        "GG-Teletravail": ["agent.demo"],
        "GG-RDS-Vague-1": ["GG-Pilote"],
        "GG-RDS-Vague-2": ["GG-Agents"],
    }
    assert plan["hosts"][DC]["state"]["ad_ou"] == "OU=Ferme,DC=ad,DC=lab,DC=ferme,DC=test"
    assert not [h for h, p in plan["hosts"].items() if h != DC and p["state"].get("ad_groups")]


def test_converged_then_an_agent_taken_out_then_a_missing_group(lab_copy: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # The inventory: agent.demo and the service `pilote` (its group GG-Pilote) may work from home.
    _break(lab_copy, "services.yml", "agents: [agent.demo]}", "agents: [agent.demo], services: [pilote]}")
    for server, plan, plan_file in _double(tmp_path, lab_copy):
        expected = expectations(plan, DC)
        assert expected["ad_groups"]["GG-Teletravail"] == ["agent.demo", "GG-Pilote"]
        script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
        assert not [f for f in check_script(script) if f.kind != "ps7"], check_script(script)
        server.double.register(script, Reply(stdout=converged_facts(expected)))
        result = _run(plan_file, monkeypatch)
        assert (result["status"], result["changed"]) == ("ok", 0), result
        assert server.double.ran == [script]
        # AD still holds j.ancien, no longer in remote access: removed (and only that).
        server.double.ran.clear()
        present = json.loads(converged_facts(expected))["ad_groups"]  # with the farm's groups, already there
        drifted = {**present, "GG-Teletravail": ["agent.demo", "GG-Pilote", "j.ancien"]}
        server.double.register(script, Reply(stdout=converged_facts(expected, ad_groups=drifted)))
        remove = "Remove-ADGroupMember -Identity 'GG-Teletravail' -Members @('j.ancien') -Confirm:$false"
        server.double.register(remove, Reply())
        result = _run(plan_file, monkeypatch)
        assert (result["status"], result["changed"]) == ("ok", 1), result
        assert server.double.ran == [script, remove]
        assert not check_script(remove)
        # A domain where the group does not exist yet: created, then its members added.
        server.double.ran.clear()
        server.double.register(
            script, Reply(stdout=converged_facts(expected, ad_groups={**present, "GG-Teletravail": None}))
        )
        create = ("New-ADGroup -Name 'GG-Teletravail' -SamAccountName 'GG-Teletravail' -GroupScope Global "
                  "-GroupCategory Security -Path 'OU=Ferme,DC=ad,DC=lab,DC=ferme,DC=test' -Description 'ferme'\n"
                  "Add-ADGroupMember -Identity 'GG-Teletravail' -Members @('agent.demo', 'GG-Pilote')")  # fmt: skip
        server.double.register(create, Reply())
        result = _run(plan_file, monkeypatch)
        assert (result["status"], result["changed"]) == ("ok", 1), (result, server.double.ran[-1])
        assert server.double.ran == [script, create] and not check_script(create)


def test_the_farm_groups_and_the_brokers_name_are_planned_on_the_first_dc() -> None:
    """Issue 13: the collections' and RemoteApps' groups created when absent, one group per wave, and with broker
    HA the client access name in DNS, one A record per broker."""
    from tests.conftest import INVENTORIES

    plan = build_plan(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    dc = plan["hosts"]["dc01"]["state"]
    assert dc["ad_groups_present"] == ["GG-Autonomie", "GG-Enfance", "GG-Finances", "GG-RDS-Applications",
                                       "GG-RDS-Bureau"]  # fmt: skip
    assert dc["ad_groups"]["GG-RDS-Vague-1"] == ["GG-DSI", "GG-Finances", "GG-RH"]
    assert dc["dns_round_robin"] == {"zone": "ad.departement-exemple.fr", "name": "rds",
                                     "addresses": ["10.20.10.11", "10.20.10.12"]}  # fmt: skip
    assert not plan["hosts"]["dc02"]["state"].get("ad_ou")
    script = host_facts_script(facts_wanted(expectations(plan, "dc01")))
    assert "Get-ADOrganizationalUnit -Identity $name" in script and "Get-DnsServerResourceRecord" in script
    assert [f for f in check_script(script) if f.severity == "error"] == []

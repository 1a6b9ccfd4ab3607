"""The RD deployment's steps for both example sites, from the broker's answer (JSON scenarios).

tests/fixtures/rds/<site>/<scenario>.json holds the broker's raw answer (as ConvertTo-Json prints it), the Group
Policy values read on the session hosts, and the exact steps and notes expected; FERME_UPDATE_GOLDEN=1 rewrites
them (review the diff like code). Each scenario also asserts what matters in words, and every script passes the
static layer (tree-sitter parse + the cmdlet catalogue). No Windows ran here.

The failures other tools' users keep reporting are cases here: the deployment created from the broker and only
when Get-RDServer says there is none; a session host given later is added; a second collection is created
though another exists; a setting Group Policy sets is reported and the run goes on.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from ferme.plan import build_plan
from ferme.powershell.check import check_script, errors
from ferme.rds.delta import Delta, deployment_delta
from ferme.rds.read import parse_deployment
from ferme.site import load_site
from tests.conftest import INVENTORIES, ROOT
from tests.rds_model import apply_step, raw_deployment

FIXTURES = ROOT / "tests" / "fixtures" / "rds"
SITES = ("mairie-exemple", "departement-exemple")


@cache
def _desired(site: str) -> str:
    plan = build_plan(load_site(INVENTORIES / site, with_secrets=False))
    return json.dumps(
        next(h["state"]["rd_deployment"] for h in plan["hosts"].values() if h["state"].get("rd_deployment"))
    )


def desired_of(site: str) -> dict[str, Any]:
    return json.loads(_desired(site))


def _one_more_host(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    raw = raw_deployment(desired)
    wanted = copy.deepcopy(desired)
    domain = desired["broker"].split(".", 1)[1]
    new = f"rdsh-nouveau.{domain}"
    wanted["servers"][new] = ["RDS-RD-SERVER"]
    wanted["collections"][0]["session_hosts"].append(new)
    return wanted, raw


def _second_collection(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    wanted = copy.deepcopy(desired)
    if len(wanted["collections"]) < 2:  # the mairie has one: give it a second, on the same host
        second = copy.deepcopy(wanted["collections"][0])
        second.update(name="Applications", remoteapps=[])
        second["settings"]["CollectionDescription"] = "Applications publiées"
        wanted["collections"].append(second)
    raw = raw_deployment(wanted)
    del raw["collections"][wanted["collections"][1]["name"]]
    return wanted, raw


def _one_setting(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    raw = raw_deployment(desired)
    first = desired["collections"][0]["name"]
    raw["collections"][first]["settings"]["IdleSessionLimitMin"] = 15
    return desired, raw


def _gpo(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Group Policy sets the idle limit on a session host of the first collection: Windows keeps the collection's
    own value (15) and refuses to change it; ferme reports it and changes the rest (here the description)."""
    raw = raw_deployment(desired)
    first = desired["collections"][0]["name"]
    raw["collections"][first]["settings"]["IdleSessionLimitMin"] = 15
    raw["collections"][first]["settings"]["CollectionDescription"] = "ancienne description"
    return desired, raw


def _certificate(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    raw = raw_deployment(desired)
    raw["certificates"]["RDGateway"] = "00" * 20
    return desired, raw


def _host_removed(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A session host still in the collection that the inventory no longer names."""
    raw = raw_deployment(desired)
    domain = desired["broker"].split(".", 1)[1]
    old = f"RDSH-ANCIEN.{domain.upper()}"
    raw["servers"][old] = "RDS-RD-SERVER"
    raw["collections"][desired["collections"][0]["name"]]["hosts"][old] = "Yes"
    return desired, raw


def _maintenance(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    raw = raw_deployment(desired)
    wanted = copy.deepcopy(desired)
    wanted["maintenance"] = [desired["collections"][0]["session_hosts"][0]]
    return wanted, raw


def _profile_disks(desired: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The site moves from FSLogix to user profile disks: one call per collection, nothing else."""
    raw = raw_deployment(desired)
    wanted = copy.deepcopy(desired)
    for collection in wanted["collections"]:
        collection["profile_disks"] = {"enabled": True, "path": "\\\\fs\\upd$", "size_gb": 20}
    return wanted, raw


SCENARIOS: dict[str, Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any] | None]]] = {
    "fresh": lambda desired: (desired, None),
    "converged": lambda desired: (desired, raw_deployment(desired)),
    "one-more-session-host": _one_more_host,
    "second-collection": _second_collection,
    "one-setting-changed": _one_setting,
    "setting-set-by-gpo": _gpo,
    "certificate-changed": _certificate,
    "host-removed": _host_removed,
    "maintenance": _maintenance,
    "user-profile-disks": _profile_disks,
}


def run(site: str, scenario: str) -> tuple[Delta, dict[str, Any]]:
    wanted, raw = SCENARIOS[scenario](desired_of(site))
    first_host = wanted["collections"][0]["session_hosts"][0]
    policies = {first_host: {"MaxIdleTime": 900000, "fResetBroken": 0}} if scenario == "setting-set-by-gpo" else {}
    delta = deployment_delta(wanted, parse_deployment(raw), policies)
    record = {
        "scenario": scenario,
        "broker_answer": raw,
        "policies": policies,
        "steps": [
            {"kind": s.kind, "target": s.target, "timeout": s.timeout, "script": s.script.splitlines()}
            for s in delta.steps
        ],
        "notes": delta.notes,
    }
    return delta, record


CASES = [(site, scenario) for site in SITES for scenario in SCENARIOS]


@pytest.mark.parametrize(("site", "scenario"), CASES, ids=[f"{s}/{c}" for s, c in CASES])
def test_scenario_matches_its_fixture(site: str, scenario: str) -> None:
    delta, record = run(site, scenario)
    case = FIXTURES / site / f"{scenario}.json"
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        case.parent.mkdir(parents=True, exist_ok=True)
        case.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert record == json.loads(case.read_text(encoding="utf-8"))
    for step in delta.steps:
        assert errors(check_script(step.script)) == [], (step.title, errors(check_script(step.script)))


def kinds(delta: Delta) -> list[str]:
    return [step.kind for step in delta.steps]


@pytest.mark.parametrize("site", SITES)
def test_a_fresh_farm_is_built_in_order_from_the_broker(site: str) -> None:
    desired = desired_of(site)
    delta, _ = run(site, "fresh")
    order = kinds(delta)
    assert order[0] == "deployment" and delta.steps[0].target == desired["broker"]
    assert "New-RDSessionDeployment -ConnectionBroker $broker" in delta.steps[0].script
    # one Add-RDServer per server and role, each its own step
    adds = [s for s in delta.steps if s.kind == "add-server"]
    expected = sum(len(roles) for roles in desired["servers"].values()) - 3  # the deployment brings three
    assert len(adds) == expected and all(s.script.count("Add-RDServer") == 1 for s in adds)
    # the servers before licensing and the gateway, which come before the collections
    assert max(order.index(k) for k in ("licensing", "gateway")) < order.index("collection")
    assert order.index("licensing") > max(i for i, k in enumerate(order) if k == "add-server" and "BROKER" not in
                                          delta.steps[i].target)  # fmt: skip
    assert order.count("collection") == len(desired["collections"])
    assert order.count("certificate") == 4
    if desired["ha"]:
        ha = order.index("high-availability")
        second = next(i for i, s in enumerate(delta.steps) if s.target.endswith("RDS-CONNECTION-BROKER"))
        assert ha < second, "the second broker joins once high availability is set"


@pytest.mark.parametrize("site", SITES)
def test_a_converged_farm_gives_no_step(site: str) -> None:
    delta, _ = run(site, "converged")
    assert delta.steps == [] and delta.notes == []


@pytest.mark.parametrize("site", SITES)
def test_one_more_session_host_is_added_and_only_it(site: str) -> None:
    delta, _ = run(site, "one-more-session-host")
    new = delta.steps[0].target.split()[0]
    assert [(s.kind, s.target.split()[0]) for s in delta.steps] == [("add-server", new), ("session-host", new)]
    assert new.startswith("rdsh-nouveau.") and delta.steps[0].target.endswith("RDS-RD-SERVER")
    script = delta.steps[1].script
    # joins closed to new connections, is tested, then opened
    assert script.index("Add-RDSessionHost") < script.index("-NewConnectionAllowed No") < script.index(
        "Test-NetConnection") < script.index("-NewConnectionAllowed Yes")  # fmt: skip


@pytest.mark.parametrize("site", SITES)
def test_a_second_collection_is_created_though_another_exists(site: str) -> None:
    delta, _ = run(site, "second-collection")
    assert kinds(delta)[:2] == ["collection", "settings"]
    second = desired_of(site)["collections"][1]["name"] if site == "departement-exemple" else "Applications"
    assert delta.steps[0].target == second
    assert f"$_.CollectionName -eq '{second}'" in delta.steps[0].script  # an exact name, no filter parameter


@pytest.mark.parametrize("site", SITES)
def test_one_changed_setting_is_one_call(site: str) -> None:
    delta, _ = run(site, "one-setting-changed")
    assert kinds(delta) == ["settings"]
    assert delta.steps[0].target.endswith(": IdleSessionLimitMin")
    call = next(line for line in delta.steps[0].script.splitlines() if line.strip().startswith("Set-RDSession"))
    assert "-IdleSessionLimitMin 60" in call and "-DisconnectedSessionLimitMin" not in call


@pytest.mark.parametrize("site", SITES)
def test_a_setting_set_by_group_policy_is_reported_not_fought(site: str) -> None:
    delta, _ = run(site, "setting-set-by-gpo")
    assert kinds(delta) == ["settings"], "the rest still converges"
    assert delta.steps[0].target.endswith(": CollectionDescription")
    assert any("IdleSessionLimitMin is set by Group Policy" in note and "MaxIdleTime=900000" in note
               for note in delta.notes), delta.notes  # fmt: skip
    # and a refusal Windows gives anyway (a host not in the run) is caught, reported, and the run goes on
    assert "Group Policy|strat.gie de groupe" in delta.steps[0].script


@pytest.mark.parametrize("site", SITES)
def test_a_changed_certificate_is_only_its_role(site: str) -> None:
    delta, _ = run(site, "certificate-changed")
    assert [(s.kind, s.target) for s in delta.steps] == [("certificate", "RDGateway")]
    assert "Set-RDCertificate -Role RDGateway -Thumbprint" in delta.steps[0].script


@pytest.mark.parametrize("site", SITES)
def test_a_removed_host_is_drained(site: str) -> None:
    delta, _ = run(site, "host-removed")
    assert kinds(delta) == ["drain"]
    script = delta.steps[0].script
    order = ["-NewConnectionAllowed No", "Send-RDUserMessage", "AddMinutes(30)", "Invoke-RDUserLogoff",
             "Remove-RDSessionHost", "Remove-RDServer"]  # fmt: skip
    positions = [script.index(word) for word in order]
    assert positions == sorted(positions), script
    assert "Ce serveur va être arrêté pour maintenance" in script
    assert delta.steps[0].timeout >= 30 * 60


@pytest.mark.parametrize("site", SITES)
def test_a_host_under_maintenance_is_closed_and_its_agents_warned(site: str) -> None:
    delta, _ = run(site, "maintenance")
    assert kinds(delta) == ["maintenance"]
    assert "Invoke-RDUserLogoff" not in delta.steps[0].script and "Send-RDUserMessage" in delta.steps[0].script


@pytest.mark.parametrize("site", SITES)
def test_the_model_of_the_broker_converges_in_one_pass(site: str) -> None:
    """Each step applied to the broker (as the double does) leaves a deployment that gives no further step."""
    desired = desired_of(site)
    raw = None
    for step in deployment_delta(desired, None).steps:
        raw = apply_step(raw, desired, step.kind, step.target)
    assert deployment_delta(desired, parse_deployment(raw)).steps == []


@pytest.mark.parametrize("site", SITES)
def test_user_profile_disks_are_one_call_per_collection(site: str) -> None:
    delta, _ = run(site, "user-profile-disks")
    assert kinds(delta) == ["profile-disks"] * len(desired_of(site)["collections"])
    assert "-EnableUserProfileDisk -DiskPath '\\\\fs\\upd$' -MaxUserProfileDiskSizeGB 20" in delta.steps[0].script

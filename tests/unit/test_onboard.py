"""`ferme onboard`: a wave's gates (which one failed and by how much, nothing changed), what an open wave changes
in the plan (collections, gateway CAP, remote access group, tokens), and a rollback that gives back the farm of
before the wave — the RD deployment's steps played on the broker's model both ways, the gateway's and the AD
group's lines — from fixtures (no Windows here)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ferme.onboard.gates import save_verify_record, verify_record_path
from ferme.onboard.state import load_states, record, state_file
from ferme.plan import build_plan
from ferme.rds.delta import deployment_delta
from ferme.rds.gateway import changes
from ferme.rds.read import parse_deployment
from ferme.site import load_site
from tests.rds_model import apply_step, raw_deployment
from tests.unit.test_broken_inventories import _break

WAVE_GROUP = "GG-RDS-Vague-1"


def _tokens(service: str, count: int, start: int = 0) -> str:
    return "".join(f"\n    - {{serial: {service[:3].upper()}{i:04d}, seed: !secret token_{service[:3]}_{i}, "
                   f"agent: {service[:3]}.{i}, service: {service}}}" for i in range(start, start + count))  # fmt: skip


@pytest.fixture
def departement(copy_example: Any) -> Path:
    """The département with tokens for wave 1 (dsi 60/60, finances 100/120, RH 120/120) and a green verify."""
    folder: Path = copy_example("departement-exemple", secrets=False)
    tokens = _tokens("dsi", 60) + _tokens("finances", 100) + _tokens("ressources-humaines", 120)
    _break(folder, "services.yml", "  radius_clients:\n    - {host: vpn01", f"  tokens:{tokens}\n  radius_clients:\n"
           "    - {host: vpn01")  # fmt: skip
    save_verify_record(folder, 120, 0, ["collab01"])
    return folder


def _gates(cli: Any, folder: Path, *args: str) -> tuple[int, dict[str, str], str]:
    result = cli("onboard", str(folder), "--wave", "1", "--dry", *args)
    rows = {}
    for line in result.stdout.splitlines()[2:]:
        name, status, figures = line.split(None, 2)
        rows[name] = f"{status} {figures}"
    return result.exit_code, rows, result.stderr


def test_a_wave_whose_gate_fails_is_refused_with_the_gate_and_by_how_much(departement: Path, cli: Any) -> None:
    code, gates, err = _gates(cli, departement)
    assert code == 1
    assert gates["tokens"].startswith("FAILED 20 of 300 agents without a token (finances 100/120)")
    assert gates["capacity"].startswith("passed 100 sessions for 1520")
    assert "not opened: gate tokens failed (20 of 300 agents without a token" in err and "nothing changed" in err
    assert not state_file(departement).exists()  # nothing recorded

    code, gates, _ = _gates(cli, departement, "--sessions-now", "1450")  # 1450 + the wave's 100 > 1520
    assert gates["capacity"] == ("FAILED 1550 sessions for 1520 (608 vCPU in service, 2 spare host(s) set aside, "
                                 "2.50 sessions per vCPU): 30 session(s) over")  # fmt: skip
    assert gates["vpn"] == "FAILED 1550 clients for a cap of 1500 and a pool of 1527 addresses: 50 over"


def test_the_verify_and_bandwidth_gates(departement: Path, cli: Any) -> None:
    path = verify_record_path(departement)
    old = json.loads(path.read_text())
    old["at"] = (datetime.now(UTC) - timedelta(hours=13)).isoformat(timespec="seconds")
    path.write_text(json.dumps(old))
    _, gates, _ = _gates(cli, departement)
    assert gates["verify"].startswith("FAILED the last verify is 13.0 h old, 1.0 h over the 12 h allowed")
    save_verify_record(departement, 118, 2, ["collab01"])
    _, gates, _ = _gates(cli, departement)
    assert gates["verify"].startswith("FAILED the last verify (") and "failed 2 check(s)" in gates["verify"]
    # a 100 Mbit/s Internet link: the wave's 100 sessions need 345 Mbit/s, 80 are allowed
    _break(departement, "network.yml", "kind: outside", "kind: outside, bandwidth_mbps: 100")
    _, gates, _ = _gates(cli, departement)
    assert gates["bandwidth"] == ("FAILED 345 Mbit/s at peak for 80 Mbit/s (80% of a 100 Mbit/s link): 265 Mbit/s "
                                  "over")  # fmt: skip


def _plan(folder: Path) -> dict[str, Any]:
    return build_plan(load_site(folder, with_secrets=False))


def _host_state(plan: dict[str, Any], key: str) -> Any:
    return next(h["state"][key] for h in plan["hosts"].values() if h["state"].get(key))


def _without_wave_state(plan: dict[str, Any]) -> dict[str, Any]:
    plan = copy.deepcopy(plan)
    for wave in plan["waves"]:
        wave.pop("state")
    return plan


def test_an_open_wave_joins_the_collections_the_gateways_and_remote_access_and_a_rollback_undoes_it(
    departement: Path,
) -> None:
    before = _plan(departement)
    record(departement, 1, "open")
    opened = _plan(departement)
    netbios = opened["site"]["netbios"]
    for collection in _host_state(opened, "rd_deployment")["collections"]:
        assert f"{netbios}\\{WAVE_GROUP}" in collection["settings"]["UserGroup"]
    assert f"{WAVE_GROUP}@{netbios}" in _host_state(opened, "gateway_policies")["user_groups"]
    assert WAVE_GROUP in _host_state(opened, "ad_groups")["GG-Teletravail"]
    tokens = _host_state(opened, "mfa")["tokens"]
    assert sum(t["active"] for t in tokens) == 280 == len(tokens)  # wave 1's agents' tokens, each now working
    assert not any(t["active"] for t in _host_state(before, "mfa")["tokens"])  # none before the wave
    assert [w["state"] for w in opened["waves"]] == ["open", "planned", "planned", "planned", "planned"]

    record(departement, 1, "rolled_back")
    rolled_back = _plan(departement)
    assert _without_wave_state(rolled_back) == _without_wave_state(before)  # the plan of before the wave
    assert load_states(departement)[1]["history"][-1]["state"] == "open"


def test_the_rd_deployment_goes_to_the_wave_and_back_on_the_brokers_model(departement: Path) -> None:
    desired_before = _host_state(_plan(departement), "rd_deployment")
    record(departement, 1, "open")
    desired_open = _host_state(_plan(departement), "rd_deployment")
    record(departement, 1, "rolled_back")
    desired_back = _host_state(_plan(departement), "rd_deployment")

    raw_before = raw_deployment(desired_before)
    steps = deployment_delta(desired_open, parse_deployment(raw_before)).steps
    assert [s.kind for s in steps] == ["settings"] * len(desired_open["collections"])
    assert all(WAVE_GROUP in s.script for s in steps)
    raw = copy.deepcopy(raw_before)
    for step in steps:
        raw = apply_step(raw, desired_open, step.kind, step.target)
    assert not deployment_delta(desired_open, parse_deployment(raw)).steps  # open: converged
    back = deployment_delta(desired_back, parse_deployment(raw)).steps
    assert [s.kind for s in back] == ["settings"] * len(desired_open["collections"])
    for step in back:
        raw = apply_step(raw, desired_back, step.kind, step.target)
    assert parse_deployment(raw) == parse_deployment(raw_before)  # the farm of before the wave


def _gateway_as_read(wanted: dict[str, Any]) -> dict[str, Any]:
    """A gateway converged on `wanted`, as ferme.rds.gateway.parse reads it."""
    groups = [g.lower() for g in wanted["user_groups"]]
    return {"caps": {wanted["cap"]: groups},
            "raps": {wanted["rap"]: {"user_groups": groups, "computer_group_type": "0",
                                     "computer_group": wanted["computer_group"]}},
            "groups": {wanted["computer_group"].lower(): [c.lower() for c in wanted["computers"]]}}  # fmt: skip


def test_the_gateway_cap_gains_the_wave_group_and_loses_it_on_rollback(departement: Path) -> None:
    before = _host_state(_plan(departement), "gateway_policies")
    assert changes(before, _gateway_as_read(before)) == []  # converged: nothing
    record(departement, 1, "open")
    opened = _host_state(_plan(departement), "gateway_policies")
    netbios = _plan(departement)["site"]["netbios"]
    group = f"{WAVE_GROUP}@{netbios}"
    assert changes(opened, _gateway_as_read(before)) == [
        f"New-Item -Path 'RDS:\\GatewayServer\\CAP\\ferme-CAP\\UserGroups' -Name '{group}' | Out-Null",
        f"New-Item -Path 'RDS:\\GatewayServer\\RAP\\ferme-RAP\\UserGroups' -Name '{group}' | Out-Null",
    ]
    lines = changes(before, _gateway_as_read(opened))  # the rollback
    assert lines == [
        f"Remove-Item -Path 'RDS:\\GatewayServer\\CAP\\ferme-CAP\\UserGroups\\{group.lower()}'",
        f"Remove-Item -Path 'RDS:\\GatewayServer\\RAP\\ferme-RAP\\UserGroups\\{group.lower()}'",
    ]


def test_ferme_plan_shows_each_waves_state(departement: Path, cli: Any, tmp_path: Path) -> None:
    record(departement, 1, "open")
    record(departement, 2, "rolled_back")
    result = cli("plan", str(departement), "--out", str(tmp_path / "out"))
    assert "waves: 1 open 2027-01-11 matin (300 agents" in result.stdout
    assert "; 2 rolled back 2027-01-11 après-midi" in result.stdout and "; 3 planned" in result.stdout


def test_a_broken_or_stale_state_file_is_reported_with_its_path(departement: Path, cli: Any) -> None:
    path = state_file(departement)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"waves": {"1": {"state": "ouverte"}}}))
    result = cli("check", "--no-secrets", str(departement))
    assert result.exit_code == 2
    assert (
        "state/waves.json:1:1" in result.stderr and "state must be one of planned, open, rolled_back" in result.stderr
    )
    path.write_text(json.dumps({"waves": {"9": {"state": "open"}}}))
    result = cli("check", "--no-secrets", str(departement))
    assert "wave(s) 9 open but not in the inventory's waves" in result.stderr


def test_opening_is_all_or_nothing(departement: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wave whose hosts fail to converge is taken back out: the state file as before, converged again."""
    import ferme.cli_onboard as onboard

    more = _tokens("finances", 20, 100).removeprefix("\n")
    _break(departement, "services.yml", "  radius_clients:\n", f"{more}\n  radius_clients:\n")  # 120/120 now
    runs: list[list[int]] = []

    def converge(inventory: Path, say: Any = None) -> bool:
        runs.append(sorted(n for n, r in load_states(inventory).items() if r["state"] == "open"))
        return len(runs) > 1  # the first (opening) fails, the second (putting back) works

    monkeypatch.setattr(onboard, "_converge", converge)
    result = cli("onboard", str(departement), "--wave", "1", "--sessions-now", "0")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert runs == [[1], []]
    assert load_states(departement) == {}

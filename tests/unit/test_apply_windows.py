"""`ferme apply` on a Windows host, for real through pyinfra and the winrm connector, against the
WS-Management double standing in for the host (no Windows here): a converged host costs one
PowerShell call and changes nothing; a drifted value is set back, and only it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferme.checks.windows import expectations
from ferme.checks.windows import wanted as facts_wanted
from ferme.facts.windows import host_facts_script
from ferme.operations.windows import wanted_for
from ferme.plan import build_plan
from ferme.powershell.build import registry_value
from ferme.site import load_site
from tests.conftest import INVENTORIES, ROOT
from tests.protocol.wsman_double import Reply, Server, converged_facts

PASSWORD = "Double-Password-2"
HOST = "lab-rdsh01"
RUN_APPLY = """
import json, sys
from ferme.apply import apply
plan = json.load(open(sys.argv[1]))
result = apply(plan, limit=sys.argv[2], say=lambda text: print(text, file=sys.stderr))
print(json.dumps(result.to_json()))
"""


@pytest.fixture
def double(tmp_path: Path) -> Iterator[tuple[Server, dict, Path]]:
    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    with Server(tmp_path, "ferme-deploy", PASSWORD) as server:
        connection = plan["hosts"][HOST]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        plan_file = tmp_path / "plan.json"
        plan_file.write_text(json.dumps(plan))
        yield server, plan, plan_file


def run_apply(plan_file: Path) -> dict:
    env = {**os.environ, "FERME_SECRET_WINRM_DEPLOY": PASSWORD}
    done = subprocess.run([sys.executable, "-c", RUN_APPLY, str(plan_file), HOST], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict = json.loads(done.stdout.splitlines()[-1])["hosts"][HOST]
    return result


def test_a_converged_windows_host_changes_nothing_in_one_call(double: tuple[Server, dict, Path]) -> None:
    server, plan, plan_file = double
    expected = expectations(plan, HOST)
    assert expected["groups"] == {"S-1-5-32-555": ["LAB\\GG-RDS-Bureau"]}
    script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
    server.double.register(script, Reply(stdout=converged_facts(expected)))
    result = run_apply(plan_file)
    assert (result["status"], result["changed"], result["failed"]) == ("ok", 0, 0), result
    assert result["unchanged"] >= 8  # features, restart, registry, firewall, service, group
    # One PowerShell call: its Command and one Receive; opening the pool costs a Create and a Receive.
    assert server.double.requests["Command"] == 1 and server.double.requests["Receive"] == 2, [
        s[:80] for s in server.double.ran
    ]
    assert server.double.ran == [script]
    assert server.double.requests["Create"] == 1 and server.double.requests["Delete"] == 1  # closed at the end
    assert server.double.requests["http"] == 7, dict(server.double.requests)  # with NTLM's two legs
    # What crossed the wire (bench/winrm_traffic.py reads it): the facts script went up once, in UTF-16 and base64
    # inside PSRP (about 2.7 bytes a character), and far less than twice; its answer came back.
    sent = server.double.traffic["in"]
    assert 2 * len(script) < sent < 2 * 2.7 * len(script), (sent, len(script))
    assert server.double.traffic["out"] > len(converged_facts(expected)), dict(server.double.traffic)


def test_a_drifted_registry_value_is_set_back_alone(double: tuple[Server, dict, Path]) -> None:
    server, plan, plan_file = double
    expected = expectations(plan, HOST)
    nla = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp"
    drifted = {**expected["registry"], nla + "\\UserAuthentication": 0}
    script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
    server.double.register(script, Reply(stdout=converged_facts(expected, registry=drifted)))
    fix = registry_value(nla, "UserAuthentication", 1)
    server.double.register(fix, Reply())
    result = run_apply(plan_file)
    assert (result["status"], result["changed"]) == ("ok", 1), result
    assert server.double.ran == [script, fix]


def test_a_session_host_with_agents_on_is_not_restarted_and_the_report_says_why(
    double: tuple[Server, dict, Path],
) -> None:
    """Issue 10, point 5: a restart owed (Windows Update's flag) while agents are logged on: no
    Restart-Computer, the host fails with the reason in the report, drain_minutes being 0."""
    from ferme.operations.windows_reboot import RESTART, readiness_script

    server, plan, plan_file = double
    expected = expectations(plan, HOST)
    script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
    server.double.register(script, Reply(stdout=converged_facts(expected, reboot_pending=True)))
    state = {"boot": "2026-11-22T01:00:00.0000000+01:00", "trusted_installer": "Stopped", "reboot_pending": True,
             "services": {"TermService": "Running"}, "sessions": 4}  # fmt: skip
    server.double.register(readiness_script(expected["services"]), Reply(stdout=json.dumps(state)))
    result = run_apply(plan_file)
    assert result["status"] == "failed", result
    assert "restart owed, 4 sessions open: not restarted" in result["error"]
    assert RESTART not in server.double.ran

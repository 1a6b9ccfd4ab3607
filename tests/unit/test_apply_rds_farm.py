"""`ferme apply` of the mairie's all-in-one RDS server (broker, session host, web, gateway, licensing) for real
through pyinfra and the winrm connector, against the WS-Management double standing in for Windows (none here).

The double's broker answers the deployment's read-back from a model (tests/rds_model.py) that each step's task
changes when it starts: a fresh farm gets the whole ordered sequence, each step a one-shot task (uploaded,
registered, polled, collected and unregistered); the second run reads a converged deployment, sends no change
and costs one PowerShell call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferme.checks.windows import expectations
from ferme.checks.windows import wanted as facts_wanted
from ferme.connectors.winrs import upload_scripts
from ferme.facts.windows import host_facts_script
from ferme.operations.windows import wanted_for
from ferme.operations.windows_tasks import BrokerTask
from ferme.plan import build_plan
from ferme.rds.delta import deployment_delta
from ferme.site import load_site
from tests.conftest import INVENTORIES, ROOT
from tests.protocol.wsman_double import Double, Reply, Server, converged_facts
from tests.rds_model import apply_step
from tests.unit.test_apply_windows import RUN_APPLY

PASSWORD = "Double-Password-2"
HOST = "srv-rds01"


class Broker:
    """The deployment as the double's broker holds it, changed by the steps' tasks as they start."""

    def __init__(self, server: Server, expected: dict[str, Any]):
        self.server, self.expected = server, expected
        self.desired = expected["rd_deployment"]
        self.raw: dict[str, Any] | None = None
        self.steps_run: list[str] = []
        self.facts_script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
        server.double.register(self.facts_script, self.facts)

    def facts(self, double: Double) -> Reply:
        answer = json.loads(converged_facts(self.expected))
        answer["rd_deployment"] = {self.desired["broker"]: self.raw}
        answer["policies"] = dict.fromkeys(self.expected["policies"])
        return Reply(stdout=json.dumps(answer))

    def expect_steps(self) -> int:
        """Register every step the current deployment calls for; how many there are."""
        from ferme.rds.read import parse_deployment

        steps = deployment_delta(self.desired, parse_deployment(self.raw)).steps
        for step in steps:
            task = BrokerTask(step.script, self.expected_user)
            for script in upload_scripts(task.wrapper().encode("utf-8-sig"), task.file):
                self.server.double.register(script, Reply())
            self.server.double.register(task.start(PASSWORD).get_raw_value(), self._starter(step.kind, step.target))
            self.server.double.register(task.poll(), Reply(stdout=json.dumps({"state": "Ready", "result": 0})))
            log = "ferme: RDS CALs have no cmdlet\r\n" if step.kind == "licensing" else ""
            self.server.double.register(task.collect(), Reply(stdout=log))
        return len(steps)

    expected_user = "ferme-deploy"  # the double knows the account without its domain

    def _starter(self, kind: str, target: str) -> Any:
        def start(double: Double) -> Reply:
            self.raw = apply_step(self.raw, self.desired, kind, target)
            self.steps_run.append(f"{kind} {target}")
            return Reply()

        return start


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[tuple[Server, Broker, Path]]:
    plan = build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False))
    with Server(tmp_path, "ferme-deploy", PASSWORD) as server:
        connection = plan["hosts"][HOST]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        plan_file = tmp_path / "plan.json"
        plan_file.write_text(json.dumps(plan))
        yield server, Broker(server, expectations(plan, HOST)), plan_file


def run_apply(plan_file: Path) -> dict[str, Any]:
    env = {**os.environ, "FERME_SECRET_WINRM_DEPLOY": PASSWORD, "FERME_SECRET_RDS_PFX": "Pfx-Password-2"}
    done = subprocess.run([sys.executable, "-c", RUN_APPLY, str(plan_file), HOST], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])["hosts"][HOST]
    result["stderr"] = done.stderr
    return result


def test_the_all_in_one_farm_is_built_then_converged(farm: tuple[Server, Broker, Path]) -> None:
    server, broker, plan_file = farm
    count = broker.expect_steps()
    first = run_apply(plan_file)
    unknown = [s[:300] for s in server.double.ran if s not in server.double.scripts]
    assert first["status"] == "ok" and first["failed"] == 0, (first.get("error"), unknown)
    assert len(broker.steps_run) == count == 12, broker.steps_run
    assert broker.steps_run[0] == "deployment srv-rds01.ad.mairie-exemple.fr"
    assert [s.split()[0] for s in broker.steps_run[-3:]] == ["collection", "settings", "remoteapp"]
    assert PASSWORD not in first["stderr"] and "Pfx-Password-2" not in first["stderr"], "secrets never in the log"
    assert "RDS CALs have no cmdlet" in first["stderr"], "what the admin must do is said"
    # every task was cleaned up: as many collections (unregister) as starts
    starts = [s for s in server.double.ran if "Register-ScheduledTask" in s and "Start-ScheduledTask" in s]
    collects = [s for s in server.double.ran if "Unregister-ScheduledTask" in s]
    assert len(starts) == len(collects) == count

    server.double.requests.clear()
    server.double.ran.clear()
    second = run_apply(plan_file)
    assert (second["status"], second["changed"], second["failed"]) == ("ok", 0, 0), second
    assert server.double.ran == [broker.facts_script], [s[:80] for s in server.double.ran]
    assert server.double.requests["Command"] == 1 and server.double.requests["http"] == 7, dict(server.double.requests)


def test_a_failed_step_stops_the_farm_there_and_says_why(farm: tuple[Server, Broker, Path]) -> None:
    """Nothing half-applied past a failure: the steps after it do not run; the task is still cleaned up."""
    server, broker, plan_file = farm
    broker.expect_steps()
    steps = deployment_delta(broker.desired, None).steps
    failing = BrokerTask(steps[3].script, broker.expected_user)
    server.double.register(failing.poll(), Reply(stdout=json.dumps({"state": "Ready", "result": 1})))
    server.double.register(failing.collect(), Reply(stdout="Set-RDLicenseConfiguration : access denied\r\n"))
    result = run_apply(plan_file)
    assert result["status"] == "failed", result
    assert len(broker.steps_run) == 4 and broker.steps_run[3].startswith("licensing")
    assert "access denied" in result["stderr"]
    assert server.double.ran[-1] == failing.collect()

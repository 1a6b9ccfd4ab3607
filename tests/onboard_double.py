"""An onboarding wave converged for real (`ferme.apply` through pyinfra and the winrm connector) on the Windows hosts
a wave changes, against the WS-Management double standing in for them (no Windows here).

The double answers each host's facts as converged on the plan *before* the change (the broker's deployment from
the model in tests/rds_model.py), so ferme sends exactly what the change calls for: the RD deployment's steps as
broker tasks (the model follows them), the rest (Remote Desktop Users, the AD groups, the gateway's CAP and RAP)
answered as done. Used by tests/unit/test_onboard_double.py (what is sent) and bench/onboard_wave.py (how long).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ferme.checks.windows import expectations
from ferme.checks.windows import wanted as facts_wanted
from ferme.connectors.winrs import upload_scripts
from ferme.facts.windows import host_facts_script
from ferme.operations.windows import wanted_for
from ferme.operations.windows_tasks import BrokerTask
from ferme.rds.delta import deployment_delta
from ferme.rds.read import parse_deployment
from tests.protocol.wsman_double import Double, Reply, Server, converged_facts
from tests.rds_model import apply_step, raw_deployment

PASSWORD = "Double-Password-2"
USER = "ferme-deploy"
ROLES = ("directory", "rds_broker", "rds_gateway")  # the Windows hosts a wave changes (mfa: Debian, by SSH)
ROOT = Path(__file__).resolve().parent.parent
RUN_APPLY = """
import json, sys
from ferme.apply import apply
plan = json.load(open(sys.argv[1]))
result = apply(plan, limit=sys.argv[2], say=lambda text: print(text, file=sys.stderr))
print(json.dumps(result.to_json()))
"""


def wave_hosts(plan: dict[str, Any]) -> list[str]:
    return sorted(n for n, h in plan["hosts"].items()
                  if h["os"] == "windows" and h["managed"] and set(h["roles"]) & set(ROLES))  # fmt: skip


def _broker(double: Double, desired: dict[str, Any], before: dict[str, Any], steps_run: list[str]) -> dict[str, Any]:
    """Register the deployment's steps from `before` to `desired` as broker tasks; the model follows each start."""
    model = {"raw": raw_deployment(before)}
    for step in deployment_delta(desired, parse_deployment(model["raw"])).steps:
        task = BrokerTask(step.script, USER)
        for script in upload_scripts(task.wrapper().encode("utf-8-sig"), task.file):
            double.register(script, Reply())

        def start(_: Double, kind: str = step.kind, target: str = step.target) -> Reply:
            model["raw"] = apply_step(model["raw"], desired, kind, target)
            steps_run.append(f"{kind} {target}")
            return Reply()

        double.register(task.start(PASSWORD).get_raw_value(), start)
        double.register(task.poll(), Reply(stdout=json.dumps({"state": "Ready", "result": 0})))
        double.register(task.collect(), Reply())
    return model


def converge(plan_from: dict[str, Any], plan_to: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Converge the wave's Windows hosts from `plan_from` (as the double answers) to `plan_to`; what it took."""
    hosts = wave_hosts(plan_to)
    steps_run: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        doubles = []
        for name in hosts:  # one double per host (as each is its own Windows)
            home = folder / name
            home.mkdir(exist_ok=True)
            server = stack.enter_context(Server(home, USER, PASSWORD))
            server.double.default = Reply()  # the changes' scripts: done
            doubles.append(server.double)
            connection = plan_to["hosts"][name]["connection"]
            connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user=USER)
            wanted, had = expectations(plan_to, name), expectations(plan_from, name)
            script = host_facts_script(json.loads(wanted_for(**facts_wanted(wanted))))
            answer = json.loads(converged_facts(had))
            answer["policies"] = dict.fromkeys(wanted.get("policies") or [])
            desired = wanted.get("rd_deployment")
            model = _broker(server.double, desired, had["rd_deployment"], steps_run) if desired else None

            def facts(_: Double, answer: dict[str, Any] = answer, model: Any = model, desired: Any = desired) -> Reply:
                if model is not None:
                    answer = {**answer, "rd_deployment": {desired["broker"]: model["raw"]}}
                return Reply(stdout=json.dumps(answer))

            server.double.register(script, facts)
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan_to))
        env = {**os.environ, "FERME_SECRET_WINRM_DEPLOY": PASSWORD, "FERME_SECRET_RDS_PFX": "Pfx-Password-2"}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", RUN_APPLY, str(plan_file), ",".join(hosts)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return {
            "seconds": seconds,
            "hosts": json.loads(done.stdout.splitlines()[-1])["hosts"],
            "ran": [script for double in doubles for script in double.ran],
            "requests": dict(sum((double.requests for double in doubles), Counter())),
            "steps": steps_run,
            "log": done.stderr,
        }

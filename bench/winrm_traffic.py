"""WinRM traffic of one Windows host, fresh and converged: ferme (measured against the WS-Management double) beside
Ansible's win_* model (one module execution per task, counted from its protocol).

ferme: `ferme.apply` through pyinfra and the winrm connector converges the lab's session host `lab-rdsh01` against
the double (no Windows here), which counts every HTTP request and the bytes of every body, both ways. Converged: the
double answers the batched facts as the plan wants them. Fresh: it answers them as a host that has none of it
(features off, no registry value, no rule, no member), and every change script succeeds.

Ansible: each task is one module execution on a connection of its own (ansible/plugins/connection/winrm.py: the
task's connection is closed when the task ends): NTLM's two legs, Create (the shell), Command, the payload sent on
stdin in 200,000-byte pieces, at least one Receive, Signal, Delete. The payload's size is what Ansible itself builds
for each module (`_create_powershell_wrapper`, the exec wrapper with the module and its module_utils, base64 inside
the SOAP body), measured by running Ansible's own builder (`.cache/bench/ansible`). One task per item the host has,
as a user would write it (a loop is one execution per item; win_feature takes the whole list). A converged host costs
Ansible the same executions (each module checks, then reports ok). These are floors: envelopes and answers are not
counted on Ansible's side.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ferme.checks.windows import expectations  # noqa: E402
from ferme.checks.windows import wanted as facts_wanted  # noqa: E402
from ferme.facts.windows import host_facts_script  # noqa: E402
from ferme.operations.windows import wanted_for  # noqa: E402
from ferme.plan import build_plan  # noqa: E402
from ferme.site import load_site  # noqa: E402
from tests.protocol.wsman_double import Reply, Server, converged_facts  # noqa: E402

HOST = "lab-rdsh01"
PASSWORD = "Double-Password-2"
ANSIBLE_PYTHON = ROOT / ".cache" / "bench" / "ansible" / "bin" / "python"
SEND_PIECE = 200_000  # bytes of payload per Send (winrm.py, _wrapper_payload_stream)
REQUESTS_PER_TASK = 7  # NTLM's two legs, Create, Command, Receive, Signal, Delete; plus one Send per piece
RUN_APPLY = """
import json, sys
from ferme.apply import apply
plan = json.load(open(sys.argv[1]))
result = apply(plan, limit=sys.argv[2], say=lambda text: print(text, file=sys.stderr))
print(json.dumps(result.to_json()))
"""
PAYLOAD = """
import json, sys
from pathlib import Path
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
from ansible.executor.powershell import module_manifest
import importlib
sizes = {}
for fqcn in sys.argv[1:]:
    namespace, collection, name = fqcn.split(".")
    package = importlib.import_module(f"ansible_collections.{namespace}.{collection}")
    path = Path(package.__file__).parent / "plugins" / "modules" / (name + ".ps1")
    wrapped = module_manifest._create_powershell_wrapper(
        name=fqcn, module_data=path.read_bytes(), module_path=str(path), module_args={"name": "x"}, environment={},
        async_timeout=0, become_plugin=None, substyle="powershell", task_vars={}, profile="legacy")
    sizes[fqcn] = len(wrapped)
print(json.dumps(sizes))
"""


def ansible_tasks(expected: dict[str, Any]) -> dict[str, int]:
    """Module executions per module for the host's items, as an Ansible user would write the tasks."""
    fslogix = expected.get("fslogix") or {}
    return {
        "ansible.windows.win_feature": 1 if expected["features"] else 0,
        "ansible.windows.win_regedit": len(expected["registry"]),
        "community.windows.win_firewall_rule": len(expected["firewall_rules"]) + len(expected["builtin_rules_off"]),
        "ansible.windows.win_service": len(expected["services"]) + (1 if fslogix.get("service") else 0),
        "ansible.windows.win_group_membership": len(expected["groups"]),
        "ansible.windows.win_package": 1 if fslogix.get("installer") else 0,
        "ansible.windows.win_certificate_store": len(expected["certificates"]),
    }


def ansible_model(expected: dict[str, Any]) -> dict[str, Any]:
    tasks = {module: count for module, count in ansible_tasks(expected).items() if count}
    done = subprocess.run([str(ANSIBLE_PYTHON), "-c", PAYLOAD, *tasks], capture_output=True, text=True, check=True)
    sizes: dict[str, int] = json.loads(done.stdout)
    requests = sum(count * (REQUESTS_PER_TASK + math.ceil(sizes[m] / SEND_PIECE)) for m, count in tasks.items())
    sent = sum(count * math.ceil(sizes[m] * 4 / 3) for m, count in tasks.items())  # base64 in the SOAP body
    return {"executions": sum(tasks.values()), "requests": requests, "bytes_in": sent, "tasks": tasks, "sizes": sizes}


def fresh_facts(expected: dict[str, Any]) -> str:
    """A host with none of the configuration the plan wants: joined, its role's feature installed (installing it
    needs a reboot, whose wait is Windows' time, not the protocol's), nothing else."""
    return converged_facts(expected,
                           services=dict.fromkeys(expected["services"], "Stopped"),
                           registry={}, groups={group: [] for group in expected["groups"]}, firewall_rules=[],
                           builtin_rules=dict.fromkeys(expected.get("builtin_rules_off", []), True),
                           certificates=[])  # fmt: skip


def ferme_run(plan: dict[str, Any], fresh: bool) -> dict[str, Any]:
    plan = json.loads(json.dumps(plan))  # its own copy: the connection is pointed at this run's double
    expected = expectations(plan, HOST)
    with tempfile.TemporaryDirectory() as work, Server(Path(work), "ferme-deploy", PASSWORD) as server:
        server.double.default = Reply()  # every change script succeeds
        connection = plan["hosts"][HOST]["connection"]
        connection.update(address="127.0.0.1", port=server.port, ca_bundle=str(server.ca), user="ferme-deploy")
        script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
        server.double.register(script, Reply(stdout=fresh_facts(expected) if fresh else converged_facts(expected)))
        plan_file = Path(work) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        env = {**os.environ, "FERME_SECRET_WINRM_DEPLOY": PASSWORD}
        done = subprocess.run([sys.executable, "-c", RUN_APPLY, str(plan_file), HOST], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        result = json.loads(done.stdout.splitlines()[-1])["hosts"][HOST]
        return {"changed": result["changed"], "scripts": len(server.double.ran),
                "requests": server.double.requests["http"], "bytes_in": server.double.traffic["in"],
                "bytes_out": server.double.traffic["out"]}  # fmt: skip


def report() -> str:
    plan = build_plan(load_site(ROOT / "inventories" / "lab", with_secrets=False))
    expected = expectations(plan, HOST)
    converged, fresh = ferme_run(plan, fresh=False), ferme_run(plan, fresh=True)
    model = ansible_model(expected)
    kib = lambda n: f"{n / 1024:,.0f} KiB"  # noqa: E731
    lines = [
        f"## WinRM: one session host (`{HOST}`), fresh and converged",
        "",
        "ferme measured against the WS-Management double (**no Windows ran**); Ansible's win_* model counted from "
        "its protocol, with the payloads its own builder makes (floors: envelopes and answers not counted).",
        "",
        "| | PowerShell runs | HTTP requests | bytes sent | bytes received |",
        "|---|---|---|---|---|",
        f"| ferme, converged host | {converged['scripts']} | {converged['requests']} | {kib(converged['bytes_in'])} | "
        f"{kib(converged['bytes_out'])} |",
        f"| ferme, fresh host ({fresh['changed']} changes) | {fresh['scripts']} | {fresh['requests']} | "
        f"{kib(fresh['bytes_in'])} | {kib(fresh['bytes_out'])} |",
        f"| Ansible win_*, converged or fresh ({model['executions']} module executions) | {model['executions']} | "
        f"≥ {model['requests']} | ≥ {kib(model['bytes_in'])} | — |",
        "",
        "| ratio (Ansible / ferme) | converged | fresh |",
        "|---|---|---|",
        f"| HTTP requests | {model['requests'] / converged['requests']:.0f}× | "
        f"{model['requests'] / fresh['requests']:.1f}× |",
        f"| bytes sent | {model['bytes_in'] / converged['bytes_in']:.0f}× | "
        f"{model['bytes_in'] / fresh['bytes_in']:.1f}× |",
        "",
        "Ansible's tasks for this host: "
        + ", ".join(f"{m.split('.')[-1]} × {n} ({kib(model['sizes'][m])} each)" for m, n in model["tasks"].items())
        + ".",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report())

"""`ferme verify`: the tests/infra suites against the inventory's reachable hosts, with a per-host summary."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferme.plan.types import Plan
from ferme.resources import verify_suites


@dataclass
class HostChecks:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    skip_reason: str = ""
    messages: list[str] = field(default_factory=list)  # each failed check: its name and the first line of why


def run_suites(plan: Plan, lab: Any, junit: Path | None, limit: list[str] | None = None, verbose: bool = False,
               say: Any = print) -> tuple[int, dict[str, HostChecks]]:  # fmt: skip
    """Run pytest on tests/infra in a child process; return its exit code and the checks per host. A line per host
    as its checks end (ferme.verify_progress); pytest's own output with `verbose`, else kept and shown only when
    pytest stopped before any check (a suite that does not load)."""
    with tempfile.TemporaryDirectory(prefix="ferme-verify-") as work:
        plan_file = Path(work) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        context = {"plan": str(plan_file), "limit": limit, "lab": lab is not None, "inventory": plan.get("inventory")}
        if lab is not None:
            context.update(ssh_key=str(lab.ssh_key), known_hosts=str(lab.known_hosts))
        context_file = Path(work) / "context.json"
        context_file.write_text(json.dumps(context))
        report = junit or Path(work) / "junit.xml"
        suites = verify_suites()
        command = [sys.executable, "-m", "pytest", str(suites), "-q", "-p", "no:cacheprovider",
                   f"--ferme-context={context_file}", f"--junitxml={report}", "-o", "junit_family=xunit2",
                   "--rootdir", str(suites), "-p", "ferme.verify_progress"]  # fmt: skip
        log = Path(work) / "pytest.log"
        with log.open("w") as output:
            code = subprocess.run(command, check=False, stdout=None if verbose else output).returncode
        hosts = _per_host(report) if report.exists() else {}
        if code != 0 and not hosts and not verbose:
            say(log.read_text(errors="replace")[-3000:])
        return code, hosts


def _per_host(junit: Path) -> dict[str, HostChecks]:
    hosts: dict[str, HostChecks] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        host = name[name.index("[") + 1 : -1] if "[" in name else "-"
        checks = hosts.setdefault(host, HostChecks())
        failure = case.find("failure") if case.find("failure") is not None else case.find("error")
        if failure is not None:
            checks.failed += 1
            message = failure.get("message") or ""
            if "is not reachable" in message:  # the host, not a check, failed: say so once
                checks.skip_reason = message.removeprefix("Failed: ").split("\n")[0]
            else:
                checks.failures.append(name.split("[")[0])
                why = (message.splitlines() or [""])[0].removeprefix("AssertionError: ")[:300]
                checks.messages.append(f"{name.split('[')[0]}: {why}")
        elif (skipped := case.find("skipped")) is not None:
            checks.skipped += 1
            checks.skip_reason = checks.skip_reason or (skipped.get("message") or "").removeprefix("Skipped: ")
        else:
            checks.passed += 1
    return hosts

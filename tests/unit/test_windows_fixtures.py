"""Windows operations and facts from JSON fixtures, in pyinfra's style.

tests/fixtures/operations/<module>.<operation>/<case>.json: arguments and facts → the exact commands
(or no change). tests/fixtures/facts/<module>.<Fact>/<case>.json: the exact command, raw output →
the parsed fact. Every command is also checked against the cmdlet catalogue.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from pyinfra.context import ctx_host

from ferme.facts.windows import WindowsHost, host_facts_script
from ferme.powershell.check import check_script, errors
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
OPERATION_CASES = sorted((FIXTURES / "operations").glob("*/*.json"))
FACT_CASES = sorted((FIXTURES / "facts").glob("*/*.json"))


class FakeHost:
    """Just what an operation asks of its host: facts by class name, and no-op messages."""

    name = "fixture-host"

    def __init__(self, facts: dict[str, Any]):
        self.facts = facts
        self.noops: list[str] = []

    def get_fact(self, fact: type, **kwargs: Any) -> Any:
        return self.facts[fact.__name__]

    def noop(self, description: str) -> None:
        self.noops.append(description)


@pytest.mark.parametrize("case", OPERATION_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_operation_fixture(case: Path) -> None:
    fixture = json.loads(case.read_text(encoding="utf-8"))
    module_name, operation_name = case.parent.name.split(".")
    operation = getattr(importlib.import_module(f"ferme.operations.{module_name}"), operation_name)
    host = FakeHost(fixture["facts"])
    with ctx_host.use(host):
        commands = list(operation._inner(*fixture["args"], **fixture.get("kwargs", {})))
    assert commands == fixture["commands"]
    if not commands:
        assert host.noops == [fixture["noop"]]
    for command in commands:
        assert errors(check_script(command)) == [], command


@pytest.mark.parametrize("case", FACT_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fact_fixture(case: Path) -> None:
    fixture = json.loads(case.read_text(encoding="utf-8"))
    fact = WindowsHost()
    assert fact.command(fixture["wanted"]) == fixture["command"] == host_facts_script(json.loads(fixture["wanted"]))
    assert fact.process(fixture["output"]) == fixture["fact"]
    assert errors(check_script(fixture["command"])) == []


def test_there_are_fixtures_for_every_operation() -> None:
    from ferme.operations import windows

    operations = {name for name in dir(windows) if hasattr(getattr(windows, name), "_inner")}
    covered = {p.parent.name.split(".")[1] for p in OPERATION_CASES}
    assert operations <= covered

"""A host's facts in one round trip (ferme/facts/batch.py), on pyinfra's @local host (the controller): the second
run answers every fact the first asked from one shell command, with the same data pyinfra gives, a change on the
host seen (the batch is read at the run's start), and a fact not asked before read the usual way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyinfra.facts.files import Directory, File, FindFiles, Sha256File
from pyinfra.facts.server import Hostname, Os, Which

from ferme.apply import pyinfra_state
from ferme.facts.batch import FactBatch


def _state() -> Any:
    from pyinfra.api.config import Config
    from pyinfra.api.connect import connect_all
    from pyinfra.api.inventory import Inventory

    state = pyinfra_state(Inventory((["@local"], {})), Config(), check_for_changes=True)
    connect_all(state)
    return state


def _without_atime(data: Any) -> Any:
    """File and Directory facts carry the access time, which reading the file (Sha256File) moves."""
    return {k: v for k, v in data.items() if k != "atime"} if isinstance(data, dict) else data


def _ask(state: Any, folder: Path) -> dict[str, Any]:
    host = next(iter(state.inventory))
    return {key: _without_atime(value) for key, value in _facts(host, folder).items()}


def _facts(host: Any, folder: Path) -> dict[str, Any]:
    return {
        "hostname": host.get_fact(Hostname),
        "os": host.get_fact(Os),
        "sh": host.get_fact(Which, command="sh"),
        "folder": host.get_fact(Directory, path=str(folder)),
        "sha": host.get_fact(Sha256File, path=str(folder / "a.conf")),
        "file": host.get_fact(File, path=str(folder / "a.conf")),
        "none": host.get_fact(File, path=str(folder / "absent")),
        "found": host.get_fact(FindFiles, path=str(folder)),
        "missing": host.get_fact(Which, command="no-such-program-ferme"),
    }


def _run(batch: FactBatch | None, folder: Path) -> tuple[dict[str, Any], Any]:
    state = _state()
    original = batch.install() if batch else None
    try:
        if batch:
            batch.prefetch(state, next(iter(state.inventory)))
        facts = _ask(state, folder)
        if batch:
            batch.save()
    finally:
        if batch:
            batch.uninstall(original)
    return facts, state


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "etc"
    target.mkdir()
    (target / "a.conf").write_text("one\n")
    return target


def test_the_second_run_asks_every_fact_in_one_command_with_pyinfras_answers(folder: Path, tmp_path: Path) -> None:
    plain, _ = _run(None, folder)
    first = FactBatch(tmp_path / "facts")
    asked, _ = _run(first, folder)
    assert asked == plain
    assert first.round_trips["@local"] == 9 and first.hits == {}  # nothing remembered yet: one command per fact

    second = FactBatch(tmp_path / "facts")
    again, _ = _run(second, folder)
    assert again == plain
    assert second.round_trips["@local"] == 1  # the batch, and nothing else
    assert second.hits["@local"] == 9 and second.misses == {}


def test_a_change_on_the_host_is_seen_and_a_new_fact_is_asked_the_usual_way(folder: Path, tmp_path: Path) -> None:
    _run(FactBatch(tmp_path / "facts"), folder)
    (folder / "a.conf").write_text("two\n")  # drift between runs
    batch = FactBatch(tmp_path / "facts")
    facts, state = _run(batch, folder)
    plain, _ = _run(None, folder)
    assert facts["sha"] == plain["sha"] != _run(None, folder)[0]["none"]
    host = next(iter(state.inventory))
    original = batch.install()
    try:
        host.get_fact(File, path=str(folder / "new.conf"))  # not remembered: read from the host
    finally:
        batch.uninstall(original)
    assert batch.misses["@local"] == 1 and batch.round_trips["@local"] == 2


def test_while_executing_facts_are_read_from_the_host(folder: Path, tmp_path: Path) -> None:
    _run(FactBatch(tmp_path / "facts"), folder)
    batch = FactBatch(tmp_path / "facts")
    state = _state()
    original = batch.install()
    try:
        batch.prefetch(state, next(iter(state.inventory)))
        (folder / "a.conf").write_text("changed by an operation\n")
        state.is_executing = True
        sha = next(iter(state.inventory)).get_fact(Sha256File, path=str(folder / "a.conf"))
    finally:
        batch.uninstall(original)
    import hashlib

    assert sha == hashlib.sha256(b"changed by an operation\n").hexdigest()

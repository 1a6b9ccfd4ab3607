"""The base role's package commands: a stalled apt-get is stopped on the host and run again."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from roles.base import bounded


def run(command: str) -> tuple[int, float]:
    started = time.monotonic()
    result = subprocess.run(["sh", "-c", command], check=False, timeout=60)
    return result.returncode, time.monotonic() - started


def test_a_stalled_command_is_stopped_on_the_host() -> None:
    code, seconds = run(bounded("sleep 30", 0.5, attempts=1))
    assert code == 124 and seconds < 10


def test_a_command_that_stalls_once_is_run_again_and_succeeds(tmp_path: Path) -> None:
    marker = tmp_path / "tried"
    # The first run stalls (a half-closed connection), the second one finds the marker and succeeds.
    command = f"sh -c 'test -e {marker} || {{ touch {marker}; sleep 30; }}'"
    code, _ = run(bounded(command, 0.5, attempts=2, pause=0))
    assert code == 0 and marker.exists()


def test_a_command_that_always_fails_fails_after_its_attempts(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    code, _ = run(bounded(f"sh -c 'echo x >> {counter}; exit 3'", 5, attempts=3, pause=0))
    assert code == 3 and counter.read_text().count("x") == 3

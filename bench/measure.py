"""Timing a child command: wall time and the CPU time (user + system) of it and every child it waited for."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_timed(command: list[str], env: dict[str, str] | None = None,
              timeout: float | None = None) -> tuple[float, float, subprocess.CompletedProcess[str]]:  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT,
                          check=False, timeout=timeout)  # fmt: skip
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done

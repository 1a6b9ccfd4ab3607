"""Run defaults (`pyinfra.toml`): how ferme drives pyinfra, read from the working folder and the inventory.

Later files win key by key: ferme's built-in values, then `pyinfra.toml` in the folder ferme runs
from (the repository's top level), then `pyinfra.toml` in the inventory's folder (one site's own).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ferme.site.errors import InventoryError, Mark, Problem, relative

FILE = "pyinfra.toml"
SECTION = "ferme"
LIMITS = {"parallel": (1, 500), "connect_timeout": (1, 600), "fail_percent": (0, 100), "retries": (0, 10),
          "retry_delay": (0, 600), "confirm_seconds": (10, 3600), "drain_minutes": (0, 1440)}  # fmt: skip


@dataclass(frozen=True)
class RunConfig:
    parallel: int = 10  # hosts converged at once
    connect_timeout: int = 10  # seconds to open a connection
    fail_percent: int = 100  # stop the run once more than this share of hosts failed (100: never)
    retries: int = 0  # times a failed operation is tried again
    retry_delay: int = 5  # seconds between those tries
    confirm_seconds: int = 60  # commit-confirm: a new ruleset rolls back unless confirmed within this delay
    drain_minutes: int = 0  # a session host owing a restart with agents logged on: drain this long (0: never restart)

    def to_json(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _problem(path: Path, message: str, line: int = 1, col: int = 1, key: str = "") -> Problem:
    return Problem(Mark(relative(path), line, col), (SECTION, key) if key else (SECTION,), message)


def _read(path: Path) -> dict[str, int]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InventoryError([_problem(path, f"not valid TOML: {exc}")]) from None
    section = data.get(SECTION, {})
    unknown = sorted(set(data) - {SECTION})
    problems = [_problem(path, f"unknown table [{name}]", key=name) for name in unknown]
    known = {f.name for f in dataclasses.fields(RunConfig)}
    for key, value in section.items():
        line = _line_of(text, key)
        if key not in known:
            problems.append(_problem(path, "unknown setting", line, key=key))
        elif not isinstance(value, int) or isinstance(value, bool) or not LIMITS[key][0] <= value <= LIMITS[key][1]:
            low, high = LIMITS[key]
            problems.append(_problem(path, f"{value!r}: a whole number from {low} to {high}", line, key=key))
    if problems:
        raise InventoryError(problems)
    return dict(section)


def _line_of(text: str, key: str) -> int:
    """The line that sets `key` (1 if none does: the table's own keys are written once)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith((f"{key} ", f"{key}=")):
            return number
    return 1


def load_run_config(inventory: Path) -> RunConfig:
    """The run defaults for this inventory; a bad file is an InventoryError naming its line."""
    values: dict[str, int] = {}
    for folder in dict.fromkeys([Path.cwd().resolve(), inventory.resolve()]):
        if (folder / FILE).is_file():
            values.update(_read(folder / FILE))
    return RunConfig(**values)

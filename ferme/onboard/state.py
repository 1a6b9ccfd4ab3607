"""The state of each onboarding wave (planned, open, rolled back), kept with the site in
`INV/state/waves.json` — beside the inventory, versioned with it, not read as inventory. A wave absent from
the file is planned. Each change keeps its time, who and the gates' figures."""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PLANNED, OPEN, ROLLED_BACK = "planned", "open", "rolled_back"
STATES = (PLANNED, OPEN, ROLLED_BACK)


def state_file(inventory: Path) -> Path:
    return inventory / "state" / "waves.json"


def load_states(inventory: Path) -> dict[int, dict[str, Any]]:
    """Wave number → its record ({"state", "at", "by", "history"}); {} when no wave was ever opened."""
    path = state_file(inventory)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable wave state ({exc})") from exc
    states = {}
    for number, record in (raw.get("waves") or {}).items():
        if not str(number).isdigit() or not isinstance(record, dict) or record.get("state") not in STATES:
            raise ValueError(f"{path}: wave {number!r}: state must be one of {', '.join(STATES)}")
        states[int(number)] = record
    return states


def record(inventory: Path, number: int, state: str, gates: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Set one wave's state (the file written whole or not at all); the previous record goes to its history."""
    states = load_states(inventory)
    previous = states.get(number)
    history = [
        *(previous or {}).get("history", []),
        *([{k: v for k, v in previous.items() if k != "history"}] if previous else []),
    ]
    entry: dict[str, Any] = {
        "state": state,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": os.environ.get("SUDO_USER") or getpass.getuser(),
        "history": history,
    }
    if gates is not None:
        entry["gates"] = gates
    states[number] = entry
    restore(inventory, states)
    return entry


def restore(inventory: Path, states: dict[int, dict[str, Any]]) -> None:
    """Write the states as given (a failed opening puts the previous ones back)."""
    path = state_file(inventory)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    body = {"format": 1, "waves": {str(n): states[n] for n in sorted(states)}}
    temporary.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)

"""Running commands on the controller, with errors that say what failed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class LabError(RuntimeError):
    pass


def run(command: Sequence[str], *, check: bool = True, input: str | None = None, timeout: float = 600) -> str:
    """Run a command; raise LabError with its stderr when it fails (and `check`)."""
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, input=input, timeout=timeout)
    except FileNotFoundError:
        raise LabError(f"{command[0]} is not installed (run `make setup`)") from None
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(command)}: no answer after {timeout:.0f} s") from None
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise LabError(f"{' '.join(command)}: {detail[-1] if detail else f'exit {result.returncode}'}")
    return result.stdout


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise LabError(f"missing on this machine: {', '.join(missing)} (run `make setup` as root)")


def live_pid(pid_file: Path, *markers: bytes) -> int | None:
    """The pid recorded in `pid_file` if that process still runs and its command line has every marker."""
    if not pid_file.exists():
        return None
    text = pid_file.read_text().strip()
    if not text.isdigit():
        return None
    try:
        cmdline = Path(f"/proc/{text}/cmdline").read_bytes()
    except OSError:
        return None
    return int(text) if all(marker in cmdline for marker in markers) else None

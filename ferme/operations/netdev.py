"""A switch's configuration pushed as a transaction: the remediation only, every line checked, confirmed by
reading the configuration back, saved only then; on any failure the rollback is pushed and the run says so.

pyinfra reads `show running-config` (a fact) when the operation is planned: `ferme apply --dry` shows the
remediation lines then, and a switch already as intended gets no command at all.
"""

from __future__ import annotations

from typing import Any

from pyinfra.api.command import FunctionCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.connectors.netdev import REJECTED
from ferme.facts.netdev import RunningConfig
from ferme.operations.notes import detail, note
from ferme.switches.remediation import Remediation, remediation

# A banner is pushed with a delimiter the switch reads as one character (it shows ^C itself).
BANNER_DELIMITER = "#"


def push_lines(lines: tuple[str, ...]) -> list[str]:
    """Remediation lines as typed at the switch: a banner's lines one by one, its ^C as a plain delimiter."""
    typed: list[str] = []
    for line in lines:
        typed += line.replace("^C", BANNER_DELIMITER).split("\n")
    return typed


def segments(lines: tuple[str, ...]) -> list[tuple[list[str], bool]]:
    """The lines in pushes: runs of ordinary lines (each echo awaited, its refusal seen at once) and each
    banner alone (a multi-line text the switch does not echo line by line)."""
    pushes: list[tuple[list[str], bool]] = []
    for line in lines:
        banner = "\n" in line
        if banner or not pushes or pushes[-1][1]:
            pushes.append(([], banner))
        pushes[-1][0].extend(push_lines((line,)))
    return pushes


def send(session: Any, lines: tuple[str, ...]) -> None:
    """Push `lines`; a refused line raises (netmiko's ConfigInvalidException, or ours for a banner)."""
    import re

    for typed, banner in segments(lines):
        if not banner:
            session.send_config_set(typed, error_pattern=REJECTED, read_timeout=60)
            continue
        output = session.send_config_set(typed, cmd_verify=False, read_timeout=60)
        refused = re.search(REJECTED, output, re.M)
        if refused:
            raise RuntimeError(f"banner refused: {refused.group(0)}")


def _push(state: Any, host: Any, change: Remediation, intended: str, vendor: str) -> bool:
    session = host.connector.session()
    name = host.name.split("/", 1)[-1]
    try:
        send(session, change.lines)
        left = remediation(vendor, session.send_command("show running-config", read_timeout=60), intended)
        if not left.empty:
            raise RuntimeError(f"read back, {len(left.lines)} lines still differ: {left.lines[0].strip()}")
    except Exception as exc:  # a refused line (ConfigInvalidException), a timeout, a read-back that differs
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        note(host.name, f"push refused ({type(exc).__name__}: {reason}): rollback pushed, not saved")
        try:
            for typed, _ in segments(change.rollback):  # everything is sent: a refused line stops nothing
                session.send_config_set(typed, cmd_verify=False, read_timeout=60)
        except Exception as rollback_error:
            note(host.name, f"the rollback failed too ({type(rollback_error).__name__}): check {name} by hand")
        return False
    session.save_config()
    return True


@operation()
def configured(intended: str, vendor: str) -> Any:
    """The switch's running configuration brought to `intended` (secret lines excepted: see remediation.py)."""
    running = host.get_fact(RunningConfig)
    change = remediation(vendor, running, intended)
    if change.empty:
        host.noop("the switch's configuration is as intended")
        return
    detail(host.name, list(change.lines))
    yield FunctionCommand(_push, (change, intended, vendor), {})

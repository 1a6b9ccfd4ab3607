"""Restart a Windows host and wait until it is really back: WinRM answers, the boot time changed,
the TrustedInstaller (servicing) is idle and the wanted services run; restart again while Windows
still says a restart is owed (some features need two).

WinRM comes back before the roles are ready (WINDOWS.md): `New-RDSessionDeployment` run right
after the restart that follows `Install-WindowsFeature` fails while servicing is still busy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyinfra.api.command import FunctionCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.connectors.winrs import WinRMError
from ferme.facts.windows import REBOOT_PENDING
from ferme.operations.notes import note
from ferme.operations.windows import facts
from ferme.powershell.quote import ps_array


class RebootError(RuntimeError):
    pass


@dataclass(frozen=True)
class Readiness:
    boot: str
    trusted_installer: str
    reboot_pending: bool
    services: dict[str, str]
    sessions: int = 0  # user sessions open (active or disconnected), as quser lists them

    def waiting_for(self, services: list[str]) -> str | None:
        if self.trusted_installer == "Running":
            return "the TrustedInstaller (servicing) to be idle"
        stopped = [name for name in services if self.services.get(name) != "Running"]
        return f"services {', '.join(stopped)}" if stopped else None


def readiness_script(services: list[str]) -> str:
    return "\n".join([
        "$os = Get-CimInstance -ClassName Win32_OperatingSystem",
        "$installer = Get-Service -Name 'TrustedInstaller'",
        "$services = [ordered]@{}",
        f"foreach ($name in {ps_array(services)}) {{",
        "    $services[$name] = [string](Get-Service -Name $name -ErrorAction SilentlyContinue).Status",
        "}",
        f"$pending = {REBOOT_PENDING}",
        "$sessions = @(cmd.exe /c 'quser 2>nul' | Select-Object -Skip 1).Count",
        "[ordered]@{ boot = $os.LastBootUpTime.ToString('o'); trusted_installer = [string]$installer.Status;",
        "    reboot_pending = $pending; services = $services; sessions = $sessions } | ConvertTo-Json -Compress",
    ])  # fmt: skip


RESTART = "Restart-Computer -Force"
# A session host is drained before a restart: no new logon until the restart, the agents warned.
DRAIN = "chglogon.exe /drainuntilrestart"
UNDRAIN = "chglogon.exe /enable"
WARN_SESSIONS = "msg.exe * /TIME:600 'ferme: ce serveur va redémarrer : enregistrez votre travail et déconnectez-vous.'"


def readiness(run: Callable[[str], Any], services: list[str]) -> Readiness:
    result = run(readiness_script(services))
    if result.rc != 0:
        raise WinRMError(f"readiness check failed: {result.stderr.strip()}")
    raw = json.loads(result.stdout)
    return Readiness(str(raw["boot"]), str(raw["trusted_installer"]), bool(raw["reboot_pending"]),
                     dict(raw.get("services") or {}), int(raw.get("sessions") or 0))  # fmt: skip


def reboot_and_wait(run: Callable[[str], Any], reconnect: Callable[[], None], *, only_if_pending: bool = False,
                    services: list[str] | None = None, timeout: float = 1800, interval: float = 10,
                    max_restarts: int = 3, progress: Callable[[str], None] = lambda message: None,
                    drain_minutes: float | None = None) -> str:  # fmt: skip
    """Restart (if needed) and wait; returns what happened, raises RebootError when the host is not back.

    `drain_minutes` (session hosts): with agents' sessions open, ferme does not restart unless it may
    drain: new logons refused until the restart, the agents warned, then it waits up to that long for
    them to leave; 0 or sessions still open at the end: no restart, and RebootError says why.
    """
    services = services or []
    state = readiness(run, services)
    if only_if_pending and not state.reboot_pending:
        return "no restart pending"
    if drain_minutes is not None and state.sessions:
        _drain(run, state.sessions, drain_minutes, services, interval, progress)
    for restart in range(1, max_restarts + 1):
        try:
            result = run(RESTART)
            if result.rc != 0:
                raise RebootError(f"Restart-Computer failed: {result.stderr.strip()}")
        except WinRMError:
            pass  # the host went down while answering
        reconnect()
        state = _wait_back(run, reconnect, state.boot, services, timeout, interval, progress)
        if not state.reboot_pending:
            return f"restarted {restart} time{'s' if restart > 1 else ''}, ready"
        progress("Windows still owes a restart: restarting again")
    raise RebootError(f"a restart is still pending after {max_restarts} restarts")


def _drain(run: Callable[[str], Any], sessions: int, minutes: float, services: list[str], interval: float,
           progress: Callable[[str], None]) -> None:  # fmt: skip
    if minutes <= 0:
        raise RebootError(f"restart owed, {sessions} session{'s' if sessions > 1 else ''} open: not restarted "
                          "(drain the host, or set drain_minutes in pyinfra.toml)")  # fmt: skip
    for command in (DRAIN, WARN_SESSIONS):
        result = run(command)
        if result.rc != 0:
            raise RebootError(f"{command.split()[0]} failed: {result.stderr.strip()}")
    deadline = time.monotonic() + minutes * 60
    while sessions and time.monotonic() < deadline:
        progress(f"draining: {sessions} session{'s' if sessions > 1 else ''} open, new logons refused")
        time.sleep(interval)
        sessions = readiness(run, services).sessions
    if sessions:
        run(UNDRAIN)
        raise RebootError(f"restart owed, {sessions} session{'s' if sessions > 1 else ''} still open after "
                          f"{minutes:g} min of drain: not restarted, logons allowed again")  # fmt: skip


def _wait_back(run: Callable[[str], Any], reconnect: Callable[[], None], boot: str, services: list[str],
               timeout: float, interval: float, progress: Callable[[str], None]) -> Readiness:  # fmt: skip
    deadline = time.monotonic() + timeout
    waiting = "WinRM to answer"
    while time.monotonic() < deadline:
        time.sleep(interval)
        try:
            state = readiness(run, services)
        except WinRMError:
            reconnect()
            waiting = "WinRM to answer"
            progress(f"waiting for {waiting}")
            continue
        if state.boot == boot:
            waiting = "the restart to begin"
        else:
            pending = state.waiting_for(services)
            if pending is None:
                return state
            waiting = pending
        progress(f"waiting for {waiting}")
    raise RebootError(f"not ready {timeout:.0f} s after the restart: still waiting for {waiting}")


# pyinfra passes the state and the host to a FunctionCommand only if they are named `state` and `host`.
def _reboot(state: Any, host: Any, only_if_pending: bool, services: list[str], timeout: float,
            interval: float, drain_minutes: float | None) -> bool:  # fmt: skip
    connector = host.connector
    try:
        message = reboot_and_wait(connector.run, connector.drop_session, only_if_pending=only_if_pending,
                                  services=services, timeout=timeout, interval=interval,
                                  progress=lambda text: host.log_styled(text, fg="cyan"),
                                  drain_minutes=drain_minutes)  # fmt: skip
    except (RebootError, WinRMError) as exc:
        host.log_styled(f"restart: {exc}", fg="red")
        note(host.name, f"restart: {exc}")
        return False
    host.log_styled(message, fg="cyan")
    return True


@operation(is_idempotent=False)
def reboot(wanted: str, only_if_pending: bool = False, after: list[Any] | None = None,
           services: list[str] | None = None, timeout: float = 1800, interval: float = 10,
           drain_minutes: float | None = None) -> Any:  # fmt: skip
    """Restart and wait until ready.

    With `only_if_pending`: only when the facts say a restart is owed, or one of the operations in
    `after` (features, domain join) changes something in this run; whether Windows then really owes
    one is read again when the restart would run.
    """
    if only_if_pending and not facts(wanted)["reboot_pending"] and not any(op.will_change for op in after or []):
        host.noop("no restart pending")
        return
    yield FunctionCommand(_reboot, (only_if_pending, services or [], timeout, interval, drain_minutes), {})

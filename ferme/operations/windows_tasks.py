"""Scheduled tasks, and the RDS steps that need a second hop, run as a one-shot task on the broker.

The double hop: a WinRM session (NTLM or Kerberos) holds no credentials the broker could hand on,
yet `New-RDSessionDeployment`, `Add-RDServer` and `New-RDSessionCollection` on the broker must reach
the other servers. ferme runs those steps as a scheduled task *registered with the deployment
account's password* (a task that logs on with a password has network credentials), waits for it,
collects its output and exit code, and unregisters it, even when it fails or times out. CredSSP would
do it too, but it hands the account's password to the broker for every session and has to be enabled
on client and servers (`winrm_auth: credssp` remains available); the task keeps it to one step.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyinfra.api.command import FunctionCommand, StringCommand
from pyinfra.api.hiddenvalue import HiddenValue
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.connectors.winrs import WinRMError
from ferme.operations.notes import note
from ferme.operations.windows import fact_item
from ferme.operations.windows_accounts import hidden, hidden_literal
from ferme.powershell.build import STAGING, protected_folder
from ferme.powershell.quote import ps_quote

TASK_FOLDER = "\\ferme\\"
WORK_FOLDER = STAGING + "\\tasks"  # inherits the staging folder's protected ACL
NOT_YET_RUN = 267011  # SCHED_S_TASK_HAS_NOT_RUN (0x41303)
RUNNING = 267009  # SCHED_S_TASK_RUNNING (0x41301)


def trigger_expression(trigger: str) -> str:
    """`Boot` or `Daily@HH:MM` (the facts' spelling) → a New-ScheduledTaskTrigger call."""
    if trigger == "Boot":
        return "New-ScheduledTaskTrigger -AtStartup"
    kind, _, at = trigger.partition("@")
    if kind != "Daily" or len(at) != 5 or at[2] != ":":
        raise ValueError(f"trigger {trigger!r}: expected Boot or Daily@HH:MM")
    return f"New-ScheduledTaskTrigger -Daily -At {ps_quote(at)}"


@operation()
def scheduled_task(task_name: str, execute: str, arguments: str, wanted: str, trigger: str | None = None,
                   present: bool = True) -> Any:  # fmt: skip
    """A task running `execute arguments` as SYSTEM (highest privileges), on `trigger` if given.

    Compared on program, arguments, account and trigger; a task that differs is registered again.
    """
    task = fact_item(wanted, "tasks", task_name)
    if not present:
        if task is None:
            host.noop(f"task {task_name} is absent")
            return
        yield f"Unregister-ScheduledTask -TaskName {ps_quote(task_name)} -Confirm:$false"
        return
    if task is not None and (task["execute"], task["arguments"] or "", task["user"], task.get("trigger") or None) == (
        execute, arguments, "SYSTEM", trigger):  # fmt: skip
        host.noop(f"task {task_name} is as wanted")
        return
    when = f" -Trigger ({trigger_expression(trigger)})" if trigger else ""
    yield (f"Register-ScheduledTask -TaskName {ps_quote(task_name)} -Action (New-ScheduledTaskAction -Execute "
           f"{ps_quote(execute)} -Argument {ps_quote(arguments)}) -Principal (New-ScheduledTaskPrincipal -UserId "
           f"'SYSTEM' -LogonType ServiceAccount -RunLevel Highest){when} -Force | Out-Null")  # fmt: skip


@dataclass(frozen=True)
class BrokerTask:
    """The scripts of one step run as a task on the broker; `name` is derived from the step's text."""

    script: str
    user: str

    @property
    def name(self) -> str:
        return "ferme-" + hashlib.sha256(self.script.encode()).hexdigest()[:12]

    @property
    def file(self) -> str:
        return f"{WORK_FOLDER}\\{self.name}.ps1"

    @property
    def log(self) -> str:
        return f"{WORK_FOLDER}\\{self.name}.log"

    def wrapper(self) -> str:
        """The file the task runs: the step, all its output to the log, its failure as exit code 1."""
        return "\n".join([
            "$ErrorActionPreference = 'Stop'",
            "try {",
            f"    & {{\n{self.script}\n    }} *>&1 | Out-File -FilePath {ps_quote(self.log)} -Encoding utf8",
            "    exit 0",
            "} catch {",
            f"    $_ | Out-File -FilePath {ps_quote(self.log)} -Encoding utf8 -Append",
            "    exit 1",
            "}",
        ])  # fmt: skip

    def select(self) -> str:
        return f"-TaskName {ps_quote(self.name)} -TaskPath {ps_quote(TASK_FOLDER)}"

    @property
    def gmsa(self) -> bool:
        """A group managed service account (`DOMAIN\\name$`): Windows fetches its password, none is stored."""
        return self.user.endswith("$")

    def start(self, password: str | None) -> StringCommand:
        arguments = f'-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{self.file}"'
        prelude = (f"{protected_folder(STAGING)}\n"
                   f"New-Item -Path {ps_quote(WORK_FOLDER)} -ItemType Directory -Force | Out-Null\n"
                   "$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "
                   f"{ps_quote(arguments)}\n")  # fmt: skip
        if self.gmsa:
            return StringCommand(
                prelude + f"$principal = New-ScheduledTaskPrincipal -UserId {ps_quote(self.user)} -LogonType Password "
                "-RunLevel Highest\n"
                f"Register-ScheduledTask {self.select()} -Action $action -Principal $principal -Force | Out-Null\n"
                f"Start-ScheduledTask {self.select()}"
            )
        if password is None:
            raise ValueError(f"{self.user} is not a gMSA: its password is needed to register the task")
        return StringCommand(
            prelude + f"Register-ScheduledTask {self.select()} -Action $action -User {ps_quote(self.user)} -Password ",
            hidden_literal(password),
            f" -RunLevel Highest -Force | Out-Null\nStart-ScheduledTask {self.select()}",
            _separator="",
        )

    def poll(self) -> str:
        return "\n".join([
            f"$task = Get-ScheduledTask {self.select()}",
            f"$info = Get-ScheduledTaskInfo {self.select()}",
            "[ordered]@{ state = [string]$task.State; result = $info.LastTaskResult } | ConvertTo-Json -Compress",
        ])  # fmt: skip

    def collect(self) -> str:
        """The log, then the task and its files gone (the task holds the account's password)."""
        return "\n".join([
            f"if (Test-Path -Path {ps_quote(self.log)}) {{ Get-Content -Path {ps_quote(self.log)} -Raw }}",
            f"Stop-ScheduledTask {self.select()} -ErrorAction SilentlyContinue",
            f"Unregister-ScheduledTask {self.select()} -Confirm:$false",
            f"Remove-Item -Path {ps_quote(self.file)}, {ps_quote(self.log)} -Force -ErrorAction SilentlyContinue",
        ])  # fmt: skip


@dataclass
class StepResult:
    rc: int
    output: str


def run_on_broker(run: Callable[[Any], Any], upload: Callable[[bytes, str], None], step: BrokerTask,
                  password: str | None, timeout: float = 3600, interval: float = 5,
                  progress: Callable[[str], None] = lambda message: None) -> StepResult:  # fmt: skip
    """Upload, register, start and wait for the task; always collect its log and unregister it.

    `run(script)` returns an object with rc, stdout and stderr (the WinRM session's `run`).
    """
    upload(step.wrapper().encode("utf-8-sig"), step.file)  # with a BOM, Windows PowerShell reads UTF-8
    try:
        started = run(step.start(password))
        if started.rc != 0:
            rc, note = started.rc, f"the task could not be started: {started.stderr.strip()}"
        else:
            rc, note = _wait(run, step, timeout, interval, progress)
    finally:
        collected = run(step.collect())
    if collected.rc != 0:
        note += f" (cleaning up failed: {collected.stderr.strip()})"
    return StepResult(rc, "\n".join(part for part in (collected.stdout.strip(), note) if part))


def _wait(run: Callable[[Any], Any], step: BrokerTask, timeout: float, interval: float,
          progress: Callable[[str], None]) -> tuple[int, str]:  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        polled = run(step.poll())
        status = json.loads(polled.stdout or "{}") if polled.rc == 0 else {}
        done = status.get("state") not in (None, "Running", "Queued")
        if done and status.get("result") not in (NOT_YET_RUN, RUNNING):
            return int(status["result"]), ""
        if time.monotonic() > deadline:
            return -1, f"{step.name} still running after {timeout:.0f} s: stopped"
        progress(f"{step.name} running on the broker")
        time.sleep(interval)


# pyinfra passes the state and the host to a FunctionCommand only if they are named `state` and `host`.
def _run_step(state: Any, host: Any, script: str, user: str, password: HiddenValue | None, timeout: float,
              title: str = "") -> bool:  # fmt: skip
    connector = host.connector
    step = BrokerTask(script, user)
    label = title or step.name
    host.log_styled(f"RDS step: {label}", fg="cyan")
    try:
        result = run_on_broker(connector.run, connector.upload, step, password.unmask() if password else None,
                               timeout, progress=lambda message: host.log_styled(message, fg="cyan"))  # fmt: skip
    except WinRMError as exc:
        host.log_styled(f"RDS step {label}: {exc}", fg="red")
        return False
    for line in result.output.splitlines():
        if line.startswith("ferme: "):
            note(host.name, line.removeprefix("ferme: "))
            host.log_styled(line, fg="yellow")
    if result.rc != 0:
        host.log_styled(f"RDS step {label} failed (exit {result.rc}): {result.output[-2000:]}", fg="red")
        return False
    return True


def step_command(script: str, user: str, password: str | HiddenValue | None, timeout: float = 3600,
                 title: str = "") -> Any:  # fmt: skip
    """A FunctionCommand running `script` as a one-shot task on the broker (the password shown masked)."""
    return FunctionCommand(_run_step, (script, user, hidden(password), timeout, title), {})


@operation(is_idempotent=False)
def broker_step(script: str, user: str, password: HiddenValue | None, timeout: float = 3600) -> Any:
    """Run `script` on the broker as a one-shot task under `user` (see the module's note on the double hop).

    The script guards itself (reads the deployment back and changes only what differs). Give the password as a
    HiddenValue (`hidden`): pyinfra prints an operation's arguments.
    """
    yield step_command(script, user, password, timeout)

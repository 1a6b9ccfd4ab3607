"""Multi-call Windows steps against the WS-Management double: restart and wait, RDS steps as a task on
the broker (the double hop), CredSSP delegation, and the double's cmd.exe behaviour.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ferme.connectors.winrs import Session, WinRMError, upload_scripts
from ferme.operations.windows_reboot import (
    DRAIN,
    RESTART,
    UNDRAIN,
    WARN_SESSIONS,
    RebootError,
    readiness_script,
    reboot_and_wait,
)
from ferme.operations.windows_tasks import NOT_YET_RUN, RUNNING, BrokerTask, run_on_broker
from tests.protocol.wsman_double import PASSWORD, USER, Double, Reply, Server


def session(server: Server, **overrides: Any) -> Session:
    result: Session = server.session(**overrides)
    return result


# -- cmd.exe behaviour and CredSSP ---------------------------------------------------------------


def test_the_double_answers_like_cmd_outside_powershell(server: Server) -> None:
    s = session(server)
    assert s.run_native("echo", ["bonjour", "la", "mairie"]).stdout == "bonjour la mairie\r\n"
    assert s.run_native("hostname", []).stdout == "RDCB01\r\n"
    assert s.run_native("cmd.exe", ["/c", "exit", "/b", "3"]).rc == 3
    unknown = s.run_native("ipconfig.exe", ["/all"])
    assert unknown.rc == 9009 and "'ipconfig.exe' is not recognized" in unknown.stderr


def test_credssp_delegates_the_password_and_ntlm_does_not(server: Server) -> None:
    server.double.register("hostname", Reply(stdout="RDCB01"))
    assert session(server).run("hostname").stdout == "RDCB01"
    assert server.double.delegated == []  # NTLM: the broker could not reach another server as us
    result = session(server, auth="credssp", user=f"CD-EXEMPLE\\{USER}").run("hostname")
    assert result.stdout == "RDCB01"
    assert server.double.delegated == [("CD-EXEMPLE", USER, PASSWORD)]


def test_credssp_with_a_wrong_password_is_refused(server: Server) -> None:
    with pytest.raises(WinRMError, match="authentication refused"):
        session(server, auth="credssp", user=f"CD-EXEMPLE\\{USER}", password="wrong").run("hostname")
    assert server.double.delegated == []


# -- restart and wait ----------------------------------------------------------------------------


class Host:
    """What the reboot needs of the connector: run a script in the current session, drop the session."""

    def __init__(self, server: Server):
        self.server = server
        self.current: Session | None = None
        self.reconnects = 0

    def run(self, script: str) -> Any:
        if self.current is None:
            self.current = session(self.server, read_timeout=2)
        return self.current.run(script)

    def reconnect(self) -> None:
        self.current, self.reconnects = None, self.reconnects + 1


def windows_after_restart(
    busy_polls: int, pending_boots: int = 1, sessions: list[int] | None = None, services_late: int = 0
) -> Any:
    """A host whose servicing is busy for `busy_polls` checks after each start; a restart is owed
    until it has started `pending_boots` more times; `sessions`: the agents' sessions open at each
    check before the first restart (the last number stays)."""
    seen: dict[int, int] = {}
    open_sessions = list(sessions or [0])

    def reply(double: Double) -> Reply:
        seen[double.boots] = seen.get(double.boots, 0) + 1
        busy = double.boots > 1 and seen[double.boots] <= busy_polls
        # WinRM answers before the session host's services are up: TermService starts late
        late = double.boots > 1 and seen[double.boots] <= busy_polls + services_late
        count = (open_sessions.pop(0) if len(open_sessions) > 1 else open_sessions[0]) if double.boots == 1 else 0
        state = {"boot": f"2026-11-22T0{double.boots}:00:00.0000000+01:00",
                 "trusted_installer": "Running" if busy else "Stopped",
                 "reboot_pending": double.boots <= pending_boots,
                 "services": {"TermService": "StartPending" if late else "Running"},
                 "sessions": count}  # fmt: skip
        return Reply(stdout=json.dumps(state))

    return reply


def restart_soon(down_for: float) -> Any:
    def reply(double: Double) -> Reply:
        import threading

        threading.Timer(0.2, double.restart, [down_for]).start()  # Restart-Computer returns, then the host goes
        return Reply()

    return reply


def test_restart_waits_for_winrm_and_an_idle_trusted_installer(server: Server) -> None:
    server.double.register(readiness_script(["TermService"]), windows_after_restart(busy_polls=2))
    server.double.register(RESTART, restart_soon(down_for=1.0))
    host, said = Host(server), []
    message = reboot_and_wait(host.run, host.reconnect, only_if_pending=True, services=["TermService"],
                              timeout=20, interval=0.2, progress=said.append)  # fmt: skip
    assert message == "restarted 1 time, ready"
    assert server.double.boots == 2
    assert "waiting for WinRM to answer" in said
    assert said.count("waiting for the TrustedInstaller (servicing) to be idle") == 2
    assert server.double.ran.count(RESTART) == 1


def test_winrm_back_before_the_services_is_not_ready(server: Server) -> None:
    server.double.register(readiness_script(["TermService"]), windows_after_restart(busy_polls=0, services_late=3))
    server.double.register(RESTART, restart_soon(down_for=0.3))
    host, said = Host(server), []
    message = reboot_and_wait(host.run, host.reconnect, services=["TermService"], timeout=20, interval=0.1,
                              progress=said.append)  # fmt: skip
    assert message == "restarted 1 time, ready"
    assert said.count("waiting for services TermService") == 3


def test_a_restart_still_owed_restarts_again(server: Server) -> None:
    server.double.register(readiness_script([]), windows_after_restart(busy_polls=0, pending_boots=2))
    server.double.register(RESTART, restart_soon(down_for=0.3))
    host, said = Host(server), []
    message = reboot_and_wait(host.run, host.reconnect, timeout=20, interval=0.2, progress=said.append)
    assert message == "restarted 2 times, ready"
    assert server.double.boots == 3
    assert "Windows still owes a restart: restarting again" in said


def test_nothing_owed_means_no_restart(server: Server) -> None:
    server.double.register(readiness_script([]), windows_after_restart(busy_polls=0, pending_boots=0))
    host = Host(server)
    assert reboot_and_wait(host.run, host.reconnect, only_if_pending=True, interval=0.1) == "no restart pending"
    assert RESTART not in server.double.ran


def test_a_host_that_does_not_come_back_is_a_clear_error(server: Server) -> None:
    server.double.register(readiness_script([]), windows_after_restart(busy_polls=0))
    server.double.register(RESTART, restart_soon(down_for=60))
    host = Host(server)
    with pytest.raises(RebootError, match="not ready 2 s after the restart: still waiting for WinRM to answer"):
        reboot_and_wait(host.run, host.reconnect, timeout=2, interval=0.3)
    assert host.reconnects >= 2


def test_a_session_host_with_agents_logged_on_is_not_restarted(server: Server) -> None:
    """Issue 10, point 5: no restart under agents without a drain; the error says why, nothing ran."""
    server.double.register(readiness_script(["TermService"]), windows_after_restart(busy_polls=0, sessions=[3]))
    server.double.register(RESTART, restart_soon(down_for=0.3))
    host = Host(server)
    with pytest.raises(RebootError, match="restart owed, 3 sessions open: not restarted"):
        reboot_and_wait(host.run, host.reconnect, only_if_pending=True, services=["TermService"], interval=0.1,
                        drain_minutes=0)  # fmt: skip
    assert RESTART not in server.double.ran and DRAIN not in server.double.ran
    assert server.double.boots == 1


def test_a_drained_session_host_restarts_once_the_agents_left(server: Server) -> None:
    server.double.register(
        readiness_script(["TermService"]), windows_after_restart(busy_polls=0, sessions=[2, 2, 1, 0])
    )
    server.double.register(RESTART, restart_soon(down_for=0.3))
    server.double.register(DRAIN, Reply())
    server.double.register(WARN_SESSIONS, Reply())
    host, said = Host(server), []
    message = reboot_and_wait(host.run, host.reconnect, only_if_pending=True, services=["TermService"],
                              timeout=20, interval=0.1, progress=said.append, drain_minutes=1)  # fmt: skip
    assert message == "restarted 1 time, ready"
    ran = server.double.ran
    assert ran.index(DRAIN) < ran.index(WARN_SESSIONS) < ran.index(RESTART)
    assert "draining: 2 sessions open, new logons refused" in said and UNDRAIN not in ran


def test_sessions_still_open_after_the_drain_mean_no_restart(server: Server) -> None:
    server.double.register(readiness_script([]), windows_after_restart(busy_polls=0, sessions=[1]))
    server.double.register(RESTART, restart_soon(down_for=0.3))
    for command in (DRAIN, WARN_SESSIONS, UNDRAIN):
        server.double.register(command, Reply())
    host = Host(server)
    with pytest.raises(RebootError, match=r"1 session still open after 0\.01 min of drain: not restarted"):
        reboot_and_wait(host.run, host.reconnect, interval=0.1, drain_minutes=0.01)
    assert RESTART not in server.double.ran and server.double.ran[-1] == UNDRAIN


def test_other_hosts_restart_with_sessions_open(server: Server) -> None:
    """An administrator's session on a broker does not hold its restart: only session hosts drain."""
    server.double.register(readiness_script([]), windows_after_restart(busy_polls=0, sessions=[1]))
    server.double.register(RESTART, restart_soon(down_for=0.3))
    host = Host(server)
    assert reboot_and_wait(host.run, host.reconnect, timeout=20, interval=0.1) == "restarted 1 time, ready"


# -- RDS steps as a task on the broker -----------------------------------------------------------

STEP = "Get-RDServer -ConnectionBroker 'rdcb01.cd-exemple.local' | Select-Object -Property Server, Roles"


def broker(server: Server, results: list[tuple[str, int]], start: Reply | None = None,
           log: str = "rdcb01.cd-exemple.local {RDS-CONNECTION-BROKER}\r\n") -> BrokerTask:  # fmt: skip
    """Register what the broker answers to one step: the upload, the start, the polls, the collection."""
    step = BrokerTask(STEP, f"CD-EXEMPLE\\{USER}")
    for script in upload_scripts(step.wrapper().encode("utf-8-sig"), step.file):
        server.double.register(script, Reply())
    server.double.register(step.start(PASSWORD).get_raw_value(), start or Reply())
    polls = iter(results)

    def poll(double: Double) -> Reply:
        state, result = next(polls, results[-1])
        return Reply(stdout=json.dumps({"state": state, "result": result}))

    server.double.register(step.poll(), poll)
    server.double.register(step.collect(), Reply(stdout=log))
    return step


def test_a_step_runs_as_a_task_and_is_cleaned_up(server: Server) -> None:
    step = broker(server, [("Ready", NOT_YET_RUN), ("Running", RUNNING), ("Running", RUNNING), ("Ready", 0)])
    s = session(server)
    said: list[str] = []
    result = run_on_broker(s.run, s.upload, step, PASSWORD, interval=0.05, progress=said.append)
    assert (result.rc, result.output) == (0, "rdcb01.cd-exemple.local {RDS-CONNECTION-BROKER}")
    assert server.double.ran[-1] == step.collect()
    assert server.double.ran.count(step.poll()) == 4 and len(said) == 3
    assert [script for script in server.double.ran if PASSWORD in script] == [step.start(PASSWORD).get_raw_value()]
    assert PASSWORD not in str(step.start(PASSWORD))  # what pyinfra would log


def test_a_failed_step_reports_its_log_and_is_cleaned_up(server: Server) -> None:
    step = broker(server, [("Ready", 1)], log="New-RDSessionDeployment : The server rdsh01 is not reachable.\r\n")
    s = session(server)
    result = run_on_broker(s.run, s.upload, step, PASSWORD, interval=0.05)
    assert result.rc == 1 and "rdsh01 is not reachable" in result.output
    assert server.double.ran[-1] == step.collect()


def test_a_step_that_overruns_is_stopped_and_cleaned_up(server: Server) -> None:
    step = broker(server, [("Running", RUNNING)])
    s = session(server)
    result = run_on_broker(s.run, s.upload, step, PASSWORD, timeout=0.3, interval=0.05)
    assert result.rc == -1 and "still running after 0 s: stopped" in result.output
    assert server.double.ran[-1] == step.collect()


def test_a_task_that_cannot_be_registered_is_cleaned_up(server: Server) -> None:
    step = broker(server, [("Ready", 0)], start=Reply(stderr="Register-ScheduledTask : Access is denied.", rc=1))
    s = session(server)
    result = run_on_broker(s.run, s.upload, step, PASSWORD, interval=0.05)
    assert result.rc == 1 and "could not be started: Register-ScheduledTask : Access is denied." in result.output
    assert step.poll() not in server.double.ran and server.double.ran[-1] == step.collect()

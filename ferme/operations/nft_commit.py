"""Commit-confirm for nftables, which has none built in (NETWORK.md).

1. check the candidate (`nft -c`), 2. snapshot the running ruleset, 3. arm a rollback timer
(`systemd-run --on-active`), 4. apply the candidate atomically (`nft -f`), 5. confirm from a *new*
SSH connection: stop the timer and make the candidate the boot ruleset. An established session
survives a bad ruleset (conntrack), which is why the confirmation must open a new one: if it cannot,
the previous ruleset returns by itself when the timer fires.
"""

from __future__ import annotations

import hashlib
import shlex
import time
from dataclasses import dataclass
from typing import Any

STATE_DIR = "/etc/ferme"
CANDIDATE = f"{STATE_DIR}/nftables.candidate"
ROLLBACK = f"{STATE_DIR}/nftables.rollback"
ACTIVE_SUM = f"{STATE_DIR}/nftables.active.sha256"
BOOT_RULESET = "/etc/nftables.conf"
ROLLBACK_UNIT = "ferme-nft-rollback"
TABLE = "inet ferme"  # ferme's own table: the only one it writes, checks and rolls back
ACTIVE_SUM_COMMAND = f"nft -s list table {TABLE} 2>/dev/null | sha256sum | cut -d' ' -f1"


def is_current_command(ruleset_sha256: str) -> str:
    """Prints `current` when the wanted ruleset is the boot ruleset and is what runs now (nobody changed it)."""
    return (
        f'test "$(sha256sum < {BOOT_RULESET} | cut -d" " -f1)" = "{ruleset_sha256}" && test -f {ACTIVE_SUM} && '
        f'test "$({ACTIVE_SUM_COMMAND})" = "$(cat {ACTIVE_SUM})" && echo current || echo changed'
    )


def arm_and_apply_commands(confirm_seconds: int) -> list[str]:
    """Check, snapshot, arm the rollback, apply. Runs on the firewall over the existing connection."""
    restore = f"nft -f {ROLLBACK}"
    return [
        f"nft -c -f {CANDIDATE}",
        f"systemctl stop {ROLLBACK_UNIT}.timer {ROLLBACK_UNIT}.service 2>/dev/null || true",
        f"systemctl reset-failed {ROLLBACK_UNIT}.timer {ROLLBACK_UNIT}.service 2>/dev/null || true",
        # The rollback is the committed file itself when it is what runs (reloading a listing prints
        # differently, and the next run would see a change); otherwise a listing of what runs.
        f'if test -f {ACTIVE_SUM} && test "$({ACTIVE_SUM_COMMAND})" = "$(cat {ACTIVE_SUM})"; '
        f"then cp {BOOT_RULESET} {ROLLBACK}; else (echo 'table {TABLE} {{}}'; echo 'delete table {TABLE}'; "
        f"nft -s list table {TABLE} 2>/dev/null || true) > {ROLLBACK}; fi",
        # AccuracySec: a timer may otherwise fire up to a minute late (systemd coalesces timers).
        f"systemd-run --quiet --unit={ROLLBACK_UNIT} --on-active={confirm_seconds}s --timer-property=AccuracySec=1s "
        f"/bin/sh -c {shlex.quote(restore)}",
        f"nft -f {CANDIDATE}",
    ]


def confirm_command() -> str:
    return (
        f"systemctl stop {ROLLBACK_UNIT}.timer && cp {CANDIDATE} {BOOT_RULESET} && "
        f"{ACTIVE_SUM_COMMAND} > {ACTIVE_SUM} && echo confirmed"
    )


@dataclass
class SshTarget:
    """How to open a *new* SSH connection to the firewall (from pyinfra host data)."""

    address: str
    user: str
    port: int = 22
    key: str | None = None
    known_hosts: str | None = None

    @classmethod
    def from_host_data(cls, data: Any) -> SshTarget:
        return cls(data.get("ssh_hostname"), data.get("ssh_user") or "root", int(data.get("ssh_port") or 22),
                   data.get("ssh_key"), data.get("ssh_known_hosts_file"))  # fmt: skip


def run_on_new_connection(target: SshTarget, command: str, timeout: float = 8) -> str:
    """Run `command` over a brand-new SSH connection (host key checked); raise OSError-like on failure."""
    import paramiko

    client = paramiko.SSHClient()
    if target.known_hosts:
        client.load_host_keys(target.known_hosts)
    else:
        client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(target.address, port=target.port, username=target.user, key_filename=target.key,
                       timeout=timeout, banner_timeout=timeout, auth_timeout=timeout,
                       allow_agent=target.key is None, look_for_keys=target.key is None)  # fmt: skip
        _, stdout, stderr = client.exec_command(command, timeout=timeout)
        output = stdout.read().decode()
        if stdout.channel.recv_exit_status() != 0:
            raise RuntimeError(f"{command!r} failed: {stderr.read().decode().strip()}")
        return output
    finally:
        client.close()


def confirm(target: SshTarget, attempts: int = 3) -> None:
    """Confirm from a new connection, a few tries; raise ConfirmFailed when the firewall is unreachable."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            if "confirmed" in run_on_new_connection(target, confirm_command()):
                return
        except Exception as exc:  # any failure to reach the host means no confirmation
            last = exc
        time.sleep(1)
    raise ConfirmFailed(f"no new SSH connection to {target.address} after the new ruleset ({last}); "
                        "the previous ruleset returns when the rollback timer fires")  # fmt: skip


class ConfirmFailed(RuntimeError):
    pass


def commit_ruleset(ruleset: str, confirm_seconds: int) -> None:
    """Converge ferme's table to `ruleset` on the current host: nothing when it already runs, else check,
    snapshot, arm the rollback, apply, and confirm from a new SSH connection (the edge and every Debian host)."""
    from io import StringIO

    from pyinfra.context import host
    from pyinfra.facts.server import Command
    from pyinfra.operations import files, python, server, systemd

    files.directory(name="ferme state directory", path=STATE_DIR, mode="700")
    files.put(name="nftables: candidate ruleset", src=StringIO(ruleset), dest=CANDIDATE, mode="600")
    wanted = hashlib.sha256(ruleset.encode()).hexdigest()
    if host.get_fact(Command, command=is_current_command(wanted)) != "current":
        server.shell(name=f"nftables: check, snapshot, arm a {confirm_seconds} s rollback, apply",
                     commands=arm_and_apply_commands(confirm_seconds))  # fmt: skip
        python.call(name="nftables: confirm from a new SSH connection", function=confirm,
                    target=SshTarget.from_host_data(host.data))  # fmt: skip
    systemd.service(name="nftables at boot", service="nftables", enabled=True)

"""The lab's simulated switches: one fake-switches process per switch, in the switch's namespace."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from ferme.lab.machines import wait_for_ssh
from ferme.lab.paths import run_dir
from ferme.lab.system import live_pid
from ferme.lab.topology import LabSwitch, Topology


def _pid_file(topology: Topology, switch: LabSwitch) -> Path:
    return run_dir(topology.lab_id) / f"{switch.name}.pid"


def running(topology: Topology, switch: LabSwitch) -> int | None:
    return live_pid(_pid_file(topology, switch), b"ferme.lab.fakeswitch")


def host_key() -> str:
    """The simulator's SSH host key (fixed in fake-switches), for the lab's known_hosts."""
    from fake_switches.transports.ssh_service import getRSAKeys

    public, _ = getRSAKeys()
    return " ".join(public.split()[:2])


def start(topology: Topology, switch: LabSwitch, user: str, password: str | None) -> str:
    """Start the switch if needed; return how it is reached."""
    state = run_dir(topology.lab_id)
    secret_file = state / f"{switch.name}.password"
    if not running(topology, switch):
        secret_file.touch(mode=0o600)
        secret_file.write_text(password or secrets.token_urlsafe(18))
        log = (state / f"{switch.name}.log").open("ab")
        process = subprocess.Popen(
            ["ip", "netns", "exec", switch.netns, sys.executable, "-m", "ferme.lab.fakeswitch",
             "--hostname", switch.name, "--address", switch.address, "--username", user,
             "--password-file", str(secret_file), "--ports", ",".join(switch.ports)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        _pid_file(topology, switch).write_text(f"{process.pid}\n")
    wait_for_ssh(switch.address, timeout=30)
    return f"ssh {user}@{switch.address} (fake-switches, Cisco model)"


def stop_all(topology: Topology) -> None:
    for switch in topology.switches:
        pid = running(topology, switch)
        if pid:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)
        _pid_file(topology, switch).unlink(missing_ok=True)

"""Lab hosts: an overlay on the base image, identity written in, systemd-nspawn started in its namespace."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from ferme.lab.paths import layers_dir, run_dir
from ferme.lab.system import LabError, live_pid, run
from ferme.lab.topology import LabHost, Topology

CGROUP_ROOTS = (Path("/sys/fs/cgroup/systemd"), Path("/sys/fs/cgroup/unified"))


def _cgroup_dirs(host: LabHost) -> list[Path]:
    roots = [r for r in CGROUP_ROOTS if r.is_dir()]
    if not roots and Path("/sys/fs/cgroup/cgroup.controllers").exists():
        roots = [Path("/sys/fs/cgroup")]  # pure cgroup v2
    return [root / host.netns for root in roots]


def mounted(path: Path) -> bool:
    target = str(path.resolve())
    with open("/proc/self/mountinfo") as mounts:
        return any(line.split()[4] == target for line in mounts)


def root_of(topology: Topology, host: LabHost) -> Path:
    return layers_dir(topology.lab_id) / host.name / "root"


def prepare(
    topology: Topology, host: LabHost, base: Path, controller_key: Path, apt_proxy: str, python_index: str
) -> str:
    """Mount the host's overlay, write its identity and the lab's package sources; return its SSH host key."""
    layer = layers_dir(topology.lab_id) / host.name
    root = layer / "root"
    for sub in ("upper", "work", "root"):
        (layer / sub).mkdir(parents=True, exist_ok=True)
    if not mounted(root):
        options = f"lowerdir={base},upperdir={layer / 'upper'},workdir={layer / 'work'}"
        run(["mount", "-t", "overlay", "overlay", "-o", options, str(root)])
    if not (root / "etc/ssh/ssh_host_ed25519_key").exists():
        run(["ssh-keygen", "-A", "-f", str(root)])
    (root / "etc/hostname").write_text(host.name + "\n")
    addresses = " ".join(leg.address.split("/")[0] for leg in host.legs)
    (root / "etc/hosts").write_text(f"127.0.0.1 localhost\n127.0.1.1 {host.name}\n# lab: {addresses}\n")
    # The lab's hosts have no route out: packages come through the controller (see mirrors.py).
    (root / "etc/apt/apt.conf.d/01ferme-lab-proxy").write_text(f'Acquire::http::Proxy "{apt_proxy}";\n')
    trusted = python_index.split("/")[2].split(":")[0]
    (root / "etc/pip.conf").write_text(f"[global]\nindex-url = {python_index}\ntrusted-host = {trusted}\n")
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or not resolv.exists():
        resolv.unlink(missing_ok=True)
        resolv.write_text("# no DNS until the base role sets the site's servers\n")
    ssh_dir = root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    keys = ssh_dir / "authorized_keys"
    public = controller_key.with_suffix(".pub").read_text()
    if public not in (keys.read_text() if keys.exists() else ""):
        with keys.open("a") as handle:
            handle.write(public)
    keys.chmod(0o600)
    return " ".join((root / "etc/ssh/ssh_host_ed25519_key.pub").read_text().split()[:2])


def pid_file(topology: Topology, host: LabHost) -> Path:
    return run_dir(topology.lab_id) / f"{host.name}.pid"


def running_pid(topology: Topology, host: LabHost) -> int | None:
    return live_pid(pid_file(topology, host), b"systemd-nspawn", f"--machine={host.name}".encode())


def start(topology: Topology, host: LabHost) -> int:
    """Boot the host (if it is not running) and return the pid of its systemd-nspawn."""
    pid = running_pid(topology, host)
    if pid:
        return pid
    cgroups = _cgroup_dirs(host)
    for cgroup in cgroups:
        cgroup.mkdir(exist_ok=True)

    def join_cgroups() -> None:
        # Each host in its own cgroup, before nspawn starts (LAB.md): otherwise all hosts share one.
        for cgroup in cgroups:
            (cgroup / "cgroup.procs").write_text(str(os.getpid()))

    log = (run_dir(topology.lab_id) / f"{host.name}.log").open("ab")
    process = subprocess.Popen(
        ["systemd-nspawn", "--boot", "--register=no", "--keep-unit", f"--machine={host.name}",
         f"--network-namespace-path=/run/netns/{host.netns}", "--capability=CAP_NET_ADMIN",
         "--console=pipe", "--resolv-conf=off", "--timezone=off", "-D", str(root_of(topology, host))],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=join_cgroups, start_new_session=True,
    )  # fmt: skip
    pid_file(topology, host).write_text(f"{process.pid}\n")
    return process.pid


def wait_for_ssh(address: str, timeout: float = 90) -> float:
    """Seconds until the host's SSH server greets us."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with socket.create_connection((address, 22), timeout=1) as conn:
                if conn.recv(4).startswith(b"SSH-"):
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise LabError(f"{address}: no SSH after {timeout:.0f} s")


def halt(topology: Topology, host: LabHost) -> None:
    """Ask the host to shut down (systemd-nspawn turns SIGTERM into a clean halt)."""
    pid = running_pid(topology, host)
    if pid:
        os.kill(pid, signal.SIGTERM)


def stop(topology: Topology, host: LabHost, timeout: float = 20) -> None:
    """Halt the host cleanly (SIGTERM to nspawn), kill it if it hangs, and remove its cgroups."""
    pid = running_pid(topology, host)
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            os.killpg(pid, signal.SIGKILL)
            time.sleep(0.5)
    for cgroup in _cgroup_dirs(host):
        _kill_and_remove_cgroup(cgroup)
    pid_file(topology, host).unlink(missing_ok=True)


def _kill_and_remove_cgroup(cgroup: Path) -> None:
    if not cgroup.exists():
        return
    for _ in range(50):
        pids = [int(p) for procs in cgroup.rglob("cgroup.procs") for p in procs.read_text().split()]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    for directory in sorted((p for p in cgroup.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        directory.rmdir()
    cgroup.rmdir()


def remove_layers(topology: Topology) -> None:
    base = layers_dir(topology.lab_id)
    if not base.exists():
        return
    for root in sorted(base.glob("*/root")):
        if mounted(root):
            run(["umount", str(root)])
    run(["rm", "-rf", "--one-file-system", str(base)])

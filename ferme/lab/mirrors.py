"""Packages for lab hosts that have no route out: apt through apt-cacher-ng, pip through proxpi.

Both run on the controller, bound to its lab address only, with their caches in the lab cache
(kept between runs). Upstream is whatever this controller already uses: the Debian mirror of
its apt sources, and pip's configured index (or proxpi's default).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ferme.lab.paths import cache_dir, run_dir
from ferme.lab.system import LabError, require

APT_PROXY_PORT = 3149  # not 3142, so that a system apt-cacher-ng can run beside it
PYTHON_INDEX_PORT = 3150


def _alive(pid_file: Path) -> bool:
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (ValueError, ProcessLookupError):
        return False
    return True


def _wait_port(address: str, port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise LabError(f"{what} did not start on {address}:{port} (see {run_dir})")


def start_apt_proxy(lab_id: str, address: str) -> str:
    require("apt-cacher-ng")
    state = run_dir(lab_id)
    pid_file = state / "apt-cacher-ng.pid"
    if not _alive(pid_file):
        conf = state / "apt-cacher-ng"
        (conf / "log").mkdir(parents=True, exist_ok=True)
        cache = cache_dir() / "apt-cacher-ng"
        cache.mkdir(parents=True, exist_ok=True)
        (conf / "acng.conf").write_text(
            f"CacheDir: {cache}\nLogDir: {conf / 'log'}\nSupportDir: /usr/lib/apt-cacher-ng\n"
            f"Port: {APT_PROXY_PORT}\nBindAddress: {address}\nPidFile: {pid_file}\nExThreshold: 4\n"
        )
        subprocess.run(["apt-cacher-ng", "-c", str(conf), "ForeGround=0"], check=True, capture_output=True)
    _wait_port(address, APT_PROXY_PORT, "apt-cacher-ng")
    return f"http://{address}:{APT_PROXY_PORT}"


def _pip_index() -> str | None:
    result = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    return result.stdout.strip() or None if result.returncode == 0 else None


def start_python_index(lab_id: str, address: str) -> str:
    state = run_dir(lab_id)
    pid_file = state / "proxpi.pid"
    if not _alive(pid_file):
        # A file not yet cached is fetched while the host waits: proxpi's default (0.9 s) sends the host to the
        # upstream URL instead, which a lab host cannot reach (no route out, no DNS).
        env = {
            **os.environ,
            "PROXPI_CACHE_DIR": str(cache_dir() / "proxpi"),
            "PROXPI_LOGGING_LEVEL": "WARNING",
            "PROXPI_DOWNLOAD_TIMEOUT": "300",
        }
        upstream = _pip_index()
        if upstream:
            env["PROXPI_INDEX_URL"] = upstream
        log = (state / "proxpi.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "proxpi.server", "run", "--host", address,
             "--port", str(PYTHON_INDEX_PORT)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        pid_file.write_text(f"{process.pid}\n")
    _wait_port(address, PYTHON_INDEX_PORT, "proxpi")
    return f"http://{address}:{PYTHON_INDEX_PORT}/index/"


def stop_mirrors(lab_id: str) -> None:
    for name in ("apt-cacher-ng", "proxpi"):
        pid_file = run_dir(lab_id) / f"{name}.pid"
        if _alive(pid_file):
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)
        pid_file.unlink(missing_ok=True)

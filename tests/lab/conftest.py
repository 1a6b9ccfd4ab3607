"""The lab for the end-to-end tests: a copy of inventories/lab renamed `labtest` on 198.19.0.0/16,
brought up once for the session (modules run in order: lifecycle, firewall, teardown) and torn
down at the end whatever happens. A lab left running by `make demo` (198.18.0.0/16) is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferme.site.loader import secret_kinds, secret_refs
from ferme.site.sops import init_secrets
from ferme.site.yamlsrc import load_folder
from tests.conftest import INVENTORIES, ROOT

BIN = Path(sys.executable).parent
LAB_ID = "fl-labtest"
RUN_DIR = Path("/run/ferme-lab") / LAB_ID
LAYERS = Path("/var/lib/ferme-lab") / LAB_ID
SSH_KEY = ROOT / ".cache" / "lab" / "ssh" / "id_ed25519"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/lab/" in str(item.fspath):
            item.add_marker(pytest.mark.lab)


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, overlay mounts, systemd-nspawn)"
    for tool in ("systemd-nspawn", "mmdebstrap", "ip", "apt-cacher-ng"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (make setup installs it)"
    return None


def ferme(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(BIN / "ferme"), *args], capture_output=True, text=True, timeout=timeout,
                            cwd=ROOT, check=False)  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"ferme {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def ssh(address: str, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ssh", "-i", str(SSH_KEY), "-o", f"UserKnownHostsFile={RUN_DIR / 'known_hosts'}",
                           "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", f"root@{address}", command],
                          capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


def report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["hosts"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def inventory(tmp_path_factory: pytest.TempPathFactory, age_home: Path) -> Iterator[Path]:
    reason = why_not()
    if reason:
        pytest.skip(f"lab tests skipped: {reason}")
    folder = tmp_path_factory.mktemp("labtest") / "labtest"
    shutil.copytree(INVENTORIES / "lab", folder, ignore=shutil.ignore_patterns("secrets.sops.yml", "__pycache__"))
    for path in folder.glob("*.yml"):
        text = path.read_text().replace("198.18.", "198.19.").replace("name: lab\n", "name: labtest\n")
        path.write_text(text)
    data, _ = load_folder(folder)
    init_secrets(folder, [ref.name for ref in secret_refs(data)], secret_kinds(data))
    started = time.monotonic()
    try:
        ferme("lab", "up", str(folder))
        print(f"\nlab up: {time.monotonic() - started:.1f} s")
        yield folder
    finally:
        ferme("lab", "down", str(folder), check=False)

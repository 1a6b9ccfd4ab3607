"""Last: `ferme lab down` leaves nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.lab.conftest import LAB_ID, LAYERS, RUN_DIR, ferme


def test_down_leaves_nothing_behind(inventory: Path) -> None:
    ferme("lab", "down", str(inventory))
    assert not [n for n in os.listdir("/run/netns") if n.startswith(LAB_ID)] if os.path.isdir("/run/netns") else True
    with open("/proc/self/mountinfo") as mounts:
        assert str(LAYERS) not in mounts.read()
    assert not RUN_DIR.exists() and not LAYERS.exists()
    processes = subprocess.run(["pgrep", "-f", f"/run/netns/{LAB_ID}-|ferme-lab/{LAB_ID}"],
                               capture_output=True, text=True, check=False)  # fmt: skip
    assert processes.stdout == ""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    controller = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)["controller"]
    assert controller.split("/")[0] not in subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True,
                                                           check=True).stdout  # fmt: skip
    assert all(not Path(root, f"{LAB_ID}-lab-fw").exists() for root in ("/sys/fs/cgroup/systemd",
                                                                       "/sys/fs/cgroup/unified"))  # fmt: skip
    assert f"{LAB_ID}" not in links

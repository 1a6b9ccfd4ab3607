"""The lab's base image: Debian bookworm made once with mmdebstrap, kept in the cache, keyed on its recipe."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ferme.lab.paths import cache_dir
from ferme.lab.system import LabError, require, run

SUITE = "bookworm"
RECIPE = 1  # bump when the fix-ups below change
# What every lab host needs to boot and be reached (LAB.md), beyond the roles' own packages.
BASE_PACKAGES = (
    "systemd-sysv", "dbus", "openssh-server", "iproute2", "python3", "python3-venv", "nftables",
    "ca-certificates", "sudo", "procps", "curl", "tzdata", "locales", "iputils-ping", "netcat-openbsd",
)  # fmt: skip
# The controller's own Debian sources: the lab uses the mirror this machine already uses.
HOST_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))


def _sources() -> Path:
    for path in HOST_SOURCES:
        if path.exists() and path.read_text().strip():
            return path
    raise LabError("no Debian sources on this machine (/etc/apt/sources.list.d/debian.sources)")


def image_key(packages: Iterable[str]) -> str:
    text = "\n".join([SUITE, str(RECIPE), _sources().read_text(), *sorted(set(packages))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fix_up(root: Path) -> None:
    """Per-host identity must not come from the image: machine id and SSH host keys are made per host."""
    (root / "etc/machine-id").write_text("")
    dbus_id = root / "var/lib/dbus/machine-id"
    dbus_id.parent.mkdir(parents=True, exist_ok=True)
    dbus_id.unlink(missing_ok=True)
    dbus_id.symlink_to("/etc/machine-id")
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    (root / "etc/apt/apt.conf.d/99ferme-no-recommends").write_text('APT::Install-Recommends "false";\n')


def ensure_base_image(packages: Iterable[str], say: Callable[[str], None] = print) -> Path:
    """The root file system for `packages`, built first if the cache does not have it (about 45 s)."""
    wanted = sorted({*BASE_PACKAGES, *packages})
    key = image_key(wanted)
    cache = cache_dir()
    rootfs = cache / f"rootfs-{key}"
    if (rootfs / ".ferme-ready").exists():
        return rootfs
    require("mmdebstrap")
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / f"rootfs-{key}.partial"
    run(["rm", "-rf", "--one-file-system", str(staging)])
    say(f"building the base image ({len(wanted)} packages, {SUITE}) with mmdebstrap: about a minute, once")
    started = time.monotonic()
    # A directory target: the cached image is the root file system itself, shared read-only by the overlays.
    run(["mmdebstrap", "--variant=minbase", "--format=directory", f"--include={','.join(wanted)}", SUITE,
         str(staging), str(_sources())], timeout=1800)  # fmt: skip
    _fix_up(staging)
    (staging / ".ferme-ready").write_text(key + "\n")
    staging.rename(rootfs)
    say(f"base image built in {time.monotonic() - started:.0f} s: {rootfs}")
    return rootfs

"""Where the lab keeps things: a cache (git-ignored, kept), runtime state and host layers (removed by down)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Slow things kept between runs: the base image, the controller's SSH key."""
    return Path(os.environ.get("FERME_CACHE_DIR", Path.cwd() / ".cache")) / "lab"


def run_dir(lab_id: str) -> Path:
    """Runtime state of a lab: its state file, pid files, logs and known_hosts."""
    return Path(os.environ.get("FERME_LAB_RUN", "/run/ferme-lab")) / lab_id


def layers_dir(lab_id: str) -> Path:
    """Each host's writable overlay layer and mount point."""
    return Path(os.environ.get("FERME_LAB_DATA", "/var/lib/ferme-lab")) / lab_id

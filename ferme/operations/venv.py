"""A Python application in its own virtual environment, every version pinned by a requirements file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyinfra.context import host
from pyinfra.facts.server import Command
from pyinfra.operations import files, server


def pinned_venv(label: str, venv: str, requirements: Path, package: str, version: str, pip: dict[str, Any]) -> Any:
    """Install `requirements` into `venv` (made if missing) when the file changed or `package` is not at `version`;
    pip's index or proxy from the plan (`outbound.python`). Returns the install operation."""
    pinned = files.put(name=f"{label}: pinned requirements", src=str(requirements), dest=f"{venv}-requirements.txt",
                       mode="644")  # fmt: skip
    options = [f"--index-url {pip['index_url']}"] if pip.get("index_url") else []
    options += [f"--proxy {pip['proxy']}"] if pip.get("proxy") else []
    installed = host.get_fact(Command, command=f"{venv}/bin/pip show {package} 2>/dev/null | sed -n 's/^Version: //p'")
    return server.shell(
        name=f"{label} {version}: install in {venv}",
        commands=[f"test -x {venv}/bin/python || python3 -m venv {venv}",
                  f"{venv}/bin/pip install -q --disable-pip-version-check {' '.join(options)} "
                  f"-r {venv}-requirements.txt"],
        _if=lambda: pinned.did_change() or installed != version,
    )  # fmt: skip

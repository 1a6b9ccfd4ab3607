"""Software the operator supplies (no download at run time): checked by its SHA-256 here, copied to the host's
protected staging folder, run silently, removed. Installed = its service exists (read in the batched facts)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pyinfra.api.command import FileUploadCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import fact_item
from ferme.powershell.build import STAGING, protected_folder
from ferme.powershell.quote import ps_quote

# Exit codes of a silent installer that mean success (3010: a restart is owed, left to windows_reboot).
SUCCESS = (0, 3010)


def staged(local: str) -> str:
    """Where a file of the controller is put on the host while it is used: the protected staging folder."""
    return f"{STAGING}\\{Path(local).name}"


def checked_file(path: str, sha256: str, what: str) -> None:
    """The operator's file is there and is the one the inventory names (its SHA-256); ValueError otherwise."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise ValueError(f"{what}: cannot read {path} ({exc.strerror})") from None
    if digest != sha256.lower():
        raise ValueError(f"{what}: {path} has SHA-256 {digest}, not {sha256.lower()} as the inventory says")


@operation()
def installed(software: str, installer: str, sha256: str, service: str, arguments: str, wanted: str) -> Any:
    """`software` installed from the local file `installer` (whose SHA-256 must be `sha256`) unless `service` exists."""
    if fact_item(wanted, "services", service) is not None:
        host.noop(f"{software} is installed (service {service})")
        return
    checked_file(installer, sha256, software)
    on_host = staged(installer)
    yield protected_folder(STAGING)
    yield FileUploadCommand(installer, on_host)
    yield "\n".join([
        "try {",
        f"    $run = Start-Process -FilePath {ps_quote(on_host)} -ArgumentList {ps_quote(arguments)} -Wait -PassThru",
        f"    if ({' -and '.join(f'$run.ExitCode -ne {code}' for code in SUCCESS)}) {{",
        f"        throw ({ps_quote(f'{software}: the installer ended with code ')} + $run.ExitCode)",
        "    }",
        "} finally {",
        f"    Remove-Item -Path {ps_quote(on_host)} -Force -ErrorAction SilentlyContinue",
        "}",
    ])  # fmt: skip

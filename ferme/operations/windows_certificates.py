"""Certificates: a PFX imported into the machine's Personal store, known by its thumbprint.

The inventory gives the PFX file, its password (a secret) and the thumbprint it must hold: ferme
checks the file against the thumbprint here before touching the host, imports only when the store
lacks that thumbprint, and never leaves the PFX on the host.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pyinfra.api.command import FileUploadCommand, StringCommand
from pyinfra.api.hiddenvalue import HiddenValue
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import facts
from ferme.operations.windows_accounts import revealed, secure_string
from ferme.powershell.build import STAGING, protected_folder
from ferme.powershell.quote import ps_quote
from ferme.site.defaults import normalise_thumbprint


def _certificates(data: bytes, password: str) -> dict[str, bytes]:
    """Thumbprint (SHA-1, upper case) → DER of each certificate in a PFX; ValueError on a wrong password or a
    damaged file."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    bundle = pkcs12.load_pkcs12(data, password.encode())
    certificates = ([bundle.cert.certificate] if bundle.cert else []) + [c.certificate for c in bundle.additional_certs]
    ders = [c.public_bytes(Encoding.DER) for c in certificates]
    return {hashlib.sha1(der).hexdigest().upper(): der for der in ders}


def pfx_thumbprints(data: bytes, password: str) -> list[str]:
    """SHA-1 thumbprints of the certificates in a PFX; ValueError on a wrong password or a damaged file."""
    return list(_certificates(data, password))


def pfx_certificate(pfx: str, password: str, thumbprint: str) -> bytes:
    """The certificate `thumbprint` of a PFX, public part only (DER: a .cer file); ValueError if it is not there."""
    try:
        found = _certificates(Path(pfx).read_bytes(), password)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{pfx}: cannot read the PFX ({exc})") from None
    der = found.get(normalise_thumbprint(thumbprint))
    if der is None:
        raise ValueError(f"{pfx} holds no certificate {thumbprint}")
    return der


@operation()
def certificate(pfx: str, thumbprint: str, password: str | HiddenValue, wanted: str) -> Any:
    """The certificate `thumbprint` in Cert:\\LocalMachine\\My, imported from `pfx` when it is missing."""
    thumbprint = normalise_thumbprint(thumbprint)
    if thumbprint in facts(wanted)["certificates"]:
        host.noop(f"certificate {thumbprint} is in LocalMachine\\My")
        return
    password = revealed(password)
    try:
        found = pfx_thumbprints(Path(pfx).read_bytes(), password)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{pfx}: cannot read the PFX ({exc})") from None
    if thumbprint not in found:
        raise ValueError(f"{pfx} holds {', '.join(found) or 'no certificate'}, not {thumbprint}")
    staged = f"{STAGING}\\{thumbprint}.pfx"
    yield protected_folder(STAGING)  # the PFX is readable by SYSTEM and Administrators only, while staged
    yield FileUploadCommand(pfx, staged)
    yield StringCommand(
        f"try {{\n    $imported = Import-PfxCertificate -FilePath {ps_quote(staged)} "
        "-CertStoreLocation 'Cert:\\LocalMachine\\My' -Password ",
        *secure_string(password),
        f"\n}} finally {{\n    Remove-Item -Path {ps_quote(staged)} -Force\n}}\n"
        f"if (-not (@($imported) | Where-Object {{ $_.Thumbprint -eq {ps_quote(thumbprint)} }})) {{\n"
        f"    throw 'the PFX imported no certificate {thumbprint}'\n}}",
        _separator="",
    )

"""RD Web: the HTML5 web client installed offline from the operator's files, and the shared machineKey."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

from pyinfra.api.command import FileUploadCommand, StringCommand
from pyinfra.api.hiddenvalue import HiddenValue
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import fact_item
from ferme.operations.windows_accounts import hidden_literal, revealed
from ferme.operations.windows_certificates import pfx_certificate
from ferme.operations.windows_installers import checked_file, staged
from ferme.powershell.build import STAGING, protected_folder
from ferme.powershell.quote import ps_quote
from ferme.rds.web import MARKER, RDWEB_PAGES, machine_key_digest, machine_keys, marker

MODULES = "C:\\Program Files\\WindowsPowerShell\\Modules"


@operation()
def web_client(web: dict[str, Any], inventory: str, password: str | HiddenValue | None, wanted: str) -> Any:
    """`web`: the plan's web_client. Installs the module when absent, the package, the broker's certificate,
    publishes to production and suppresses telemetry; then writes the marker. Nothing when the marker says it
    was done with these files and this certificate."""
    text = marker(web)
    if fact_item(wanted, "files", MARKER) == hashlib.sha256(text.encode()).hexdigest().upper():
        host.noop("the web client is published from these files")
        return
    module, package = (str(Path(inventory) / web[part]["path"]) for part in ("module", "package"))
    checked_file(module, web["module"]["sha256"], "the web client's module")
    checked_file(package, web["package"]["sha256"], "the web client's package")
    staged_module = f"{STAGING}\\RDWebClientManagement.zip"
    staged_package = staged(package)
    staged_cer = f"{STAGING}\\broker.cer"
    certificate = web["broker_certificate"]
    yield protected_folder(STAGING)
    yield FileUploadCommand(module, staged_module)
    yield FileUploadCommand(package, staged_package)
    lines = [
        "try {",
        "    if (-not (Get-Module -ListAvailable -Name RDWebClientManagement)) {",
        f"        Expand-Archive -Path {ps_quote(staged_module)} -DestinationPath {ps_quote(MODULES)} -Force",
        "    }",
        "    Import-Module -Name RDWebClientManagement",
        f"    try {{ Install-RDWebClientPackage -Source {ps_quote(staged_package)} }}",
        "    catch { if (\"$_\" -notmatch 'already') { throw } }",
    ]  # fmt: skip
    if certificate:
        der = pfx_certificate(str(Path(inventory) / certificate["pfx"]), revealed(password or ""),
                              certificate["thumbprint"])  # fmt: skip
        yield FileUploadCommand(BytesIO(der), staged_cer)
        lines.append(f"    Import-RDWebClientBrokerCert {ps_quote(staged_cer)}")
    lines += [
        "    Publish-RDWebClientPackage -Type Production -Latest",
        "    Set-RDWebClientDeploymentSetting -Name 'SuppressTelemetry' $true",
        "} finally {",
        f"    Remove-Item -Path {ps_quote(staged_module)}, {ps_quote(staged_package)}, {ps_quote(staged_cer)} -Force "
        "-ErrorAction SilentlyContinue",
        "}",
    ]  # fmt: skip
    yield "\n".join(lines)
    yield FileUploadCommand(BytesIO(text.encode()), MARKER)


@operation()
def machine_key(secret: str | HiddenValue, wanted: str) -> Any:
    """RD Web's machineKey (validation and decryption keys) derived from the site's secret, the same on every RD
    Web server: a sign-in on one is valid on the others. Compared by the digest the host computes."""
    keys = machine_keys(revealed(secret))
    if fact_item(wanted, "machine_keys", RDWEB_PAGES) == machine_key_digest(keys):
        host.noop("RD Web's machineKey is the site's")
        return
    parts: list[Any] = ["Import-Module -Name WebAdministration"]
    for name in ("validationKey", "decryptionKey"):
        parts += [f"\nSet-WebConfigurationProperty -PSPath {ps_quote(RDWEB_PAGES)} -Filter 'system.web/machineKey' "
                  f"-Name {ps_quote(name)} -Value ", hidden_literal(keys[name])]  # fmt: skip
    for name in ("validation", "decryption"):
        parts.append(f"\nSet-WebConfigurationProperty -PSPath {ps_quote(RDWEB_PAGES)} -Filter 'system.web/machineKey' "
                     f"-Name {ps_quote(name)} -Value {ps_quote(keys[name])}")  # fmt: skip
    yield StringCommand(*parts, _separator="")

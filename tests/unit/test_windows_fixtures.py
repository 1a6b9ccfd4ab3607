"""Windows operations and facts from JSON fixtures, in pyinfra's style.

tests/fixtures/operations/<module>.<operation>/<case>.json: arguments and facts → the exact commands
(or no change). tests/fixtures/facts/<module>.<Fact>/<case>.json: the exact command, raw output →
the parsed fact. Every command is also checked against the cmdlet catalogue.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pyinfra.api.command import FileUploadCommand, FunctionCommand, StringCommand
from pyinfra.context import ctx_host

from ferme.facts.windows import KINDS, WindowsHost, host_facts_script
from ferme.powershell.check import check_script, errors
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
OPERATION_CASES = sorted((FIXTURES / "operations").glob("*/*.json"))
FACT_CASES = sorted((FIXTURES / "facts").glob("*/*.json"))


class FakeHost:
    """Just what an operation asks of its host: facts by class name, and no-op messages."""

    name = "fixture-host"

    def __init__(self, facts: dict[str, Any]):
        self.facts = facts
        self.noops: list[str] = []

    def get_fact(self, fact: type, **kwargs: Any) -> Any:
        return self.facts[fact.__name__]

    def noop(self, description: str) -> None:
        self.noops.append(description)


def make_pfx(folder: Path, password: str) -> Path:
    """A PFX whose thumbprint never changes: Ed25519 signatures are deterministic, the rest is fixed."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"ferme fixture").digest())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bureau.cd-exemple.fr")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(4242).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
            .sign(key, None))  # fmt: skip
    path = folder / "rds.pfx"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"rds", key, cert, None,
                                                           BestAvailableEncryption(password.encode())))  # fmt: skip
    return path


def render(command: Any, pfx: Path | None) -> str:
    """A yielded command as the fixture spells it (secrets masked, as pyinfra logs them)."""
    if isinstance(command, str | StringCommand):
        return str(command)
    if isinstance(command, FileUploadCommand):
        if isinstance(command.src, str):
            source = "{pfx}" if pfx is not None and command.src == str(pfx) else command.src
        else:
            data = command.src.getvalue()
            source = f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest().upper()}"
        return f"upload {source} -> {command.dest}"
    if isinstance(command, FunctionCommand):
        return f"call {command.function.__name__}{tuple(command.args)!r}"
    raise AssertionError(f"unexpected command {command!r}")


def _check_wanted(case: Path, fixture: dict[str, Any]) -> None:
    """A fixture's facts hold only items its `wanted` asks for: the script would fetch nothing else."""
    if "wanted" not in fixture.get("kwargs", {}) or "WindowsHost" not in fixture["facts"]:
        return
    wanted = json.loads(fixture["kwargs"]["wanted"])
    for kind in KINDS:
        asked = {kind.key(item) for item in wanted.get(kind.name, [])}
        held = set(fixture["facts"]["WindowsHost"].get(kind.name) or {})
        assert held <= asked, (
            f"{case.name}: facts hold {kind.name} {sorted(held - asked)} that `wanted` does not ask for"
        )


def test_asking_for_an_item_not_wanted_is_an_error() -> None:
    from ferme.operations.windows import FactNotWanted, feature, wanted_for

    wanted = wanted_for(features=["RDS-RD-Server"])
    host = FakeHost({"WindowsHost": {"features": {"RDS-RD-Server": True}}})
    with ctx_host.use(host), pytest.raises(FactNotWanted, match="features 'RDS-Gateway' is not in this host's wanted"):
        list(feature._inner("RDS-Gateway", wanted))


@pytest.mark.parametrize("case", OPERATION_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_operation_fixture(case: Path, tmp_path: Path) -> None:
    fixture = json.loads(case.read_text(encoding="utf-8"))
    module_name, operation_name = case.parent.name.split(".")
    operation = getattr(importlib.import_module(f"ferme.operations.{module_name}"), operation_name)
    pfx = make_pfx(tmp_path, fixture["pfx_password"]) if "pfx_password" in fixture else None
    args = [str(pfx) if arg == "{pfx}" else arg for arg in fixture["args"]]
    kwargs = dict(fixture.get("kwargs", {}))
    if "after" in kwargs:  # earlier operations of the run: whether each will change something
        kwargs["after"] = [SimpleNamespace(will_change=change) for change in kwargs["after"]]
    _check_wanted(case, fixture)
    host = FakeHost(fixture["facts"])
    with ctx_host.use(host):
        if "error" in fixture:
            with pytest.raises(ValueError, match=fixture["error"]):
                list(operation._inner(*args, **kwargs))
            return
        commands = list(operation._inner(*args, **kwargs))
    rendered = [render(command, pfx) for command in commands]
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        fixture["commands"] = rendered
        case.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert rendered == fixture["commands"]
    if not commands:
        assert host.noops == [fixture["noop"]]
    for command, text in zip(commands, rendered, strict=True):
        if isinstance(command, str | StringCommand):
            assert errors(check_script(text)) == [], text
        if "secret" in fixture:  # the secret reaches the host, and nothing that is logged
            assert fixture["secret"] not in text
            if isinstance(command, StringCommand) and "MASKED" in text:
                assert fixture["secret"] in command.get_raw_value()


@pytest.mark.parametrize("case", FACT_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fact_fixture(case: Path) -> None:
    fixture = json.loads(case.read_text(encoding="utf-8"))
    fact = WindowsHost()
    assert fact.command(fixture["wanted"]) == fixture["command"] == host_facts_script(json.loads(fixture["wanted"]))
    assert fact.process(fixture["output"]) == fixture["fact"]
    assert errors(check_script(fixture["command"])) == []


def test_there_are_fixtures_for_every_operation() -> None:
    modules = sorted(p.stem for p in (ROOT / "ferme" / "operations").glob("windows*.py"))
    operations = {f"{module}.{name}" for module in modules
                  for name, value in vars(importlib.import_module(f"ferme.operations.{module}")).items()
                  if hasattr(value, "_inner") and value.__module__ == f"ferme.operations.{module}"}  # fmt: skip
    covered = {p.parent.name for p in OPERATION_CASES}
    assert len(modules) >= 6
    assert operations <= covered, operations - covered


def test_staged_files_are_readable_by_system_and_administrators_only() -> None:
    """A PFX and an RDS step's script and log are staged in a folder whose ACL is replaced, not inherited
    from C:\\ProgramData (which lets Users read) (issue 10, point 9)."""
    from ferme.operations.windows_tasks import WORK_FOLDER, BrokerTask
    from ferme.powershell.build import STAGING, protected_folder

    script = protected_folder()
    assert "$acl.SetAccessRuleProtection($true, $false)" in script and "@('S-1-5-18', 'S-1-5-32-544')" in script
    assert errors(check_script(script)) == []
    assert WORK_FOLDER.startswith(STAGING + "\\")
    start = BrokerTask("New-RDSessionDeployment", "CD-EXEMPLE\\svc-rds").start("x").get_raw_value()
    assert start.startswith(protected_folder(STAGING) + "\n"), "the folder is protected before anything is staged"
    certificate = json.loads(
        (FIXTURES / "operations" / "windows_certificates.certificate" / "missing.json").read_text()
    )
    assert certificate["commands"][0] == script and certificate["commands"][1].startswith("upload ")


def test_share_access_is_read_by_sid_and_denials_apart() -> None:
    """French servers name BUILTIN\\Administrators "BUILTIN\\Administrateurs": share access is read by SID for
    well-known accounts, and a Deny entry is not read as a grant (issue 10, point 7)."""
    script = host_facts_script({"shares": ["profils$"]})
    shares = script[script.index("$facts.shares") : script.index("$facts.acls")]
    assert ".Translate(" in shares and "[System.Security.Principal.SecurityIdentifier]" in shares
    assert "if ([string]$_.AccessControlType -eq 'Deny') { $right = 'Deny:' + $right }" in shares


def test_pyinfra_passes_state_and_host_to_ferme_callbacks() -> None:
    """pyinfra's FunctionCommand passes the state and the host only to a function whose parameters are
    named `state` and `host`; the restart's and the RDS step's callbacks were not, so every restart
    and RDS step through `ferme apply` failed with a TypeError (found by the end-to-end restart test)."""
    from inspect import getfullargspec

    from ferme.operations.windows_reboot import _reboot
    from ferme.operations.windows_tasks import _run_step

    for callback in (_reboot, _run_step):
        assert getfullargspec(callback).args[:2] == ["state", "host"], callback.__name__


def test_the_broker_certificate_for_the_web_client_is_the_pfx_public_part(tmp_path: Path) -> None:
    """The web client trusts the broker's certificate: its public part (a .cer) is taken from the inventory's
    PFX by thumbprint, on the controller; a wrong thumbprint or password is a clear error."""
    from cryptography import x509

    from ferme.operations.windows_certificates import pfx_certificate, pfx_thumbprints

    pfx = make_pfx(tmp_path, "Pfx-Password-3")
    thumbprint = pfx_thumbprints(pfx.read_bytes(), "Pfx-Password-3")[0]
    der = pfx_certificate(str(pfx), "Pfx-Password-3", thumbprint)
    assert x509.load_der_x509_certificate(der).subject and hashlib.sha1(der).hexdigest().upper() == thumbprint
    with pytest.raises(ValueError, match="holds no certificate"):
        pfx_certificate(str(pfx), "Pfx-Password-3", "00" * 20)
    with pytest.raises(ValueError, match="cannot read the PFX"):
        pfx_certificate(str(pfx), "wrong", thumbprint)

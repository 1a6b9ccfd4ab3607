"""Static layer: every PowerShell text ferme emits passes the catalogue check; seeded mistakes fail it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.powershell.check import check_script, errors
from ferme.render.artifacts import render_artifacts
from ferme.render.export import render_export
from ferme.site import load_site
from tests.conftest import EXAMPLES, INVENTORIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "export"
# One exported host per distinct set of roles: the golden files a reviewer reads.
GOLDEN_HOSTS = {
    "mairie-exemple": ["srv-rds01", "dc01"],
    "departement-exemple": ["cb01", "gw01", "web01", "lic01", "fs01", "rdsh01", "rdsh25", "dc01"],
    "lab": ["lab-rds01", "lab-rdsh01"],
}


def _plan(name: str) -> dict:
    return build_plan(load_site(INVENTORIES / name, with_secrets=False))


def _emitted(name: str) -> dict[str, str]:
    plan = _plan(name)
    scripts = {p: t for p, t in render_artifacts(plan).items() if p.endswith(".ps1")}
    for host, data in plan["hosts"].items():
        if data["os"] == "windows":
            scripts[f"export/{host}.ps1"] = render_export(plan, host)
    return scripts


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_emitted_script_passes_the_catalogue(name: str) -> None:
    scripts = _emitted(name)
    assert scripts
    problems = {path: [str(f) for f in errors(check_script(text))] for path, text in scripts.items()}
    assert {p: f for p, f in problems.items() if f} == {}


@pytest.mark.parametrize("name", EXAMPLES)
def test_exports_match_golden(name: str) -> None:
    plan = _plan(name)
    for host in GOLDEN_HOSTS[name]:
        produced = render_export(plan, host)
        golden = GOLDEN / name / f"{host}.ps1"
        if os.environ.get("FERME_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(produced, encoding="utf-8")
        assert produced == golden.read_text(encoding="utf-8"), f"{golden} differs"


SEEDED = [
    ("misspelt cmdlet", "New-NetFirewalRule -Name 'a' -DisplayName 'b'", "cmdlet"),
    ("unknown parameter", "New-NetFirewallRule -Name 'a' -DisplayName 'b' -Colour 'Red'", "parameter"),
    ("ambiguous parameter", "New-NetFirewallRule -DisplayName 'b' -Remote 'Any'", "ambiguous"),
    ("missing mandatory parameter", "New-NetFirewallRule -Name 'a' -Direction Inbound", "mandatory"),
    ("value not accepted", "New-NetFirewallRule -DisplayName 'b' -Direction 'Sideways'", "value"),
    ("value in a list not accepted", "New-NetFirewallRule -DisplayName 'b' -Profile Domain,Office", "value"),
    ("missing value", "Install-WindowsFeature -Name", "missing-value"),
    ("two parameter sets at once", "Get-NetFirewallRule -Name 'a' -DisplayName 'b'", "parameter-set"),
    ("too many positional arguments", "Get-Service 'a' 'b' 'c'", "mandatory"),
    ("PowerShell 7 pipeline chain", "Get-Service -Name 'a' && Get-Service -Name 'b'", "ps7"),
    ("PowerShell 7 ternary", "$x = $a ? 1 : 2", "ps7"),
]


@pytest.mark.parametrize(("case", "script", "kind"), SEEDED, ids=[s[0] for s in SEEDED])
def test_seeded_mistakes_are_found(case: str, script: str, kind: str) -> None:
    found = errors(check_script(script))
    assert kind in {f.kind for f in found}, f"{case}: {[str(f) for f in found]}"


def test_seeded_mistake_in_an_emitted_script_is_found() -> None:
    plan = _plan("mairie-exemple")
    script = render_export(plan, "srv-rds01").replace("-Direction Inbound", "-Direction Inward", 1)
    assert [f.kind for f in errors(check_script(script))] == ["value"]


@pytest.mark.parametrize("script", [
    "Get-NetFirewallRule -Group 'ferme' | Remove-NetFirewallRule",  # the pipeline binds the mandatory input
    "Install-WindowsFeature -Name 'RDS-RD-Server' -IncludeManagementTools -Restart:$false",
    "Get-Service Spooler",  # positional
    "Set-NetFirewallRule -Name 'a' -NewDisplayName 'b' -Enabled True",
    "New-NetFirewallRule -DisplayName 'b' -Profile Domain,Private",
    "Get-Item -Path 'C:\\\\Windows' -ea SilentlyContinue",  # common parameter alias
])  # fmt: skip
def test_valid_calls_pass(script: str) -> None:
    assert errors(check_script(script)) == []


def test_the_catalogue_is_vendored_with_its_notice() -> None:
    data = ROOT / "ferme" / "powershell" / "data"
    assert (data / "powershell-catalogue.json").stat().st_size > 2_000_000
    assert "CC BY 4.0" in (data / "powershell-catalogue.NOTICE.md").read_text()
    assert Path(data / "powershell-catalogue.README.md").exists()


def test_the_batched_facts_script_passes_the_catalogue() -> None:
    from ferme.facts.windows import host_facts_script

    script = host_facts_script({"features": ["RDS-RD-Server", "RDS-Gateway"], "services": ["TermService"],
                                "registry": [("HKLM:\\SOFTWARE\\FSLogix\\Profiles", "Enabled")]})  # fmt: skip
    assert errors(check_script(script)) == []


def test_the_script_head_passes_the_catalogue() -> None:
    from ferme.powershell.build import PSRP_HEAD
    from ferme.powershell.check import check_script, errors

    assert errors(check_script(PSRP_HEAD + "Get-Service -Name 'TermService'")) == []


def test_the_rds_provider_dynamic_parameters_are_checked() -> None:
    """Issue 13: New-Item under RDS:\\GatewayServer takes the provider's parameters (not in the catalogue): known
    ones pass, a mandatory one missing and one that is not the provider's are found."""
    from ferme.powershell.check import check_script, errors

    good = "New-Item -Path 'RDS:\\GatewayServer\\CAP' -Name 'ferme-CAP' -UserGroups @('G@DOM') -AuthMethod 1"
    assert errors(check_script(good)) == []
    missing = "New-Item -Path 'RDS:\\GatewayServer\\RAP' -Name 'ferme-RAP' -UserGroups @('G@DOM')"
    assert [f.kind for f in errors(check_script(missing))] == ["mandatory"]
    elsewhere = "New-Item -Path 'C:\\Profils' -Name 'x' -UserGroups @('G@DOM')"
    assert [f.kind for f in errors(check_script(elsewhere))] == ["parameter"]
    wrong = "New-Item -Path 'RDS:\\GatewayServer\\CAP' -Name 'c' -UserGroups @('G@DOM') -AuthMethod 1 -Computers 'x'"
    assert [f.kind for f in errors(check_script(wrong))] == ["parameter"]

"""An installed ferme runs outside the checkout: the wheel carries its roles, templates, farm and suites.

The wheel is built from a copy of the working tree, installed (without dependencies) into a fresh
venv that borrows this venv's dependencies, and run from a folder that holds only a copied example.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the fresh venv, the wheel)."""
    work = tmp_path_factory.mktemp("wheel")
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")  # fmt: skip
    source = work / "source"
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)], work)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("ferme-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(_run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     work).stdout.strip())  # fmt: skip
    # The dependencies come from this venv, as a plain path entry: its editable ferme is not activated.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
                str(wheel)], work)  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    return venv, wheel


def test_wheel_carries_roles_templates_farm_and_suites(installed: tuple[Path, Path]) -> None:
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("ferme/catalogue.py", "ferme/roles/base/__init__.py", "ferme/roles/edge_firewall/__init__.py",
                     "ferme/templates/base/sshd.conf.j2", "ferme/templates/nftables/edge.nft.j2",
                     "ferme/deploy/farm.py", "ferme/suites/conftest.py", "ferme/suites/test_base.py",
                     "ferme/powershell/data/powershell-catalogue.json", "ferme/roles/mfa/files/ferme_privacyidea.py",
                     "ferme/roles/mfa/files/privacyidea-requirements.txt", "ferme/templates/mfa/radius-site.j2",
                     "ferme/suites/test_mfa.py", "ferme/templates/docs/dat.html.j2", "ferme/docs/dat.py",
                     "ferme/locale/fr/LC_MESSAGES/ferme.mo", "ferme/onboard/gates.py"):  # fmt: skip
        assert expected in names, f"{expected} is not in {wheel.name}"
    assert not any(name.startswith(("roles/", "templates/", "tests/")) for name in names)


def test_installed_ferme_reads_its_files_from_the_install(installed: tuple[Path, Path], tmp_path: Path) -> None:
    venv, _ = installed
    probe = ("import json, ferme, ferme.resources as r, ferme.roles.base as b; print(json.dumps([ferme.__file__, "
             "b.__file__, str(r.templates('base')), str(r.farm_deploy()), str(r.verify_suites())]))")  # fmt: skip
    result = _run([str(venv / "bin" / "python"), "-c", probe], tmp_path)
    assert result.returncode == 0, result.stderr
    for path in json.loads(result.stdout):
        assert path.startswith(str(venv)), f"{path} is not in the installed package"
        assert Path(path).exists()


def test_installed_ferme_plans_and_exports_an_example(installed: tuple[Path, Path], tmp_path: Path) -> None:
    venv, _ = installed
    inventory = tmp_path / "mairie"
    shutil.copytree(ROOT / "inventories" / "mairie-exemple", inventory)
    ferme = str(venv / "bin" / "ferme")
    plan = _run([ferme, "plan", str(inventory), "--out", str(tmp_path / "out")], tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert (tmp_path / "out" / "firewall" / "fw01.nft").read_text().startswith("#")
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["site"]["name"] == "mairie-exemple"
    export = _run([ferme, "export", str(inventory), "--out", str(tmp_path / "export")], tmp_path)
    assert export.returncode == 0, export.stderr + export.stdout
    assert (tmp_path / "export" / "srv-rds01.ps1").read_text(encoding="utf-8-sig").startswith("#Requires -Version 5.1")

"""Shared fixtures: copies of the example inventories with secrets made for the test only."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ferme.cli import main
from ferme.site.loader import secret_kinds, secret_refs
from ferme.site.secrets import SOPS_FILE
from ferme.site.sops import init_secrets
from ferme.site.yamlsrc import load_folder

ROOT = Path(__file__).resolve().parent.parent
INVENTORIES = ROOT / "inventories"
EXAMPLES = ["mairie-exemple", "departement-exemple", "lab"]
# Documents carry their date: golden files are rendered as of a fixed day (2027-01-11).
os.environ["SOURCE_DATE_EPOCH"] = "1799625600"
# Console messages in English whatever the machine's locale (tests/unit/test_i18n.py sets French itself).
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def age_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private XDG_CONFIG_HOME, so tests never touch the user's age key."""
    home = tmp_path_factory.mktemp("xdg")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CONFIG_HOME", str(home))
    patch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    yield home
    patch.undo()


@pytest.fixture
def copy_example(tmp_path: Path, age_home: Path) -> Callable[..., Path]:
    """Copy an example inventory to a temporary folder, with its secrets generated there."""

    def copy(name: str, *, secrets: bool = True) -> Path:
        target = tmp_path / name
        shutil.copytree(INVENTORIES / name, target, ignore=shutil.ignore_patterns(SOPS_FILE, "__pycache__"))
        if secrets:
            data, _ = load_folder(target)
            init_secrets(target, [ref.name for ref in secret_refs(data)], secret_kinds(data))
        return target

    return copy


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    """The WS-Management double on loopback, for user `ferme-deploy` (tests/protocol/wsman_double.py)."""
    from tests.protocol.wsman_double import PASSWORD, USER, Server

    with Server(tmp_path, USER, PASSWORD) as running:
        yield running

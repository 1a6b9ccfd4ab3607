"""Console messages in French when the locale is French: every message ferme asks for has its translation, with
the same placeholders, the compiled catalogue is the one its source gives, and the commands speak French under
LANG=fr_FR.UTF-8 and English otherwise."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from tests.conftest import INVENTORIES, ROOT

PO = ROOT / "ferme" / "locale" / "fr" / "LC_MESSAGES" / "ferme.po"


def _asked() -> set[str]:
    """Every literal message ferme passes to `_()`."""
    found = set()
    for path in (ROOT / "ferme").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):  # fmt: skip
                found.add(node.args[0].value)
    return found


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_message_is_translated_with_the_same_placeholders() -> None:
    asked, catalogue = _asked(), _catalogue()
    assert len(asked) > 60
    assert sorted(asked - set(catalogue)) == []  # nothing asked without a translation
    assert sorted(set(catalogue) - asked - {"planned", "open", "rolled back"}) == []  # nothing stale
    for msgid, msgstr in catalogue.items():
        assert msgstr, msgid
        assert _fields(msgstr) == _fields(msgid), msgid


def test_the_compiled_catalogue_is_the_sources() -> None:
    spec = importlib.util.spec_from_file_location("compile_locale", ROOT / "scripts" / "compile-locale.py")
    assert spec and spec.loader
    compiler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compiler)
    assert PO.with_suffix(".mo").read_bytes() == compiler.compiled(PO), "run make locale"
    with PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert all(compiled.gettext(msgid) == msgstr for msgid, msgstr in _catalogue().items())


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "OK — site mairie-exemple, 4 hôtes, 1 commutateurs, 7 zones"),
        ({"LANG": "C.UTF-8"}, "OK — site mairie-exemple, 4 hosts, 1 switches, 7 zones"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "en"}, "4 hosts"),
        ({"LANG": "C.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "4 hôtes"),
    ],
)
def test_the_commands_speak_the_locales_language(cli: Any, monkeypatch: pytest.MonkeyPatch,
                                                 environment: dict[str, str], expected: str) -> None:  # fmt: skip
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = cli("check", "--no-secrets", str(INVENTORIES / "mairie-exemple"))
    assert result.exit_code == 0 and expected in result.stdout


def test_a_refused_wave_is_explained_in_french(cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = cli("onboard", str(INVENTORIES / "departement-exemple"), "--wave", "1", "--dry")
    assert result.exit_code == 1
    assert result.stdout.split()[:3] == ["contrôle", "résultat", "chiffres"]
    assert "aucune vérification complète enregistrée : lancer d'abord ferme verify INV" in result.stdout
    assert "ferme onboard : vague 1 (Fonctions support, 300 agents) non ouverte : le contrôle verify a échoué" in (
        result.stderr
    )

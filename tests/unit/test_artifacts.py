"""Rendered artifacts (nftables, Windows rules, vendor configs, matrice des flux) against reviewed golden files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.render.artifacts import render_artifacts
from ferme.site import load_site
from tests.conftest import EXAMPLES, INVENTORIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "artifacts"


def _artifacts(name: str) -> dict[str, str]:
    return render_artifacts(build_plan(load_site(INVENTORIES / name, with_secrets=False)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_artifacts_match_golden(name: str) -> None:
    produced = _artifacts(name)
    folder = GOLDEN / name
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        shutil.rmtree(folder, ignore_errors=True)
        for path, text in produced.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
    golden = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(golden)
    for path, text in produced.items():
        assert text == golden[path], f"{name}/{path} differs from its golden file"


@pytest.mark.parametrize("name", ["lab", "mairie-exemple", "departement-exemple"])
def test_nft_accepts_the_edge_ruleset(name: str, tmp_path: Path) -> None:
    """`nft -c` parses and checks the ruleset, unprivileged, in a user namespace of its own."""
    if shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.skip("nft or unshare missing (make setup installs nftables)")
    rulesets = {p: t for p, t in _artifacts(name).items() if p.endswith(".nft")}
    assert len(rulesets) == 1
    for path, text in rulesets.items():
        file = tmp_path / Path(path).name
        file.write_text(text)
        result = subprocess.run(["unshare", "-rn", "nft", "-c", "-f", str(file)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_nft_refuses_a_broken_ruleset(tmp_path: Path) -> None:
    """The check above can fail: a typo in a rule is caught."""
    if shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.skip("nft or unshare missing")
    text = _artifacts("lab")["firewall/lab-fw.nft"].replace("tcp dport 22", "tcp dprot 22")
    file = tmp_path / "broken.nft"
    file.write_text(text)
    result = subprocess.run(["unshare", "-rn", "nft", "-c", "-f", str(file)], capture_output=True, text=True)
    assert result.returncode != 0

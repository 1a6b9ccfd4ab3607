"""pyinfra.toml: ferme's run defaults, overridable per inventory."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from ferme.plan import build_plan
from ferme.site import load_site
from ferme.site.runconfig import RunConfig

ROOT = Path(__file__).resolve().parents[2]


def test_top_level_file_states_the_built_in_defaults() -> None:
    written = tomllib.loads((ROOT / "pyinfra.toml").read_text())["ferme"]
    assert written == RunConfig().to_json()


def test_inventory_file_overrides_key_by_key(copy_example) -> None:
    inventory = copy_example("mairie-exemple", secrets=False)
    (inventory / "pyinfra.toml").write_text("[ferme]\nparallel = 3\nconfirm_seconds = 120\n")
    plan = build_plan(load_site(inventory, with_secrets=False))
    assert plan["run"] == {**RunConfig().to_json(), "parallel": 3, "confirm_seconds": 120}
    assert plan["edge"]["confirm_seconds"] == 120
    assert plan["hosts"]["fw01"]["state"]["firewall"]["confirm_seconds"] == 120


def test_inventory_firewall_setting_wins_over_the_run_default(copy_example) -> None:
    inventory = copy_example("mairie-exemple", secrets=False)
    (inventory / "pyinfra.toml").write_text("[ferme]\nconfirm_seconds = 120\n")
    (inventory / "zz-firewall.yml").write_text("firewall:\n  confirm_seconds: 30\n")
    plan = build_plan(load_site(inventory, with_secrets=False))
    assert plan["edge"]["confirm_seconds"] == 30


def test_bad_value_is_one_line_naming_file_and_line(copy_example, cli) -> None:
    inventory = copy_example("mairie-exemple", secrets=False)
    (inventory / "pyinfra.toml").write_text("[ferme]\n# a comment\nparallel = 0\nparalel = 4\n")
    result = cli("check", "--no-secrets", str(inventory))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "pyinfra.toml" in line]
    assert any(":3:1: ferme.parallel: 0: a whole number from 1 to 500" in line for line in lines), lines
    assert any(":4:1: ferme.paralel: unknown setting" in line for line in lines), lines


def test_plan_json_records_the_run_defaults(copy_example, cli, tmp_path: Path) -> None:
    inventory = copy_example("lab", secrets=False)
    result = cli("plan", str(inventory), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["run"]["parallel"] == 10

"""The JSON Schema for editors is up to date, and every example file points at it."""

from __future__ import annotations

import json

from ferme.site.schema import json_schema
from tests.conftest import EXAMPLES, INVENTORIES, ROOT

MODELINE = "# yaml-language-server: $schema=../../schema/inventory.schema.json"


def test_committed_schema_is_current(cli) -> None:
    committed = json.loads((ROOT / "schema" / "inventory.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run `make schema` and commit schema/inventory.schema.json"
    result = cli("schema")
    assert json.loads(result.stdout) == committed


def test_every_example_file_has_the_modeline() -> None:
    for name in EXAMPLES:
        for path in sorted((INVENTORIES / name).glob("*.yml")):
            if path.name.endswith(".sops.yml"):
                continue
            assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE, path


def test_schema_describes_sections_and_refuses_unknown_keys() -> None:
    schema = json_schema()
    assert {"site", "agents", "zones", "hosts", "switches", "rds", "firewall"} <= set(schema["properties"])
    assert "required" not in schema  # each file holds only some sections
    assert schema["$defs"]["Zone"]["additionalProperties"] is False

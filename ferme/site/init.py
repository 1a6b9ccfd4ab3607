"""`ferme init`: make an inventory folder stand on its own once copied out of ferme's repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ferme.site.schema import json_schema
from ferme.site.yamlsrc import inventory_files

SCHEMA_FILE = "inventory.schema.json"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<target>\S+)\s*$")
PYINFRA_INVENTORY = '''"""pyinfra inventory of this site, for `pyinfra inventory.py farm.py` (ferme's farm deploy)."""

from ferme.pyinfra_inventory import pyinfra_groups

globals().update(pyinfra_groups(__file__))
'''


def init_folder(folder: Path) -> list[str]:
    """Write the schema next to the inventory, point the YAML files' modelines at it when theirs is
    broken, and add the pyinfra inventory if missing. Returns what was done, one line each."""
    done: list[str] = []
    schema_text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    schema_path = folder / SCHEMA_FILE
    if not schema_path.exists() or schema_path.read_text(encoding="utf-8") != schema_text:
        schema_path.write_text(schema_text, encoding="utf-8")
        done.append(f"wrote {schema_path} (the JSON Schema editors use to check and complete the YAML)")
    for path in inventory_files(folder):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        match = MODELINE.match(lines[0]) if lines else None
        if match and not (folder / match["target"]).is_file():
            lines[0] = f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
            path.write_text("".join(lines), encoding="utf-8")
            done.append(f"{path}: $schema now points to {SCHEMA_FILE} (was {match['target']}, not found)")
    if not (folder / "inventory.py").exists():
        (folder / "inventory.py").write_text(PYINFRA_INVENTORY, encoding="utf-8")
        done.append(f"wrote {folder / 'inventory.py'} (for plain pyinfra)")
    return done

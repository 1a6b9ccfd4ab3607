"""`ferme check` + `ferme plan` of departement-exemple, beside check-jsonschema on the same files.

check-jsonschema is what a consultant would otherwise run on YAML with a JSON Schema: it checks
each file's shape only (no ranges, no cross-references, no secrets, no plan). The ratio says
what ferme's extra work costs. Both are timed as commands, start-up included, median of N runs.
Target from the issue: ferme check + plan under 2 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INVENTORY = ROOT / "inventories" / "departement-exemple"
RUNS = 5


def timed(command: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        samples.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return statistics.median(samples)


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def report() -> str:
    from ferme.site.yamlsrc import inventory_files

    files = [str(p) for p in inventory_files(INVENTORY)]  # as ferme reads them (no secrets.sops.yml)
    with tempfile.TemporaryDirectory() as out:
        check = timed([str(BIN / "ferme"), "check", "--no-secrets", str(INVENTORY)])
        plan = timed([str(BIN / "ferme"), "plan", str(INVENTORY), "--out", out])
    jsonschema_bin = BIN / "check-jsonschema"
    if not jsonschema_bin.exists():
        raise SystemExit("check-jsonschema is missing: pip install -e '.[bench]'")
    # The schema describes the whole inventory, and a section may span files (certificates.yml adds to `rds:`):
    # it gets the files merged into one document as ferme reads them, without the `!secret` tag its YAML parser
    # refuses (a generous comparison: the merge is not timed).
    with tempfile.TemporaryDirectory() as plain:
        merged: dict = {}
        for name in files:
            _merge(merged, yaml.safe_load(Path(name).read_text(encoding="utf-8").replace("!secret ", "")) or {})
        document = Path(plain) / "inventory.json"
        document.write_text(json.dumps(merged), encoding="utf-8")
        schema = timed([str(jsonschema_bin), "--schemafile", str(ROOT / "schema" / "inventory.schema.json"),
                        str(document)])  # fmt: skip
    verdict = "met" if check + plan < 2 else "NOT met"
    return (
        "\n".join(
            [
                "## `ferme check` + `ferme plan` of departement-exemple",
                "",
                f"{len(files)} files; commands timed with their start-up, median of {RUNS} runs. check-jsonschema "
                "is what a consultant would otherwise run on the same YAML: its shape only (no ranges, "
                "cross-references, secrets or plan).",
                "",
                "| command | seconds |",
                "|---|---|",
                f"| `ferme check --no-secrets` | {check:.2f} |",
                f"| `ferme plan` | {plan:.2f} |",
                f"| **check + plan** (target < 2 s) | **{check + plan:.2f}** ({verdict}) |",
                f"| check-jsonschema (shape only) | {schema:.2f} |",
                "",
                f"ferme check / check-jsonschema: {check / schema:.2f}×.",
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    print(report())

"""Random damage to the example YAML: `ferme check` always ends in exit 0 or 2, never a traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferme.site import InventoryError, load_site
from ferme.site.secrets import SOPS_FILE
from tests.conftest import INVENTORIES

PROBLEM = re.compile(r"^[^\n]+:\d+:\d+: \S+: .+$")
SOURCE = INVENTORIES / "mairie-exemple"
FILES = sorted(p.name for p in SOURCE.glob("*.yml"))
YAML_NOISE = [*list(":-[]{}'\"#&*!|>%@`, \t\n"), "0", "a", "Z", "é", "1.2.3.4", "!secret", "<<"]


def _check(folder: Path) -> None:
    """The in-process equivalent of `ferme check`: a Site, or an InventoryError with good lines."""
    try:
        load_site(folder)
    except InventoryError as exc:
        assert exc.problems
        for line in str(exc).splitlines():
            assert PROBLEM.match(line), line


def _copy() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ferme-prop-")) / "site"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns(SOPS_FILE, "__pycache__", "*.py"))
    return folder


@st.composite
def text_damage(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(FILES))
    text = (SOURCE / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kind = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate", "swap"]))
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        lines.pop(i)
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "truncate":
        return name, text[: draw(st.integers(0, len(text)))]
    else:
        position = draw(st.integers(0, len(lines[i])))
        noise = draw(st.lists(st.sampled_from(YAML_NOISE), min_size=1, max_size=4))
        cut = position + (1 if kind == "replace" else 0)
        lines[i] = lines[i][:position] + "".join(noise) + lines[i][cut:]
    return name, "".join(lines)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, (*path, i))] or [path]
    return [path]


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["10.50.10.300", "10.50.10.0/33", "rdsh[05:01]", "x[1:2]y[3:4]", "", "+", "999.1.1.1+"]),
    st.lists(st.integers(0, 5000), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


class _Secret(str):
    """`!secret NAME` kept through a load/dump round trip of the test's own."""


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Loader.add_constructor("!secret", lambda loader, node: _Secret(loader.construct_scalar(node)))
_Dumper.add_representer(_Secret, lambda dumper, value: dumper.represent_scalar("!secret", str(value)))


@st.composite
def value_damage(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(FILES))
    data = yaml.load((SOURCE / name).read_text(encoding="utf-8"), Loader=_Loader)
    path = draw(st.sampled_from(_leaves(data)))
    if not path:
        return name, yaml.dump(draw(ODD_VALUES), Dumper=_Dumper)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = draw(ODD_VALUES)
    return name, yaml.dump(data, Dumper=_Dumper, allow_unicode=True)


# FERME_PROPERTY_EXAMPLES=2000 for a longer hunt.
@settings(
    max_examples=int(os.environ.get("FERME_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(text_damage(), value_damage()))
def test_damaged_inventory_gives_site_or_precise_problems(damage: tuple[str, str]) -> None:
    name, text = damage
    folder = _copy()
    try:
        (folder / name).write_text(text, encoding="utf-8")
        _check(folder)
    finally:
        shutil.rmtree(folder.parent)


def test_real_command_exits_0_or_2_without_traceback(tmp_path: Path) -> None:
    """The same through the installed command, for a few fixed kinds of damage."""
    damages = {
        "hosts.yml": lambda t: t.replace("hosts:", "hosts: [", 1),
        "network.yml": lambda t: t.replace("subnet: 10.50.10.0/24", "subnet: 10.50.10.1/24"),
        "site.yml": lambda t: t[: len(t) // 2],
        "services.yml": lambda t: t.replace("rds:", "rds: 5\nx:", 1),
    }
    for name, damage in damages.items():
        folder = tmp_path / name / "site"
        shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns(SOPS_FILE, "__pycache__"))
        path = folder / name
        path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "ferme.cli", "check", "--no-secrets", str(folder)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode in (0, 2), result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 2, f"{name}: the damage must be found"

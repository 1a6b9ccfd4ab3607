"""Read the YAML files of an inventory folder, remembering where every value was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ferme.site.errors import FieldPath, InventoryError, Mark, Problem, relative

SECRET_TAG = "!secret"
SKIPPED_SUFFIXES = (".sops.yml", ".sops.yaml")


@dataclass(frozen=True)
class SecretRef:
    """`!secret NAME` in the YAML: resolved later, never printed."""

    name: str
    mark: Mark
    path: FieldPath = ()

    def __repr__(self) -> str:
        return f"SecretRef({self.name!r})"


@dataclass
class Positions:
    """Where each field path was written (its value), and where its key was written."""

    values: dict[FieldPath, Mark] = field(default_factory=dict)
    keys: dict[FieldPath, Mark] = field(default_factory=dict)
    fallback: Mark = field(default_factory=lambda: Mark("inventory", 1, 1))

    def of(self, path: FieldPath, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its closest written parent."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return self.fallback


def _mark(node: Node, file: str) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed YAML node tree into plain Python values with positions."""

    def __init__(self, file: str, positions: Positions, problems: list[Problem]):
        self.file = file
        self.positions = positions
        self.problems = problems
        self.scalars = SafeConstructor()

    def build(self, node: Node, path: FieldPath) -> Any:
        self.positions.values[path] = _mark(node, self.file)
        if node.tag == SECRET_TAG:
            if not isinstance(node, ScalarNode) or not str(node.value).strip():
                self.problems.append(
                    Problem(_mark(node, self.file), path, "!secret needs a name", "write `!secret RADIUS_GW`")
                )
                return None
            return SecretRef(str(node.value).strip(), _mark(node, self.file), path)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag.startswith("!"):
            self.problems.append(
                Problem(_mark(node, self.file), path, f"unknown YAML tag {node.tag}", "only !secret is known")
            )
            return None
        try:
            return self.scalars.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problems.append(Problem(_mark(node, self.file), path, f"bad value: {exc.problem}"))
            return None

    def _key(self, node: Node) -> Any:
        """A mapping key as written, or None when it is not a plain scalar."""
        if not isinstance(node, ScalarNode) or node.tag.startswith("!"):
            return None
        try:
            return self.scalars.construct_object(node)
        except ConstructorError:
            return None

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            result.setdefault(k, v)
                continue
            key = self._key(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self.problems.append(
                    Problem(_mark(key_node, self.file), path, "keys must be plain names", "quote the key")
                )
                continue
            key = str(key)
            child = (*path, key)
            if key in result:
                self.problems.append(
                    Problem(_mark(key_node, self.file), child, "duplicate key", "each key once per mapping")
                )
                continue
            self.positions.keys[child] = _mark(key_node, self.file)
            result[key] = self.build(value_node, child)
        return result


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    """PyYAML's error, at the line where the trouble starts: an unclosed quote is reported by PyYAML
    where the string finally ends (often the end of the file), so name the line that opened it."""
    message = f"YAML syntax error: {exc.problem or exc.context}"
    opened = _unbalanced_quote_line(text)
    if exc.context and "quoted scalar" in exc.context and exc.context_mark:
        opened = (exc.context_mark.line + 1, exc.context_mark.column + 1)
    if opened:
        found = exc.problem_mark.line + 1 if exc.problem_mark else 0
        return Problem(Mark(name, *opened), (), "unclosed quoted string starts here",
                       f"PyYAML stopped at line {found}: {exc.problem or exc.context}")  # fmt: skip
    mark = exc.problem_mark or exc.context_mark
    return Problem(Mark(name, mark.line + 1, mark.column + 1) if mark else Mark(name, 1, 1), (), message)


def _unbalanced_quote_line(text: str) -> tuple[int, int] | None:
    """(line, column) of the first quote that a line opens and does not close, if any."""
    for number, line in enumerate(text.splitlines(), 1):
        quote, start, previous = "", 0, " "
        i = 0
        while i < len(line):
            char = line[i]
            if quote == '"' and char == "\\":
                i += 2
                continue
            if quote and char == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                quote = ""
            elif not quote and char == "#" and previous.isspace():
                break
            elif not quote and char in "'\"" and (previous in " :[{,-" or i == 0):
                quote, start = char, i
            previous = char
            i += 1
        if quote:
            return number, start + 1
    return None


def inventory_files(folder: Path) -> list[Path]:
    """The YAML files that make up an inventory, in a stable order."""
    files = [*folder.glob("*.yml"), *folder.glob("*.yaml")]
    return sorted(f for f in files if not f.name.endswith(SKIPPED_SUFFIXES))


def load_folder(folder: Path) -> tuple[dict[str, Any], Positions]:
    """Merge an inventory folder into one mapping; raise InventoryError with every problem found."""
    positions = Positions()
    problems: list[Problem] = []
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if not folder.is_dir():
        raise InventoryError([Problem(Mark(relative(folder), 1, 1), (), "no such inventory folder")])
    files = inventory_files(folder)
    if not files:
        raise InventoryError([Problem(Mark(relative(folder), 1, 1), (), "no .yml file in this folder")])
    positions.fallback = Mark(relative(files[0]), 1, 1)
    for file in files:
        name = relative(file)
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            problems.append(Problem(Mark(name, line, col), (), f"not UTF-8 (byte 0x{raw[exc.start]:02x})",
                                    "save the file as UTF-8"))  # fmt: skip
            continue
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            problems.append(_syntax_problem(exc, name, text))
            continue
        except yaml.YAMLError as exc:
            problems.append(Problem(Mark(name, 1, 1), (), f"unreadable YAML: {exc}"))
            continue
        if root is None:
            problems.append(Problem(Mark(name, 1, 1), (), "the file is empty", "add a section, or delete the file"))
            continue
        if not isinstance(root, MappingNode):
            problems.append(Problem(_mark(root, name), (), "the file must be a mapping of sections"))
            continue
        _merge_file(root, name, merged, origin, positions, problems)
    if problems:
        raise InventoryError(problems)
    return merged, positions


def _merge_file(
    root: MappingNode,
    name: str,
    merged: dict[str, Any],
    origin: dict[str, str],
    positions: Positions,
    problems: list[Problem],
) -> None:
    """Top-level sections may be split over files: mappings merge, lists append."""
    for key_node, value_node in root.value:
        builder = _Builder(name, positions, problems)
        key = builder._key(key_node)
        if not isinstance(key, str):
            problems.append(Problem(_mark(key_node, name), (), "section names are plain words", "e.g. hosts:"))
            continue
        if key not in merged:
            positions.keys[(key,)] = _mark(key_node, name)
            origin[key] = name
            merged[key] = builder.build(value_node, (key,))
            continue
        here = _mark(key_node, name)
        if isinstance(merged[key], list) and isinstance(value_node, SequenceNode):
            offset = len(merged[key])
            items = [builder.build(n, (key, offset + i)) for i, n in enumerate(value_node.value)]
            merged[key].extend(items)
        elif isinstance(merged[key], dict) and isinstance(value_node, MappingNode):
            saved = positions.values.get((key,))
            extra = builder.build(value_node, (key,))
            if saved is not None:
                positions.values[(key,)] = saved
            for sub, value in extra.items():
                if sub in merged[key]:
                    problems.append(
                        Problem(
                            positions.keys[(key, sub)], (key, sub), f"also defined in {origin[key]}", "define it once"
                        )
                    )
                else:
                    merged[key][sub] = value
        else:
            problems.append(
                Problem(here, (key,), f"section also defined in {origin[key]}", "merge the two definitions")
            )

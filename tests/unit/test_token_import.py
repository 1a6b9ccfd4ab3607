"""Hardware tokens' seeds from the vendor's file (issue 12): PSKC (RFC 6030, plain or encrypted with a pre-shared
key, MAC checked) and CSV; `ferme secrets import-tokens` stores the seeds of the inventory's tokens only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ferme.site.secrets import decrypt_sops
from ferme.site.tokens import TokenFileError, read_tokens

SEED = bytes.fromhex("3132333435363738393031323334353637383930")  # RFC 4226's test seed
PSK = bytes.fromhex("12345678901234567890123456789012")


def _encrypt(key: bytes, data: bytes) -> bytes:
    iv = os.urandom(16)
    pad = 16 - len(data) % 16
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


def _pskc(packages: list[str], mac_key: bytes | None = None) -> str:
    head = ""
    if mac_key is not None:
        head = (
            '<MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><MACKey>'
            '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><xenc:CipherData>'
            f"<xenc:CipherValue>{base64.b64encode(_encrypt(PSK, mac_key)).decode()}</xenc:CipherValue>"
            "</xenc:CipherData></MACKey></MACMethod>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?><KeyContainer Version="1.0" '
            'xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">'
            + head + "".join(packages) + "</KeyContainer>")  # fmt: skip


def _package(serial: str, secret: str, algorithm: str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp") -> str:
    return (f'<KeyPackage><DeviceInfo><Manufacturer>Exemple</Manufacturer><SerialNo>{serial}</SerialNo></DeviceInfo>'
            f'<Key Id="{serial}" Algorithm="{algorithm}"><AlgorithmParameters><ResponseFormat Length="6" '
            f'Encoding="DECIMAL"/></AlgorithmParameters><Data><Secret>{secret}</Secret></Data></Key>'
            "</KeyPackage>")  # fmt: skip


def _plain(seed: bytes) -> str:
    return f"<PlainValue>{base64.b64encode(seed).decode()}</PlainValue>"


def _encrypted(seed: bytes, mac_key: bytes, tamper: bool = False) -> str:
    data = _encrypt(PSK, seed)
    mac = hmac.new(mac_key, data, hashlib.sha1).digest()
    if tamper:
        data = data[:-1] + bytes([data[-1] ^ 1])
    return ('<EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
            f"<xenc:CipherData><xenc:CipherValue>{base64.b64encode(data).decode()}</xenc:CipherValue></xenc:CipherData>"
            f"</EncryptedValue><ValueMAC>{base64.b64encode(mac).decode()}</ValueMAC>")  # fmt: skip


def test_plain_pskc(tmp_path: Path) -> None:
    path = tmp_path / "jetons.pskc"
    path.write_text(
        _pskc(
            [
                _package("OATH0001", _plain(SEED)),
                _package("OATH0002", _plain(b"x" * 20), "urn:ietf:params:xml:ns:keyprov:pskc:totp"),
            ]
        )
    )
    seeds = read_tokens(path)
    assert [(s.serial, s.seed, s.kind, s.digits) for s in seeds] == [
        ("OATH0001", SEED.hex(), "hotp", 6), ("OATH0002", (b"x" * 20).hex(), "totp", 6)]  # fmt: skip


def test_encrypted_pskc_needs_the_key_and_its_mac(tmp_path: Path) -> None:
    mac_key = os.urandom(20)
    path = tmp_path / "jetons.pskc"
    path.write_text(_pskc([_package("OATH0001", _encrypted(SEED, mac_key))], mac_key))
    assert read_tokens(path, PSK.hex())[0].seed == SEED.hex()
    with pytest.raises(TokenFileError, match="give the pre-shared key"):
        read_tokens(path)
    with pytest.raises(TokenFileError, match=r"wrong pre-shared key|MAC"):
        read_tokens(path, "00" * 16)
    path.write_text(_pskc([_package("OATH0001", _encrypted(SEED, mac_key, tamper=True))], mac_key))
    with pytest.raises(TokenFileError):
        read_tokens(path, PSK.hex())


def test_csv_and_its_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "jetons.csv"
    path.write_text("# serial, seed, type, digits\nOATH0001, " + SEED.hex() + ", hotp, 6\nOATH0002," + "ab" * 20 + "\n")
    assert [(s.serial, s.kind) for s in read_tokens(path)] == [("OATH0001", "hotp"), ("OATH0002", None)]
    path.write_text("OATH0001, not-hex\n")
    with pytest.raises(TokenFileError, match=r"jetons.csv:1: expected"):
        read_tokens(path)
    path.write_text(f"OATH0001,{SEED.hex()}\nOATH0001,{SEED.hex()}\n")
    with pytest.raises(TokenFileError, match="serial listed twice: OATH0001"):
        read_tokens(path)


def test_import_stores_the_inventorys_tokens_only(copy_example, cli, tmp_path: Path) -> None:
    folder = copy_example("lab")
    path = tmp_path / "jetons.csv"
    path.write_text(f"LAB-DEMO-1,{SEED.hex()},hotp\nAUTRE-9,{'cd' * 20}\n")
    result = cli("secrets", "import-tokens", str(folder), str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 seeds stored (token_agent_demo); 2 tokens in jetons.csv, 1 not in the inventory" in (
        result.stdout + result.stderr
    )
    assert SEED.hex() not in (result.stdout + result.stderr) and "cd" * 20 not in (result.stdout + result.stderr)
    values = decrypt_sops(folder / "secrets.sops.yml")
    assert values["token_agent_demo"] == SEED.hex() and "cd" * 20 not in values.values()
    broken = tmp_path / "broken.csv"
    broken.write_text("LAB-DEMO-1,zz\n")
    result = cli("secrets", "import-tokens", str(folder), str(broken))
    assert result.exit_code == 2 and "broken.csv:1: expected" in (result.stdout + result.stderr)

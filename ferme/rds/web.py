"""RD Web's HTML5 web client and machineKey: the facts that say whether they are as wanted, and the keys.

Whether the web client is published as wanted is read from a marker ferme writes after a successful install
(the files' hashes and the broker certificate's thumbprint): changing one of them in the inventory installs
again. The machineKey is compared by a digest computed on the host: the keys never travel back.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ferme.powershell.build import STAGING
from ferme.powershell.quote import ps_array

MARKER = STAGING + "\\web-client.txt"
RDWEB_PAGES = "MACHINE/WEBROOT/APPHOST/Default Web Site/RDWeb/Pages"


def marker(web_client: dict[str, Any]) -> str:
    certificate = web_client["broker_certificate"]
    return "\r\n".join([
        "ferme: the HTML5 web client, published from",
        f"module {web_client['module']['sha256']}",
        f"package {web_client['package']['sha256']}",
        f"broker-certificate {certificate['thumbprint'] if certificate else '-'}",
        "",
    ])  # fmt: skip


def machine_keys(secret: str) -> dict[str, str]:
    """IIS's machineKey, derived from the site's secret: the same on every RD Web server, never stored elsewhere."""
    key = secret.encode()
    return {
        "validationKey": hmac.new(key, b"ferme rdweb validation", hashlib.sha512).hexdigest().upper(),
        "decryptionKey": hmac.new(key, b"ferme rdweb decryption", hashlib.sha256).hexdigest().upper(),
        "validation": "HMACSHA256",
        "decryption": "AES",
    }


def machine_key_digest(keys: dict[str, str]) -> str:
    """What the probe computes on the host from the configured keys (SHA-256 of the four values joined by |)."""
    text = "|".join([keys["validationKey"], keys["decryptionKey"], keys["validation"], keys["decryption"]])
    return hashlib.sha256(text.encode()).hexdigest().upper()


def machine_key_probe(paths: list[str]) -> list[str]:
    return [
        "$facts.machine_keys = [ordered]@{}",
        f"foreach ($name in {ps_array(paths)}) {{",
        "    $facts.machine_keys[$name] = $null",
        "    if (-not (Get-Module -ListAvailable -Name WebAdministration)) { continue }",
        "    Import-Module -Name WebAdministration",
        "    $key = Get-WebConfiguration -PSPath $name -Filter 'system.web/machineKey'",
        "    $values = @($key.validationKey, $key.decryptionKey, [string]$key.validation, [string]$key.decryption)",
        "    $text = $values -join '|'",
        "    $sha = [Security.Cryptography.SHA256]::Create()",
        "    $hash = $sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($text))",
        "    $facts.machine_keys[$name] = [BitConverter]::ToString($hash).Replace('-', '')",
        "}",
    ]  # fmt: skip

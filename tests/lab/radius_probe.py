"""A RADIUS client for the lab's MFA probes (pyrad), and the HOTP codes of a software token (RFC 4226)."""

from __future__ import annotations

import hashlib
import hmac
import struct
import tempfile
from pathlib import Path

from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary
from pyrad.packet import AccessAccept, AccessRequest

# The attributes a PAP request and its answer use (RFC 2865, RFC 3579).
DICTIONARY = """\
ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE NAS-Identifier 32 string
ATTRIBUTE Message-Authenticator 80 octets
"""


def hotp(seed_hex: str, counter: int, digits: int = 6) -> str:
    """The HOTP code of a token for one counter value (RFC 4226, section 5.3)."""
    mac = hmac.new(bytes.fromhex(seed_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def _dictionary() -> Dictionary:
    with tempfile.NamedTemporaryFile("w", suffix=".dict", delete=False) as handle:
        handle.write(DICTIONARY)
    try:
        return Dictionary(handle.name)
    finally:
        Path(handle.name).unlink()


def authenticate(server: str, secret: str, user: str, password: str, timeout: float = 8) -> str:
    """Send one Access-Request (PAP); return `accept`, `reject` or `timeout`."""
    client = Client(server=server, secret=secret.encode(), dict=_dictionary())
    client.timeout, client.retries = timeout, 1
    request = client.CreateAuthPacket(code=AccessRequest, User_Name=user, NAS_Identifier="ferme-probe")
    request["User-Password"] = request.PwCrypt(password)
    try:
        reply = client.SendPacket(request)
    except Timeout:
        return "timeout"
    return "accept" if reply.code == AccessAccept else "reject"

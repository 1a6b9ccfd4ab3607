"""Role mfa: privacyIDEA, its console over TLS and FreeRADIUS run; the tokens ferme manages are there, the
right ones active, and none is locked (a locked token is a failure naming its agent: an administrator resets it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ferme.roles.mfa import converger

pytestmark = pytest.mark.role("mfa")


def test_services_run(linux_host: Any) -> None:
    for name in ("privacyidea", "freeradius", "nginx"):
        service = linux_host.service(name)
        assert service.is_running and service.is_enabled, name


def test_listening(linux_host: Any, planned: dict[str, Any]) -> None:
    assert linux_host.socket("udp://0.0.0.0:1812").is_listening
    assert linux_host.socket("tcp://0.0.0.0:443").is_listening
    port = planned["state"]["mfa"]["port"]
    assert linux_host.socket(f"tcp://127.0.0.1:{port}").is_listening  # privacyIDEA on loopback only
    assert not linux_host.socket(f"tcp://0.0.0.0:{port}").is_listening


def test_console_answers_over_tls(linux_host: Any) -> None:
    fetch = (
        "python3 -c 'import ssl, urllib.request as u; "
        'print(u.urlopen("https://127.0.0.1/healthz/", context=ssl._create_unverified_context()).status)\''
    )
    assert linux_host.check_output(fetch) == "200"


def test_secrets_are_private(linux_host: Any) -> None:
    for path in ("/etc/privacyidea/ferme-state.json", "/var/lib/privacyidea/enckey", "/etc/privacyidea/tls/server.key"):
        assert linux_host.file(path).mode & 0o077 == 0, path
    assert linux_host.file("/etc/freeradius/3.0/clients.conf").mode & 0o007 == 0


def _tokens(linux_host: Any) -> dict[str, Any]:
    status: dict[str, Any] = json.loads(linux_host.check_output(converger("status")))
    return status["tokens"]  # type: ignore[no-any-return]


def test_tokens_as_planned(linux_host: Any, planned: dict[str, Any]) -> None:
    tokens = _tokens(linux_host)
    for token in planned["state"]["mfa"]["tokens"]:
        found = tokens.get(token["serial"])
        assert found is not None, f"token {token['serial']} is not enrolled"
        assert found["agent"] == token["agent"] and found["active"] == token["active"], token["serial"]


def test_no_token_locked(linux_host: Any) -> None:
    locked = [f"{serial} ({t['agent']}, {t['failures']} failures)" for serial, t in _tokens(linux_host).items()
              if t["locked"]]  # fmt: skip
    assert not locked, f"locked tokens (reset them in privacyIDEA): {', '.join(locked)}"

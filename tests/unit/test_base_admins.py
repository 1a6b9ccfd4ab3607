"""The admin accounts' stamp (roles/base/admins.py): its commands are valid POSIX shell for any list of admins, and
the wanted digest follows the inventory. Its behaviour on a host (a no-op reads no account fact, a change by hand
is set back) is tested on the lab: tests/lab/test_1_lifecycle.py."""

from __future__ import annotations

import subprocess

import pytest

from roles.base import admins

ADMINS = [{"name": "exploit", "ssh_keys": ["ssh-ed25519 AAAA exploit@poste"], "sudo": True},
          {"name": "o'brien", "ssh_keys": [], "sudo": False}]  # fmt: skip


@pytest.mark.parametrize("accounts", [ADMINS, ADMINS[:1], []], ids=["two", "one", "none"])
def test_the_commands_parse_in_dash(accounts: list[dict[str, object]]) -> None:
    for command in (admins.check_command(accounts), admins.stamp_command(accounts)):
        result = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True, check=False)
        assert result.returncode == 0, (command, result.stderr)


def test_the_live_digest_is_one_line_and_the_wanted_one_follows_the_inventory() -> None:
    # On this machine no such account exists: the digest is still one line (the errors are hashed too).
    live = subprocess.run(["sh", "-c", admins.live_command([{"name": "ferme-no-such-admin"}])], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert len(live.strip()) == 64 and live.count("\n") == 1
    other_key = [{**ADMINS[0], "ssh_keys": ["ssh-ed25519 BBBB exploit@poste"]}, ADMINS[1]]
    assert admins.wanted_digest(ADMINS) != admins.wanted_digest(other_key)
    assert admins.wanted_digest(ADMINS) == admins.wanted_digest([dict(reversed(list(a.items()))) for a in ADMINS])

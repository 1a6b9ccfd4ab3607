"""MFA in the lab, with a real RADIUS client (pyrad) on the controller, in the admin zone, as the operators' probe
(`mfa.radius_clients`: `controleur`, secret `radius_probe`): the test agent `agent.demo` and its software HOTP token
(`token_agent_demo`, `pin_agent_demo`), through the edge to the MFA server's management leg."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from ferme.roles.mfa import converger

from ferme.site.secrets import secret_value
from tests.lab.conftest import ROOT, ferme, ssh
from tests.lab.radius_probe import authenticate, hotp

MFA = "198.19.4.20"  # lab-mfa's management leg (the lab inventory, moved to 198.19)
SECRETS = ("mfa_admin", "radius_vpn", "radius_probe", "token_agent_demo")


class Agent:
    """agent.demo as the tests drive it: its PIN, its token's seed, and the token's counter as they use it."""

    def __init__(self, inventory: Path) -> None:
        self.pin = secret_value("pin_agent_demo", inventory)
        self.seed = secret_value("token_agent_demo", inventory)
        self.secret = secret_value("radius_probe", inventory)
        self.counter = 0

    def code(self, counter: int | None = None) -> str:
        return hotp(self.seed, self.counter if counter is None else counter)

    def ask(self, password: str, user: str = "agent.demo") -> str:
        return authenticate(MFA, self.secret, user, password)


@pytest.fixture(scope="module")
def agent(inventory: Path) -> Agent:
    return Agent(inventory)


def test_pin_and_otp_accepted_and_everything_else_refused(agent: Agent) -> None:
    first = agent.code(0)
    assert agent.ask(agent.pin + first) == "accept"
    assert agent.ask(agent.pin + first) == "reject", "a replayed code must be refused"
    assert agent.ask(agent.pin + ("000000" if first != "000000" else "111111")) == "reject", "wrong code"
    wrong_pin = "0" + agent.pin if not agent.pin.startswith("0") else "1" + agent.pin[1:]
    assert agent.ask(wrong_pin + agent.code(1)) == "reject", "wrong PIN"
    assert agent.ask(agent.pin + agent.code(1), user="agent.inconnu") == "reject", "unknown user"
    assert agent.ask(agent.code(1)) == "reject", "a code without its PIN"
    # The wrong PIN did not use code 1 up: the agent's next try with it passes.
    assert agent.ask(agent.pin + agent.code(1)) == "accept"
    # A client that does not know its shared secret gets no answer at all.
    assert authenticate(MFA, "not-the-secret", "agent.demo", agent.pin + agent.code(2), timeout=2) == "timeout"


def test_wrong_codes_lock_the_token_and_verify_names_it(inventory: Path, agent: Agent) -> None:
    lockout = 5  # mfa.lockout_after in inventories/lab
    for _ in range(lockout):
        assert agent.ask(agent.pin + "000000") == "reject"
    assert agent.ask(agent.pin + agent.code(2)) == "reject", "a locked token refuses even the right code"
    result = ferme("verify", str(inventory), "--limit", "lab-mfa", check=False)
    assert result.returncode != 0, result.stdout
    assert "LAB-DEMO-1 (agent.demo, 5 failures)" in result.stdout + result.stderr
    # The administrator resets it (privacyIDEA's console or the converger on the host); the agent gets in again.
    reset = ssh(MFA, converger("reset", "LAB-DEMO-1"))
    assert "failure counter cleared" in reset.stdout, reset.stdout + reset.stderr
    assert agent.ask(agent.pin + agent.code(3)) == "accept"
    assert "verify passed" in ferme("verify", str(inventory), "--limit", "lab-mfa").stdout


def _values(inventory: Path) -> dict[str, str]:
    return {name: secret_value(name, inventory) for name in SECRETS}


def test_no_secret_in_the_plan_the_build_the_logs_or_git(inventory: Path, agent: Agent, tmp_path: Path) -> None:
    values = _values(inventory)
    apply = ferme("apply", str(inventory), "--limit", "lab-mfa", "--report", str(tmp_path / "apply.json"))
    ours = apply.stdout + apply.stderr
    ours += ferme("plan", str(inventory), "--out", str(tmp_path / "build")).stdout
    ours += "".join(p.read_text(errors="replace") for p in (tmp_path / "build").rglob("*") if p.is_file())
    ours += subprocess.run(["git", "-C", str(ROOT), "grep", "-I", "-h", "-e", agent.seed, "-e", values["mfa_admin"]],
                           capture_output=True, text=True, check=False).stdout  # fmt: skip
    logs = ssh(MFA, "cat /var/log/privacyidea/*.log /var/log/freeradius/radius.log /var/log/nginx/*.log; "
                    "journalctl --no-pager -o cat").stdout  # fmt: skip
    assert len(logs) > 1000, "the host's logs were not read"
    for name, value in values.items():
        assert value not in ours, f"secret {name} in ferme's output or build"
        assert value not in logs, f"secret {name} in the MFA server's logs"
    pin = re.compile(rf"(?<!\d){re.escape(agent.pin)}(?!\d)")
    assert not pin.search(ours), "the agent's PIN in ferme's output or build"
    for counter in range(4):  # what the agent typed: PIN followed by a code
        assert agent.pin + agent.code(counter) not in logs, "a PIN+OTP in the MFA server's logs"


MFA2 = "198.19.4.21"  # lab-mfa2's management leg: the second MFA server, sharing lab-mfa's PostgreSQL


def test_two_servers_share_the_counters(agent: Agent) -> None:
    """A code used at one MFA server is refused at the other (one database: the VPN and the portal ask both)."""
    counter = json.loads(ssh(MFA, converger("status")).stdout)["tokens"]["LAB-DEMO-1"]["counter"]
    first = agent.pin + agent.code(counter)
    assert agent.ask(first) == "accept"
    assert authenticate(MFA2, agent.secret, "agent.demo", first) == "reject", "replayed at the other server"
    second = agent.pin + agent.code(counter + 1)
    assert authenticate(MFA2, agent.secret, "agent.demo", second) == "accept"
    assert agent.ask(second) == "reject", "replayed at the first server"
    both = [json.loads(ssh(a, converger("status")).stdout)["tokens"]["LAB-DEMO-1"] for a in (MFA, MFA2)]
    assert both[0] == both[1] and both[0]["counter"] == counter + 2 and both[0]["failures"] == 1, both

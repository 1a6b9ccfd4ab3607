"""Verification suites run by `ferme verify`: parametrised from the plan, one testinfra host per Linux host.

The context file (written by `ferme verify`) says where the plan is and how to reach the hosts.
SSH host keys are checked against the lab's (or the user's) known_hosts: no host is trusted blindly.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import paramiko
import pytest
import testinfra


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--ferme-context", help="JSON context written by `ferme verify`")


def _context(config: pytest.Config) -> dict[str, Any]:
    path = config.getoption("--ferme-context")
    if not path:
        raise pytest.UsageError("tests/infra runs through `ferme verify INVENTORY`")
    return json.loads(Path(path).read_text())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`linux_host` → every Debian host of the plan (or those with the suite's `role` marker);
    `windows` → every managed Windows host."""
    if "windows" in metafunc.fixturenames:
        context = _context(metafunc.config)
        plan = json.loads(Path(context["plan"]).read_text())
        names = [name for name, h in plan["hosts"].items() if h["os"] == "windows" and h["managed"]
                 and (not context.get("limit") or name in context["limit"])]  # fmt: skip
        metafunc.parametrize("windows", names, ids=names, indirect=True)
    if "switch" in metafunc.fixturenames:
        context = _context(metafunc.config)
        plan = json.loads(Path(context["plan"]).read_text())
        names = [name for name, sw in plan["switches"].items() if sw["connection"].get("password_secret")
                 and sw["vendor"] in ("cisco_ios", "aruba_aoscx", "hp_procurve")
                 and (not context.get("limit") or name in context["limit"])]  # fmt: skip
        metafunc.parametrize("switch", names, ids=names, indirect=True)
    if "linux_host" not in metafunc.fixturenames:
        return
    context = _context(metafunc.config)
    plan = json.loads(Path(context["plan"]).read_text())
    marker = metafunc.definition.get_closest_marker("role")
    role = marker.args[0] if marker else None
    names = [
        name for name, h in plan["hosts"].items()
        if h["os"] == "debian" and h["managed"] and (role is None or role in h["roles"])
        and (not context.get("limit") or name in context["limit"])
    ]  # fmt: skip
    metafunc.parametrize("linux_host", names, ids=names, indirect=True)


@pytest.fixture(scope="session")
def context(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _context(request.config)


@pytest.fixture(scope="session")
def plan(context: dict[str, Any]) -> dict[str, Any]:
    return json.loads(Path(context["plan"]).read_text())  # type: ignore[no-any-return]


_clients: dict[str, Any] = {}


def _connect(name: str, planned: dict[str, Any], context: dict[str, Any]) -> Any:
    connection = planned["connection"]
    address = connection["address"]
    try:
        socket.create_connection((address, connection["port"]), timeout=2).close()
    except OSError as exc:
        # Not verified is not verified: an unreachable host fails the run.
        pytest.fail(f"{name} ({address}) is not reachable: {exc}", pytrace=False)
    client = paramiko.SSHClient()
    client.load_host_keys(context["known_hosts"]) if context.get("known_hosts") else client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(address, port=connection["port"], username=connection["user"],
                   key_filename=context.get("ssh_key"), timeout=10, allow_agent=not context.get("ssh_key"))  # fmt: skip
    host = testinfra.get_host(f"paramiko://{connection['user']}@{address}:{connection['port']}")
    host.backend.__dict__["client"] = client  # testinfra's own client would accept any host key
    return host


@pytest.fixture
def linux_host(request: pytest.FixtureRequest, plan: dict[str, Any], context: dict[str, Any]) -> Any:
    name = request.param
    if name not in _clients:
        _clients[name] = _connect(name, plan["hosts"][name], context)
    return _clients[name]


_switches: dict[str, Any] = {}


@pytest.fixture
def switch(request: pytest.FixtureRequest, plan: dict[str, Any], context: dict[str, Any]) -> Any:
    """A netmiko session to the switch (its SSH host key checked against the known_hosts when given)."""
    from netmiko import ConnectHandler

    from ferme.connectors.netdev import DEVICE_TYPES
    from ferme.site.secrets import secret_value

    name = request.param
    if name not in _switches:
        planned = plan["switches"][name]
        address = planned["management"]["address"]
        try:
            socket.create_connection((address, planned["connection"]["port"]), timeout=2).close()
        except OSError as exc:
            pytest.fail(f"{name} ({address}) is not reachable: {exc}", pytrace=False)
        password = secret_value(planned["connection"]["password_secret"], Path(context.get("inventory") or "."))
        known = context.get("known_hosts")
        keys = {"ssh_strict": True, "system_host_keys": not known, "alt_host_keys": bool(known),
                "alt_key_file": known or ""}  # fmt: skip
        session = ConnectHandler(device_type=DEVICE_TYPES[planned["vendor"]], host=address,
                                 port=planned["connection"]["port"], username=planned["connection"]["user"],
                                 password=password, secret=password, **keys)  # fmt: skip
        if not session.check_enable_mode():
            session.enable()
        _switches[name] = (name, planned, session)
    return _switches[name]


@pytest.fixture
def planned(request: pytest.FixtureRequest, plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's slice for the host under test."""
    return plan["hosts"][request.node.callspec.params["linux_host"]]  # type: ignore[no-any-return]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "role(name): the suite applies to hosts with this role")


def pytest_sessionfinish(session: pytest.Session) -> None:
    for client in _clients.values():
        client.backend.client.close()
    for _, _, netmiko_session in _switches.values():
        netmiko_session.disconnect()

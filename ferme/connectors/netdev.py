"""pyinfra connector `@netdev/<switch>`: a switch's CLI over SSH through netmiko, one session per switch per run.

Host data (from `ferme apply`): netdev_hostname, netdev_vendor (cisco_ios, aruba_aoscx, hp_procurve), netdev_user,
netdev_port, netdev_password_secret (the *name* of the secret, resolved when connecting), netdev_known_hosts
(the lab's; else the user's ~/.ssh/known_hosts: a switch's host key is always checked), ferme_inventory.

Facts run `show` commands through `run_shell_command`; the configuration push (ferme/operations/netdev.py)
uses the same session through `session()`. Nothing here writes to a switch by itself.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, TypedDict

from pyinfra.api.exceptions import ConnectError
from pyinfra.connectors.base import BaseConnector, DataMeta
from pyinfra.connectors.util import CommandOutput, OutputLine

from ferme.connectors.secret import password_of

# ferme's vendor names are netmiko's device types.
DEVICE_TYPES = {"cisco_ios": "cisco_ios", "aruba_aoscx": "aruba_aoscx", "hp_procurve": "hp_procurve"}
# What a switch answers to a line it refuses (netmiko's error_pattern on each line of a push).
REJECTED = r"% ?Invalid|% ?Incomplete|% ?Ambiguous|Invalid input|Unknown command|Command rejected"

DATA_META = {
    "netdev_hostname": DataMeta("address to connect to"),
    "netdev_vendor": DataMeta("cisco_ios, aruba_aoscx or hp_procurve"),
    "netdev_user": DataMeta("user", "admin"),
    "netdev_port": DataMeta("SSH port", 22),
    "netdev_password_secret": DataMeta("name of the inventory secret holding the password"),
    "netdev_known_hosts": DataMeta("known_hosts file holding the switch's SSH host key"),
    "ferme_inventory": DataMeta("inventory folder, where the secret is resolved"),
}
SESSIONS: dict[str, int] = {}  # SSH sessions opened per switch in this process (one per run is the rule)


class NetdevData(TypedDict, total=False):
    netdev_hostname: str
    netdev_vendor: str
    netdev_user: str
    netdev_port: int
    netdev_password_secret: str | None
    netdev_known_hosts: str | None
    ferme_inventory: str | None


def _password(data: Any) -> str:
    return password_of(data.get("netdev_password_secret"), data.get("ferme_inventory"),
                       "no password for the switch: set its connection.password (a !secret)")  # fmt: skip


class NetdevConnector(BaseConnector):
    handles_execution = True
    data_cls = NetdevData
    data_meta = DATA_META

    def __init__(self, state: Any, host: Any):
        super().__init__(state, host)
        self._session: Any = None

    @staticmethod
    def make_names_data(name: str) -> Any:
        yield f"@netdev/{name}", {"netdev_hostname": name}, ["@netdev"]

    def connect(self) -> None:
        if self._session is not None:
            return
        from netmiko import ConnectHandler
        from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

        data = self.data
        vendor = data.get("netdev_vendor", "")
        if vendor not in DEVICE_TYPES:
            raise ConnectError(f"no netmiko device type for vendor {vendor!r}")
        password = _password(data)
        known = data.get("netdev_known_hosts")
        # The switch's host key is checked: against the lab's known_hosts, else the user's (~/.ssh/known_hosts).
        options: dict[str, Any] = {"ssh_strict": True, "system_host_keys": not known, "alt_host_keys": bool(known),
                                   "alt_key_file": known or ""}  # fmt: skip
        log = os.environ.get("FERME_NETDEV_LOG")  # a folder: one netmiko session log per switch (secrets masked)
        if log:
            options["session_log"] = str(Path(log) / f"{self.host.name.split('/')[-1]}.log")
        try:
            session = ConnectHandler(device_type=DEVICE_TYPES[vendor], host=data["netdev_hostname"],
                                     port=int(data.get("netdev_port") or 22), username=data.get("netdev_user"),
                                     password=password, secret=password, conn_timeout=15, auth_timeout=20,
                                     banner_timeout=20, fast_cli=False, **options)  # fmt: skip
            if not session.check_enable_mode():
                session.enable()
        except (NetmikoAuthenticationException, NetmikoTimeoutException, OSError, ValueError) as exc:
            raise ConnectError(f"{data['netdev_hostname']}: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
        SESSIONS[self.host.name] = SESSIONS.get(self.host.name, 0) + 1
        self._session = session

    def session(self) -> Any:
        """The run's netmiko session (opened on first use)."""
        if self._session is None:
            self.connect()
        return self._session

    def disconnect(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                session.disconnect()

    def run_shell_command(self, command: Any, print_output: bool = False, print_input: bool = False,
                          **arguments: Any) -> tuple[bool, CommandOutput]:  # fmt: skip
        """A `show` command; its output as stdout lines."""
        text = command.get_raw_value() if hasattr(command, "get_raw_value") else str(command)
        try:
            output = self.session().send_command(text, read_timeout=60)
        except Exception as exc:  # netmiko's read timeouts, a closed channel
            return False, CommandOutput([OutputLine("stderr", f"{type(exc).__name__}: {exc}")])
        lines = [OutputLine("stdout", line) for line in str(output).splitlines()]
        failed = any(line.line.lstrip().startswith("% Invalid") for line in lines)
        return not failed, CommandOutput(lines)

    def put_file(self, *args: Any, **kwargs: Any) -> bool:
        raise NotImplementedError("a switch takes configuration lines, not files")

    def get_file(self, *args: Any, **kwargs: Any) -> bool:
        raise NotImplementedError("a switch's configuration is read with show running-config")

"""pyinfra connector `@winrm/<host>`: commands are PowerShell scripts run in one WinRS shell per host per run.

Host data (from ferme's inventory adapter or `--data`): winrm_hostname, winrm_user, winrm_port (5986),
winrm_auth (ntlm, kerberos, credssp), winrm_ca_bundle, and winrm_password_secret: the *name* of the
secret, resolved when connecting, so that no password sits in host data (`debug-inventory` prints it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from io import IOBase
from pathlib import Path
from typing import Any, TypedDict

from pyinfra.api.exceptions import ConnectError
from pyinfra.connectors.base import BaseConnector, DataMeta
from pyinfra.connectors.util import CommandOutput, OutputLine

from ferme.connectors.secret import password_of
from ferme.connectors.winrs import Result, Session, WinRMError
from ferme.site.defaults import WINRM_AUTH, WINRM_PORT, WINRM_USER

DATA_META = {
    "winrm_hostname": DataMeta("address to connect to"),
    "winrm_user": DataMeta("user", WINRM_USER),
    "winrm_port": DataMeta("HTTPS port", WINRM_PORT),
    "winrm_auth": DataMeta("ntlm, kerberos or credssp", WINRM_AUTH),
    "winrm_ca_bundle": DataMeta("CA bundle that signs the host's WinRM certificate"),
    "winrm_password_secret": DataMeta("name of the inventory secret holding the password"),
    "winrm_password": DataMeta("password (prefer winrm_password_secret)"),
    "ferme_inventory": DataMeta("inventory folder, where the secret is resolved"),
}


class WinrmData(TypedDict, total=False):
    """What pyinfra hands the connector from host data (only the keys typed here reach it)."""

    winrm_hostname: str
    winrm_user: str
    winrm_port: int
    winrm_auth: str
    winrm_ca_bundle: str | None
    winrm_password_secret: str | None
    winrm_password: str | None
    ferme_inventory: str | None


def _password(data: Any) -> str:
    if data.get("winrm_password"):
        return str(data["winrm_password"])
    return password_of(data.get("winrm_password_secret"), data.get("ferme_inventory"),
                       "no WinRM password: set the host's connection.password (a !secret)")  # fmt: skip


class WinrmConnector(BaseConnector):
    handles_execution = True
    data_cls = WinrmData
    data_meta = DATA_META

    def __init__(self, state: Any, host: Any):
        super().__init__(state, host)
        self.session: Session | None = None

    @staticmethod
    def make_names_data(name: str) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
        yield f"@winrm/{name}", {"winrm_hostname": name}, ["@winrm"]

    def connect(self) -> None:
        data = self.data
        session = Session(address=data["winrm_hostname"], user=data["winrm_user"], password=_password(data),
                          port=int(data["winrm_port"]), auth=data["winrm_auth"],
                          ca_bundle=data.get("winrm_ca_bundle"))  # fmt: skip
        try:
            session.open()
        except WinRMError as exc:
            raise ConnectError(str(exc)) from None
        self.session = session

    def disconnect(self) -> None:
        self.drop_session()

    def drop_session(self) -> None:
        """Forget the shell (closing it if the host still answers): after a restart, or when done."""
        session, self.session = self.session, None
        if session is not None:
            with contextlib.suppress(Exception):  # the host may be gone (restarting), and its shell with it
                session.close()

    def ensure_session(self) -> Session:
        """The run's shell, opened on first use; a host that cannot be reached raises WinRMError."""
        if self.session is None:
            try:
                self.connect()
            except ConnectError as exc:
                raise WinRMError(str(exc)) from None
        assert self.session is not None
        return self.session

    def run(self, script: Any) -> Result:
        """A PowerShell script (str or StringCommand, unmasked only here) in the run's shell."""
        return self.ensure_session().run(script)

    def upload(self, data: bytes, path: str) -> None:
        self.ensure_session().upload(data, path)

    def run_shell_command(self, command: Any, print_output: bool = False, print_input: bool = False,
                          **arguments: Any) -> tuple[bool, CommandOutput]:  # fmt: skip
        try:
            result = self.run(command)
        except WinRMError as exc:
            return False, CommandOutput([OutputLine("stderr", str(exc))])
        lines = [OutputLine("stdout", line) for line in result.stdout.splitlines()]
        lines += [OutputLine("stderr", line) for line in result.stderr.splitlines()]
        success_codes = arguments.get("_success_exit_codes") or [0]
        return result.rc in success_codes, CommandOutput(lines)

    def put_file(self, filename_or_io: str | IOBase, remote_filename: str, remote_temp_filename: str | None = None,
                 print_output: bool = False, print_input: bool = False, **arguments: Any) -> bool:  # fmt: skip
        if isinstance(filename_or_io, str):
            data = Path(filename_or_io).read_bytes()
        else:
            raw = filename_or_io.read()
            data = raw.encode() if isinstance(raw, str) else raw
        try:
            self.upload(data, remote_filename)
        except WinRMError:
            return False
        return True

    def get_file(self, remote_filename: str, filename_or_io: str | IOBase, remote_temp_filename: str | None = None,
                 print_output: bool = False, print_input: bool = False, **arguments: Any) -> bool:  # fmt: skip
        import base64

        from ferme.powershell.quote import ps_quote

        result = self.run(f"[Convert]::ToBase64String([IO.File]::ReadAllBytes({ps_quote(remote_filename)}))")
        if not result.ok:
            return False
        data = base64.b64decode(result.stdout.strip())
        if isinstance(filename_or_io, str):
            Path(filename_or_io).write_bytes(data)
        else:
            filename_or_io.write(data)
        return True

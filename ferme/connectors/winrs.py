"""One WinRS shell per host per run, over WS-Management (pypsrp's transport: HTTPS, NTLM/Kerberos/CredSSP).

Each PowerShell script runs as `powershell.exe -EncodedCommand` in the shell: a Command and as few
Receives as its output needs, no Signal once it is done, so a script with small output costs two
HTTP round trips. The shell is reused for every command of the run and created again, once, if the
server says it no longer exists. Every POST is counted (`round_trips`).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from ferme.connectors.clixml import decode
from ferme.powershell.build import stop_on_error
from ferme.site.defaults import WINRM_AUTH, WINRM_PORT

POWERSHELL = "powershell.exe"
POWERSHELL_ARGS = ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]
SHELL_NOT_FOUND = 2150858843
NO_OUTPUT_YET = 2150858793


class WinRMError(RuntimeError):
    """The host could not be reached or refused us (authentication, certificate, timeout)."""


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.rc == 0


def encode_script(script: str) -> str:
    """What -EncodedCommand takes: base64 of the UTF-16-LE script."""
    return base64.b64encode(script.encode("utf-16-le")).decode()


@dataclass
class Session:
    address: str
    user: str
    password: str
    port: int = WINRM_PORT
    auth: str = WINRM_AUTH
    ca_bundle: str | None = None
    verify: bool = True
    read_timeout: int = 30
    retries: int = 2
    command_timeout: int = 3600
    round_trips: int = 0
    _shell: Any = field(default=None, repr=False)
    _wsman: Any = field(default=None, repr=False)

    def _count(self, wsman: Any) -> None:
        """Count each HTTP POST the transport sends (authentication legs included)."""
        original = wsman.transport.send

        def counted(message: bytes, **options: Any) -> Any:
            self.round_trips += 1
            # A server that does not answer a Receive within its operation timeout is hung: a healthy one
            # answers "no output yet" (fault 2150858793), which _run polls again.
            options["retries_on_read_timeout"] = 0
            return original(message, **options)

        wsman.transport.send = counted

    def open(self) -> None:
        from pypsrp.shell import WinRS
        from pypsrp.wsman import WSMan

        if self._shell is not None:
            return
        # pypsrp takes a CA bundle path where its signature says bool (it hands it to requests' verify)
        cert: Any = self.ca_bundle or self.verify
        self._wsman = WSMan(self.address, port=self.port, username=self.user, password=self.password, ssl=True,
                            auth=self.auth, cert_validation=cert, read_timeout=self.read_timeout,
                            operation_timeout=max(5, self.read_timeout - 5), connection_timeout=10,
                            no_proxy=True)  # fmt: skip
        self._count(self._wsman)
        shell = WinRS(self._wsman)
        from pypsrp.exceptions import WSManFaultError

        try:
            self._call(shell.open)
        except WSManFaultError as fault:  # MaxShellsPerUser, a disabled endpoint...: say it, no traceback
            raise WinRMError(f"{self.address}: cannot open a shell: {fault.reason}") from None
        self._shell = shell

    def _call(self, action: Any, *args: Any) -> Any:
        from pypsrp.exceptions import AuthenticationError, WinRMTransportError, WSManFaultError
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import ReadTimeout, SSLError

        refused: tuple[type[Exception], ...] = (AuthenticationError,)
        try:
            from requests_credssp.exceptions import AuthenticationException, NTStatusException  # type: ignore[import-untyped]

            refused += (AuthenticationException, NTStatusException)
        except ImportError:  # pragma: no cover - CredSSP is optional for pypsrp
            pass
        for attempt in range(self.retries + 1):
            try:
                return action(*args)
            except refused as exc:
                raise WinRMError(f"{self.address}: authentication refused for {self.user} ({exc})") from None
            except SSLError as exc:
                raise WinRMError(f"{self.address}: certificate not trusted ({exc}); set connection.ca_bundle") from None
            except ReadTimeout:
                raise WinRMError(f"{self.address}: no answer within {self.read_timeout} s") from None
            except WSManFaultError:
                raise
            except (RequestsConnectionError, WinRMTransportError) as exc:
                if attempt == self.retries:
                    raise WinRMError(f"{self.address}: {exc}") from None
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def run(self, script: Any) -> Result:
        """Run a PowerShell script in the host's shell; stderr CLIXML is decoded.

        `script` is a str, or a pyinfra StringCommand whose masked secrets are unmasked only here.
        """
        text = script.get_raw_value() if hasattr(script, "get_raw_value") else str(script)
        return self.run_native(POWERSHELL, [*POWERSHELL_ARGS, encode_script(stop_on_error(text))])

    def run_native(self, executable: str, arguments: list[str]) -> Result:
        """Run a program in the shell (cmd.exe's rules), e.g. `hostname`."""
        from pypsrp.exceptions import WSManFaultError

        self.open()
        try:
            return self._run(executable, arguments)
        except WSManFaultError as fault:
            if str(fault.code) != str(SHELL_NOT_FOUND):
                raise WinRMError(f"{self.address}: WS-Management fault {fault.code}: {fault.reason}") from None
            self._shell = None  # the server dropped our shell (idle timeout, restart): one new shell, once
            self.open()
            return self._run(executable, arguments)

    def _run(self, executable: str, arguments: list[str]) -> Result:
        from pypsrp.shell import CommandState
        from pypsrp.wsman import NAMESPACES

        response = self._call(self._shell.command, executable, arguments)
        command_id = response.findtext("rsp:CommandResponse/rsp:CommandId", namespaces=NAMESPACES)
        from pypsrp.exceptions import WSManFaultError

        stdout, stderr = b"", b""
        deadline = time.monotonic() + self.command_timeout
        while True:
            try:
                state, rc, buffers = self._call(self._shell.receive, "stdout stderr", command_id)
            except WSManFaultError as fault:
                if str(fault.code) != str(NO_OUTPUT_YET) or time.monotonic() > deadline:
                    raise
                continue
            stdout += buffers.get("stdout", b"")
            stderr += buffers.get("stderr", b"")
            if state == CommandState.DONE:
                break
        return Result(rc if rc is not None else 0, stdout.decode("utf-8", "replace").removeprefix("\ufeff"),
                      decode(stderr.decode("utf-8", "replace")))  # fmt: skip

    def upload(self, data: bytes, path: str, chunk: int = 200_000) -> None:
        """Write bytes to a path on the host, in chunks that fit an envelope; the file is replaced whole."""
        for script in upload_scripts(data, path, chunk):
            result = self.run(script)
            if not result.ok:
                raise WinRMError(f"{self.address}: upload of {path} failed: {result.stderr}")

    def close(self) -> None:
        if self._shell is not None:
            try:
                self._shell.close()
            finally:
                self._shell = None


def upload_scripts(data: bytes, path: str, chunk: int = 200_000) -> list[str]:
    """The scripts an upload runs: chunks appended to a side file, then moved over `path` at once."""
    from ferme.powershell.quote import ps_quote

    temporary = path + ".ferme-upload"
    scripts = []
    for offset in range(0, max(len(data), 1), chunk):
        piece = base64.b64encode(data[offset : offset + chunk]).decode()
        mode = "Create" if offset == 0 else "Append"
        scripts.append(
            f"$bytes = [Convert]::FromBase64String('{piece}')\n"
            f"$stream = [IO.File]::Open({ps_quote(temporary)}, [IO.FileMode]::{mode})\n"
            "$stream.Write($bytes, 0, $bytes.Length)\n$stream.Close()"
        )
    scripts.append(f"Move-Item -Path {ps_quote(temporary)} -Destination {ps_quote(path)} -Force")
    return scripts

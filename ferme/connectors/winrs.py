"""One PowerShell runspace pool per host per run, over WS-Management (pypsrp: HTTPS, NTLM/Kerberos/CredSSP).

PowerShell scripts run over PSRP: the script travels inside the protocol (no command line, so no
8,191-character limit of cmd.exe, no 32,767 of CreateProcess), output comes back as objects and a
failure as the pipeline's state with its error record. A script costs a Command and as few Receives
as its output needs: two HTTP round trips for a small one; opening the pool costs a Create and a
Receive once per run. Plain programs (`hostname`) still run in a WinRS shell (cmd.exe's rules),
opened only when one is needed. Pool and shell are created again, once, if the server says it lost
them. Every POST is counted (`round_trips`).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from ferme.connectors.clixml import decode
from ferme.powershell.build import PSRP_HEAD
from ferme.site.defaults import WINRM_AUTH, WINRM_PORT

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
    _pool: Any = field(default=None, repr=False)
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

    def _transport(self) -> Any:
        from pypsrp.wsman import WSMan

        if self._wsman is None:
            # pypsrp takes a CA bundle path where its signature says bool (it hands it to requests' verify)
            cert: Any = self.ca_bundle or self.verify
            self._wsman = WSMan(self.address, port=self.port, username=self.user, password=self.password, ssl=True,
                                auth=self.auth, cert_validation=cert, read_timeout=self.read_timeout,
                                operation_timeout=max(5, self.read_timeout - 5), connection_timeout=10,
                                no_proxy=True)  # fmt: skip
            self._count(self._wsman)
        return self._wsman

    def open(self) -> None:
        """The run's runspace pool (a Create and a Receive)."""
        from pypsrp.powershell import RunspacePool

        if self._pool is None:
            self._pool = self._opened(RunspacePool(self._transport()), "a PowerShell session")

    def _open_shell(self) -> None:
        from pypsrp.shell import WinRS

        if self._shell is None:
            self._shell = self._opened(WinRS(self._transport()), "a shell")

    def _opened(self, resource: Any, what: str) -> Any:
        """`resource` (a pool or a shell) opened; a server refusal (MaxShellsPerUser, a disabled endpoint)
        becomes a WinRMError that says so, not a traceback."""
        from pypsrp.exceptions import WSManFaultError

        try:
            self._call(resource.open)
        except WSManFaultError as fault:
            raise WinRMError(f"{self.address}: cannot open {what}: {fault.reason}") from None
        return resource

    def _once_more_if_lost(self, attempt: Any, forget: Any) -> Result:
        """`attempt()`; if the server says it lost our pool or shell (idle timeout, restart), `forget()` it
        and try once more, in a new one. Any other fault is a WinRMError."""
        from pypsrp.exceptions import WSManFaultError

        try:
            result: Result = attempt()
        except WSManFaultError as fault:
            if str(fault.code) != str(SHELL_NOT_FOUND):
                raise WinRMError(f"{self.address}: WS-Management fault {fault.code}: {fault.reason}") from None
            forget()
            result = attempt()
        return result

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
        """Run a PowerShell script in the host's runspace pool; errors are the error records' text.

        `script` is a str, or a pyinfra StringCommand whose masked secrets are unmasked only here.
        """
        text = script.get_raw_value() if hasattr(script, "get_raw_value") else str(script)
        return self._once_more_if_lost(lambda: self._invoke(text), lambda: setattr(self, "_pool", None))

    def _invoke(self, text: str) -> Result:
        from pypsrp.complex_objects import PSInvocationState
        from pypsrp.powershell import PowerShell

        self.open()
        pipeline = PowerShell(self._pool)
        pipeline.add_script(PSRP_HEAD + text)
        self._call(pipeline.invoke)
        stdout = "\n".join(str(item) for item in pipeline.output)
        errors = []
        for record in pipeline.streams.error:
            message = str(getattr(record, "message", None) or record)
            position = getattr(record, "invocation_position_message", None)
            errors.append(f"{message} {position}" if position and position not in message else message)
        failed = pipeline.state == PSInvocationState.FAILED or pipeline.had_errors
        return Result(1 if failed else 0, stdout, "\n".join(errors))

    def run_native(self, executable: str, arguments: list[str]) -> Result:
        """Run a program in a WinRS shell (cmd.exe's rules), e.g. `hostname`."""
        return self._once_more_if_lost(lambda: self._run(executable, arguments),
                                       lambda: setattr(self, "_shell", None))  # fmt: skip

    def _run(self, executable: str, arguments: list[str]) -> Result:
        from pypsrp.shell import CommandState
        from pypsrp.wsman import NAMESPACES

        self._open_shell()
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
        return Result(rc if rc is not None else 0, stdout.decode("utf-8", "replace"),
                      decode(stderr.decode("utf-8", "replace")))  # fmt: skip

    def upload(self, data: bytes, path: str, chunk: int = 200_000) -> None:
        """Write bytes to a path on the host, in chunks that fit an envelope; the file is replaced whole."""
        for script in upload_scripts(data, path, chunk):
            result = self.run(script)
            if not result.ok:
                raise WinRMError(f"{self.address}: upload of {path} failed: {result.stderr}")

    def close(self) -> None:
        """Close the pool and the shell (a Delete each): they count against the server's MaxShellsPerUser."""
        pool, shell, self._pool, self._shell = self._pool, self._shell, None, None
        try:
            if pool is not None:
                pool.close()
        finally:
            if shell is not None:
                shell.close()


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

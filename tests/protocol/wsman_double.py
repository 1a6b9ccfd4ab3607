"""A strict WS-Management / WinRS double on loopback, for the WinRM connector's tests (WINDOWS.md, layer 2).

HTTPS with a certificate made for the test, NTLM through pyspnego's server side; it answers only the
PowerShell scripts a test registers (a reply may be a function of the double's state), over PSRP (a
runspace pool per shell: pipelines' scripts read from CREATE_PIPELINE, answered as output, error
records and pipeline states) or as `-EncodedCommand` in a WinRS shell, and behaves like cmd.exe for
anything else (echo, exit, hostname, ver, `cmd /c`; unknown programs: 9009; a line over 8,191
characters: "The command line is too long."). Also modelled: powershell.exe's OEM code page (cp850)
on a redirected stdout, a statement's non-terminating error (exit 0 unless $ErrorActionPreference is
Stop), the Receive timeout fault past the OperationTimeout, MaxShellsPerUser, MaxEnvelopeSizekb.
CredSSP is accepted too (pyspnego's acceptor), and the credentials it delegates are kept, to check
what a second hop would receive. Faults can be
injected: wrong password, a slow answer, a non-zero exit, a CLIXML error stream, large outputs,
"shell not found", and a restart (the host drops every connection and shell, refuses connections
for a while, then comes back with a new boot time). Every HTTP request is counted, by action.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import shlex
import ssl
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferme.powershell.build import PSRP_HEAD

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "wsman": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "wst": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "wsmanfault": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
ACTIONS = {
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "Create",
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "Delete",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command": "Command",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive": "Receive",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal": "Signal",
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send": "Send",
}
USER, PASSWORD = "ferme-deploy", "Correct-Horse-9"  # the account the tests' double knows
CHUNK = 64 * 1024  # bytes of output per Receive, as a server bounded by its envelope size
STATES = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState"
NOT_RECOGNISED = "'{0}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"


@dataclass
class Reply:
    stdout: str = ""
    stderr: str = ""
    rc: int = 0
    delay: float = 0.0  # seconds the command runs before it answers (a Receive past the OperationTimeout: fault)
    hang: float = 0.0  # seconds the host does not answer at all (a dead host: no fault, no answer)
    # A statement that writes a non-terminating error while later ones succeed: powershell.exe then
    # exits 0 with the error on stderr, unless $ErrorActionPreference is 'Stop' (the script stops there).
    error: str = ""
    position: str = "At line:1 char:1"


def _clixml_error(message: str) -> str:
    return ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
            f'<S S="Error">{message}_x000D__x000A_</S></Objs>')  # fmt: skip


@dataclass
class Double:
    user: str
    password: str
    hostname: str = "RDCB01"
    scripts: dict[str, Reply | Callable[[Double], Reply]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    traffic: Counter[str] = field(default_factory=Counter)  # HTTP bodies' bytes: "in" (requests), "out" (answers)
    shells: set[str] = field(default_factory=set)
    max_shells: int = 30  # WinRM's MaxShellsPerUser (30 by default on Windows Server)
    drop_shells: bool = False  # answer the next Command with "shell not found"
    commands: dict[str, tuple[bytes, bytes, int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    boots: int = 1  # how many times the host has started
    down_until: float = 0.0  # monotonic time until which connections are refused (restarting)
    delegated: list[tuple[str, str, str]] = field(default_factory=list)  # CredSSP: (domain, user, password)
    ran: list[str] = field(default_factory=list)  # scripts run, in order (inside ferme's stop-on-error wrapper)
    default: Reply | None = None  # the reply to a script nobody registered (None: "not registered", an error)
    stopped: list[bool] = field(default_factory=list)  # for each, whether it ran with $ErrorActionPreference 'Stop'

    psrp: Any = None  # the PowerShell Remoting side (Psrp), made on first use
    psrp_shells: set[str] = field(default_factory=set)
    partial: dict[str, bytes] = field(default_factory=dict)  # PSRP fragments of a pipeline not complete yet

    def register(self, script: str, reply: Reply | Callable[[Double], Reply]) -> None:
        self.scripts[script] = reply

    def restart(self, down_for: float) -> None:
        """What Restart-Computer does to a client: every shell and connection gone, then a new boot."""
        with self.lock:
            self.shells.clear()
            self.commands.clear()
            self.down_until = time.monotonic() + down_for
            self.boots += 1

    @property
    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def cmd(self, line: str) -> tuple[bytes, bytes, int, float]:
        """The few cmd.exe built-ins a client may send outside PowerShell, as cmd.exe answers them."""
        words = shlex.split(line, posix=False) or [""]
        program = words[0].lower().removesuffix(".exe")
        rest = line[len(words[0]) :].strip()
        if program == "":
            return b"", b"", 0, 0.0
        if program == "echo":
            return (rest + "\r\n").encode(), b"", 0, 0.0
        if program == "exit":
            code = rest.removeprefix("/b").removeprefix("/B").strip() or "0"
            return b"", b"", int(code) if code.lstrip("-").isdigit() else 0, 0.0
        if program == "hostname":
            return (self.hostname + "\r\n").encode(), b"", 0, 0.0
        if program == "ver":
            return b"\r\nMicrosoft Windows [Version 10.0.26100.1742]\r\n", b"", 0, 0.0
        if program == "cmd" and words[1:2] and words[1].lower() in ("/c", "/k"):
            return self.cmd(line.split(None, 2)[2] if len(words) > 2 else "")
        return b"", NOT_RECOGNISED.format(words[0]).encode(), 9009, 0.0

    def _reply(self, script: str, stop: bool) -> Reply | None:
        """The registered reply to a script (None: not registered); the script is recorded as run."""
        self.ran.append(script)
        self.stopped.append(stop)
        registered = self.scripts.get(script, self.default)
        return registered(self) if callable(registered) else registered

    def pipeline(self, shell_id: str, command_id: str, fragment: bytes) -> None:
        """A PSRP pipeline's fragments (Command, then Send); once whole, its script is run and answered."""
        data = self.partial.pop(command_id, b"") + fragment
        found = self.psrp.script_of(data)
        if found is None:  # not whole yet: more comes with Send
            self.partial[command_id] = data
            return
        pid, script = found
        stop = script.startswith(PSRP_HEAD)
        reply = self._reply(script.removeprefix(PSRP_HEAD), stop)
        self.psrp.answer(shell_id, command_id, pid, reply, stop)
        delay = (-reply.hang if reply.hang else reply.delay) if reply else 0.0
        self.commands[command_id] = (b"", b"", 0, delay)

    def run(self, command: str, arguments: list[str]) -> tuple[bytes, bytes, int, float]:
        line = " ".join([command, *arguments])
        if len(line) > MAX_COMMAND_LINE:  # cmd.exe's limit, as WinRS runs a command
            return b"", b"The command line is too long.\r\n", 1, 0.0
        if command.lower() == "powershell.exe" and "-EncodedCommand" in arguments:
            script = base64.b64decode(arguments[arguments.index("-EncodedCommand") + 1]).decode("utf-16-le")
            reply = self._reply(script, stop=False)
            if reply is None:
                return b"", _clixml_error("the double has no such script registered").encode(), 1, 0.0
            # powershell.exe writes to a redirected stdout in the OEM code page (850 on a French server)
            out = reply.stdout.encode("cp850", "replace")
            if reply.error:  # a statement's error, and powershell.exe goes on: exit 0 unless told to stop
                return out, _clixml_error(reply.error).encode(), reply.rc, reply.delay
            if reply.hang:
                return out, reply.stderr.encode(), reply.rc, -reply.hang  # negative: hang, do not time out
            return out, reply.stderr.encode(), reply.rc, reply.delay
        return self.cmd(" ".join([command, *arguments]))


POWERSHELL_URI = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
MAX_COMMAND_LINE = 8191  # cmd.exe's longest line
MAX_ENVELOPE = 500 * 1024  # WinRM's MaxEnvelopeSizekb, 500 by default
TIMED_OUT = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."


class Psrp:
    """The PowerShell Remoting Protocol side of the double: a runspace pool per shell, each pipeline's
    script looked up in the same registry as -EncodedCommand scripts, answered as PSRP messages."""

    def __init__(self) -> None:
        from pypsrp.serializer import Serializer

        self.serializer = Serializer()
        self.rpid: dict[str, str] = {}  # shell id → runspace pool id
        self.pending: dict[str, list[bytes]] = {}  # shell id or command id → fragments not yet received
        self.counter = 0

    def _message(self, rpid: str, pid: str | None, data: Any, output: bool = False) -> bytes:
        import struct
        import uuid as uuid_module

        from pypsrp.messages import Destination, Message, MessageType

        if output:  # PIPELINE_OUTPUT carries the object itself
            body = ET.tostring(self.serializer.serialize(data), encoding="utf-8")
            return (struct.pack("<I", Destination.CLIENT) + struct.pack("<I", MessageType.PIPELINE_OUTPUT)
                    + uuid_module.UUID(rpid).bytes_le + uuid_module.UUID(pid).bytes_le + body)  # fmt: skip
        return bytes(Message(Destination.CLIENT, rpid, pid, data, self.serializer).pack())

    def _fragments(self, messages: list[bytes]) -> list[bytes]:
        """Each message in fragments that fit a Receive (a server bounded by its envelope size)."""
        from pypsrp.powershell import Fragment

        out = []
        size = CHUNK - 21  # a fragment's header
        for message in messages:
            self.counter += 1
            pieces = [message[i : i + size] for i in range(0, len(message), size)] or [b""]
            for number, piece in enumerate(pieces):
                out.append(Fragment(self.counter, number, piece, number == 0, number == len(pieces) - 1).pack())
        return out

    @staticmethod
    def messages(data: bytes) -> list[bytes] | None:
        """The whole messages in `data` (PSRP fragments), or None while the last one is incomplete."""
        from pypsrp.powershell import Fragment

        whole: list[bytes] = []
        current = b""
        while data:
            fragment, data = Fragment.unpack(data)
            current += fragment.data
            if fragment.end:
                whole.append(current)
                current = b""
        return None if current else whole

    def open_pool(self, shell_id: str, creation: str) -> None:
        import uuid as uuid_module

        from pypsrp.complex_objects import RunspacePoolState
        from pypsrp.messages import ApplicationPrivateData, RunspacePoolStateMessage, SessionCapability

        messages = self.messages(base64.b64decode(creation))
        assert messages, "SESSION_CAPABILITY and INIT_RUNSPACEPOOL come whole with the Create"
        rpid = str(uuid_module.UUID(bytes_le=messages[0][8:24]))
        self.rpid[shell_id] = rpid
        self.pending[shell_id] = self._fragments([
            self._message(rpid, None, SessionCapability("2.3", "2.0", "1.1.0.1")),
            self._message(rpid, None, ApplicationPrivateData(data={})),
            self._message(rpid, None, RunspacePoolStateMessage(state=RunspacePoolState.OPENED)),
        ])  # fmt: skip

    def script_of(self, data: bytes) -> tuple[str, str] | None:
        """(pipeline id, the script) of a whole CREATE_PIPELINE message, None while fragments are missing."""
        import uuid as uuid_module

        messages = self.messages(data)
        if not messages:
            return None
        message = messages[0]
        pid = str(uuid_module.UUID(bytes_le=message[24:40]))
        body = message[40:].removeprefix(b"\xef\xbb\xbf")
        command = next(e for e in ET.fromstring(body).iter() if e.get("N") == "Cmd")
        return pid, _clixml_string(command.text or "")

    def answer(self, shell_id: str, command_id: str, pid: str, reply: Reply | None, stop: bool) -> None:
        """The pipeline's messages: its output lines, an error record, and its final state. With
        $ErrorActionPreference 'Stop', an error fails the pipeline; without, it completes anyway."""
        from pypsrp.complex_objects import PSInvocationState
        from pypsrp.messages import PipelineState

        rpid = self.rpid[shell_id]
        if reply is None:
            reply = Reply(rc=1, error="the double has no such script registered")
        messages = [self._message(rpid, pid, line.rstrip("\r"), output=True)
                    for line in reply.stdout.split("\n") if reply.stdout]  # fmt: skip
        error = reply.error or (_clixml_text(reply.stderr) if reply.rc else "")
        if error:
            messages.append(self._message(rpid, pid, self._error_record(f"{error} {reply.position}".strip())))
        failed = bool(reply.rc) or (bool(reply.error) and stop)
        state = PSInvocationState.FAILED if failed else PSInvocationState.COMPLETED
        messages.append(self._message(rpid, pid, PipelineState(state=state)))
        self.pending[command_id] = self._fragments(messages)

    @staticmethod
    def _error_record(text: str) -> Any:
        from pypsrp.messages import ErrorRecordMessage

        record = ErrorRecordMessage(message=text, fq_error="ferme.double", category=0, invocation=False)
        for attribute, _ in record._extended_properties:
            if not hasattr(record, attribute):
                setattr(record, attribute, None)
        return record


def _clixml_string(text: str) -> str:
    """A CLIXML string's value: `_xHHHH_` escapes decoded (line breaks, control characters)."""
    import re

    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _clixml_text(stderr: str) -> str:
    """The text of a CLIXML error stream, as a test registers it for -EncodedCommand."""
    import re

    found = re.findall(r'<S S="Error">(.*?)</S>', stderr)
    return "".join(found).replace("_x000D__x000A_", "\n").strip() if found else stderr.strip()


def encode_script(script: str) -> str:
    """What powershell.exe's -EncodedCommand takes (base64 of UTF-16-LE): how a script would travel on a
    WinRS command line, which ferme no longer does (PSRP) and the double still answers, as Windows would."""
    return base64.b64encode(script.encode("utf-16-le")).decode()


def _seconds(duration: str) -> float:
    """`PT20S` or `PT20.000S` (what pypsrp sends as OperationTimeout) → 20.0."""
    return float(duration.removeprefix("PT").removesuffix("S"))


def _envelope(relates_to: str, action: str, body: str, header: str = "") -> bytes:
    return (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:wsa="{NS["wsa"]}" xmlns:wsman="{NS["wsman"]}" '
        f'xmlns:rsp="{NS["rsp"]}" xmlns:wst="{NS["wst"]}" xmlns:wsmanfault="{NS["wsmanfault"]}">'
        f"<s:Header><wsa:Action>{action}</wsa:Action><wsa:MessageID>uuid:{uuid.uuid4()}</wsa:MessageID>"
        f"<wsa:RelatesTo>{relates_to}</wsa:RelatesTo>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def _fault(relates_to: str, code: int, message: str) -> bytes:
    body = (
        f'<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">{message}'
        f'</s:Text></s:Reason><s:Detail><wsmanfault:WSManFault Code="{code}" Machine="double">'
        f"<wsmanfault:Message>{message}</wsmanfault:Message></wsmanfault:WSManFault></s:Detail></s:Fault>"
    )
    return _envelope(relates_to, "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", body)


def make_handler(double: Double) -> type[http.server.BaseHTTPRequestHandler]:
    import spnego

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        context: Any = None
        authenticated = False
        boot = 0  # the host's boot this connection was made in: a restart kills it

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with double.lock:
                double.traffic["out"] += len(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if len(body) > MAX_ENVELOPE and self.authenticated:
                with double.lock:
                    double.requests["too large"] += 1
                self._send(500, _fault("", 2150858817, "The WS-Management service cannot process the request "
                                       "because the request envelope exceeds MaxEnvelopeSizekb."))  # fmt: skip
                return
            with double.lock:
                double.requests["http"] += 1
                double.traffic["in"] += len(body)
            if double.down or (self.boot and self.boot != double.boots):
                self.close_connection = True  # restarting: the connection dies without an answer
                return
            self.boot = double.boots
            if not self.authenticated:
                self._authenticate()
                if not self.authenticated:
                    return
            self._soap(body)

        def _authenticate(self) -> None:
            header = self.headers.get("Authorization", "")
            if not header:
                self._refuse()
                return
            scheme, _, token = header.partition(" ")
            if self.context is None:
                self.context = spnego.server(protocol="credssp" if scheme.lower() == "credssp" else "ntlm")
            try:
                out = self.context.step(base64.b64decode(token))
            except Exception:  # a wrong password ends here
                self.context = None
                self._refuse()
                return
            if not self.context.complete:
                self._send(401, headers={"WWW-Authenticate": f"{scheme} {base64.b64encode(out or b'').decode()}"})
                return
            if scheme.lower() == "credssp":
                credential = self.context.get_extra_info("client_credential")
                with double.lock:
                    double.delegated.append((credential.domain_name, credential.username, credential.password))
            self.authenticated = True

        def _refuse(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", "Negotiate")
            self.send_header("WWW-Authenticate", "CredSSP")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _soap(self, body: bytes) -> None:
            root = ET.fromstring(body)
            action_uri = root.findtext("s:Header/wsa:Action", namespaces=NS) or ""
            message_id = root.findtext("s:Header/wsa:MessageID", namespaces=NS) or ""
            action = ACTIONS.get(action_uri, action_uri)
            with double.lock:
                double.requests[action] += 1
            shell_id = root.findtext("s:Header/wsman:SelectorSet/wsman:Selector[@Name='ShellId']", namespaces=NS)
            if action == "Create":
                if len(double.shells) >= double.max_shells:
                    message = (
                        "The WS-Management service cannot process the request. This user is allowed a "
                        f"maximum number of {double.max_shells} concurrent shells, which has been exceeded."
                    )
                    self._send(500, _fault(message_id, 2150859174, message))
                    return
                new = str(uuid.uuid4()).upper()
                double.shells.add(new)
                resource = root.findtext("s:Header/wsman:ResourceURI", namespaces=NS) or ""
                if resource == POWERSHELL_URI:  # a runspace pool: PSRP from now on
                    if double.psrp is None:
                        double.psrp = Psrp()
                    creation = root.find("s:Body/rsp:Shell/{http://schemas.microsoft.com/powershell}creationXml", NS)
                    assert creation is not None and creation.text
                    double.psrp.open_pool(new, creation.text)
                    double.psrp_shells.add(new)
                reply = (f"<rsp:Shell><rsp:ShellId>{new}</rsp:ShellId></rsp:Shell>"
                         f"<wst:ResourceCreated><wsa:ReferenceParameters><wsman:SelectorSet>"
                         f"<wsman:Selector Name=\"ShellId\">{new}</wsman:Selector></wsman:SelectorSet>"
                         f"</wsa:ReferenceParameters></wst:ResourceCreated>")  # fmt: skip
                self._send(200, _envelope(message_id, action_uri + "Response", reply))
                return
            if shell_id not in double.shells or (action == "Command" and double.drop_shells):
                double.drop_shells = False
                double.shells.discard(shell_id or "")
                message = f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not found on the server."  # noqa: E501
                self._send(500, _fault(message_id, 2150858843, message))
                return
            if action == "Command" and shell_id in double.psrp_shells:
                line = root.find("s:Body/rsp:CommandLine", NS)
                assert line is not None
                command_id = line.get("CommandId") or str(uuid.uuid4()).upper()
                argument = line.findtext("rsp:Arguments", namespaces=NS) or ""
                double.pipeline(shell_id or "", command_id, base64.b64decode(argument))
                reply = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
                self._send(200, _envelope(message_id, action_uri + "Response", reply))
            elif action == "Send":
                stream = root.find("s:Body/rsp:Send/rsp:Stream", NS)
                assert stream is not None
                double.pipeline(shell_id or "", stream.get("CommandId", ""), base64.b64decode(stream.text or ""))
                self._send(200, _envelope(message_id, action_uri + "Response", "<rsp:SendResponse/>"))
            elif action == "Receive" and shell_id in double.psrp_shells:
                stream = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
                key = (stream.get("CommandId", "") if stream is not None else "") or shell_id or ""
                if key in double.commands:
                    _, _, _, delay = double.commands[key]
                    timeout = _seconds(root.findtext("s:Header/wsman:OperationTimeout", namespaces=NS) or "PT60S")
                    if delay > timeout:
                        time.sleep(timeout)
                        double.commands[key] = (b"", b"", 0, delay - timeout)
                        double.requests["TimedOut"] += 1
                        self._send(500, _fault(message_id, 2150858793, TIMED_OUT))
                        return
                    if delay:
                        time.sleep(abs(delay))
                    double.commands[key] = (b"", b"", 0, 0.0)
                pending = double.psrp.pending.get(key, [])
                taken = 0
                while taken < len(pending) and sum(len(f) for f in pending[: taken + 1]) <= CHUNK:
                    taken += 1
                out, rest = b"".join(pending[: max(taken, 1)]), pending[max(taken, 1) :]
                double.psrp.pending[key] = rest
                done = not rest and key != shell_id
                state = (f'<rsp:CommandState CommandId="{key}" State="{STATES}/{"Done" if done else "Running"}"/>'
                         if key != shell_id else "")  # fmt: skip
                streams = f'<rsp:Stream Name="stdout" CommandId="{key}">{base64.b64encode(out).decode()}</rsp:Stream>'
                reply = f"<rsp:ReceiveResponse>{streams}{state}</rsp:ReceiveResponse>"
                self._send(200, _envelope(message_id, action_uri + "Response", reply))
            elif action == "Command":
                line = root.find("s:Body/rsp:CommandLine", NS)
                assert line is not None
                command = line.findtext("rsp:Command", namespaces=NS) or ""
                arguments = [a.text or "" for a in line.findall("rsp:Arguments", NS)]
                command_id = str(uuid.uuid4()).upper()
                double.commands[command_id] = double.run(command, arguments)
                reply = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
                self._send(200, _envelope(message_id, action_uri + "Response", reply))
            elif action == "Receive":
                stream = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
                command_id = stream.get("CommandId", "") if stream is not None else ""
                stdout, stderr, rc, delay = double.commands[command_id]
                timeout = _seconds(root.findtext("s:Header/wsman:OperationTimeout", namespaces=NS) or "PT60S")
                if delay > timeout:  # WinRM answers "no output yet" once the operation timeout has passed
                    time.sleep(timeout)
                    double.commands[command_id] = (stdout, stderr, rc, delay - timeout)
                    double.requests["TimedOut"] += 1
                    self._send(500, _fault(message_id, 2150858793, TIMED_OUT))
                    return
                if delay:
                    time.sleep(abs(delay))
                out, rest = stdout[:CHUNK], stdout[CHUNK:]
                double.commands[command_id] = (rest, b"" if not rest else stderr, rc, 0.0)
                done = not rest
                streams = (
                    f'<rsp:Stream Name="stdout" CommandId="{command_id}">{base64.b64encode(out).decode()}</rsp:Stream>'
                )
                if done and stderr:
                    streams += f'<rsp:Stream Name="stderr" CommandId="{command_id}">{base64.b64encode(stderr).decode()}</rsp:Stream>'  # noqa: E501
                state = f"{STATES}/{'Done' if done else 'Running'}"
                exit_code = f"<rsp:ExitCode>{rc}</rsp:ExitCode>" if done else ""
                reply = (f"<rsp:ReceiveResponse>{streams}<rsp:CommandState CommandId=\"{command_id}\" "
                         f"State=\"{state}\">{exit_code}</rsp:CommandState></rsp:ReceiveResponse>")  # fmt: skip
                self._send(200, _envelope(message_id, action_uri + "Response", reply))
            elif action == "Signal":
                self._send(200, _envelope(message_id, action_uri + "Response", "<rsp:SignalResponse/>"))
            elif action == "Delete":
                double.shells.discard(shell_id or "")
                self._send(200, _envelope(message_id, action_uri + "Response", ""))
            else:
                self._send(500, _fault(message_id, 2150858817, f"unsupported action {action_uri}"))

    return Handler


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))  # fmt: skip
    cert_file, key_file = folder / "double.pem", folder / "double.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_file, key_file


class Server:
    """The double on 127.0.0.1, HTTPS on a free port; `ca` is the certificate a client must trust."""

    def __init__(self, folder: Path, user: str, password: str):
        import os

        # NTLM with no domain, and CredSSP's inner NTLM with the domain the tests use
        (folder / "ntlm-users").write_text(f":{user}:{password}\nCD-EXEMPLE:{user}:{password}\n")
        os.environ["NTLM_USER_FILE"] = str(folder / "ntlm-users")  # pyspnego's NTLM server reads its accounts here
        self.double = Double(user, password)
        self.ca, key = _certificate(folder)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.double))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def session(self, **overrides: Any) -> Any:
        """A client session to this double, as the user it was made with (overrides: any Session field)."""
        from ferme.connectors.winrs import Session

        settings: dict[str, Any] = {"address": "127.0.0.1", "port": self.port, "user": self.double.user,
                                    "password": self.double.password, "ca_bundle": str(self.ca), "read_timeout": 5,
                                    "retries": 0}  # fmt: skip
        settings.update(overrides)
        return Session(**settings)


def converged_facts(expected: dict[str, Any], **changes: object) -> str:
    """What the batched facts script prints on a host that is as ferme.checks.windows expects it,
    with `changes` (whole kinds replaced) standing for the drift a test wants."""
    import json

    from ferme.facts.windows import adsi_path

    facts: dict[str, Any] = {
        "features": dict.fromkeys(expected["features"], True),
        "services": dict.fromkeys(expected["services"], "Running"),
        "registry": dict(expected["registry"]),
        "shares": {}, "acls": {}, "tasks": {}, "files": {},
        "builtin_rules": dict.fromkeys(expected.get("builtin_rules_off", []), False),
        "groups": {group: [adsi_path(m) for m in members] for group, members in expected["groups"].items()},
        "ad_groups": {group: list(members) for group, members in expected.get("ad_groups", {}).items()},
        "firewall_rules": expected["firewall_rules"],
        "listening": expected["listening"],
        "certificates": expected["certificates"],
        "domain": {"joined": True, "name": "ad.lab.ferme.test"},
        "reboot_pending": False,
    }  # fmt: skip
    facts["ad_groups"].update({group: [] for group in expected.get("ad_groups_present", [])})
    facts["ad_ous"] = {expected["ad_ou"]: True} if expected.get("ad_ou") else {}
    records = expected.get("dns_round_robin")
    facts["dns_records"] = {f"{records['name']}.{records['zone']}": records["addresses"]} if records else {}
    gateway = expected.get("gateway_policies")
    if gateway:
        groups = [g.lower() for g in gateway["user_groups"]]
        facts["gateway"] = {
            "RDS:\\GatewayServer": {
                "caps": {gateway["cap"]: groups},
                "raps": {
                    gateway["rap"]: {
                        "user_groups": groups,
                        "computer_group_type": "0",
                        "computer_group": gateway["computer_group"],
                    }
                },
                "groups": {gateway["computer_group"]: gateway["computers"]},
            }
        }
    if expected.get("fslogix"):
        facts["services"][expected["fslogix"]["service"]] = "Running"
    share = expected.get("profile_share")
    if share:
        facts["shares"] = {
            share["name"]: {"path": share["path"], "access": [f"{a}={r}" for a, r in share["share_access"].items()]}
        }
        facts["acls"] = {
            share["path"]: {
                "protected": True,
                "rules": [f"{a}={g if ':' in g else g + ':All'}" for a, g in share["acl"].items()],
            }
        }
    facts.update(changes)
    return json.dumps(facts)

"""A strict WS-Management / WinRS double on loopback, for the WinRM connector's tests (WINDOWS.md, layer 2).

HTTPS with a certificate made for the test, NTLM through pyspnego's server side; it answers only the
PowerShell scripts a test registers (matched on the decoded -EncodedCommand; a reply may be a
function of the double's state) and behaves like cmd.exe for anything else (echo, exit, hostname,
ver, `cmd /c`; unknown programs: 9009). CredSSP is accepted too (pyspnego's acceptor), and the
credentials it delegates are kept, to check what a second hop would receive. Faults can be
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

from ferme.powershell.build import STOP_HEAD, STOP_TAIL

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
    shells: set[str] = field(default_factory=set)
    max_shells: int = 30  # WinRM's MaxShellsPerUser (30 by default on Windows Server)
    drop_shells: bool = False  # answer the next Command with "shell not found"
    commands: dict[str, tuple[bytes, bytes, int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    boots: int = 1  # how many times the host has started
    down_until: float = 0.0  # monotonic time until which connections are refused (restarting)
    delegated: list[tuple[str, str, str]] = field(default_factory=list)  # CredSSP: (domain, user, password)
    ran: list[str] = field(default_factory=list)  # scripts run, in order (inside ferme's stop-on-error wrapper)
    stopped: list[bool] = field(default_factory=list)  # for each, whether it ran with $ErrorActionPreference 'Stop'

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

    def run(self, command: str, arguments: list[str]) -> tuple[bytes, bytes, int, float]:
        if command.lower() == "powershell.exe" and "-EncodedCommand" in arguments:
            script = base64.b64decode(arguments[arguments.index("-EncodedCommand") + 1]).decode("utf-16-le")
            stop = script.startswith(STOP_HEAD) and script.endswith(STOP_TAIL)
            if stop:
                script = script[len(STOP_HEAD) : -len(STOP_TAIL)]
            self.ran.append(script)
            self.stopped.append(stop)
            registered = self.scripts.get(script)
            reply = registered(self) if callable(registered) else registered
            if reply is None:
                return b"", _clixml_error("the double has no such script registered").encode(), 1, 0.0
            # powershell.exe writes in the OEM code page (850 on a French server) unless told UTF-8
            out = reply.stdout.encode("utf-8" if stop else "cp850", "replace")
            if reply.error and stop:  # the catch of the wrapper: message and position, exit 1
                return out, f"ferme: {reply.error} {reply.position}\r\n".encode(), 1, reply.delay
            if reply.error:
                return out, _clixml_error(reply.error).encode(), reply.rc, reply.delay
            if reply.hang:
                return out, reply.stderr.encode(), reply.rc, -reply.hang  # negative: hang, do not time out
            return out, reply.stderr.encode(), reply.rc, reply.delay
        return self.cmd(" ".join([command, *arguments]))


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

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with double.lock:
                double.requests["http"] += 1
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
            if action == "Command":
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
                    self._send(500, _fault(message_id, 2150858793, "The WS-Management service cannot complete the "
                                           "operation within the time specified in OperationTimeout."))  # fmt: skip
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
        "groups": {group: [adsi_path(m) for m in members] for group, members in expected["groups"].items()},
        "firewall_rules": expected["firewall_rules"],
        "listening": expected["listening"],
        "certificates": expected["certificates"],
        "domain": {"joined": True, "name": "ad.lab.ferme.test"},
        "reboot_pending": False,
    }  # fmt: skip
    facts.update(changes)
    return json.dumps(facts)

"""A small web client and a stand-in web server for the portal tests, run inside lab namespaces.

fetch: one HTTPS request to an address with the portal's name (SNI, Host); prints status, Location, Set-Cookie
and the body's start as JSON. ws: a websocket handshake and one echoed message. serve: an HTTPS stand-in for RD
Web and the RD gateway (a page under /RDWeb/, a websocket echo under /remoteDesktopGateway/).
Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the lab's self-signed certificates
    return context


def fetch(address: str, name: str, path: str, cookie: str | None, form: list[str]) -> dict[str, object]:
    connection = http.client.HTTPSConnection(address, 443, timeout=15, context=_client_context())
    headers = {"Host": name}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form:
        body = urllib.parse.urlencode([tuple(item.split("=", 1)) for item in form])
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request("POST" if form else "GET", path, body=body, headers=headers)
    reply = connection.getresponse()
    return {
        "status": reply.status,
        "location": reply.getheader("Location"),
        "cookies": reply.msg.get_all("Set-Cookie") or [],
        "body": reply.read()[:4000].decode(errors="replace"),
    }


def ws(address: str, name: str, path: str, cookie: str | None) -> dict[str, object]:
    raw = socket.create_connection((address, 443), timeout=15)
    stream = _client_context().wrap_socket(raw, server_hostname=name)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {name}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ] + ([f"Cookie: {cookie}"] if cookie else [])
    stream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = stream.recv(4096)
        if not chunk:
            break
        head += chunk
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    result: dict[str, object] = {"status": status}
    if status == 101:
        message = b"bonjour"
        mask = os.urandom(4)
        stream.sendall(
            bytes([0x81, 0x80 | len(message)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(message))
        )
        frame = stream.recv(2 + len(message))
        result["echo"] = frame[2:].decode(errors="replace")
    stream.close()
    return result


class StandIn(BaseHTTPRequestHandler):
    name = "stand-in"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + GUID).encode()).digest())
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept.decode())
            self.end_headers()
            self.wfile.flush()
            first = self.rfile.read(2)
            length = first[1] & 0x7F
            mask = self.rfile.read(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            self.wfile.write(bytes([0x81, len(data)]) + data)
            self.wfile.flush()
            return
        body = (
            f"<!DOCTYPE html><html lang=fr><head><title>RD Web (stand-in)</title></head><body>"
            f"<h1>Accès Web RD</h1><p id=server>{self.name}</p><p id=path>{self.path}</p></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(cert: str, key: str, name: str) -> None:
    StandIn.name = name
    server = ThreadingHTTPServer(("0.0.0.0", 443), StandIn)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("fetch", "ws"):
        p = sub.add_parser(command)
        p.add_argument("address")
        p.add_argument("name")
        p.add_argument("path")
        p.add_argument("--cookie")
        if command == "fetch":
            p.add_argument("--form", action="append", default=[])
    s = sub.add_parser("serve")
    s.add_argument("cert")
    s.add_argument("key")
    s.add_argument("--name", default="stand-in")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.cert, args.key, args.name)
    elif args.command == "fetch":
        print(json.dumps(fetch(args.address, args.name, args.path, args.cookie, args.form)))
    else:
        print(json.dumps(ws(args.address, args.name, args.path, args.cookie)))


if __name__ == "__main__":
    sys.exit(main())

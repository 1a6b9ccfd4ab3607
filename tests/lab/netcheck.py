"""Tiny network probe for the lab tests, run inside a namespace with `ip netns exec NS python3 netcheck.py`.

serve: listen on TCP and UDP ports (answering `ok`) for a while; probe: one connection attempt; ping: one
ICMP echo request (a raw socket: the lab has no ping binary).
Standard library only: it runs with the controller's or a lab host's python3.
"""

from __future__ import annotations

import argparse
import selectors
import socket
import struct
import sys
import time

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)


def serve(tcp: list[int], udp: list[int], seconds: float, name: str) -> None:
    selector = selectors.DefaultSelector()
    for port in tcp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError as exc:
            print(f"busy tcp/{port}: {exc}", flush=True)
            continue
        sock.listen(64)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, "tcp")
    for port in udp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError as exc:
            print(f"busy udp/{port}: {exc}", flush=True)
            continue
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, "udp")
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                if key.data == "tcp":
                    conn, _ = sock.accept()
                    conn.sendall(f"ok {name}\n".encode())
                    conn.close()
                else:
                    # Answer from the address that was asked, as a well-behaved daemon does (IP_PKTINFO): an
                    # unbound reply takes the routing's source address, the management leg's for the admin zone.
                    _, ancillary, _, peer = sock.recvmsg(2048, socket.CMSG_SPACE(12))
                    asked = next(
                        (
                            data[8:12]
                            for level, kind, data in ancillary
                            if level == socket.IPPROTO_IP and kind == IP_PKTINFO
                        ),
                        bytes(4),
                    )
                    info = struct.pack("I4s4s", 0, asked, bytes(4))
                    sock.sendmsg([f"ok {name}\n".encode()], [(socket.IPPROTO_IP, IP_PKTINFO, info)], 0, peer)
            except OSError:
                pass


def probe(
    protocol: str, address: str, port: int, source: str | None, timeout: float, handshake: bool, http: bool = False
) -> str | None:
    """What answered (the listener's `ok NAME`, an SSH banner, an HTTP status line…), or None."""
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.settimeout(timeout)
        if source:
            sock.bind((source, 0))
        try:
            if protocol == "tcp":
                # A handshake is not a path: when the reply leaves by another way, the SYN-ACK arrives but the
                # client's next packets die on the edge (ct state invalid). Only an exchange proves the path.
                # Both the probe's listener (`ok`) and SSH speak first.
                # For a refusal, the handshake alone is a leak (--handshake).
                sock.connect((address, port))
                if handshake:
                    return "connected"
                if http:  # a real HTTP server (the lab's mirrors) waits for the client to speak
                    sock.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                data = sock.recv(64)
                return data.decode(errors="replace").strip().splitlines()[0] if data.strip() else None
            sock.sendto(b"probe", (address, port))
            data, _ = sock.recvfrom(64)
            return data.decode(errors="replace").strip() if data.startswith(b"ok") else None
        except OSError:
            return None


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def ping(address: str, source: str | None, timeout: float) -> str | None:
    """An echo reply from `address` to our echo request (same identifier), or None."""
    ident = (time.monotonic_ns() >> 10) & 0xFFFF
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    payload = b"ferme-lab"
    packet = struct.pack("!BBHHH", 8, 0, _checksum(header + payload), ident, 1) + payload
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
        if source:
            sock.bind((source, 0))
        try:
            sock.sendto(packet, (address, 0))
        except OSError:  # no route: no answer
            return None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, (sender, _) = sock.recvfrom(1024)
            except OSError:
                return None
            icmp = data[(data[0] & 0x0F) * 4 :]
            if sender == address and icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident:
                return f"echo reply from {sender}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--tcp", default="")
    s.add_argument("--udp", default="")
    s.add_argument("--seconds", type=float, default=120)
    s.add_argument("--name", default="", help="said in every answer (which host answered)")
    p = sub.add_parser("probe")
    p.add_argument("protocol", choices=["tcp", "udp"])
    p.add_argument("address")
    p.add_argument("port", type=int)
    p.add_argument("--source")
    p.add_argument("--timeout", type=float, default=1.5)
    p.add_argument("--handshake", action="store_true", help="TCP: a completed handshake is enough")
    p.add_argument("--http", action="store_true", help="TCP: speak first (HEAD /), as to an HTTP server")
    e = sub.add_parser("ping")
    e.add_argument("address")
    e.add_argument("--source")
    e.add_argument("--timeout", type=float, default=1.5)
    args = parser.parse_args()
    if args.command == "serve":
        ports = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
        serve(ports(args.tcp), ports(args.udp), args.seconds, args.name)
    elif args.command == "ping":
        answer = ping(args.address, args.source, args.timeout)
        print(answer or "no answer", flush=True)
        sys.exit(0 if answer else 1)
    else:
        reached = probe(args.protocol, args.address, args.port, args.source, args.timeout, args.handshake, args.http)
        print(reached or "refused", flush=True)
        sys.exit(0 if reached else 1)


if __name__ == "__main__":
    main()

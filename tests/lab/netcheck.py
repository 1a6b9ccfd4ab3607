"""Tiny network probe for the lab tests, run inside a namespace with `ip netns exec NS python3 netcheck.py`.

serve: listen on TCP and UDP ports (answering `ok`) for a while; probe: one connection attempt.
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


def probe(protocol: str, address: str, port: int, source: str | None, timeout: float, handshake: bool) -> str | None:
    """What answered (the listener's `ok NAME`, an SSH banner…), or None."""
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
                data = sock.recv(64)
                return data.decode(errors="replace").strip() or None
            sock.sendto(b"probe", (address, port))
            data, _ = sock.recvfrom(64)
            return data.decode(errors="replace").strip() if data.startswith(b"ok") else None
        except OSError:
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
    args = parser.parse_args()
    if args.command == "serve":
        ports = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
        serve(ports(args.tcp), ports(args.udp), args.seconds, args.name)
    else:
        reached = probe(args.protocol, args.address, args.port, args.source, args.timeout, args.handshake)
        print(reached or "refused", flush=True)
        sys.exit(0 if reached else 1)


if __name__ == "__main__":
    main()

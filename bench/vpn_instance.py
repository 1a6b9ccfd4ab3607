"""How much one OpenVPN process carries on this machine (issue 12: size the processes per core).

Needs the built-in lab up and applied (`ferme lab up`, `ferme apply inventories/lab --limit lab-fw,lab-mfa,lab-vpn`).
Real clients in the teleworker's namespace log in as agent.demo (PIN + the token's next code), then:
1. one client sends a bulk TCP stream through the tunnel and the edge to a sink on the collaboration host, while
   the server process's CPU time is sampled from /proc: Mbit/s carried and the share of a core it took;
2. `--clients K` clients connect at once: the server's resident memory per connected client.
Prints one JSON line; `bench/RESULTS-vpn.md` keeps the figures with the date and the machine.
Both ends run on this machine's 2 cores: the client's own encryption competes with the server's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ferme.roles.mfa import converger  # noqa: E402

from ferme.site.secrets import secret_value  # noqa: E402
from tests.lab.radius_probe import hotp  # noqa: E402

LAB = "fl-lab"
INVENTORY = ROOT / "inventories" / "lab"
PUBLIC, SINK, SINK_PORT = "198.18.0.2", "198.18.1.20", 443
MFA = "198.18.4.20"
KEY = ROOT / ".cache" / "lab" / "ssh" / "id_ed25519"


def ssh(address: str, command: str) -> str:
    return subprocess.run(["ssh", "-i", str(KEY), "-o", f"UserKnownHostsFile=/run/ferme-lab/{LAB}/known_hosts",
                           "-o", "BatchMode=yes", f"root@{address}", command], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


class Codes:
    def __init__(self) -> None:
        self.pin = secret_value("pin_agent_demo", INVENTORY)
        self.seed = secret_value("token_agent_demo", INVENTORY)
        self.counter = json.loads(ssh(MFA, converger("status")))["tokens"]["LAB-DEMO-1"]["counter"]

    def next(self) -> str:
        self.counter += 1
        return self.pin + hotp(self.seed, self.counter - 1)


def connect(profile: Path, password: str, device: str) -> subprocess.Popen[str]:
    auth = profile.with_name(f"{device}.auth")
    auth.write_text(f"agent.demo\n{password}\n")
    process = subprocess.Popen(["ip", "netns", "exec", f"{LAB}-outside", "openvpn", "--config", str(profile),
                                "--auth-user-pass", str(auth), "--dev", device, "--dev-type", "tun", "--route-noexec"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    assert process.stdout is not None
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if "Initialization Sequence Completed" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(30):
        process.kill()
        raise RuntimeError(f"{device}: no tunnel")
    return process


def server_pid() -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"ferme0.conf" in (entry / "cmdline").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    raise RuntimeError("no OpenVPN server process (is the lab applied?)")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:"))  # fmt: skip


SINK_CODE = ("import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
             f"s.bind(('0.0.0.0',{SINK_PORT}));s.listen(1);c,_=s.accept();n=0\n"
             "while True:\n b=c.recv(1<<16)\n if not b: break\n n+=len(b)\nprint(n)")  # fmt: skip
SEND_CODE = ("import socket,sys,time;s=socket.create_connection((sys.argv[1],int(sys.argv[2])));"
             "end=time.monotonic()+float(sys.argv[3]);b=b'x'*(1<<16);n=0\n"
             "while time.monotonic()<end: s.sendall(b); n+=len(b)\ns.close();print(n)")  # fmt: skip


def throughput(seconds: float) -> dict[str, float]:
    sink = subprocess.Popen(["ip", "netns", "exec", f"{LAB}-lab-collab", sys.executable, "-c", SINK_CODE],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(0.5)
    pid = server_pid()
    started, cpu = time.monotonic(), cpu_seconds(pid)
    sent = subprocess.run(["ip", "netns", "exec", f"{LAB}-outside", sys.executable, "-c", SEND_CODE, SINK,
                           str(SINK_PORT), str(seconds)], capture_output=True, text=True, check=True)  # fmt: skip
    elapsed, used = time.monotonic() - started, cpu_seconds(pid) - cpu
    received = int(sink.communicate(timeout=30)[0].strip() or 0)
    return {"seconds": round(elapsed, 1), "mbit_s": round(received * 8 / elapsed / 1e6, 1),
            "server_core_share": round(used / elapsed, 2), "sent_mb": round(int(sent.stdout) / 1e6, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    profile_text = (ROOT / "build" / "lab" / "vpn" / "lab.ovpn").read_text()
    folder = Path(tempfile.mkdtemp(prefix="ferme-vpn-bench-"))
    profile = folder / "lab.ovpn"
    profile.write_text(profile_text.replace("remote vpn.lab.ferme.test ", f"remote {PUBLIC} "))
    codes = Codes()
    clients: list[subprocess.Popen[str]] = []
    try:
        pid = server_pid()
        idle = rss_kib(pid)
        clients.append(connect(profile, codes.next(), "bench0"))
        subprocess.run(["ip", "-n", f"{LAB}-outside", "route", "replace", f"{SINK}/32", "dev", "bench0"], check=True)
        result: dict[str, object] = {"one_client": throughput(args.seconds)}
        for i in range(1, args.clients):
            clients.append(connect(profile, codes.next(), f"bench{i}"))
        time.sleep(1)
        result["clients"] = len(clients)
        result["server_rss_kib_per_client"] = round((rss_kib(pid) - idle) / len(clients), 1)
        share = result["one_client"]["server_core_share"]  # type: ignore[index]
        mbit = result["one_client"]["mbit_s"]  # type: ignore[index]
        result["mbit_s_per_core"] = round(mbit / share, 1) if share else None
        print(json.dumps(result))
    finally:
        for client in clients:
            client.terminate()
        for client in clients:
            client.wait(timeout=10)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()

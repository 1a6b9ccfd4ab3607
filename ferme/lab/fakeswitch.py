"""Run one fake-switches Cisco simulator for the lab: `python -m ferme.lab.fakeswitch ...` (in its namespace).

Two fixes for the simulator, as NETWORK.md describes, live here and only here: `enable` compares
the typed password (str) with the configured ones, so they are given as str; and no model knows
`end`, which netmiko sends to leave configuration mode, so the config processor gets one.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _add_end_command() -> None:
    from fake_switches.cisco.command_processor.config import ConfigCommandProcessor

    def do_end(self: ConfigCommandProcessor) -> None:
        self.is_done = True  # back to privileged mode, as `exit` from global configuration

    ConfigCommandProcessor.do_end = do_end


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hostname", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=22)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--ports", default="", help="comma-separated interface names")
    args = parser.parse_args(argv)
    password = args.password_file.read_text().strip()

    from fake_switches import switch_factory
    from fake_switches.switch_configuration import Port
    from fake_switches.transports.ssh_service import SwitchSshService
    from twisted.internet import reactor

    from ferme.switches.render import cisco_port

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    _add_end_command()
    from ferme.lab.fakeswitch_ios import install

    install()
    ports = [Port(cisco_port(p)) for p in args.ports.split(",") if p] or None
    core = switch_factory.SwitchFactory().get("cisco_generic", args.hostname, password, ports=ports)
    service = SwitchSshService(ip=args.address, port=args.port, switch_core=core,
                               users={args.username: password.encode()})  # fmt: skip
    service.hook_to_reactor(reactor)
    reactor.run()  # type: ignore[misc]


if __name__ == "__main__":
    main()

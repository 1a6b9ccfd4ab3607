"""What the lab's Cisco simulator learns beyond fake-switches' own model: the IOS lines ferme writes that it
rejects or silently drops (services, SSH, AAA, spanning tree, storm control, ACLs, VTY lines, banners).

It keeps them as IOS would and shows them in `show running-config`, so that a push, a second run and a
rollback can be checked against it. It models no behaviour of those lines (no ACL filters anything here):
only what the configuration says. A line it cannot place (a word outside the grammar below) is still
refused with IOS's `% Invalid input`, which the rejected-line test relies on.
"""

from __future__ import annotations

import re
from typing import Any

# Global lines: those with one value replace the previous one (by their first words).
SINGLE = ("ip ssh version", "ip ssh time-out", "ip ssh authentication-retries", "ip domain name", "spanning-tree mode",
          "logging trap", "login block-for", "errdisable recovery interval", "ip default-gateway",
          "aaa authentication login default", "aaa authorization exec default")  # fmt: skip
GLOBAL = re.compile(r"^(no )?(service|username|aaa|ip (domain|ssh|http|default-gateway)|login|spanning-tree"
                    r"|errdisable|ntp server|logging|snmp-server)\b")  # fmt: skip
SECTIONS = {"ip access-list": ("permit", "deny", "remark"), "line": ("access-class", "exec-timeout", "transport",
            "logging", "login", "privilege"), "radius server": ("address", "key"), "tacacs server": ("address", "key"),
            "aaa group server": ("server",)}  # fmt: skip
PORT = re.compile(r"^(no )?(spanning-tree|storm-control|switchport nonegotiate)\b")
# Global commands typed in an interface's mode: IOS runs them in global configuration (fake-switches' `ip` and
# `ntp` of an interface would take them silently).
NOT_PORT = re.compile(r"^(no )?(ip (?!address|helper-address|vrf|access-group|redirects|proxy-arp|verify)|ntp server)")


def _key(line: str) -> str:
    return next((single for single in SINGLE if line.startswith(single + " ")), line)


def _store(lines: list[str], line: str) -> None:
    """A line as IOS keeps it: `no X` removes X (or is kept when IOS shows it so: `no ip http server`)."""
    if line.startswith("no "):
        positive = line[3:]
        kept = [stored for stored in lines if stored != positive and not stored.startswith(positive + " ")]
        if len(kept) != len(lines):
            lines[:] = kept
            return
    else:
        lines[:] = [stored for stored in lines if stored != "no " + line and _key(stored) != _key(line)]
    if line not in lines:
        lines.append(line)


def _state(config: Any) -> dict[str, Any]:
    if not hasattr(config, "ferme"):
        config.ferme = {"globals": [], "sections": {}, "banners": {}}
    return config.ferme  # type: ignore[no-any-return]


def install() -> None:
    """Teach fake-switches' Cisco model the lines above (called once by the launcher, before it serves)."""
    from fake_switches.cisco.command_processor import enabled
    from fake_switches.cisco.command_processor.config import ConfigCommandProcessor
    from fake_switches.cisco.command_processor.config_interface import ConfigInterfaceCommandProcessor
    from fake_switches.command_processing.base_command_processor import BaseCommandProcessor

    class SectionProcessor(BaseCommandProcessor):  # type: ignore[misc]
        """Inside `ip access-list ...`, `line vty ...`: the section's own words; anything else goes back up."""

        def init(self, switch_configuration: Any, terminal_controller: Any, logger: Any, piping_processor: Any,
                 *args: Any) -> None:  # fmt: skip
            super().init(switch_configuration, terminal_controller, logger, piping_processor)
            self.header, self.words = args[0], args[1]

        def get_prompt(self) -> str:
            return str(self.switch_configuration.name) + "(config-ferme)#"

        def parse_and_execute_command(self, line: str) -> bool:
            words = line.split()
            if not words:
                return True
            if words[0].isdigit() and len(words) > 1:  # a sequence number: IOS shows the entry without it
                words = words[1:]
                line = " ".join(words)
            word = words[1] if words[0] == "no" and len(words) > 1 else words[0]
            if word == "exit":
                self.is_done = True
                return True
            if word not in self.words:
                return False  # IOS leaves the section for a global command: the parent takes it
            _store(_state(self.switch_configuration)["sections"].setdefault(self.header, []), line.strip())
            return True

    original_config = ConfigCommandProcessor.get_command_func
    original_port = ConfigInterfaceCommandProcessor.get_command_func

    def config_command(self: Any, line: str) -> tuple[Any, list[str]]:
        text = line.strip()
        state = _state(self.switch_configuration)
        if text.startswith("hostname "):
            return (lambda: setattr(self.switch_configuration, "name", text.split()[1])), []
        if text.startswith("banner "):
            return (lambda: _banner(self, text)), []
        for header, words in SECTIONS.items():
            if text.startswith(header + " ") or text == header:
                return (lambda words=words: self.move_to(SectionProcessor(), text, words)), []
            if text.startswith("no " + header + " "):
                return (lambda: state["sections"].pop(text[3:], None)), []
        if GLOBAL.match(text):
            return (lambda: _store(state["globals"], text)), []
        return original_config(self, line)  # type: ignore[no-any-return]

    def port_command(self: Any, line: str) -> tuple[Any, list[str]]:
        text = line.strip()
        if NOT_PORT.match(text):
            return None, []
        if PORT.match(text):
            if not hasattr(self.port, "ferme"):
                self.port.ferme = []
            return (lambda: _store(self.port.ferme, text)), []
        return original_port(self, line)  # type: ignore[no-any-return]

    def _banner(processor: Any, first: str) -> None:
        kind, rest = first.split()[1], first.split(None, 2)[2] if len(first.split()) > 2 else ""
        delimiter, text = (rest[:2], rest[2:]) if rest.startswith("^C") else (rest[:1], rest[1:])
        collected: list[str] = [text] if text else []

        def more(line: str) -> None:
            if delimiter in line:
                before = line.split(delimiter)[0]
                collected.extend([before] if before else [])
                _state(processor.switch_configuration)["banners"][kind] = "\n".join(collected)
                processor.show_prompt()
                return
            collected.append(line.rstrip("\r\n"))
            processor.continue_to(more)

        if delimiter in text:
            _state(processor.switch_configuration)["banners"][kind] = text.split(delimiter)[0]
        else:
            processor.continue_to(more)

    running_interface = enabled.build_running_interface

    def build_running_interface(port: Any) -> list[str]:
        return running_interface(port) + [f" {line}" for line in getattr(port, "ferme", [])]  # type: ignore[no-any-return]

    show_run = enabled.EnabledCommandProcessor.show_run

    def show_run_with_ferme(self: Any) -> None:
        state = _state(self.switch_configuration)
        written: list[str] = []
        original_write = self.write_line

        def collect(line: str) -> None:
            written.append(line)

        self.write_line = collect
        try:
            show_run(self)
        finally:
            del self.write_line
        extra = [*state["globals"], "!"]
        for header, children in state["sections"].items():
            extra += [header, *(f" {child}" for child in children), "!"]
        for kind, text in state["banners"].items():
            extra += [f"banner {kind} ^C", *text.splitlines(), "^C", "!"]
        at = written.index("end")
        lines = [line for line in written[:at] if not line.startswith("Current configuration")]
        body = lines + extra + written[at:]
        for line in body:
            original_write(line)

    delegate = ConfigCommandProcessor.delegate_to_sub_processor

    def leave_for_global(self: Any, line: str) -> bool:
        """A line the interface or section mode does not take is a global command: IOS leaves the mode for it
        (and shows the global prompt), where fake-switches stayed in the mode without a prompt."""
        processed = bool(delegate(self, line))
        if not processed:
            self.sub_processor = None
        return processed

    ConfigCommandProcessor.delegate_to_sub_processor = leave_for_global
    ConfigCommandProcessor.get_command_func = config_command
    ConfigInterfaceCommandProcessor.get_command_func = port_command
    enabled.build_running_interface = build_running_interface
    enabled.EnabledCommandProcessor.show_run = show_run_with_ferme

"""Base Debian host: hostname, time zone and time sync, hardened SSH, security upgrades, journal, admins."""

from __future__ import annotations

import shlex

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.deb import DebPackages
from pyinfra.facts.server import Command
from pyinfra.operations import files, server, systemd

from ferme.facts.batch import pyinfra_path
from ferme.operations import nft_commit
from ferme.plan.types import HostState, Routing, SshPolicy
from ferme.resources import templates

from . import admins as accounts

TEMPLATES = templates("base")


def _packages(wanted: list[str]) -> None:
    installed = host.get_fact(DebPackages) or {}
    missing = [p for p in wanted if p not in installed]
    if missing:
        # A download that stalls (a proxy's connection left half-closed) is stopped on the host itself and tried
        # again: a time limit on the SSH side only would leave apt-get running, holding its lock for the retry.
        server.shell(name="Refresh package lists", commands=[bounded("apt-get -q update", 180)])
        install = " ".join(["env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends",
                            "-o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef",
                            "-o Dpkg::Options::=--force-confold install", *map(shlex.quote, missing)])  # fmt: skip
        server.shell(name="Install base packages", commands=[bounded(install, 900)])


def bounded(command: str, seconds: float, attempts: int = 3, pause: float = 5) -> str:
    """`command` stopped after `seconds` on the host, and run again up to `attempts` times in all."""
    once = f"timeout -k 10 {seconds} {command}"
    return " || ".join([once] + [f"{{ sleep {pause}; {once}; }}"] * (attempts - 1))


def _time(servers: list[str]) -> None:
    sources = files.template(
        name="Time sources (chrony)",
        src=str(TEMPLATES / "chrony.sources.j2"),
        dest="/etc/chrony/sources.d/ferme.sources",
        servers=servers,
    )
    in_container = host.get_fact(Command, command="systemd-detect-virt --container || true") not in ("", "none")
    changes = [sources.did_change]
    if in_container:
        # A container may not set the machine's clock: chrony still syncs its view (-x) but never steps it.
        dropin = files.put(
            name="chrony without clock control (container)",
            src=_text("[Unit]\nConditionCapability=\n[Service]\nExecStart=\nExecStart=!/usr/sbin/chronyd -F 1 -x\n"),
            dest="/etc/systemd/system/chrony.service.d/ferme-container.conf",
        )
        systemd.daemon_reload(name="systemd: reload units", _if=dropin.did_change)
        changes.append(dropin.did_change)
    systemd.service(name="chrony enabled and running", service="chrony", running=True, enabled=True)
    systemd.service(name="chrony: restart", service="chrony", restarted=True, _if=lambda: any(c() for c in changes))


def _text(content: str):  # type: ignore[no-untyped-def]
    from io import StringIO

    return StringIO(content)


def _ssh(ssh: SshPolicy) -> None:
    moduli = server.shell(
        name="SSH: drop Diffie-Hellman moduli under 3072 bits",
        commands=[
            "awk '$5 >= 3071' /etc/ssh/moduli > /etc/ssh/moduli.ferme && mv /etc/ssh/moduli.ferme /etc/ssh/moduli"
        ],
        _if=lambda: host.get_fact(Command, command="awk '$5 < 3071' /etc/ssh/moduli | wc -l") != "0",
    )
    bits = ssh["rsa_host_key_bits"]
    rsa_bits = host.get_fact(
        Command, command="ssh-keygen -l -f /etc/ssh/ssh_host_rsa_key.pub 2>/dev/null | cut -d' ' -f1"
    )
    rsa = server.shell(
        name=f"SSH: RSA host key of {bits} bits",
        commands=["rm -f /etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub",
                  f"ssh-keygen -q -t rsa -b {bits} -N '' -f /etc/ssh/ssh_host_rsa_key"],
        _if=lambda: not rsa_bits or int(rsa_bits) < bits,
    )  # fmt: skip
    config = files.template(
        name="SSH: keys only, modern algorithms",
        src=str(TEMPLATES / "sshd.conf.j2"),
        dest="/etc/ssh/sshd_config.d/00-ferme.conf",
        mode="644",
        permit_root_login=ssh["permit_root_login"],
        password_authentication="yes" if ssh["password_authentication"] else "no",
        kex=ssh["algorithms"]["kex"],
        ciphers=ssh["algorithms"]["ciphers"],
        macs=ssh["algorithms"]["macs"],
        host_key_algorithms=ssh["algorithms"]["host_key_algorithms"],
    )
    files.file(name="SSH: former ferme drop-in", path="/etc/ssh/sshd_config.d/ferme.conf", present=False)
    for key in ("ecdsa", "dsa"):
        files.file(name=f"SSH: no {key} host key", path=f"/etc/ssh/ssh_host_{key}_key", present=False)
        files.file(name=f"SSH: no {key} host key (public)", path=f"/etc/ssh/ssh_host_{key}_key.pub", present=False)
    server.shell(name="SSH: check the configuration", commands=["sshd -t"], _if=[config.did_change])
    systemd.service(name="SSH: reload", service="ssh", reloaded=True, _if=lambda: config.did_change() or
                    moduli.did_change() or rsa.did_change())  # fmt: skip


def _upgrades_and_journal() -> None:
    files.put(
        name="Unattended security upgrades",
        src=_text('APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'),
        dest="/etc/apt/apt.conf.d/20auto-upgrades",
    )
    files.directory(name="Persistent journal directory", path="/var/log/journal", mode="2755", group="systemd-journal")
    journal = files.put(
        name="Persistent journal",
        src=_text("[Journal]\nStorage=persistent\n"),
        dest="/etc/systemd/journald.conf.d/ferme.conf",
    )
    systemd.service(name="Journal: restart", service="systemd-journald", restarted=True, _if=journal.did_change)


def _apt_proxy(proxy: str | None) -> None:
    """apt through the site's proxy or apt-cacher-ng mirror (outbound.apt), else directly; never waiting forever
    on a silent connection."""
    timeouts = 'Acquire::http::Timeout "30";\nAcquire::https::Timeout "30";\nAcquire::Retries "3";\n'
    files.put(name="apt: time limits and retries", src=_text(timeouts), dest="/etc/apt/apt.conf.d/80ferme-timeouts")
    path = "/etc/apt/apt.conf.d/80ferme-proxy"
    if proxy:
        files.put(name=f"apt through {proxy}", src=_text(f'Acquire::http::Proxy "{proxy}";\n'), dest=path)
    else:
        files.file(name="apt directly (no proxy)", path=path, present=False)


def _syslog(collector: dict[str, object] | None) -> None:
    """Every message of the journal forwarded to the site's collector (outbound.syslog), by rsyslog."""
    path = "/etc/rsyslog.d/90-ferme-forward.conf"
    if not collector:
        files.file(name="syslog: no forwarding", path=path, present=False)
        return
    target = f'target="{collector["address"]}" port="{collector["port"]}" protocol="{collector["protocol"]}"'
    action = f'*.* action(type="omfwd" {target} queue.type="LinkedList" action.resumeRetryCount="-1")\n'
    config = files.put(name=f"syslog: forward to {collector['address']}", src=_text("# Managed by ferme\n" + action),
                       dest=path)  # fmt: skip
    systemd.service(name="rsyslog enabled and running", service="rsyslog", running=True, enabled=True)
    systemd.service(name="rsyslog: restart", service="rsyslog", restarted=True, _if=config.did_change)


def _locale(locale: str) -> None:
    """The site's locale (French dates, sorting and messages in logs the agents' admins read)."""
    charset = locale.split(".", 1)[1] if "." in locale else "UTF-8"
    generated = files.line(name=f"Locale {locale} to generate", path="/etc/locale.gen", line=f"^{locale} {charset}$",
                           replace=f"{locale} {charset}")  # fmt: skip
    server.shell(name="Locales: generate", commands=["locale-gen"], _if=generated.did_change)
    files.put(name=f"Locale {locale} by default", src=_text(f"LANG={locale}\n"), dest="/etc/default/locale")


def _resolver(servers: list[str], domain: str) -> None:
    lines = [f"search {domain}\n", *(f"nameserver {s}\n" for s in servers)]
    files.put(name="DNS resolver", src=_text("# Managed by ferme (role base)\n" + "".join(lines)),
              dest="/etc/resolv.conf")  # fmt: skip


def _admins(admins: list[dict[str, object]]) -> None:
    lines = []
    # FERME_FACT_BATCH=0: the path before, with pyinfra's account facts every run; no admin: nothing to stamp
    stamped = bool(admins) and not pyinfra_path()
    converged = stamped and host.get_fact(Command, command=accounts.check_command(admins)) == "current"
    for admin in admins:
        name = str(admin["name"])
        keys = [str(k) for k in admin.get("ssh_keys", [])]  # type: ignore[attr-defined]
        if not converged:
            server.user(name=f"Admin {name}", user=name, shell="/bin/bash", create_home=True, home=f"/home/{name}",
                        public_keys=keys, delete_keys=True)  # fmt: skip
        if admin.get("sudo"):
            lines.append(f"{name} ALL=(ALL:ALL) NOPASSWD: ALL\n")
    if stamped and not converged:
        server.shell(name="Admins: stamp (as converged)", commands=[accounts.stamp_command(admins)])
    sudoers = "# Managed by ferme: admins log in with keys only, so sudo cannot ask for a password.\n" + "".join(lines)
    files.put(name="Admins: sudo", src=_text(sudoers), dest="/etc/sudoers.d/ferme-admins", mode="440")


ROUTING_UNIT = ("[Unit]\nDescription=ferme: source-based policy routing\nAfter=network.target\n\n"
                "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/local/sbin/ferme-routing\n\n"
                "[Install]\nWantedBy=multi-user.target\n")  # fmt: skip


def expected_rules(routing: Routing) -> list[str]:
    """The policy rules as `ip -4 rule show` prints them."""
    return [f"{t['priority']}:\tfrom {t['source']} lookup {t['table']}" for t in routing["tables"]]


def _policy_routing(routing: Routing) -> None:
    """A dual-homed host answers by the leg each request came in (see ferme/plan/routing.py)."""
    present = bool(routing["tables"] or routing["routes"])
    script = files.template(
        name="Policy routing: script",
        src=str(TEMPLATES / "policy-routing.sh.j2"),
        dest="/usr/local/sbin/ferme-routing",
        mode="755",
        tables=routing["tables"],
        routes=routing["routes"],
    ) if present else files.file(name="Policy routing: no script", path="/usr/local/sbin/ferme-routing",
                                 present=False)  # fmt: skip
    unit = files.put(
        name="Policy routing: unit",
        src=_text(ROUTING_UNIT),
        dest="/etc/systemd/system/ferme-routing.service",
    ) if present else files.file(name="Policy routing: no unit", path="/etc/systemd/system/ferme-routing.service",
                                 present=False)  # fmt: skip
    systemd.daemon_reload(name="Policy routing: reload units", _if=unit.did_change)
    if not present:
        return
    shown = host.get_fact(Command, command="ip -4 rule show") or ""
    missing = [rule for rule in expected_rules(routing) if rule not in shown.splitlines()]
    routes = host.get_fact(Command, command="ip -4 route show") or ""
    missing += [r["to"] for r in routing["routes"] if f"{r['to']} via {r['via']} " not in routes + " "]
    systemd.service(name="Policy routing: enabled", service="ferme-routing", enabled=True, running=True)
    systemd.service(name="Policy routing: apply", service="ferme-routing", restarted=True,
                    _if=lambda: script.did_change() or unit.did_change() or bool(missing))  # fmt: skip


@deploy("Base Debian host")
def apply() -> None:
    """Converge the base of a Debian host from its planned state."""
    state: HostState = host.data.ferme["state"]
    _apt_proxy(state.get("apt_proxy"))  # before the first package is fetched
    _packages(state["packages"])
    server.hostname(name="Hostname", hostname=state["hostname"])
    server.timezone(name="Time zone", timezone=state["timezone"])
    _locale(state["locale"])
    _time(state["ntp_servers"])
    _ssh(state["ssh"])
    _upgrades_and_journal()
    _syslog(state.get("syslog"))
    _resolver(state["dns_servers"], state["domain"])
    _policy_routing(state["routing"])
    if "host_firewall" in state:  # the edge's own ruleset filters the edge
        ruleset = host.data.ferme_artifacts[state["host_firewall"]["ruleset"]]
        nft_commit.commit_ruleset(ruleset, state["host_firewall"]["confirm_seconds"])
    _admins(state["admins"])

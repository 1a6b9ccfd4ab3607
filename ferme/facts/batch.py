"""A Debian host's facts in one round trip.

pyinfra runs one SSH command per fact an operation asks for while the deploy is prepared (it keeps no cache): a
converged host costs as many round trips as facts. ferme remembers which facts each host's operations asked for
(`build/<site>/facts/<host>.json`, written after each run) and, before the next run prepares, asks them all in one
shell command per host (hosts in parallel); while the deploy is prepared, a fact found there is answered from it.
A fact not in the batch (a new operation, other arguments) is asked as pyinfra would, and remembered for the next
run. Only the prepare stage reads the batch: what an operation asks while it executes is read from the host.

The batch is a fact like the others: each fact's own command, its own `process`, its own default when the command
fails or is missing (as pyinfra does while preparing).
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger("ferme.facts.batch")

Key = tuple[str, str, str]  # (fact class, its arguments as JSON, the executor arguments as JSON)
Entry = dict[str, Any]  # how to ask a fact again: its class, args and kwargs


@dataclass(frozen=True)
class Resolved:
    key: Key
    entry: Entry
    fact_kwargs: dict[str, Any]  # the fact command's arguments
    global_kwargs: dict[str, Any]  # pyinfra's global arguments (sudo, env...) the command runs with


def pyinfra_path() -> bool:
    """FERME_FACT_BATCH=0: the path before ferme's speed-ups, to compare with: pyinfra's one command per fact, every
    operation executed (re-reading its facts), the admin accounts read with pyinfra's facts every run."""
    return os.environ.get("FERME_FACT_BATCH", "1") == "0"


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _load_class(path: str) -> type:
    module, _, name = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found  # type: ignore[no-any-return]


def _json(value: Any) -> str | None:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return None


class FactBatch:
    """The batched facts of a run: what each host asked last time, answered in one command, and what it asks now."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.answers: dict[str, dict[Key, Any]] = {}  # host → key → processed fact data
        self.asked: dict[str, dict[Key, dict[str, Any]]] = {}  # host → key → how to ask it again
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}
        self.round_trips: dict[str, int] = {}

    # pyinfra's _get_fact, wrapped

    def install(self) -> Any:
        """Route pyinfra's fact loading through the batch; returns the original (to put back)."""
        from pyinfra.api import facts

        original = facts._get_fact
        batch = self

        def get_fact(state: Any, host: Any, cls: type, args: Any = None, kwargs: Any = None,
                     ensure_hosts: Any = None, apply_failed_hosts: bool = True) -> Any:  # fmt: skip
            preparing = not getattr(state, "is_executing", False)
            resolved = batch._resolve(state, host, cls, args, kwargs) if preparing else None
            if resolved is not None:
                key, entry = resolved.key, resolved.entry
                batch.asked.setdefault(host.name, {})[key] = entry
                answers = batch.answers.get(host.name, {})
                if key in answers:
                    batch.hits[host.name] = batch.hits.get(host.name, 0) + 1
                    return copy.deepcopy(answers[key])
                batch.misses[host.name] = batch.misses.get(host.name, 0) + 1
            batch.round_trips[host.name] = batch.round_trips.get(host.name, 0) + 1
            return original(state, host, cls, args, kwargs, ensure_hosts, apply_failed_hosts)

        facts._get_fact = get_fact
        return original

    @staticmethod
    def uninstall(original: Any) -> None:
        from pyinfra.api import facts

        facts._get_fact = original

    @staticmethod
    def _resolve(state: Any, host: Any, cls: type, args: Any, kwargs: Any) -> Resolved | None:
        """A fact request as pyinfra resolves it (its own and its executor's arguments), with the batch's key;
        None when it cannot be batched (not a shell host, arguments that are not JSON)."""
        from pyinfra.api.arguments import CONNECTOR_ARGUMENT_KEYS
        from pyinfra.api.facts import _handle_fact_kwargs

        if not _is_ssh(host):
            return None
        fact_kwargs, global_kwargs = _handle_fact_kwargs(state, host, cls, args, kwargs)
        executor = {k: v for k, v in global_kwargs.items() if k in CONNECTOR_ARGUMENT_KEYS}
        arguments = _json({k: v for k, v in fact_kwargs.items() if k != "self"})
        executor_text = _json(executor)
        entry = {"fact": _class_path(cls), "args": list(args or []), "kwargs": dict(kwargs or {})}
        if arguments is None or executor_text is None or _json(entry) is None:
            return None
        return Resolved((_class_path(cls), arguments, executor_text), entry, fact_kwargs, global_kwargs)

    # the index of what each host asked

    def _index(self, host: str) -> Path:
        return self.folder / f"{host.replace('/', '_').lstrip('@')}.json"

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for host, asked in self.asked.items():
            entries = [asked[key] for key in sorted(asked)]
            temporary = self._index(host).with_suffix(".tmp")
            temporary.write_text(json.dumps({"format": 1, "facts": entries}, indent=1) + "\n", encoding="utf-8")
            temporary.replace(self._index(host))

    def _remembered(self, host: str) -> list[dict[str, Any]]:
        path = self._index(host)
        if not path.is_file():
            return []
        try:
            return list(json.loads(path.read_text(encoding="utf-8")).get("facts", []))
        except (OSError, ValueError):
            return []

    # one command per host

    def prefetch(self, state: Any, host: Any) -> int:
        """Ask every fact `host` asked last time, in one shell command per set of executor arguments; returns how
        many facts were answered."""
        from pyinfra.api.facts import _MISSING_COMMAND_MARKER
        from pyinfra.api.facts import _make_command as make_command

        make: Any = make_command  # untyped in pyinfra

        if not _is_ssh(host) or not host.connected:
            return 0
        groups: dict[str, list[tuple[Key, Any, str, dict[str, Any]]]] = {}
        for entry in self._remembered(host.name):
            try:
                cls = _load_class(entry["fact"])
                resolved = self._resolve(state, host, cls, entry["args"], entry["kwargs"])
                fact = cls()
                if resolved is None or fact.check_preconditions(state, host):
                    continue
                command = make(fact.command, dict(resolved.fact_kwargs))
                requires = make(fact.requires_command, dict(resolved.fact_kwargs))
            except Exception as exc:  # a fact class gone or changed: asked the usual way instead
                logger.debug("fact batch: %s not batched: %s", entry.get("fact"), exc)
                continue
            text = _text(command)
            if requires:
                text = (f"if command -v {_text(requires)} >/dev/null 2>&1; then ( {text} ); else echo "
                        f"'{_MISSING_COMMAND_MARKER}'; fi")  # fmt: skip
            groups.setdefault(resolved.key[2], []).append((resolved.key, fact, text, resolved.global_kwargs))
        answered = 0
        for members in groups.values():
            answered += self._ask(state, host, members)
        return answered

    def _ask(self, state: Any, host: Any, members: list[tuple[Key, Any, str, dict[str, Any]]]) -> int:
        from pyinfra.api.arguments import CONNECTOR_ARGUMENT_KEYS
        from pyinfra.api.command import StringCommand
        from pyinfra.api.facts import _MISSING_COMMAND_MARKER

        mark = f"@@ferme-fact-{uuid.uuid4().hex[:12]}"
        script = "\n".join(f"echo '{mark} {i}'; ( {text} ) </dev/null; echo \"{mark} status $?\""
                           for i, (_, _, text, _) in enumerate(members))  # fmt: skip
        executor = {k: v for k, v in members[0][3].items() if k in CONNECTOR_ARGUMENT_KEYS}
        executor["_timeout"] = executor.get("_timeout") or 120
        status, output = host.run_shell_command(StringCommand(script), print_output=False, print_input=False,
                                                **executor)  # fmt: skip
        self.round_trips[host.name] = self.round_trips.get(host.name, 0) + 1
        if not status:
            return 0
        outputs: dict[int, list[str]] = {}
        statuses: dict[int, int] = {}
        current: int | None = None
        for line in output.stdout_lines:
            if line.startswith(mark + " status "):
                if current is not None:
                    statuses[current] = int(line.rsplit(" ", 1)[-1])
                current = None
            elif line.startswith(mark + " "):
                current = int(line.rsplit(" ", 1)[-1])
                outputs[current] = []
            elif current is not None:
                outputs[current].append(line)
        answers = self.answers.setdefault(host.name, {})
        for i, (key, fact, _, _) in enumerate(members):
            if i not in statuses:
                continue
            lines = outputs.get(i, [])
            if lines == [_MISSING_COMMAND_MARKER] or statuses[i] != 0 or not lines:
                if statuses[i] != 0 and lines != [_MISSING_COMMAND_MARKER]:
                    continue  # a failing fact command: asked the usual way, so that pyinfra reports it
                answers[key] = fact.default()
                continue
            try:
                answers[key] = fact.process(lines)
            except Exception:  # pyinfra's FactProcessError and the like: asked the usual way
                continue
        return sum(1 for key, *_ in members if key in answers)


def _text(command: Any) -> str:
    from pyinfra.api.command import StringCommand

    if isinstance(command, StringCommand):
        return str(command.get_raw_value())
    return str(command)


def _is_ssh(host: Any) -> bool:
    """Hosts reached through a POSIX shell: SSH (and the controller itself, pyinfra's @local)."""
    from pyinfra.connectors.local import LocalConnector
    from pyinfra.connectors.ssh import SSHConnector

    return isinstance(getattr(host, "connector", None), SSHConnector | LocalConnector)

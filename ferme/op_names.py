"""Each host's own name for each of its operations.

pyinfra keys an operation by the line numbers of its call stack, without the files' names, and keeps one set of
names per key for all hosts: when two hosts take different paths through the roles, an operation of one can share
its key with another host's operation in another file, and pyinfra then names it by both ("Edge firewall | No
ICMP redirects (default), Base Debian host | nftables at boot" on a host that has no edge role). ferme records
the names each host gave while its deploy was prepared, and shows those.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

Names = dict[tuple[str, str], list[str]]  # (pyinfra host name, operation key) → the names this host gave


@contextlib.contextmanager
def recorded() -> Iterator[Names]:
    """While preparing: record, per host, the names of each operation it adds."""
    from pyinfra.context import host as current

    # the module (pyinfra.api exports a function of the same name)
    operation: Any = importlib.import_module("pyinfra.api.operation")

    names: Names = {}
    original = operation.ensure_shared_op_meta

    def recording(state: Any, op_hash: str, op_order: Any, global_arguments: Any, given: set[str]) -> Any:
        names[(current.name, op_hash)] = sorted(given)
        return original(state, op_hash, op_order, global_arguments, given)

    operation.ensure_shared_op_meta = recording
    try:
        yield names
    finally:
        operation.ensure_shared_op_meta = original


def label(names: Names, state: Any, host: Any, op_hash: str) -> str:
    """The operation's name as this host gave it (pyinfra's shared set when not recorded)."""
    own = names.get((host.name, op_hash)) or sorted(state.get_op_meta(op_hash).names)
    return ", ".join(own)

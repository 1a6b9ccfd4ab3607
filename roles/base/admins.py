"""The site's admin accounts, and a stamp that spares a converged host pyinfra's account facts.

pyinfra's `server.user` reads every account of the host (its Users fact runs `id`, `lastlog` and `grep` for each
user: about 0.25 s of the host's CPU), then the home, `~/.ssh` and `authorized_keys`. After the accounts are
converged ferme writes a stamp: the wanted accounts' digest and a digest of what they look like on the host (their
passwd line, the mode and owner of the home, `~/.ssh` and `authorized_keys`, the keys themselves). A later run reads
both in one short command: when the stamp says the same, nothing has changed since ferme converged them and
`server.user` is not called; any change made by hand (a shell, a key, a mode) changes the live digest, and the
accounts are converged again the usual way.
"""

from __future__ import annotations

import hashlib
import json
import shlex

STAMP = "/etc/ferme/admins.stamp"


def wanted_digest(admins: list[dict[str, object]]) -> str:
    return hashlib.sha256(json.dumps(admins, sort_keys=True, default=str).encode()).hexdigest()


def live_command(admins: list[dict[str, object]]) -> str:
    """Prints the digest of the accounts as they are on the host."""
    parts = []
    for admin in admins:
        name = shlex.quote(str(admin["name"]))
        home = shlex.quote(f"/home/{admin['name']}")
        parts.append(f"getent passwd {name}; stat -c '%n %a %U %G' {home} {home}/.ssh {home}/.ssh/authorized_keys; "
                     f"cat {home}/.ssh/authorized_keys")  # fmt: skip
    return "{ " + (" ".join(parts) or "true") + " ; } 2>&1 | sha256sum | cut -d' ' -f1"


def stamp_command(admins: list[dict[str, object]]) -> str:
    """Writes the stamp (after the accounts were converged)."""
    return (f"mkdir -p /etc/ferme && echo \"{wanted_digest(admins)} $({live_command(admins)})\" > {STAMP}.new && "
            f"mv {STAMP}.new {STAMP}")  # fmt: skip


def check_command(admins: list[dict[str, object]]) -> str:
    """Prints `current` when the stamp matches the wanted accounts and what is on the host now."""
    return (f"test \"$(cat {STAMP} 2>/dev/null)\" = \"{wanted_digest(admins)} $({live_command(admins)})\" "
            "&& echo current || echo changed")  # fmt: skip

"""Windows operations (pyinfra style): read the host's batched facts, yield guarded PowerShell or report no change.

Every operation takes `wanted`: the JSON of all facts the host's operations need (see
`ferme.facts.windows`), the same for all of them, so one call gathers every fact of the host.
"""

from __future__ import annotations

import json
from typing import Any

from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.facts.windows import BY_NAME, KINDS, WindowsHost, registry_key
from ferme.powershell.build import registry_value as registry_snippet
from ferme.powershell.build import windows_feature
from ferme.powershell.quote import ps_array, ps_quote

FACT_KINDS = tuple(kind.name for kind in KINDS)


class FactNotWanted(LookupError):
    """An operation asked for an item its `wanted` does not list: it would read None and act on it."""


def wanted_for(**kinds: Any) -> str:
    """The `wanted` argument of every Windows operation of a host: what to read, by kind (FACT_KINDS).

    The same JSON for all of a host's operations, so pyinfra gathers the host's facts once.
    """
    unknown = set(kinds) - set(FACT_KINDS)
    if unknown:
        raise TypeError(f"no such kind of Windows fact: {', '.join(sorted(unknown))}")
    values = {kind: sorted([list(item) if isinstance(item, tuple) else item for item in kinds.get(kind, ())])
              for kind in FACT_KINDS}  # fmt: skip
    return json.dumps(values, sort_keys=True)


def facts(wanted: str) -> dict[str, Any]:
    """The host's batched facts, read once per run: the state the host was in when the run began.

    pyinfra 3 does not cache facts (each operation would cost a PowerShell call); ferme keeps them on
    the host object, which lives for one run. Each operation changes its own things only, so what
    one operation changed never stands in another's facts.
    """
    return facts_of(host, wanted)


def facts_of(target: Any, wanted: str) -> dict[str, Any]:
    """`facts`, for any host of the run (the broker reads the session hosts' Group Policy values)."""
    cache: dict[str, dict[str, Any]] | None = getattr(target, "ferme_windows_facts", None)
    if cache is None:
        cache = {}
        target.ferme_windows_facts = cache
    if wanted not in cache:
        cache[wanted] = target.get_fact(WindowsHost, wanted=wanted)
    return cache[wanted]


def fact_item(wanted: str, kind: str, key: str) -> Any:
    """One item of the host's facts (None: absent on the host). Asking for an item `wanted` does not
    list is an error, never a silent None: a feature would then be installed again on every run."""
    listed = {BY_NAME[kind].key(item) for item in json.loads(wanted).get(kind, [])}
    if key not in listed:
        raise FactNotWanted(
            f"{kind} {key!r} is not in this host's wanted facts ({', '.join(sorted(listed)) or 'none'})"
        )
    return facts(wanted)[kind].get(key)


@operation()
def feature(feature: str, wanted: str, present: bool = True) -> Any:
    """A Windows feature installed (with its management tools) or removed.

    A restart the change needs is left to `windows_reboot.reboot(only_if_pending=True)`, which reads
    Windows' own pending-restart markers when it runs.
    """
    installed = bool(fact_item(wanted, "features", feature))
    if installed == present:
        host.noop(f"feature {feature} is {'installed' if present else 'absent'}")
        return
    yield windows_feature(feature) if present else f"Uninstall-WindowsFeature -Name {ps_quote(feature)} | Out-Null"


@operation()
def registry_value(path: str, value_name: str, value: int | str | list[str], wanted: str) -> Any:
    current = fact_item(wanted, "registry", registry_key([path, value_name]))
    if current == value or (isinstance(value, list) and current is not None and list(current) == value):
        host.noop(f"{path}\\{value_name} is {value!r}")
        return
    yield registry_snippet(path, value_name, value)


@operation()
def service_running(service: str, wanted: str) -> Any:
    status = fact_item(wanted, "services", service)
    if status == "Running":
        host.noop(f"service {service} is running")
        return
    if status is None:
        raise ValueError(f"service {service} does not exist on {host.name}")
    yield f"Start-Service -Name {ps_quote(service)}"


@operation()
def firewall_rules(script: str, signatures: list[str], wanted: str, builtin: list[str] | None = None) -> Any:
    """The host's ferme firewall rules: the whole script when a rule is missing, extra, or differs from
    its flow (a port or an address changed by hand), compared by signature (RULE_SIGNATURE), or when
    one of Windows' own rules they replace (`builtin`) is enabled again."""
    enabled = [name for name in builtin or [] if fact_item(wanted, "builtin_rules", name)]
    if sorted(facts(wanted)["firewall_rules"]) == sorted(signatures) and not enabled:
        host.noop(f"{len(signatures)} ferme firewall rules as the flows want them")
        return
    yield script


@operation()
def smb_share(share: str, path: str, access: dict[str, str], wanted: str, domain: str | None = None) -> Any:
    """An SMB share at `path` granting `access` (account → Full, Change or Read); access is only added.

    Well-known accounts are given and read by SID (S-1-5-32-544, S-1-1-0): their names are translated
    on French servers ("BUILTIN\\Administrateurs", "Tout le monde"). A Deny entry for an account to
    grant is lifted (Unblock-SmbShareAccess) before the grant. With `domain` (a NetBIOS name), access
    of that domain's accounts not in `access` is revoked; well-known and local accounts are left alone.
    The FSLogix profile share is one.
    """
    current = fact_item(wanted, "shares", share)
    if current is None:
        grants = {right: sorted(a for a, r in access.items() if r == right) for right in ("Full", "Change", "Read")}
        options = "".join(f" -{right}Access {ps_array(accounts)}" for right, accounts in grants.items() if accounts)
        yield f"New-SmbShare -Name {ps_quote(share)} -Path {ps_quote(path)}{options} | Out-Null"
        return
    if current["path"] != path:
        raise ValueError(f"share {share} on {host.name} points at {current['path']}, not {path}: change it by hand")
    present = {entry.lower() for entry in current["access"]}
    missing = {account: right for account, right in sorted(access.items())
               if f"{account}={right}".lower() not in present}  # fmt: skip
    denied = sorted(account for account in access if any(e.startswith(f"{account.lower()}=deny:") for e in present))
    wanted_accounts = {account.lower() for account in access}
    extra = sorted({entry.split("=", 1)[0] for entry in current["access"]
                    if domain and entry.lower().startswith(domain.lower() + "\\")
                    and entry.split("=", 1)[0].lower() not in wanted_accounts})  # fmt: skip
    if not missing and not denied and not extra:
        host.noop(f"share {share} is as wanted")
        return
    for account in extra:
        yield f"Revoke-SmbShareAccess -Name {ps_quote(share)} -AccountName {ps_quote(account)} -Force | Out-Null"
    for account in denied:
        yield f"Unblock-SmbShareAccess -Name {ps_quote(share)} -AccountName {_account_name(account)} -Force | Out-Null"
    for account, right in missing.items():
        yield (f"Grant-SmbShareAccess -Name {ps_quote(share)} -AccountName {_account_name(account)} "
               f"-AccessRight {right} -Force | Out-Null")  # fmt: skip


def _account_name(account: str) -> str:
    """An account for the SMB cmdlets, which take names: a well-known SID becomes the server's own name."""
    if not account.startswith("S-1-"):
        return ps_quote(account)
    return (
        f"((New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList {ps_quote(account)})"
        ".Translate([System.Security.Principal.NTAccount]).Value)"
    )

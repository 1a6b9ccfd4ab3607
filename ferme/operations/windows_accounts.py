"""Local groups and the domain join, on the host's batched facts (`ferme.operations.windows.facts`)."""

from __future__ import annotations

from typing import Any

from pyinfra.api.command import StringCommand
from pyinfra.api.hiddenvalue import HiddenValue
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.facts.windows import adsi_path, group_lookup
from ferme.operations.windows import fact_item, facts
from ferme.powershell.quote import ps_array, ps_quote


def hidden_literal(secret: str) -> HiddenValue:
    """A secret as a quoted PowerShell literal that logs, reports and fixtures show as '*MASKED*'."""
    return HiddenValue(ps_quote(secret), masked_value="'*MASKED*'")  # type: ignore[no-untyped-call]


def hidden(secret: str | HiddenValue | None) -> HiddenValue | None:
    """A secret for an operation's argument: pyinfra prints operations' arguments, and a HiddenValue as *MASKED*."""
    if secret is None or isinstance(secret, HiddenValue):
        return secret
    return mask(secret)


def mask(secret: str) -> HiddenValue:
    return HiddenValue(secret)  # type: ignore[no-untyped-call]


def revealed(secret: str | HiddenValue) -> str:
    """The value of a secret an operation was given (hidden or not), for the command it builds."""
    return str(secret.unmask()) if isinstance(secret, HiddenValue) else secret


def secure_string(secret: str) -> list[Any]:
    """The bits of a `SecureString` expression whose secret stays masked outside the connector."""
    return ["(ConvertTo-SecureString -String ", hidden_literal(secret), " -AsPlainText -Force)"]


def credential(user: str, password: str) -> list[Any]:
    """The bits of a `PSCredential` expression whose password stays masked outside the connector."""
    return ["(New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList "
            f"{ps_quote(user)}, ", *secure_string(password), ")"]  # fmt: skip


@operation()
def local_group_members(group: str, members: list[str], wanted: str, domain: str | None = None) -> Any:
    """`members` (DOMAIN\\name) belong to the local `group` (a name or a well-known SID); through ADSI.

    With `domain` (a NetBIOS name), the group's members from that domain are exactly `members`: one
    no longer wanted is removed. Members from elsewhere (local accounts, other domains, well-known
    accounts) are never touched. On session hosts: the agents' groups in Remote Desktop Users.
    """
    current = fact_item(wanted, "groups", group)
    if current is None:
        raise ValueError(f"local group {group!r} does not exist on {host.name}")
    present = {member.lower() for member in current}
    missing = [member for member in members if member.lower() not in present]
    wanted_members = {member.lower() for member in members}
    extra = sorted(m for m in current if domain and m.lower().startswith(domain.lower() + "\\")
                   and m.lower() not in wanted_members)  # fmt: skip
    if not missing and not extra:
        host.noop(f"{group} holds {', '.join(members) or f'no member of {domain}'}")
        return
    lines = group_lookup(ps_quote(group))
    lines += [f"$group.Add({ps_quote(adsi_path(member))})" for member in missing]
    lines += [f"$group.Remove({ps_quote(adsi_path(member))})" for member in extra]
    yield "\n".join(lines)


def _new_group(group: str, path: str | None) -> str:
    where = f" -Path {ps_quote(path)}" if path else ""
    return (f"New-ADGroup -Name {ps_quote(group)} -SamAccountName {ps_quote(group)} -GroupScope Global "
            f"-GroupCategory Security{where} -Description 'ferme'")  # fmt: skip


@operation()
def ad_group_members(group: str, members: list[str], wanted: str, path: str | None = None) -> Any:
    """The Active Directory group `group` (sAMAccountName) exists and has exactly `members` (sAMAccountNames of
    users or groups) as direct members: created in `path` (an OU's DN; else the domain's default container) if
    absent, one no longer wanted removed. Run on a domain controller (the ActiveDirectory module); AD replicates
    it."""
    current = fact_item(wanted, "ad_groups", group)
    lines = []
    if current is None:
        lines.append(_new_group(group, path))
        current = []
    present = {m.lower() for m in current}
    missing = [m for m in members if m.lower() not in present]
    wanted_members = {m.lower() for m in members}
    extra = sorted(m for m in current if m.lower() not in wanted_members)
    if missing:
        lines.append(f"Add-ADGroupMember -Identity {ps_quote(group)} -Members {ps_array(missing)}")
    if extra:
        lines.append(f"Remove-ADGroupMember -Identity {ps_quote(group)} -Members {ps_array(extra)} -Confirm:$false")
    if not lines:
        host.noop(f"{group} holds {', '.join(members) or 'nobody'}")
        return
    yield "\n".join(lines)


@operation()
def domain_join(domain: str, user: str, password: str | HiddenValue, wanted: str, ou: str | None = None) -> Any:
    """Joined to `domain` (DNS name), in `ou` if given; the restart it needs is `windows_reboot.reboot`'s.

    A host already in another domain is an error: ferme does not move hosts between domains.
    """
    current = facts(wanted)["domain"]
    if current["joined"] and current["name"].lower() == domain.lower():
        host.noop(f"joined to {domain}")
        return
    if current["joined"]:
        raise ValueError(f"{host.name} is in domain {current['name']}, not {domain}: leave it by hand first")
    where = f" -OUPath {ps_quote(ou)}" if ou else ""
    yield StringCommand(f"Add-Computer -DomainName {ps_quote(domain)}{where} -Credential ",
                        *credential(user, revealed(password)), " -Force", _separator="")  # fmt: skip


@operation()
def ad_group(group: str, wanted: str, path: str | None = None) -> Any:
    """The Active Directory group `group` exists (created in `path` when absent); its members are the site's."""
    if fact_item(wanted, "ad_groups", group) is not None:
        host.noop(f"group {group} exists")
        return
    yield _new_group(group, path)


@operation()
def ad_ou(dn: str, wanted: str) -> Any:
    """The organisational unit `dn` exists (its parent must), protected from accidental deletion."""
    if fact_item(wanted, "ad_ous", dn):
        host.noop(f"{dn} exists")
        return
    name, _, parent = dn.partition(",")
    if not name.upper().startswith("OU=") or not parent:
        raise ValueError(f"{dn}: expected OU=Name,<parent DN>")
    yield (f"New-ADOrganizationalUnit -Name {ps_quote(name[3:])} -Path {ps_quote(parent)} "
           "-ProtectedFromAccidentalDeletion $true")  # fmt: skip


@operation()
def dns_round_robin(zone: str, record: str, addresses: list[str], wanted: str) -> Any:
    """`record` in `zone` resolves to exactly `addresses` (one A record each): the brokers' client access name."""
    current = fact_item(wanted, "dns_records", f"{record}.{zone}") or []
    missing = [a for a in addresses if a not in current]
    extra = [a for a in current if a not in addresses]
    if not missing and not extra:
        host.noop(f"{record}.{zone} resolves to {', '.join(addresses)}")
        return
    # -IpAddress: the documented alias of -IPv4Address (tree-sitter's grammar cannot parse a digit in a parameter)
    lines = [f"Add-DnsServerResourceRecordA -ZoneName {ps_quote(zone)} -Name {ps_quote(record)} -IpAddress "
             f"{ps_quote(a)}" for a in missing]  # fmt: skip
    lines += [f"Remove-DnsServerResourceRecord -ZoneName {ps_quote(zone)} -Name {ps_quote(record)} -RRType A "
              f"-RecordData {ps_quote(a)} -Force" for a in extra]  # fmt: skip
    yield "\n".join(lines)

"""Windows files, templates and NTFS ACLs, on the host's batched facts (`ferme.operations.windows.facts`)."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import PureWindowsPath
from typing import Any

import jinja2
from pyinfra.api.command import FileUploadCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import fact_item
from ferme.powershell.quote import ps_quote

# Who an access rule applies to below the folder, as the Advanced Security dialog names it:
# scope → (InheritanceFlags, PropagationFlags) of FileSystemAccessRule.
SCOPES = {
    "All": ("ContainerInherit,ObjectInherit", "None"),
    "ThisFolderOnly": ("None", "None"),
    "SubfoldersAndFilesOnly": ("ContainerInherit,ObjectInherit", "InheritOnly"),
}
RIGHTS = ("FullControl", "Modify", "ReadAndExecute", "Read", "Write", "ListDirectory")


@operation()
def file(path: str, content: str | bytes, wanted: str, crlf: bool = True) -> Any:
    """A file with exactly this content (uploaded in chunks, replaced whole); compared by SHA-256."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if crlf and isinstance(content, str):
        data = content.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    digest = hashlib.sha256(data).hexdigest().upper()
    if fact_item(wanted, "files", path) == digest:
        host.noop(f"{path} is up to date")
        return
    folder = str(PureWindowsPath(path).parent)
    yield f"New-Item -Path {ps_quote(folder)} -ItemType Directory -Force | Out-Null"
    yield FileUploadCommand(BytesIO(data), path)


@operation()
def template(path: str, source: str, wanted: str, **variables: Any) -> Any:
    """A jinja2 template rendered here (StrictUndefined) and written like `file`, with CRLF line ends."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    with open(source, encoding="utf-8") as handle:
        try:
            text = environment.from_string(handle.read()).render(**variables)
        except jinja2.TemplateError as exc:
            raise ValueError(f"{source}: {exc}") from None
    yield from file._inner(path, text, wanted)


def access_rule(account: str, grant: str) -> str:
    """`Modify:SubfoldersAndFilesOnly` → a FileSystemAccessRule for `account` (the scope defaults to All)."""
    rights, _, scope = grant.partition(":")
    if rights not in RIGHTS or (scope or "All") not in SCOPES:
        raise ValueError(f"NTFS right {grant!r}: expected one of {', '.join(RIGHTS)}, optionally :{'|:'.join(SCOPES)}")
    inheritance, propagation = SCOPES[scope or "All"]
    identity = ps_quote(account)
    if account.startswith("S-1-"):  # a well-known SID: the same on every language of Windows
        identity = f"(New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList {identity})"
    arguments = ", ".join([identity, *(ps_quote(a) for a in (rights, inheritance, propagation, "Allow"))])
    return f"New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList {arguments}"


@operation()
def ntfs_acl(path: str, access: dict[str, str], wanted: str, protected: bool = False, domain: str | None = None) -> Any:
    """A folder whose explicit ACL grants `access` (account → `Rights[:Scope]`). With `domain` (a NetBIOS
    name), explicit rules of that domain's accounts not in `access` are removed; others are left alone.

    `protected` turns inheritance off (inherited rules are dropped, so `access` must hold the
    administrators). The FSLogix profile share root is the known case: CREATOR OWNER (S-1-3-0)
    `Modify:SubfoldersAndFilesOnly`, the agents' group `Modify:ThisFolderOnly`, Administrators
    (S-1-5-32-544) `FullControl`. Give well-known accounts by SID, as the facts do.
    """
    acl = fact_item(wanted, "acls", path)
    present = set() if acl is None else {rule.lower() for rule in acl["rules"]}
    missing = {account: grant for account, grant in sorted(access.items())
               if f"{account}={grant if ':' in grant else grant + ':All'}".lower() not in present}  # fmt: skip
    protect = protected and (acl is None or not acl["protected"])
    wanted_accounts = {account.lower() for account in access}
    extra = sorted({rule.split("=", 1)[0] for rule in (acl["rules"] if acl else [])
                    if domain and rule.lower().startswith(domain.lower() + "\\")
                    and rule.split("=", 1)[0].lower() not in wanted_accounts})  # fmt: skip
    if not missing and not protect and not extra:
        host.noop(f"{path} grants what is wanted")
        return
    lines = []
    if acl is None:
        lines.append(f"New-Item -Path {ps_quote(path)} -ItemType Directory -Force | Out-Null")
    lines.append(f"$acl = Get-Acl -Path {ps_quote(path)}")
    if protect:
        lines.append("$acl.SetAccessRuleProtection($true, $false)")
    lines += [f"$acl.PurgeAccessRules((New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList "
              f"{ps_quote(account)}))" for account in extra]  # fmt: skip
    lines += [f"$acl.AddAccessRule(({access_rule(account, grant)}))" for account, grant in missing.items()]
    lines.append(f"Set-Acl -Path {ps_quote(path)} -AclObject $acl")
    yield "\n".join(lines)

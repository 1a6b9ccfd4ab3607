"""A broker's answer, written by hand from what Windows prints: the `rd_deployment` fact of a deployment that is
exactly as the plan wants (as `ConvertTo-Json` writes it: flags as text, one-element arrays as the element), and
the changes each kind of step makes to it (the WS-Management double's broker applies them).

Kept apart from ferme.rds on purpose: the read-back, the delta and this model must agree for a run to converge.
"""

from __future__ import annotations

import copy
from typing import Any


def _json_list(values: list[Any]) -> Any:
    """ConvertTo-Json writes a one-element array as the element itself."""
    return values[0] if len(values) == 1 else values


def raw_deployment(desired: dict[str, Any]) -> dict[str, Any]:
    """The broker's JSON for a converged deployment (the probe's `$rd`)."""
    collections = {}
    for c in desired["collections"]:
        settings = dict(c["settings"])
        settings["UserGroup"] = _json_list([g.upper() for g in settings["UserGroup"]])
        settings["ClientDeviceRedirectionOptions"] = ", ".join(settings["ClientDeviceRedirectionOptions"]) or "None"
        settings["CustomRdpProperty"] = settings["CustomRdpProperty"].replace("\n", "\r\n") + "\r\n"
        collections[c["name"]] = {
            "hosts": {h.upper(): "Yes" if h not in desired["maintenance"] else "No" for h in c["session_hosts"]},
            "settings": settings,
            "profile_disks": dict(c["profile_disks"]) if c.get("profile_disks") else {"enabled": False},
            "remoteapps": {
                a["alias"]: {"name": a["name"], "path": a["path"], "user_groups": _json_list(a["user_groups"])}
                for a in c["remoteapps"]
            },
        }
    gateway = desired["gateway"]
    return {
        "servers": {server.upper(): _json_list(roles) for server, roles in desired["servers"].items()},
        "ha": None if not desired["ha"] else {**desired["ha"], "active_management_server": desired["broker"]},
        "licensing": {"mode": desired["licensing"]["mode"], "servers": _json_list(desired["licensing"]["servers"])},
        "gateway": {
            "mode": gateway["mode"],
            "external_fqdn": gateway.get("external_fqdn", ""),
            "logon_method": gateway.get("logon_method", "Password"),
            "use_cached_credentials": gateway.get("use_cached_credentials", False),
            "bypass_local": gateway.get("bypass_local", False),
        },
        "certificates": {role: thumbprint.lower() for role, thumbprint in desired["certificates"].items()},
        "collections": collections,
    }


def empty_deployment() -> dict[str, Any]:
    """Right after New-RDSessionDeployment: Windows' defaults."""
    return {"servers": {}, "ha": None, "licensing": {"mode": "NotConfigured", "servers": None},
            "gateway": {"mode": "DoNotUse", "external_fqdn": "", "logon_method": "Password",
                        "use_cached_credentials": False, "bypass_local": False},
            "certificates": {}, "collections": {}}  # fmt: skip


def apply_step(raw: dict[str, Any] | None, desired: dict[str, Any], kind: str, target: str) -> dict[str, Any]:
    """What a step of `kind` on `target` leaves on the broker (the double's side of it)."""
    rd = copy.deepcopy(raw) if raw is not None else empty_deployment()
    converged = raw_deployment(desired)
    words = target.split()
    if kind == "deployment":
        rd = empty_deployment()
        first = next(s for c in desired["collections"] for s in c["session_hosts"])
        web = next((s for s, roles in sorted(desired["servers"].items()) if "RDS-WEB-ACCESS" in roles), None)
        rd["servers"] = {desired["broker"].upper(): ["RDS-CONNECTION-BROKER"], first.upper(): ["RDS-RD-SERVER"]}
        if web:
            rd["servers"].setdefault(web.upper(), [])
            rd["servers"][web.upper()] = [*_as_list(rd["servers"][web.upper()]), "RDS-WEB-ACCESS"]
    elif kind == "add-server":
        server, role = words[0].upper(), words[1]
        rd["servers"][server] = [*_as_list(rd["servers"].get(server)), role]
    elif kind == "remove-server":
        server, role = words[0].upper(), words[1]
        rd["servers"][server] = [r for r in _as_list(rd["servers"].get(server)) if r != role]
    elif kind in ("licensing", "gateway", "high-availability"):
        key = {"high-availability": "ha"}.get(kind, kind)
        rd[key] = converged[key]
    elif kind == "certificate":
        rd["certificates"][target] = converged["certificates"][target]
    elif kind == "collection":
        wanted = converged["collections"][target]
        rd["collections"][target] = {"hosts": wanted["hosts"], "settings": {}, "remoteapps": {},
                                     "profile_disks": {"enabled": False}}  # fmt: skip
    elif kind == "settings":
        name = target.split(":")[0]
        rd["collections"][name]["settings"] = converged["collections"][name]["settings"]
    elif kind in ("session-host", "open", "maintenance", "drain"):
        server = words[0].upper()
        for name, c in rd["collections"].items():
            if kind == "drain" and f"({name})" in target:
                c["hosts"].pop(server, None)
            elif server.lower() in [h.lower() for h in converged["collections"].get(name, {}).get("hosts", {})]:
                c["hosts"][server] = converged["collections"][name]["hosts"][server]
    elif kind == "profile-disks":
        name = target.split(":")[0]
        rd["collections"][name]["profile_disks"] = converged["collections"][name]["profile_disks"]
    elif kind.startswith("remoteapp"):
        name, alias = target.split("/")
        apps = rd["collections"][name]["remoteapps"]
        if kind == "remoteapp-remove":
            apps.pop(alias, None)
        else:
            apps[alias] = converged["collections"][name]["remoteapps"][alias]
    else:
        raise ValueError(f"the model does not know step {kind}")
    return rd


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

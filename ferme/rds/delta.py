"""The steps that take the deployment the broker reads back to the one the plan wants, in the order a farm is built.

No deployment → `New-RDSessionDeployment` with the broker, one session host and one web server, then one
`Add-RDServer` per other server and role (a step each: its own time limit), licensing, the gateway's settings,
high availability then the other brokers, certificates by role (only those that differ), then each collection:
created, hosts drained out or added in (new connections off, tested, opened), settings (one call with what
differs; what Group Policy sets is reported, not fought), hosts under maintenance, RemoteApps. A converged
deployment gives no step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ferme.rds import steps
from ferme.rds.read import TS_POLICIES
from ferme.rds.steps import Step

# A collection setting → the values Group Policy writes when it sets it (Computer Configuration > Remote Desktop
# Session Host). Where one is set on a host of the collection, the setting is the policy's.
GPO_SETTINGS: dict[str, tuple[str, ...]] = {
    "IdleSessionLimitMin": ("MaxIdleTime",),
    "DisconnectedSessionLimitMin": ("MaxDisconnectionTime",),
    "ActiveSessionLimitMin": ("MaxConnectionTime",),
    "BrokenConnectionAction": ("fResetBroken",),
    "AutomaticReconnectionEnabled": ("fDisableAutoReconnect",),
    "ClientDeviceRedirectionOptions": (
        "fDisableCdm",
        "fDisableClip",
        "fDisablePNPRedir",
        "fDisableAudioCapture",
        "fDisableCam",
        "fEnableSmartCard",
    ),
    "ClientPrinterRedirected": ("fDisableCpm",),
    "AuthenticateUsingNLA": ("UserAuthentication",),
    "SecurityLayer": ("SecurityLayer",),
    "EncryptionLevel": ("MinEncryptionLevel",),
}
ORDER = ("RDS-RD-SERVER", "RDS-WEB-ACCESS", "RDS-LICENSING", "RDS-GATEWAY")
# The longest a step may run: adding a server installs its role and may restart it.
ADD_SERVER_SECONDS = 3600


@dataclass
class Delta:
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _gpo_enforced(collection: dict[str, Any], policies: dict[str, Any]) -> dict[str, str]:
    """Setting → `host: Value=data` for the settings Group Policy sets on a host of the collection."""
    enforced: dict[str, str] = {}
    for server in collection["session_hosts"]:
        values = policies.get(server) or {}
        for setting, names in GPO_SETTINGS.items():
            found = [f"{name}={values[name]}" for name in names if name in values]
            if found and setting not in enforced:
                enforced[setting] = f"{server}: {', '.join(found)}"
    return enforced


def _same(key: str, wanted: Any, current: Any) -> bool:
    if key == "UserGroup":
        return sorted(str(v).lower() for v in wanted) == sorted(str(v).lower() for v in current or [])
    if key == "ClientDeviceRedirectionOptions":
        return sorted(wanted) == sorted(current or [])
    if key == "CustomRdpProperty":
        return [line for line in str(wanted).splitlines() if line] == [
            line for line in str(current or "").splitlines() if line
        ]
    return bool(wanted == current)


def deployment_delta(desired: dict[str, Any], facts: dict[str, Any] | None,
                     policies: dict[str, Any] | None = None) -> Delta:  # fmt: skip
    """`facts`: the broker's (ferme.rds.read.parse_deployment), None for no deployment; `policies`: session host
    FQDN → the values Group Policy wrote under TS_POLICIES (None: no policy there, or not read)."""
    delta = Delta()
    policies = policies or {}
    current = facts or {"servers": {}, "licensing": {}, "gateway": {}, "certificates": {}, "ha": None,
                        "collections": {}}  # fmt: skip
    ha = current.get("ha") or {}
    broker = ha.get("active_management_server") or desired["broker"]
    servers: dict[str, list[str]] = desired["servers"]
    have = {server: set(roles) for server, roles in current["servers"].items()}
    if facts is None:
        first = next((s for c in desired["collections"] for s in c["session_hosts"]), None) or next(
            (s for s, roles in servers.items() if "RDS-RD-SERVER" in roles), None
        )
        web = next((s for s, roles in sorted(servers.items()) if "RDS-WEB-ACCESS" in roles), None)
        if first is None:
            delta.notes.append("no session host in the inventory: the deployment cannot be created")
            return delta
        delta.steps.append(Step("deployment", broker, steps.new_deployment(broker, first, web), ADD_SERVER_SECONDS))
        have = {broker: {"RDS-CONNECTION-BROKER"}}
        have.setdefault(first, set()).add("RDS-RD-SERVER")
        if web:
            have.setdefault(web, set()).add("RDS-WEB-ACCESS")
    gateway_fqdn = desired["gateway"].get("external_fqdn")
    for role in ORDER:
        for server, roles in sorted(servers.items()):
            if role in roles and role not in have.get(server, set()):
                script = steps.add_server(broker, server, role, gateway_fqdn)
                delta.steps.append(Step("add-server", f"{server} {role}", script, ADD_SERVER_SECONDS))
    licensing = desired["licensing"]
    if licensing["servers"] and (current["licensing"].get("mode"), current["licensing"].get("servers")) != (
        licensing["mode"], licensing["servers"]):  # fmt: skip
        delta.steps.append(Step("licensing", licensing["mode"],
                                steps.licensing(broker, licensing["mode"], licensing["servers"])))  # fmt: skip
    if {k: current["gateway"].get(k) for k in desired["gateway"]} != desired["gateway"]:
        delta.steps.append(Step("gateway", desired["gateway"].get("external_fqdn") or "none",
                                steps.gateway(broker, desired["gateway"])))  # fmt: skip
    _high_availability(delta, desired, current, broker, have)
    for role, thumbprint in desired["certificates"].items():
        if current["certificates"].get(role) != thumbprint:
            delta.steps.append(Step("certificate", role, steps.certificate(broker, role, thumbprint)))
    for collection in desired["collections"]:
        _collection(delta, desired, collection, current["collections"].get(collection["name"]), broker, policies)
    _leaving(delta, desired, current, broker)
    return delta


def _high_availability(delta: Delta, desired: dict[str, Any], current: dict[str, Any], broker: str,
                       have: dict[str, set[str]]) -> None:  # fmt: skip
    wanted = desired.get("ha")
    if wanted is None:
        return
    if not current.get("ha"):
        driver = wanted["database_connection_string"].split("{", 1)[1].split("}", 1)[0]
        delta.steps.append(Step("high-availability", wanted["client_access_name"],
                                steps.high_availability(broker, wanted, driver)))  # fmt: skip
    elif current["ha"]["client_access_name"] != wanted["client_access_name"]:
        delta.notes.append(f"the brokers' client access name is {current['ha']['client_access_name']}, not "
                           f"{wanted['client_access_name']}: ferme does not move a running HA deployment")  # fmt: skip
    for server, roles in sorted(desired["servers"].items()):
        if "RDS-CONNECTION-BROKER" in roles and "RDS-CONNECTION-BROKER" not in have.get(server, set()):
            delta.steps.append(Step("add-server", f"{server} RDS-CONNECTION-BROKER",
                                    steps.add_server(broker, server, "RDS-CONNECTION-BROKER", None),
                                    ADD_SERVER_SECONDS))  # fmt: skip


def _collection(delta: Delta, desired: dict[str, Any], collection: dict[str, Any], current: dict[str, Any] | None,
                broker: str, policies: dict[str, Any]) -> None:  # fmt: skip
    name = collection["name"]
    wanted_hosts = collection["session_hosts"]
    maintenance = set(desired["maintenance"])
    drain = desired["drain"]
    if current is None:
        delta.steps.append(Step("collection", name, steps.new_collection(
            broker, name, collection["settings"]["CollectionDescription"], wanted_hosts)))  # fmt: skip
        # a new collection has no profile disks
        current = {"hosts": dict.fromkeys(wanted_hosts, "Yes"), "settings": {}, "remoteapps": {},
                   "profile_disks": {"enabled": False}}  # fmt: skip
    hosts: dict[str, str] = current["hosts"]
    elsewhere = {s for c in desired["collections"] for s in c["session_hosts"]}
    for server in sorted(set(hosts) - set(wanted_hosts)):
        delta.steps.append(Step("drain", f"{server} ({name})", steps.drain(
            broker, name, server, drain["title"], drain["message"], drain["wait_minutes"],
            leaves_deployment=server not in elsewhere), drain["wait_minutes"] * 60 + 900))  # fmt: skip
    for server in wanted_hosts:
        if server not in hosts:
            script = steps.add_session_host(broker, name, server, server not in maintenance)
            delta.steps.append(Step("session-host", f"{server} ({name})", script))
        elif server in maintenance and hosts[server] == "Yes":
            delta.steps.append(Step("maintenance", server,
                                    steps.maintenance(broker, server, drain["title"], drain["message"])))  # fmt: skip
        elif server not in maintenance and hosts[server] != "Yes":
            delta.steps.append(Step("open", server, steps.open_session_host(broker, server)))
    enforced = _gpo_enforced(collection, policies)
    for setting, where in enforced.items():
        delta.notes.append(f"collection {name}: {setting} is set by Group Policy ({where}); ferme leaves it to it")
    changed = {key: value for key, value in collection["settings"].items()
               if key not in enforced and not _same(key, value, current["settings"].get(key))}  # fmt: skip
    if changed:
        delta.steps.append(Step("settings", f"{name}: {', '.join(changed)}",
                                steps.collection_settings(broker, name, changed)))  # fmt: skip
    disks = collection.get("profile_disks")
    if disks is not None and current.get("profile_disks", {"enabled": False}) != disks:
        delta.steps.append(Step("profile-disks", f"{name}: {'on' if disks['enabled'] else 'off'}",
                                steps.profile_disks(broker, name, disks)))  # fmt: skip
    apps = {app["alias"]: app for app in collection["remoteapps"]}
    for alias, app in apps.items():
        have = current["remoteapps"].get(alias)
        if have is None or (have["name"], have["path"], have["user_groups"]) != (
            app["name"], app["path"], [g.lower() for g in app["user_groups"]]):  # fmt: skip
            kind = "remoteapp" if have is None else "remoteapp-update"
            delta.steps.append(Step(kind, f"{name}/{alias}", steps.remoteapp(broker, name, app, present=True)))
    for alias in sorted(set(current["remoteapps"]) - set(apps)):
        gone = {"alias": alias, "name": "", "path": "", "user_groups": []}
        delta.steps.append(Step("remoteapp-remove", f"{name}/{alias}",
                                steps.remoteapp(broker, name, gone, present=False)))  # fmt: skip


def _leaving(delta: Delta, desired: dict[str, Any], current: dict[str, Any], broker: str) -> None:
    """Servers the inventory no longer gives a role (session hosts leave through their drain), and collections
    it does not name (reported: ferme does not delete a collection agents may be using)."""
    for server, roles in sorted(current["servers"].items()):
        for role in roles:
            if role in ("RDS-RD-SERVER", "RDS-CONNECTION-BROKER") or role in desired["servers"].get(server, []):
                continue
            delta.steps.append(Step("remove-server", f"{server} {role}", steps.remove_server(broker, server, role)))
        in_collection = any(server in c["hosts"] for c in current["collections"].values())
        if "RDS-RD-SERVER" in roles and "RDS-RD-SERVER" not in desired["servers"].get(server, []) and not in_collection:
            delta.steps.append(Step("remove-server", f"{server} RDS-RD-SERVER",
                                    steps.remove_server(broker, server, "RDS-RD-SERVER")))  # fmt: skip
    named = {c["name"] for c in desired["collections"]}
    for name in sorted(set(current["collections"]) - named):
        delta.notes.append(f"collection {name} is not in the inventory: add it, or remove it by hand "
                           "(Remove-RDSessionCollection) once no agent uses it")  # fmt: skip


def session_host_policies(values: Any) -> dict[str, Any] | None:
    """A session host's `policies` fact for TS_POLICIES (its other keys are not the deployment's)."""
    return (values or {}).get(TS_POLICIES) if isinstance(values, dict) else None

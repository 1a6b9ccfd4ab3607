"""ferme's directory plugin for Plone's PAS: the agents sign in with their Active Directory account (LDAPS).

Installed by the collab role into Plone's venv (a module beside the others) and added to the site's acl_users
by ferme's converger. Its settings, with the service account's password, stay in /etc/plone/directory.json
(root and plone only): nothing of them goes into the ZODB, hence none into the backups.

    authentication  the account is found by the service account (`user_filter`), then bound with its password
    groups          the groups whose `member` is the account (`group_filter`): their names (cn) are the group ids
                    the libraries' access names
    enumeration     an account by its login (exact), or logins containing a text (sharing searches)
    properties      fullname (displayName, else cn) and email (mail)

Answers are kept a few minutes in memory (a WebDAV client authenticates every request).
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import threading
import time
from typing import Any

from AccessControl.class_init import InitializeClass
from Products.PluggableAuthService.interfaces.plugins import (
    IAuthenticationPlugin,
    IGroupsPlugin,
    IPropertiesPlugin,
    IUserEnumerationPlugin,
)
from Products.PluggableAuthService.plugins.BasePlugin import BasePlugin
from zope.interface import implementer

SETTINGS = "/etc/plone/directory.json"
KEEP_SECONDS = 300
_CACHE: dict[str, tuple[float, Any]] = {}
_LOCK = threading.Lock()


def _settings() -> dict[str, Any]:
    with open(os.environ.get("FERME_DIRECTORY_SETTINGS", SETTINGS), encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def _cached(key: str, compute: Any) -> Any:
    now = time.monotonic()
    with _LOCK:
        hit = _CACHE.get(key)
        if hit and now - hit[0] < KEEP_SECONDS:
            return hit[1]
    value = compute()
    with _LOCK:
        if len(_CACHE) > 5000:
            _CACHE.clear()
        _CACHE[key] = (now, value)
    return value


def _escape(value: str) -> str:
    from ldap3.utils.conv import escape_filter_chars

    return escape_filter_chars(value)  # type: ignore[no-any-return]


class Directory:
    """One conversation with the directory (the servers in order, LDAPS, certificates checked)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def _pool(self) -> Any:
        import ldap3

        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.settings.get("ca_file") or None,
                        version=ssl.PROTOCOL_TLS_CLIENT)  # fmt: skip
        servers = [ldap3.Server(uri, use_ssl=uri.startswith("ldaps://"), tls=tls, connect_timeout=5)
                   for uri in self.settings["uris"]]  # fmt: skip
        return ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True)

    def connection(self, dn: str | None = None, password: str | None = None) -> Any:
        import ldap3

        return ldap3.Connection(self._pool(), user=dn or self.settings["bind_dn"],
                                password=password if dn else self.settings["bind_password"],
                                auto_bind=True, receive_timeout=10, read_only=True)  # fmt: skip

    def accounts(self, text: str, exact: bool, limit: int = 50) -> list[dict[str, str]]:
        attribute = self.settings["login_attribute"]
        value = _escape(text) if exact else f"*{_escape(text)}*"
        query = self.settings["user_filter"].replace("{login}", value)
        with self.connection() as conn:
            conn.search(self.settings["base_dn"], query, attributes=[attribute, "displayName", "cn", "mail"],
                        size_limit=limit)  # fmt: skip
            found = []
            for entry in conn.entries:
                values = entry.entry_attributes_as_dict
                login = (values.get(attribute) or [""])[0]
                if login:
                    found.append({"dn": entry.entry_dn, "login": str(login),
                                  "fullname": str((values.get("displayName") or values.get("cn") or [login])[0]),
                                  "email": str((values.get("mail") or [""])[0])})  # fmt: skip
            return found

    def account(self, login: str) -> dict[str, str] | None:
        found = [a for a in self.accounts(login, exact=True, limit=2) if a["login"].lower() == login.lower()]
        return found[0] if len(found) == 1 else None

    def groups(self, dn: str) -> list[str]:
        query = self.settings["group_filter"].replace("{dn}", _escape(dn))
        with self.connection() as conn:
            conn.search(self.settings["group_base_dn"] or self.settings["base_dn"], query, attributes=["cn"])
            return sorted(str(e.entry_attributes_as_dict["cn"][0]) for e in conn.entries
                          if e.entry_attributes_as_dict.get("cn"))  # fmt: skip

    def authenticates(self, dn: str, password: str) -> bool:
        import ldap3.core.exceptions

        try:
            with self.connection(dn, password):
                return True
        except ldap3.core.exceptions.LDAPBindError:
            return False


@implementer(IAuthenticationPlugin, IUserEnumerationPlugin, IGroupsPlugin, IPropertiesPlugin)
class DirectoryPlugin(BasePlugin):  # type: ignore[misc]
    """The agents' directory accounts and groups for Plone (settings in /etc/plone/directory.json)."""

    meta_type = "ferme directory plugin"

    def __init__(self, id: str, title: str = "Annuaire (ferme)") -> None:
        self._setId(id)
        self.title = title

    def _directory(self) -> Directory:
        return Directory(_settings())

    def _account(self, login: str) -> dict[str, str] | None:
        return _cached(f"account:{login.lower()}", lambda: self._directory().account(login))  # type: ignore[no-any-return]

    def authenticateCredentials(self, credentials: dict[str, Any]) -> tuple[str, str] | None:
        login, password = credentials.get("login"), credentials.get("password")
        if not login or not password:
            return None
        digest = hashlib.sha256(f"{login.lower()}\0{password}".encode()).hexdigest()
        account = self._account(login)
        if account is None:
            return None
        if _cached(f"bind:{digest}", lambda: self._directory().authenticates(account["dn"], password)):
            return account["login"], account["login"]
        return None

    def enumerateUsers(self, id: str | None = None, login: str | None = None, exact_match: bool = False,
                       sort_by: str | None = None, max_results: int | None = None,
                       **kw: Any) -> tuple[dict[str, str], ...]:  # fmt: skip
        text = id or login or kw.get("fullname") or ""
        if isinstance(text, (list, tuple)):
            text = text[0] if text else ""
        if not text:
            return ()
        if exact_match:
            account = self._account(text)
            found = [account] if account else []
        else:
            found = self._directory().accounts(text, exact=False, limit=max_results or 50)
        return tuple({"id": a["login"], "login": a["login"], "pluginid": self.getId(), "title": a["fullname"]}
                     for a in found)  # fmt: skip

    def getGroupsForPrincipal(self, principal: Any, request: Any = None) -> tuple[str, ...]:
        account = self._account(principal.getId())
        if account is None:
            return ()
        return tuple(_cached(f"groups:{account['dn']}", lambda: self._directory().groups(account["dn"])))

    def getPropertiesForUser(self, user: Any, request: Any = None) -> dict[str, str]:
        account = self._account(user.getId())
        return {"fullname": account["fullname"], "email": account["email"]} if account else {}


InitializeClass(DirectoryPlugin)

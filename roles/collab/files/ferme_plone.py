"""ferme's converger for Plone: bring the site to the state ferme planned, and say what it changed.

Runs on the collaboration host, in Plone's own virtual environment, as the plone user, through Zope's console
(a ZEO client beside the running instance):
    zconsole run zope.conf ferme_plone.py converge STATE.json [--check]   one line per change (never a secret)
    zconsole run zope.conf ferme_plone.py status STATE.json               the libraries as JSON (for verify)

STATE.json (mode 0600, plone only) holds the administrator's and the local accounts' passwords: they are compared
by authenticating with them, so a run with nothing to change changes nothing and prints nothing.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

# What each role of a library's groups gives: editors add, modify and lock; readers read.
EDITOR_ROLES = ("Contributor", "Editor", "Reader")
READER_ROLES = ("Reader",)
SITE_PERMISSIONS = {
    # Members get 401 on the REST API until they may use it (plone.restapi grants it to no one by default).
    "plone.restapi: Use REST API": ("Authenticated", "Manager", "Site Administrator"),
    # WebDAV: reading a folder's listing needs "WebDAV access"; office suites lock what they open.
    "WebDAV access": ("Authenticated", "Manager", "Site Administrator"),
    "WebDAV Lock items": ("Editor", "Owner", "Manager", "Site Administrator"),
    "WebDAV Unlock items": ("Editor", "Owner", "Manager", "Site Administrator"),
    # A WebDAV MKCOL (a new folder from the office suite or the file manager) needs Zope's own permission.
    "Add Folders": ("Contributor", "Editor", "Owner", "Manager", "Site Administrator"),
}
NO_WEBDAV = {"WebDAV access": ("Manager",), "WebDAV Lock items": ("Manager",), "WebDAV Unlock items": ("Manager",)}
# Inside a library, WebDAV answers only its own readers and editors: acquired from the site, "WebDAV access"
# (Authenticated there) lets any account PROPFIND a library it may not open and read its title.
LIBRARY_PERMISSIONS = {"WebDAV access": ("Contributor", "Editor", "Reader", "Owner", "Manager", "Site Administrator")}
VERSIONED = ("File", "Document")
ATTEMPTS = 4
DIRECTORY_PLUGIN = "ferme-directory"  # ferme_directory_pas.DirectoryPlugin, with `users: directory`
DIRECTORY_INTERFACES = ("IAuthenticationPlugin", "IUserEnumerationPlugin", "IGroupsPlugin", "IPropertiesPlugin")
# What a WebDAV PUT makes: images stay images, everything else a file kept byte for byte. Plone's own rules turn
# text and some office extensions (.doc) into pages, and an office suite would read back HTML.
PUT_RULES = (("image", "major_minor", "image", "Image"), ("ferme-file", "name_regex", ".*", "File"))


class Converger:
    def __init__(self, app: Any, state: dict[str, Any], apply: bool) -> None:
        self.app = app
        self.state = state
        self.apply = apply
        self.changes: list[str] = []

    def change(self, what: str) -> bool:
        """Record a change; True when it must be made now."""
        self.changes.append(what)
        return self.apply

    def authenticates(self, folder: Any, login: str, password: str) -> bool:
        return folder.authenticate(login, password, self.app.REQUEST) is not None

    def admin(self) -> None:
        """Zope's own administrator in the root user folder: the one account that can repair the site. A new
        Zope's root folder is a plain one; making the site turns it into a PAS (its users kept), whose passwords
        its ZODB user manager holds."""
        admin = self.state["admin"]
        users = self.app.acl_users
        manager = getattr(users, "users", None) if hasattr(users, "plugins") else None
        if users.getUser(admin["name"]) is None:
            if self.change(f"administrator {admin['name']}: created"):
                users._doAddUser(admin["name"], admin["password"], ["Manager"], [])
        elif manager is not None:
            credentials = {"login": admin["name"], "password": admin["password"]}
            if manager.authenticateCredentials(credentials) is None and self.change(
                f"administrator {admin['name']}: password set"
            ):
                manager.updateUserPassword(admin["name"], admin["password"])
        elif not self.authenticates(users, admin["name"], admin["password"]) and self.change(
            f"administrator {admin['name']}: password set"
        ):
            users._doChangeUser(admin["name"], admin["password"], ["Manager"], [])

    def site(self) -> Any:
        site = self.state["site"]
        existing = self.app.get(site["id"])
        if existing is not None:
            return existing
        if not self.change(f"site {site['id']}: created ({site['title']})"):
            return None
        from Products.CMFPlone.factory import addPloneSite

        return addPloneSite(
            self.app, site["id"], title=site["title"], setup_content=False, default_language=site["language"],
            portal_timezone=site["timezone"], extension_ids=("plone.app.contenttypes:default", "plone.restapi:default"),
        )  # fmt: skip

    def grant(self, obj: Any, permission: str, roles: tuple[str, ...], what: str) -> None:
        """`permission` to exactly `roles` on `obj`, nothing acquired from above."""
        granted = {r["name"] for r in obj.rolesOfPermission(permission) if r["selected"]}
        differs = granted != set(roles) or bool(obj.acquiredRolesAreUsedBy(permission))
        if differs and self.change(what):
            obj.manage_permission(permission, roles=list(roles), acquire=False)

    def permissions(self, portal: Any) -> None:
        wanted = dict(SITE_PERMISSIONS, **({} if self.state["webdav"] else NO_WEBDAV))
        for permission, roles in wanted.items():
            self.grant(portal, permission, roles, f"site: {permission} for {', '.join(sorted(roles))}")

    def versioning(self, portal: Any) -> None:
        """Files and pages keep their versions (File's versioning is off in a new site); retention site-wide."""
        types = portal.portal_types
        for name in VERSIONED:
            behaviors = tuple(types[name].behaviors)
            if "plone.versioning" not in behaviors and self.change(f"type {name}: versioning behaviour on"):
                types[name].behaviors = (*behaviors, "plone.versioning")
        repository = portal.portal_repository
        versionable = list(repository.getVersionableContentTypes())
        missing = [t for t in VERSIONED if t not in versionable]
        if missing and self.change(f"versions kept for {', '.join(missing)}"):
            repository.setVersionableContentTypes(versionable + missing)
        for name in VERSIONED:
            policies = repository.getPolicyMap().get(name, ())
            if "at_edit_autoversion" not in policies and self.change(f"type {name}: a version at each save"):
                repository.addPolicyForContentType(name, "at_edit_autoversion")
        keep = self.state["versions"] or -1  # 0: every version is kept
        purge = portal.portal_purgepolicy
        if purge.maxNumberOfVersionsToKeep != keep and self.change(f"versions kept per document: {keep}"):
            purge.maxNumberOfVersionsToKeep = keep

    def put_rules(self, portal: Any) -> None:
        registry = portal.content_type_registry

        def described(predicate_id: str) -> tuple[str, str, str, str]:
            predicate, type_name = registry.predicates[predicate_id]
            label = predicate.getTypeLabel()
            key = predicate.getPatternStr() if label == "name_regex" else " ".join(getattr(predicate, "major", []))
            return predicate_id, label, key, type_name

        if tuple(described(p) for p in registry.predicate_ids) == PUT_RULES:
            return
        if self.change("WebDAV: a file put stays a file (images: images)"):
            for predicate_id in list(registry.predicate_ids):
                registry.removePredicate(predicate_id)
            for predicate_id, label, key, type_name in PUT_RULES:
                registry.addPredicate(predicate_id, label)
                predicate = registry.getPredicate(predicate_id)
                predicate.edit(key) if label == "name_regex" else predicate.edit(key, "")
                registry.assignTypeName(predicate_id, type_name)

    def directory(self, portal: Any) -> None:
        """`users: directory`: ferme's plugin answers for the agents' accounts and groups; otherwise it is gone."""
        from Products.PluggableAuthService.interfaces import plugins as interfaces

        users, registry = portal.acl_users, portal.acl_users.plugins
        wanted = self.state["users"] == "directory"
        present = DIRECTORY_PLUGIN in users.objectIds()
        if wanted and not present and self.change("directory: the agents sign in with their directory account"):
            from ferme_directory_pas import DirectoryPlugin

            users._setObject(DIRECTORY_PLUGIN, DirectoryPlugin(DIRECTORY_PLUGIN))
            present = True
        for name in DIRECTORY_INTERFACES if present else ():
            interface = getattr(interfaces, name)
            active = DIRECTORY_PLUGIN in registry.listPluginIds(interface)
            if wanted and not active and self.change(f"directory: {name} on"):
                registry.activatePlugin(interface, DIRECTORY_PLUGIN)
            elif not wanted and active and self.change(f"directory: {name} off"):
                registry.deactivatePlugin(interface, DIRECTORY_PLUGIN)
        if not wanted and present and self.change("directory: plugin removed (users: local)"):
            users._delObject(DIRECTORY_PLUGIN)

    def groups(self, portal: Any) -> None:
        from plone import api

        if self.state["users"] == "directory":
            return  # the directory's groups: Plone asks the directory, nothing is made in the site
        for name in self.state["groups"]:
            if api.group.get(groupname=name) is None and self.change(f"group {name}: created"):
                api.group.create(groupname=name, title=name)

    def accounts(self, portal: Any) -> None:
        from plone import api

        managed = set(self.state["groups"])
        for account in self.state["accounts"]:
            login = account["login"]
            if api.user.get(username=login) is None:
                if not self.change(f"account {login}: created"):
                    continue
                api.user.create(email=f"{login}@{self.state['mail_domain']}", username=login,
                                password=account["password"], properties={"fullname": account["fullname"]})  # fmt: skip
            elif not self.authenticates(portal.acl_users, login, account["password"]) and self.change(
                f"account {login}: password set"
            ):
                portal.acl_users.source_users.userSetPassword(login, account["password"])
            member_of = {g.getId() for g in api.group.get_groups(username=login)} & managed
            for group in sorted(set(account["groups"]) - member_of):
                if self.change(f"account {login}: added to {group}"):
                    api.group.add_user(groupname=group, username=login)
            for group in sorted(member_of - set(account["groups"])):
                if self.change(f"account {login}: removed from {group}"):
                    api.group.remove_user(groupname=group, username=login)

    def libraries(self, portal: Any) -> None:
        from plone import api

        for library in self.state["libraries"]:
            name = library["name"]
            folder = portal.get(name)
            if folder is None:
                if not self.change(f"library {name}: created ({library['title']})"):
                    continue
                folder = api.content.create(container=portal, type="Folder", id=name, title=library["title"])
            if folder.Title() != library["title"] and self.change(f"library {name}: title {library['title']}"):
                folder.setTitle(library["title"])
                folder.reindexObject()
            if api.content.get_state(folder) != "private" and self.change(f"library {name}: private"):
                api.content.transition(folder, to_state="private")
            # Nothing acquired from the site: who sees a library is only what the inventory says.
            if not getattr(folder, "__ac_local_roles_block__", False) and self.change(f"library {name}: own access"):
                folder.__ac_local_roles_block__ = True
                folder.reindexObjectSecurity()
            self.library_permissions(name, folder)
            self.library_roles(name, folder, library)

    def library_permissions(self, name: str, folder: Any) -> None:
        for permission, roles in LIBRARY_PERMISSIONS.items():
            self.grant(folder, permission, roles, f"library {name}: {permission} for its readers and editors only")

    def library_roles(self, name: str, folder: Any, library: dict[str, Any]) -> None:
        """Each group of the library with exactly its roles; groups ferme manages that it no longer names, out."""
        wanted = {g: set(READER_ROLES) for g in library["readers"]}
        wanted.update({g: set(EDITOR_ROLES) for g in library["editors"]})
        current = {p: set(r) for p, r in folder.get_local_roles() if p in wanted or p in self.state["groups"]}
        for principal in sorted(set(current) | set(wanted)):
            roles = wanted.get(principal, set())
            if current.get(principal, set()) == roles:
                continue
            if self.change(f"library {name}: {principal} {', '.join(sorted(roles)) or 'no access'}"):
                if roles:
                    folder.manage_setLocalRoles(principal, sorted(roles))
                else:
                    folder.manage_delLocalRoles([principal])
                folder.reindexObjectSecurity()

    def converge(self) -> None:
        from zope.component.hooks import setSite

        self.admin()
        portal = self.site()
        if portal is None:  # --check before the site exists: everything after it is to be done as well
            self.changes.append("site: permissions, versioning, groups, accounts and libraries")
            return
        setSite(portal)
        self.permissions(portal)
        self.versioning(portal)
        self.put_rules(portal)
        self.directory(portal)
        self.groups(portal)
        self.accounts(portal)
        self.libraries(portal)

    def status(self) -> dict[str, Any]:
        from plone import api
        from zope.component.hooks import setSite

        portal = self.app.get(self.state["site"]["id"])
        if portal is None:
            return {"site": False}
        setSite(portal)
        libraries = {}
        for library in self.state["libraries"]:
            folder = portal.get(library["name"])
            if folder is None:
                continue
            libraries[library["name"]] = {
                "title": folder.Title(),
                "state": api.content.get_state(folder),
                "blocked": bool(getattr(folder, "__ac_local_roles_block__", False)),
                "roles": {p: sorted(r) for p, r in folder.get_local_roles()},
                "items": len(folder.objectIds()),
                "permissions": {
                    p: sorted(r["name"] for r in folder.rolesOfPermission(p) if r["selected"])
                    + (["(acquired)"] if folder.acquiredRolesAreUsedBy(p) else [])
                    for p in LIBRARY_PERMISSIONS
                },
            }
        return {
            "site": True,
            "libraries": libraries,
            "versioned": sorted(portal.portal_repository.getVersionableContentTypes()),
            "versions": portal.portal_purgepolicy.maxNumberOfVersionsToKeep,
        }


def main(app: Any, argv: list[str]) -> int:
    import transaction

    action, path = argv[0], argv[1]
    with open(path, encoding="utf-8") as handle:
        state = json.load(handle)
    if action == "status":
        print(json.dumps(Converger(app, state, apply=False).status(), sort_keys=True))
        return 0
    from ZODB.POSException import ConflictError

    # The instance writes too (a first start sets its site up): a conflicting commit is made again from a fresh
    # read, as Zope does for a request.
    for attempt in range(1, ATTEMPTS + 1):
        converger = Converger(app, state, apply="--check" not in argv)
        try:
            converger.converge()
            if converger.apply and converger.changes:
                transaction.get().note("ferme: converge")
                transaction.commit()
            else:
                transaction.abort()
        except ConflictError:
            transaction.abort()
            if attempt == ATTEMPTS:
                raise
            print(f"conflict with the running instance: trying again ({attempt}/{ATTEMPTS})", file=sys.stderr)
            time.sleep(2 * attempt)
            app._p_jar.sync()
            continue
        for line in converger.changes:
            print(line)
        return 0
    return 1


if __name__ == "__main__":
    # Zope's console runs this file with `app` bound and its own command line in sys.argv.
    ARGS = sys.argv[sys.argv.index(next(a for a in sys.argv if a.endswith("ferme_plone.py"))) + 1 :]
    sys.exit(main(app, ARGS))  # type: ignore[name-defined]  # noqa: F821

"""ferme's converger for privacyIDEA: bring its database to the state ferme planned, and say what it changed.

Runs on the MFA host, inside privacyIDEA's own virtual environment, as the privacyidea user:
    ferme_privacyidea.py converge STATE.json [--check]   one line per change (never a secret value)
    ferme_privacyidea.py status STATE.json               tokens as JSON: active, failures, locked

STATE.json (mode 0600) holds the admin password, the tokens' seeds and PINs: values are compared through
HMAC digests kept in privacyIDEA (token info, server config), keyed by the server's SECRET_KEY, so a run with
nothing to change changes nothing and prints nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
from typing import Any

CONFIG = "/etc/privacyidea/pi.cfg"
MANAGED = "ferme"  # token info key marking the tokens ferme manages


class Converger:
    def __init__(self, state: dict[str, Any], key: bytes, apply: bool) -> None:
        self.state = state
        self.key = key
        self.apply = apply
        self.changes: list[str] = []

    def digest(self, *parts: object) -> str:
        return hmac.new(self.key, json.dumps(parts).encode(), hashlib.sha256).hexdigest()

    def change(self, what: str) -> bool:
        """Record a change; True when it must be made now."""
        self.changes.append(what)
        return self.apply

    def config_digest(self, name: str, *parts: object) -> tuple[bool, str]:
        from privacyidea.lib.config import get_from_config

        wanted = self.digest(*parts)
        return get_from_config(f"ferme.{name}") == wanted, wanted

    def remember(self, name: str, value: str) -> None:
        from privacyidea.lib.config import set_privacyidea_config

        set_privacyidea_config(f"ferme.{name}", value)

    def admin(self) -> None:
        from privacyidea.lib.auth import create_db_admin, get_db_admin

        admin = self.state["admin"]
        same, wanted = self.config_digest("admin", admin["name"], admin["password"])
        missing = get_db_admin(admin["name"]) is None
        if (missing or not same) and self.change(f"administrator {admin['name']}: password set"):
            create_db_admin(admin["name"], password=admin["password"])
            self.remember("admin", wanted)

    def resolver(self) -> None:
        from privacyidea.lib.resolver import get_resolver_list, save_resolver

        users = self.state["users"]
        name = users["resolver"]
        params = {"resolver": name, "type": users["type"], **users["params"]}
        same, wanted = self.config_digest(f"resolver.{name}", params)
        differs = name not in get_resolver_list() or not same
        if differs and self.change(f"user resolver {name} ({users['type']})"):
            save_resolver(params)
            self.remember(f"resolver.{name}", wanted)

    def realm(self) -> None:
        from privacyidea.lib.realm import get_default_realm, get_realms, set_default_realm, set_realm

        realm, resolver = self.state["realm"], self.state["users"]["resolver"]
        current = get_realms(realm).get(realm)
        names = sorted(r["name"] for r in current["resolver"]) if current else []
        if names != [resolver] and self.change(f"realm {realm}: resolver {resolver}"):
            set_realm(realm, resolvers=[{"name": resolver}])
        if get_default_realm() != realm and self.change(f"realm {realm} by default"):
            set_default_realm(realm)

    def policies(self) -> None:
        from privacyidea.lib.policy import get_policies, set_policy

        for policy in self.state["policies"]:
            found = get_policies(name=policy["name"])
            current = found[0] if found else None
            actions = policy["action"]
            if (
                current is None
                or current.get("scope") != policy["scope"]
                or current.get("action") != actions
                or sorted(current.get("realm") or []) != [self.state["realm"]]
                or not current.get("active")
            ) and self.change(f"policy {policy['name']} ({policy['scope']}): {', '.join(sorted(actions))}"):
                action = ",".join(k if v is True else f"{k}={v}" for k, v in sorted(actions.items()))
                set_policy(
                    name=policy["name"],
                    scope=policy["scope"],
                    action=action,
                    realm=self.state["realm"],
                    active=True,
                )

    def tokens(self) -> None:
        from privacyidea.lib.token import (
            assign_token,
            enable_token,
            get_tokens,
            init_token,
            set_max_failcount,
            set_pin,
            unassign_token,
        )
        from privacyidea.lib.user import User

        realm = self.state["realm"]
        wanted = {t["serial"]: t for t in self.state["tokens"]}
        for token in self.state["tokens"]:
            serial = token["serial"]
            found = get_tokens(serial=serial)
            seed = self.digest(token["kind"], token["seed"], token["digits"])
            user = User(token["agent"], realm)
            if not found or found[0].get_tokeninfo(f"{MANAGED}.seed") != seed:
                verb = "enrolled" if not found else "seed replaced"
                if self.change(f"token {serial} ({token['kind']}) {verb} for {token['agent']}"):
                    params = {
                        "type": token["kind"],
                        "serial": serial,
                        "otpkey": token["seed"],
                        "otplen": token["digits"],
                        "description": "ferme",
                    }
                    if found and found[0].user:
                        unassign_token(serial)
                    obj = init_token(params, user=user)
                    obj.add_tokeninfo(MANAGED, "1")
                    obj.add_tokeninfo(f"{MANAGED}.seed", seed)
                    obj.add_tokeninfo(f"{MANAGED}.pin", "")
                    obj.save()
                    found = get_tokens(serial=serial)
                else:
                    continue
            obj = found[0]
            owner = obj.user.login if obj.user else None
            if owner != token["agent"] and self.change(f"token {serial} given to {token['agent']}"):
                if owner:
                    unassign_token(serial)
                assign_token(serial, user)
            pin = self.digest("pin", token["pin"]) if token["pin"] is not None else None
            new_pin = pin is not None and obj.get_tokeninfo(f"{MANAGED}.pin") != pin
            if new_pin and self.change(f"token {serial}: OTP PIN set"):
                set_pin(serial, token["pin"])
                obj.add_tokeninfo(f"{MANAGED}.pin", pin)
                obj.save()
            lockout = self.state["lockout_after"]
            if int(obj.token.maxfail) != lockout and self.change(f"token {serial}: locked after {lockout} failures"):
                set_max_failcount(serial, lockout)
            if bool(obj.token.active) != token["active"]:
                verb = "enabled" if token["active"] else "disabled (no remote access)"
                if self.change(f"token {serial} {verb}"):
                    enable_token(serial, token["active"])
        for obj in get_tokens(tokeninfo={MANAGED: "1"}):
            serial = obj.token.serial
            gone = serial not in wanted and obj.token.active
            if gone and self.change(f"token {serial} disabled (removed from the inventory)"):
                enable_token(serial, False)

    def run(self) -> list[str]:
        self.admin()
        self.resolver()
        self.realm()
        self.policies()
        self.tokens()
        return self.changes


def status(state: dict[str, Any]) -> dict[str, Any]:
    from privacyidea.lib.token import get_tokens

    tokens = {}
    for obj in get_tokens(tokeninfo={MANAGED: "1"}):
        failures, most = int(obj.token.failcount), int(obj.token.maxfail)
        tokens[obj.token.serial] = {
            "agent": obj.user.login if obj.user else None,
            "active": bool(obj.token.active),
            "failures": failures,
            "locked": failures >= most,
            "lockout_after": most,
            "counter": int(obj.token.count),  # HOTP: the next code's counter (a used code is refused)
        }
    return {"realm": state["realm"], "tokens": tokens}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["converge", "status", "reset"])
    parser.add_argument("state")
    parser.add_argument("serial", nargs="?", help="reset: the token whose failure counter is cleared")
    parser.add_argument("--check", action="store_true", help="say what would change, change nothing")
    parser.add_argument("--config", default=CONFIG)
    args = parser.parse_args(argv)
    with open(args.state, encoding="utf-8") as handle:
        state = json.load(handle)

    import logging

    logging.disable(logging.WARNING)
    from privacyidea.app import create_app

    app = create_app(config_name="production", config_file=args.config, silent=True)
    with app.app_context():
        if args.action == "status":
            print(json.dumps(status(state), sort_keys=True))
            return 0
        if args.action == "reset":
            from privacyidea.lib.token import reset_token

            if not args.serial:
                parser.error("reset needs a token serial")
            print(f"token {args.serial}: failure counter cleared" if reset_token(args.serial) else "no such token")
            return 0
        key = str(app.config["SECRET_KEY"]).encode()
        for line in Converger(state, key, apply=not args.check).run():
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

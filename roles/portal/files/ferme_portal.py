#!/usr/bin/env python3
"""ferme's OTP pre-authentication portal: a login page, the code checked by privacyIDEA, a signed cookie.

nginx asks `/check` before every request it proxies to RD Web and the RD gateway (`auth_request`, websockets
included): 204 when the cookie is genuine, within the session's lifetime and not idle too long, else 401 and
nginx sends the browser to `/ferme-auth/login`. Standard library only: it runs with Debian's python3.

Cookie: base64url(JSON {u: login, i: issued, s: last seen}) "." hex(HMAC-SHA256(key, payload)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

REFRESH_SECONDS = 60  # the cookie's "last seen" is renewed at most once a minute


class Sessions:
    """Cookies signed with the portal's key: made at login, checked on every request."""

    def __init__(self, key: bytes, lifetime: int, idle: int) -> None:
        self.key, self.lifetime, self.idle = key, lifetime, idle

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self.key, payload, hashlib.sha256).hexdigest()

    def make(self, login: str, issued: float, seen: float) -> str:
        body = json.dumps({"u": login, "i": int(issued), "s": int(seen)}, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(body).rstrip(b"=")
        return f"{payload.decode()}.{self._sign(payload)}"

    def check(self, cookie: str, now: float) -> tuple[str | None, str | None]:
        """(login, renewed cookie or None) for a valid cookie; (None, why) otherwise."""
        payload, _, signature = cookie.partition(".")
        if not payload or not hmac.compare_digest(self._sign(payload.encode()), signature):
            return None, "forged"
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            login, issued, seen = str(data["u"]), float(data["i"]), float(data["s"])
        except (ValueError, KeyError, TypeError):
            return None, "malformed"
        if now - issued > self.lifetime:
            return None, "expired"
        if now - seen > self.idle:
            return None, "idle"
        renewed = self.make(login, issued, now) if now - seen >= REFRESH_SECONDS else None
        return login, renewed


def accepted(body: bytes) -> bool:
    """privacyIDEA answers HTTP 200 to a rejected code too: only the body says ACCEPT."""
    try:
        result = json.loads(body)["result"]
    except (ValueError, KeyError, TypeError):
        return False
    if not isinstance(result, dict) or result.get("status") is not True or result.get("value") is not True:
        return False
    return bool(result.get("authentication", "ACCEPT") == "ACCEPT")


def pinned_context(server: dict[str, str], pins: str) -> ssl.SSLContext:
    """TLS to one MFA server: its certificate as first seen, kept in `pins/<name>.pem` and required after."""
    path = os.path.join(pins, f"{server['name']}.pem")
    if not os.path.exists(path):
        pem = ssl.get_server_certificate((server["address"], 443), timeout=10)
        with open(path + ".new", "w", encoding="ascii") as handle:
            handle.write(pem)
        os.replace(path + ".new", path)
    context = ssl.create_default_context(cafile=path)
    context.check_hostname = False  # the pinned certificate is matched whole, whatever name it carries
    return context


def validate(config: dict[str, Any], login: str, password: str) -> bool:
    """Ask the MFA servers in order; the next one only when one cannot be reached (never after a reject).

    Each is reached by address; its certificate must be the one pinned the first time the portal reached it
    (`pins`), or, with `pins` unset, one the system trusts for its name."""
    form = urllib.parse.urlencode({"user": login, "pass": password, "realm": config["realm"]})
    for server in config["privacyidea"]:
        try:
            context = pinned_context(server, config["pins"]) if config.get("pins") else ssl.create_default_context()
        except OSError:
            continue
        connection = http.client.HTTPSConnection(server["address"], 443, timeout=10, context=context)
        try:
            connection.request("POST", "/validate/check", body=form, headers={
                "Host": server["name"], "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            return accepted(connection.getresponse().read())
        except (OSError, http.client.HTTPException):
            continue
        finally:
            connection.close()
    return False


def safe_target(target: str) -> str:
    """Where to go after login: a path of this site only (no other host, no header injection)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(c in target for c in "\r\n"):
        return "/"
    return target


PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;margin:0;color:#1b1f24}}
main{{max-width:26rem;margin:8vh auto;background:#fff;padding:2rem 2.2rem;border-radius:10px;
box-shadow:0 2px 14px rgba(0,0,0,.08)}}
h1{{font-size:1.35rem;margin:0 0 .3rem}} p.aide{{color:#4a5260;margin:.2rem 0 1.4rem;font-size:.95rem}}
label{{display:block;font-weight:600;margin:1rem 0 .3rem}}
input{{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #b8c0cc;border-radius:6px;font-size:1rem}}
button{{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:6px;background:#000091;color:#fff;
font-size:1rem;font-weight:600;cursor:pointer}}
.erreur{{background:#fee9e9;color:#a10005;padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}}
footer{{color:#6a7280;font-size:.8rem;margin-top:1.5rem}}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="aide">Identifiez-vous avec votre identifiant habituel, puis saisissez votre code PIN suivi du code
affiché par votre jeton.</p>
{error}
<form method="post" action="/ferme-auth/login">
<input type="hidden" name="rd" value="{target}">
<label for="identifiant">Identifiant</label>
<input id="identifiant" name="identifiant" autocomplete="username" required autofocus>
<label for="code">Code PIN suivi du code du jeton</label>
<input id="code" name="code" type="password" autocomplete="one-time-code" required>
<button type="submit">Se connecter</button>
</form>
<footer>Accès réservé aux agents autorisés. Les connexions sont journalisées.</footer>
</main></body></html>
"""


class Portal(BaseHTTPRequestHandler):
    server_version = "ferme-portal"
    sys_version = ""
    config: ClassVar[dict[str, Any]] = {}
    sessions: Sessions

    def log_message(self, format: str, *args: Any) -> None:
        # Never the form's body (the PIN and code): the request line and the outcome only.
        sys.stderr.write(f"{self.headers.get('X-Forwarded-For', self.client_address[0])} {format % args}\n")

    def _cookie(self) -> str:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.config["cookie"]:
                return value
        return ""

    def _set_cookie(self, value: str, max_age: int) -> str:
        return f"{self.config['cookie']}={value}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"

    def _page(self, status: int, target: str, error: str = "") -> None:
        body = PAGE.format(
            title=html.escape(self.config["title"]),
            target=html.escape(target, quote=True),
            error=f'<p class="erreur" role="alert">{html.escape(error)}</p>' if error else "",
        )
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/check":
            login, renewed = self.sessions.check(self._cookie(), time.time())
            self.send_response(204 if login else 401)
            if login:
                self.send_header("X-Ferme-User", login)
                if renewed:
                    self.send_header("Set-Cookie", self._set_cookie(renewed, self.sessions.lifetime))
            self.end_headers()
        elif url.path == "/ferme-auth/login":
            target = urllib.parse.parse_qs(url.query).get("rd", ["/"])[0]
            self._page(200, safe_target(target))
        elif url.path == "/ferme-auth/logout":
            self.send_response(302)
            self.send_header("Set-Cookie", self._set_cookie("", 0))
            self.send_header("Location", "/ferme-auth/login")
            self.end_headers()
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/ferme-auth/login":
            self.send_error(404)
            return
        length = min(int(self.headers.get("Content-Length") or 0), 4096)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(errors="replace"))
        login = form.get("identifiant", [""])[0].strip()
        code = form.get("code", [""])[0]
        target = safe_target(form.get("rd", ["/"])[0])
        if not login or not code or not validate(self.config, login, code):
            self.log_message("login refused for %s", login[:64])
            self._page(401, target, "Identifiant ou code incorrect. Vérifiez votre code PIN et le code du jeton.")
            return
        now = time.time()
        self.log_message("login accepted for %s", login[:64])
        self.send_response(303)
        self.send_header("Set-Cookie", self._set_cookie(self.sessions.make(login, now, now), self.sessions.lifetime))
        self.send_header("Location", target)
        self.end_headers()


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    with open(config["key_file"], encoding="utf-8") as handle:
        key = bytes.fromhex(handle.read().strip())
    Portal.config = config
    Portal.sessions = Sessions(key, int(config["session_hours"] * 3600), int(config["idle_minutes"] * 60))
    server = ThreadingHTTPServer(("127.0.0.1", int(config["port"])), Portal)
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

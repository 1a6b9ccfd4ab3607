"""Headless Chromium at the OTP portal, as a teleworker's browser: run inside the outside namespace.

`python browser.py PUBLIC NAME USER RIGHT WRONG SCREENSHOT` starts Chromium (DevTools on loopback, the portal's
name mapped to its public address: the lab has no DNS), then: the web client's address → the login page (its
screenshot); a wrong code → refused; the right code → the page behind (RD Web's stand-in) and a websocket
echoed through the gateway path; cookies cleared or forged → the login page again, the websocket refused.
Prints what it saw as JSON.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

import websocket

SOCKET_TEST = """
new Promise((done) => {
  const ws = new WebSocket("wss://%s/remoteDesktopGateway/ws");
  const timer = setTimeout(() => done("timeout"), 8000);
  ws.onopen = () => ws.send("bonjour");
  ws.onmessage = (e) => { clearTimeout(timer); done("echo:" + e.data); ws.close(); };
  ws.onerror = () => { clearTimeout(timer); done("refused"); };
})
"""


class Page:
    """One tab, driven over the DevTools protocol."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]

    def run(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    def settle(self, seconds: float = 15) -> None:
        """Until the page has loaded (navigations and form posts)."""
        time.sleep(0.3)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.run("document.readyState") == "complete":
                return
            time.sleep(0.2)

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.settle()

    def seen(self) -> dict[str, Any]:
        return {"url": self.run("location.href"), "text": self.run("document.body ? document.body.innerText : ''"),
                "lang": self.run("document.documentElement.lang")}  # fmt: skip

    def log_in(self, user: str, code: str) -> dict[str, Any]:
        self.run(f"document.getElementById('identifiant').value = {json.dumps(user)}")
        self.run(f"document.getElementById('code').value = {json.dumps(code)}")
        self.run("document.querySelector('form').submit()")
        self.settle()
        return self.seen()


def main(public: str, name: str, user: str, right: str, wrong: str, screenshot: str) -> dict[str, Any]:
    profile = tempfile.mkdtemp(prefix="ferme-chromium-")
    browser = subprocess.Popen(
        # No background traffic (updates, sync, metrics): the teleworker's namespace has no route out anyway.
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pings",
         "--remote-debugging-port=9229", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
         "--ignore-certificate-errors",
         f"--host-resolver-rules=MAP {name} {public}", "--window-size=1100,800", "--lang=fr-FR", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen("http://127.0.0.1:9229/json/list", timeout=2) as reply:
                    tabs = [t for t in json.load(reply) if t.get("type") == "page"]
                if tabs:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        page = Page(tabs[0]["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Network.enable")
        seen: dict[str, Any] = {}
        page.open(f"https://{name}/RDWeb/webclient/")
        seen["first"] = page.seen()
        shot = page.call("Page.captureScreenshot", format="png")
        with open(screenshot, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        seen["socket_before"] = page.run(SOCKET_TEST % name)
        seen["wrong"] = page.log_in(user, wrong)
        seen["right"] = page.log_in(user, right)
        seen["socket_after"] = page.run(SOCKET_TEST % name)
        cookies = page.call("Network.getCookies", urls=[f"https://{name}/"])["cookies"]
        seen["cookie"] = [{k: c[k] for k in ("name", "secure", "httpOnly", "sameSite")} for c in cookies]
        # A forged cookie: the portal's own, its signature's last character changed.
        portal = next(c for c in cookies if c["name"] == "ferme_portail")
        forged = portal["value"][:-1] + ("0" if portal["value"][-1] != "0" else "1")
        page.call("Network.setCookie", name="ferme_portail", value=forged, url=f"https://{name}/", secure=True)
        page.open(f"https://{name}/RDWeb/webclient/")
        seen["forged"] = page.seen()
        seen["socket_forged"] = page.run(SOCKET_TEST % name)
        page.call("Network.clearBrowserCookies")
        page.open(f"https://{name}/RDWeb/webclient/")
        seen["cleared"] = page.seen()
        return seen
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        subprocess.run(["rm", "-rf", profile], check=False)


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:7])))

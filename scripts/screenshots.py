#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Screenshots of the running demo for the README, with headless Chromium.

Run while `make demo` serves Odoo (scripts/install_chromium.sh installs Chromium):

    python3 scripts/screenshots.py [--url http://localhost:8069] [--out docs/img]

Logs in through /web/login with requests, hands the session cookie to Chromium
over the DevTools protocol (websocket-client), opens each page and saves a PNG.
"""

import argparse
import base64
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1400, 900


def login(url, user, password):
    session = requests.Session()
    page = session.get(f"{url}/web/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/web/login",
        data={"login": user, "password": password, "csrf_token": token},
        timeout=30,
    )
    if "/web/login" in answer.url:
        raise SystemExit(f"Login as {user} failed at {url}")
    return session


def call(session, url, model, method, *args, **kwargs):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
    }
    answer = session.post(
        f"{url}/web/dataset/call_kw/{model}/{method}", json=payload, timeout=30
    ).json()
    if "error" in answer:
        raise SystemExit(json.dumps(answer["error"], indent=1))
    return answer["result"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Chrome:
    """Just enough of the DevTools protocol: cookie, navigate, wait, capture."""

    def __init__(self, binary):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="pleo_shots_")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--remote-debugging-port={self.port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_ws(), timeout=60)
        self.next_id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_ws(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                pages = requests.get(
                    f"http://127.0.0.1:{self.port}/json", timeout=2
                ).json()
                for page in pages:
                    if page.get("type") == "page":
                        return page["webSocketDebuggerUrl"]
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("Chromium did not open its DevTools port")

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.3)
        raise SystemExit(f"{selector} never appeared")

    def shoot(self, url, path, ready, script=None, then=None, settle=1.5):
        """Open `url`, wait for `ready`, optionally run `script` (a click, a
        scroll) and wait for `then`, and save a PNG."""
        self.send("Page.navigate", url=url)
        self.wait_for(ready)
        if script:
            time.sleep(settle)
            self.evaluate(script)
            if then:
                self.wait_for(then)
        time.sleep(settle)  # let the web client finish rendering
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs/img")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    url = args.url.rstrip("/")

    session = login(url, args.login, args.password)
    connection = call(session, url, "pleo.connection", "search_read", [], ["id"])
    if not connection:
        raise SystemExit("No Pleo connection: run `make demo` first.")
    connection_id = connection[0]["id"]
    moves = call(
        session,
        url,
        "account.move",
        "search_read",
        [
            ("pleo_connection_id", "=", connection_id),
            ("message_main_attachment_id", "!=", False),
        ],
        ["id"],
        limit=1,
        order="id",
    )
    chrome = Chrome(args.chromium)
    try:
        host = url.split("://", 1)[1].split("/")[0].split(":")[0]
        chrome.send(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            domain=host,
            path="/",
        )
        form = (
            f"{url}/odoo/action-pleo_connector.pleo_connection_action/{connection_id}"
        )
        shots = [
            (
                form,
                "pleo_connection.png",
                ".o_form_view .o_pleo_overview",
            ),
            (
                f"{url}/odoo/action-pleo_connector.pleo_export_item_action",
                "pleo_export_queue.png",
                ".o_list_view .o_data_row",
            ),
        ]
        if moves:
            shots.append(
                (
                    f"{url}/odoo/action-account.action_move_journal_line/{moves[0]['id']}",
                    "pleo_imported_entry.png",
                    ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
                )
            )
        for page, name, ready in shots:
            chrome.shoot(page, out / name, ready)
            sys.stdout.write(f"{out / name}\n")
        chrome.shoot(
            f"{url}/odoo/settings#account",
            out / "pleo_settings.png",
            "#pleo_connection",
            script="document.querySelector('#pleo_connection').scrollIntoView()",
        )
        sys.stdout.write(f"{out / 'pleo_settings.png'}\n")
        # Dialogs opened by a button of the connection form.
        for name, button, dialog in (
            (
                "pleo_setup_wizard.png",
                "action_pleo_open_setup",
                ".modal .o_pleo_setup_wizard",
            ),
            (
                "pleo_config_check.png",
                "action_pleo_check_configuration",
                ".o_pleo_config_check",
            ),
        ):
            selector = f"button[name={button}]"
            chrome.shoot(
                form,
                out / name,
                selector,
                script=f"document.querySelector('{selector}').click()",
                then=dialog,
            )
            sys.stdout.write(f"{out / name}\n")
    finally:
        chrome.close()


if __name__ == "__main__":
    main()

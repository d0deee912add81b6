"""The Pleo sandbox in a process of its own, for the benchmarks.

Its rate limit is off (and the benchmarks switch the client's throttle off) so the
figures measure Odoo's side, not Pleo's 600 requests a minute.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(port=None, receipts=True, company_id=None):
    """(process, base URL) of a sandbox with master data only (seed `none`)."""
    port = port or free_port()
    command = [sys.executable, "-m", "pleo_sandbox", "--port", str(port)]
    command += ["--seed", "none", "--rate-limit", "0"]
    if company_id:
        command += ["--company-id", company_id]
    if not receipts:
        command.append("--no-receipts")
    proc = subprocess.Popen(command, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url + "/_sandbox", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the sandbox did not start")

"""Long runs under Odoo's worker limits, on a real multi-worker server.

Odoo in multi-worker mode stops a scheduled action after `limit_time_real_cron`
seconds. This starts the real server (`--workers 2`, a 20-second limit) on an
export job and a first vendor sync that each take longer than that, against the
bundled sandbox, and waits until both are done. Passes when Odoo did stop a run
(the server log says so) and, in the end, every expense is booked once and
reported to Pleo once, and every supplier is one Pleo vendor.

    python3 scripts/test_worker_limits.py --config odoo.conf --database DB

Called by scripts/test_odoo.sh after the Odoo tests, on their database.

Odoo's cron worker sleeps up to 70 seconds between polls and its watchdog counts
that sleep, so under a 20-second limit a cron worker only works when woken by a
trigger (`NOTIFY cron_trigger`, as `ir.cron._trigger()` sends). This test sends
one every few seconds, as Pleo's webhooks and the Sync now button do.
"""

import argparse
import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "scripts"), str(REPO / "bench"), str(REPO)]

import odoo_info  # noqa: E402, F401 - sets Odoo up on either series

import odoo  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from pleo_sandbox import SandboxServer  # noqa: E402

VENDOR_PREFIX = "Worker Limit Supplier"
# What Odoo logs when it stops a worker that ran out of time.
STOPPED_MARKS = ("timeout after", "virtual real time limit")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(args, sandbox):
    """A connection at level 4 with the sandbox's job pending and many new
    suppliers to push; both scheduled actions due now. Committed."""
    import bench_export  # noqa: PLC0415 - needs Odoo set up first

    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    with Registry(args.database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        info = bench_export.sandbox_call(sandbox.url, "/_sandbox")
        # Throttle off: the work is long enough without it.
        connection = bench_export.setup(env, sandbox.url, info, rpm=0)
        connection.write(
            {
                "integration_level": "4",
                "pleo_sync_confirmed_at": datetime.datetime.now(),
            }
        )
        env["res.partner"].create(
            [
                {
                    "name": f"{VENDOR_PREFIX} {n:05d}",
                    "is_company": True,
                    "supplier_rank": 1,
                }
                for n in range(args.vendors)
            ]
        )
        crons = env.ref("pleo_connector.ir_cron_pleo_export") | env.ref(
            "pleo_connector.ir_cron_pleo_sync_vendors"
        )
        crons.write({"active": True, "nextcall": datetime.datetime.now()})
        return connection.id


def odoo_launcher():
    """The server's own launcher: its prefork master re-runs sys.argv for the
    websocket worker, which `python -m odoo` cannot be."""
    script = Path(sys.executable).with_name("odoo")
    if not script.exists():
        raise SystemExit(f"No `odoo` launcher beside {sys.executable}")
    return [sys.executable, str(script)]


def trigger_crons(database):
    """What ir.cron._notifydb() does: the workers listen on `postgres`."""
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", [database])


def serve(args, log_path):
    command = [
        *odoo_launcher(),
        "-c",
        args.config,
        "-d",
        args.database,
        f"--db-filter=^{args.database}$",
        "--workers=2",
        "--max-cron-threads=1",
        f"--limit-time-real={args.limit}",
        f"--limit-time-real-cron={args.limit}",
        f"--http-port={free_port()}",
        "--log-level=info",
    ]
    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller's kill()
    return subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TZ": "UTC"}
    )


def done(sandbox, args):
    jobs = sandbox.jobs()
    vendors = [
        v
        for v in sandbox.state.vendors.vendors.values()
        if v["name"].startswith(VENDOR_PREFIX)
    ]
    finished = jobs and all(j["status"] in ("completed",) for j in jobs)
    return finished and len(vendors) >= args.vendors, jobs, vendors


def check(args, sandbox, connection_id, jobs, vendors, log_text):
    problems = []
    if not any(mark in log_text for mark in STOPPED_MARKS):
        problems.append("no run was stopped by the limit: make the work longer")
    (job,) = jobs
    reports = sandbox.reported(job["id"])
    if len(reports) != args.items:
        problems.append(f"{len(reports)} items reported, {args.items} expected")
    twice = [r["accountingEntryId"] for r in reports if r["updates"] != 1]
    if twice:
        problems.append(f"{len(twice)} items reported more than once")
    names = [v["name"] for v in vendors]
    if len(names) != len(set(names)) or len(names) != args.vendors:
        problems.append(f"{len(names)} vendors for {args.vendors} suppliers")
    with Registry(args.database).cursor() as cr:
        cr.execute(
            "SELECT count(*), count(DISTINCT pleo_accounting_entry_id) "
            "FROM account_move WHERE pleo_connection_id = %s AND pleo_live",
            [connection_id],
        )
        moves, entries = cr.fetchone()
    if moves != entries or entries != args.items:
        problems.append(f"{moves} live entries for {entries} of {args.items} items")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--vendors", type=int, default=4000)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--timeout", type=int, default=1500)
    parser.add_argument("--log", default="worker_limits.log")
    args = parser.parse_args()

    sandbox = SandboxServer(port=0, seed=args.items, rate_limit=None, file_ttl=7200)
    sandbox.start()
    server = None
    try:
        connection_id = prepare(args, sandbox)
        server = serve(args, args.log)
        started = time.monotonic()
        finished, jobs, vendors = False, [], []
        while time.monotonic() - started < args.timeout:
            time.sleep(5)
            trigger_crons(args.database)
            finished, jobs, vendors = done(sandbox, args)
            if finished:
                break
        elapsed = time.monotonic() - started
    finally:
        if server:
            server.terminate()
            server.wait(30)
        sandbox.stop()
    log_text = Path(args.log).read_text(errors="replace")
    stops = sum(log_text.count(mark) for mark in STOPPED_MARKS)
    print(
        f"worker limits: {args.items} items, {args.vendors} suppliers, limit "
        f"{args.limit}s: {'done' if finished else 'NOT done'} in {elapsed:.0f}s, "
        f"{stops} stop(s) in the server log"
    )
    if not finished:
        print(f"FAILED: not finished within {args.timeout}s (log: {args.log})")
        return 1
    problems = check(args, sandbox, connection_id, jobs, vendors, log_text)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

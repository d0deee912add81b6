#!/usr/bin/env python3
"""Import throughput of Level 1: a sandbox export job of N items into Odoo.

For each N and client configuration (the default `requests_per_minute` 500 and
the throttle off) the import runs in its own child process (so peak memory is
per run) against a sandbox served by a separate process (so the sandbox does
not compete with Odoo for the GIL). It prints items/second, Pleo API requests
and receipt downloads (with the counts expected), the peak RSS growth of the
import, and the floor: the moves of a first import created again in the same
database by batched `account.move.create` + `action_post` in batches of 500
(rolled back), with the ratio of a second import's time (same journal size as
the floor's) to the floor's. See bench/README.md.
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sandbox_process import start_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import odoo_info  # noqa: E402

# After odoo_info: on 19.0 `odoo` is set up by odoo.init, which it imports.
from bench_company import setup  # noqa: E402

import odoo
from odoo import SUPERUSER_ID, Command, api

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "pleo_bench_export"
CONFIGS = {"default": 500, "off": 0}  # requests_per_minute of the connection
FLOOR_BATCH = 500
PAGE = 100  # export items per page and item outcomes per update call
# With the default configuration: ratio to the floor at most this, per N.
TARGETS = {1000: 1.3, 5000: 1.2}
RSS_FLAT = 0.15  # peak RSS of the default configuration across N: at most +15 %


# --- parent: database, sandbox, one child per N -------------------------------------
def addons_path():
    dirs = [*odoo_info.addons_dirs(), str(REPO)]
    queue_job = REPO / ".odoo_addons" / odoo_info.SERIES / "odoo" / "addons"
    if queue_job.is_dir():
        dirs.append(str(queue_job))
    return ",".join(dirs)


def odoo_args(args):
    addons = addons_path()
    return [
        f"--db_host={args.db_host}",
        f"--db_user={args.db_user}",
        "--http-interface=127.0.0.1",
        f"--addons-path={addons}",
        *odoo_info.without_demo_args(),
        "--log-level=warn",
    ]


def db_exists(args):
    out = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return any(line.split("|")[0].strip() == args.db for line in out.splitlines())


def prepare_db(args, modules="pleo_connector"):
    if args.fresh and db_exists(args):
        subprocess.run(
            ["dropdb", "-h", args.db_host, "-U", args.db_user, args.db], check=True
        )
    if not db_exists(args):
        print(f"== installing {modules} in a fresh database {args.db}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-d",
                args.db,
                "-i",
                modules,
                "--stop-after-init",
                *odoo_args(args),
            ],
            check=True,
            env={**os.environ, "TZ": "UTC"},  # what odoo-bin sets
        )


def run_child(args, url, n, config):
    cmd = [sys.executable, __file__, "--child", "--db", args.db]
    cmd += ["--db-host", args.db_host, "--db-user", args.db_user]
    cmd += ["--sandbox", url, "--n", str(n), "--config", config]
    cmd += ["--chart", args.chart, "--mix", args.mix]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
    if out.returncode or not line:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"benchmark of N={n} ({config}) failed")
    return json.loads(line)


def print_table(results):
    header = (
        f"{'N':>7} {'config':>8} {'1st s':>7} {'import s':>9} {'items/s':>8} "
        f"{'API req (exp)':>14} {'files (exp)':>12} {'peak RSS MB':>12} {'+MB':>5} "
        f"{'floor s':>8} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        api_req = f"{r['api_requests']} ({r['api_expected']})"
        files = f"{r['downloads']} ({r['downloads_expected']})"
        print(
            f"{r['n']:>7} {r['config']:>8} {r['first_import_s']:>7.1f} "
            f"{r['import_s']:>9.2f} "
            f"{r['items_per_s']:>8.1f} {api_req:>14} {files:>12} "
            f"{r['rss_peak_mb']:>12.1f} {r['rss_mb']:>5.1f} "
            f"{r['floor_s']:>8.2f} {r['ratio']:>6.2f}x"
        )
    for n, target in TARGETS.items():
        for r in results:
            if r["n"] == n and r["config"] == "default":
                met = "met" if r["ratio"] <= target else "NOT met"
                print(f"target N={n} default <= {target}x: {r['ratio']:.2f}x -> {met}")
    peaks = [r["rss_peak_mb"] for r in results if r["config"] == "default"]
    if len(peaks) > 1:
        spread = max(peaks) / min(peaks) - 1
        met = "met" if spread <= RSS_FLAT else "NOT met"
        print(f"peak RSS flat in N (within {RSS_FLAT:.0%}): {spread:.1%} -> {met}")


def parent(args):
    prepare_db(
        args, "pleo_connector,l10n_dk" if args.chart == "dk" else "pleo_connector"
    )
    proc, url = start_sandbox(args.port, receipts=args.receipts)
    results = []
    try:
        for n in args.n:
            for config in args.config:
                results.append(run_child(args, url, n, config))
                print(json.dumps(results[-1]), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print_table(results)
    print(json.dumps(results))


# --- child: one import of N items -------------------------------------------------
def sandbox_call(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url + path,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


LINE_FIELDS = (
    "name",
    "display_type",
    "account_id",
    "partner_id",
    "currency_id",
    "amount_currency",
    "balance",
    "tax_ids",
    "tax_repartition_line_id",
    "tax_tag_ids",
    "analytic_distribution",
    "quantity",
    "price_unit",
    "date_maturity",
)


def baseline_vals(move):
    """The values of `move`, as one would pass them to create it directly."""
    lines = []
    for line in move.line_ids:
        vals = {}
        for fname in LINE_FIELDS:
            value = line[fname]
            field = line._fields[fname]
            if field.type == "many2one":
                value = value.id
            elif field.type == "many2many":
                value = [Command.set(value.ids)]
            vals[fname] = value
        lines.append(Command.create(vals))
    return {
        "move_type": move.move_type,
        "journal_id": move.journal_id.id,
        "date": move.date,
        "invoice_date": move.invoice_date,
        "currency_id": move.currency_id.id,
        "partner_id": move.partner_id.id,
        "ref": move.ref,
        "narration": move.narration,
        "line_ids": lines,
    }


def proc_status_kb(key):
    """A memory figure of this process from /proc/self/status (Linux), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {key} in /proc/self/status")


def reset_peak_rss():
    """Reset the kernel's peak RSS (VmHWM) to the current RSS; returns it."""
    Path("/proc/self/clear_refs").write_text("5")
    return proc_status_kb("VmRSS")


def run_import(env, conn, args, n):
    """Import a new job of n items; (its id, seconds, its memory figures:
    peak RSS and its growth during the import in MB, the clients used)."""
    job = sandbox_call(
        args.sandbox,
        "/_sandbox/jobs",
        {"seed": n, "mix": args.mix, "notify": False},
    )["data"]
    clients = []
    cls = type(conn)
    original = cls._pleo_client

    def spy(self):
        client = original(self)
        clients.append(client)
        return client

    cls._pleo_client = spy
    rss0 = reset_peak_rss()
    start = time.perf_counter()
    try:
        conn._pleo_export_run()
    finally:
        cls._pleo_client = original
    import_s = time.perf_counter() - start
    peak = proc_status_kb("VmHWM")
    memory = {"rss_peak_mb": peak / 1024, "rss_mb": (peak - rss0) / 1024}
    return job["id"], import_s, memory, clients


def floor(env, moves):
    """Seconds to create and post `moves` again, in batches (rolled back by
    the caller), in the order they were booked (a search returns them by date,
    newest first)."""
    vals_list = [baseline_vals(move) for move in moves.sorted("id")]
    env.invalidate_all()
    Move = env["account.move"].with_context(
        skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True
    )
    start = time.perf_counter()
    for i in range(0, len(vals_list), FLOOR_BATCH):
        Move.create(vals_list[i : i + FLOOR_BATCH]).action_post()
        env.flush_all()
    return time.perf_counter() - start


def expected_api_requests(n):
    """Pages: the job lists (in-progress and pending jobs, read once to find
    the job and once to find no other) and the item pages; the item-update
    chunks; the started and final events."""
    pages = 4 + max(1, -(-n // PAGE))
    return pages + -(-n // PAGE) + 2


def open_registry(args):
    odoo.tools.config.parse_config(
        [
            "-d",
            args.db,
            f"--db_host={args.db_host}",
            f"--db_user={args.db_user}",
            f"--addons-path={addons_path()}",
            "--log-level=warn",
        ]
    )
    return odoo.modules.registry.Registry(args.db)


def imported(env, conn, args, n):
    """Import a new job of n items: (its moves, its figures)."""
    before = env["account.move"].search([], order="id desc", limit=1).id or 0
    job_id, import_s, memory, clients = run_import(env, conn, args, n)
    moves = env["account.move"].search(
        [
            ("pleo_connection_id", "=", conn.id),
            ("pleo_accounting_entry_id", "!=", False),
            ("id", ">", before),
        ]
    )
    jobs = sandbox_call(args.sandbox, "/_sandbox/jobs")["data"]
    job = next(j for j in jobs if j["id"] == job_id)
    if job["status"] != "completed" or len(moves) != n:
        raise SystemExit(
            f"import incomplete: job {job['status']} {job.get('counts')}, "
            f"{len(moves)} moves"
        )
    api_requests = sum(c.api_request_count for c in clients)
    return moves, {
        "import_s": import_s,
        **memory,
        "api_requests": api_requests,
        "downloads": sum(c.request_count for c in clients) - api_requests,
        "downloads_expected": env["ir.attachment"].search_count(
            [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]
        ),
    }


def vacuum(args, cr):
    """VACUUM ANALYZE the database, as Postgres's autovacuum would between
    runs (this machine's server has it off): without it each run leaves dead
    rows and stale statistics that slow every later one."""
    cr.commit()  # pylint: disable=invalid-commit
    subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-qc", "VACUUM ANALYZE"]
        + [args.db],
        check=True,
    )


def child(args):
    """A warm-up import of one page, a first import (journal J; its peak
    memory growth is the figure), the floor of its moves (journal J + N,
    rolled back), then the measured import of a second job (journal J + N):
    each move costs Odoo more as its journal grows, so the floor and the
    measured import start from the same journal."""
    registry = open_registry(args)
    info = sandbox_call(args.sandbox, "/_sandbox")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        conn = setup(env, args.sandbox, info, CONFIGS[args.config], args.chart)
        imported(env, conn, args, PAGE)  # warm-up: Odoo's caches filled
        vacuum(args, cr)
        moves, first = imported(env, conn, args, args.n)
        vacuum(args, cr)
        floor_s = floor(env, moves)
        cr.rollback()
        env.transaction.reset()
        vacuum(args, cr)
        _moves, second = imported(env, conn, args, args.n)
    print(
        json.dumps(
            {
                "n": args.n,
                "config": args.config,
                **second,
                "first_import_s": first["import_s"],
                # After the floor the process's memory is already grown: the
                # first import's figures.
                "rss_peak_mb": first["rss_peak_mb"],
                "rss_mb": first["rss_mb"],
                "items_per_s": args.n / second["import_s"],
                "api_expected": expected_api_requests(args.n),
                "floor_s": floor_s,
                "ratio": second["import_s"] / floor_s,
            }
        )
    )


# --- two companies, one worker or two, through queue_job --------------------------
SECOND_COMPANY_ID = "6c1f9d2e-4b7a-4e3c-9a5d-2f8b1c0e7d42"  # its sandbox's
TWO_TARGET = 0.6
TWO_MODULES = "pleo_connector,queue_job,pleo_connector_queue_job"


def child_cmd(args, *extra):
    cmd = [sys.executable, __file__, "--child", "--db", args.db, "--mix", args.mix]
    return [*cmd, "--db-host", args.db_host, "--db-user", args.db_user, *extra]


def two_prepare(args):
    """Both companies set up against their own sandbox, a job of N items in
    each, one export queue job per connection; prints their uuids."""
    registry = open_registry(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Company = env["res.company"]
        second = Company.search([("name", "=", "Pleo bench 2")], limit=1)
        second = second or Company.create(
            {"name": "Pleo bench 2", "currency_id": env.ref("base.DKK").id}
        )
        env.user.company_ids |= second
        uuids = []
        companies = env.ref("base.main_company") | second
        for company, url in zip(companies, args.sandbox, strict=True):
            cenv = env(context={"allowed_company_ids": [company.id]})
            info = sandbox_call(url, "/_sandbox")
            conn = setup(cenv, url, info, CONFIGS["default"])
            sandbox_call(
                url,
                "/_sandbox/jobs",
                {"seed": args.n, "mix": args.mix, "notify": False},
            )
            uuids.append(conn._pleo_queue_enqueue("export", "Pleo export").uuid)
        before = env["account.move"].search([], order="id desc", limit=1).id or 0
        vacuum(args, cr)
    print(json.dumps({"uuids": uuids, "before": before}))


def two_perform(args):
    """Perform the given queue jobs one after the other, from `--at` on."""
    registry = open_registry(args)  # puts queue_job on odoo.addons
    Job = importlib.import_module("odoo.addons.queue_job.job").Job
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        time.sleep(max(0.0, args.at - time.time()))
        start = time.time()
        moves = 0
        for uuid in args.uuid:
            job = Job.load(env, uuid)
            job.set_started()
            job.store()
            cr.commit()  # pylint: disable=invalid-commit
            job.perform()
            job.set_done()
            job.store()
            cr.commit()  # pylint: disable=invalid-commit
            moves += env["account.move"].search_count(
                [
                    ("pleo_connection_id", "=", job.recordset.id),
                    ("pleo_accounting_entry_id", "!=", False),
                    ("id", ">", args.before),
                ]
            )
        end = time.time()
    print(json.dumps({"start": start, "end": end, "moves": moves}))


def json_line(out, what):
    line = next((x for x in out.splitlines() if x.startswith("{")), None)
    if not line:
        raise SystemExit(f"{what} failed")
    return json.loads(line)


def two_round(args, urls, workers):
    """Wall time of both companies' export queue jobs on `workers` processes."""
    urls_args = [x for url in urls for x in ("--sandbox", url)]
    out = subprocess.run(
        child_cmd(args, "--two-prepare", "--n", str(args.n[0]), *urls_args),
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(out.stderr if out.returncode else "")
    prep = json_line(out.stdout, "two-company setup")
    groups = [prep["uuids"]] if workers == 1 else [[u] for u in prep["uuids"]]
    at = time.time() + 20  # after every process has loaded its registry
    procs = []
    for group in groups:
        extra = [x for u in group for x in ("--uuid", u)]
        extra += ["--at", str(at), "--before", str(prep["before"])]
        cmd = child_cmd(args, "--two-perform", *extra)
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
    runs = [json_line(proc.communicate()[0], "a queue job") for proc in procs]
    if sum(r["moves"] for r in runs) != 2 * args.n[0]:
        raise SystemExit(f"two-company import incomplete: {runs}")
    return max(r["end"] for r in runs) - min(r["start"] for r in runs)


def parent_two(args):
    args.db += "_2co"
    prepare_db(args, TWO_MODULES)
    sandboxes = [
        start_sandbox(receipts=args.receipts, company_id=company_id)
        for company_id in (None, SECOND_COMPANY_ID)
    ]
    try:
        urls = [url for _proc, url in sandboxes]
        one = two_round(args, urls, 1)
        two = two_round(args, urls, 2)
    finally:
        for proc, _url in sandboxes:
            proc.terminate()
            proc.wait(timeout=10)
    ratio = two / one
    met = "met" if ratio <= TWO_TARGET else "NOT met"
    print(f"two companies x N={args.n[0]} (default configuration), export queue jobs")
    print(f"  one worker  (one process, one job after the other): {one:8.2f} s")
    print(f"  two workers (two processes in parallel, one job each): {two:8.2f} s")
    print(f"  two / one: {ratio:.2f}x (target <= {TWO_TARGET}x: {met})")
    print(json.dumps({"n": args.n[0], "one_s": one, "two_s": two, "ratio": ratio}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", help=f"default: {DEFAULT_DB}_<chart>")
    p.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    p.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    p.add_argument("--n", type=int, action="append", help="items (repeatable)")
    p.add_argument("--fresh", action="store_true", help="drop and reinstall the DB")
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: free)")
    p.add_argument("--no-receipts", dest="receipts", action="store_false")
    p.add_argument(
        "--chart",
        choices=("generic", "dk"),
        default="dk",
        help="the company's chart: the Danish (l10n_dk) or Odoo's generic one",
    )
    p.add_argument(
        "--mix",
        choices=("card", "demo"),
        default="card",
        help="the job's items: card purchases in DKK, one receipt each, tags on "
        "one in three (card), or the sandbox's 15 kinds (demo: vendor bills, "
        "refunds, reimbursements, foreign currencies, ...)",
    )
    p.add_argument(
        "--config",
        action="append",
        choices=sorted(CONFIGS),
        help="client configuration (repeatable; default: default and off)",
    )
    p.add_argument(
        "--two-companies",
        action="store_true",
        help="2 x N items: two companies' queue jobs on one worker, then on two",
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--sandbox", action="append", help=argparse.SUPPRESS)
    p.add_argument("--two-prepare", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--two-perform", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--uuid", action="append", help=argparse.SUPPRESS)
    p.add_argument("--at", type=float, help=argparse.SUPPRESS)
    p.add_argument("--before", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    args.db = args.db or f"{DEFAULT_DB}_{args.chart}"
    args.n = args.n or [1000, 5000]
    args.config = args.config or ["default", "off"]
    if args.two_prepare:
        args.n = args.n[0]
        two_prepare(args)
    elif args.two_perform:
        two_perform(args)
    elif args.child:
        args.config = args.config[0]
        args.n = args.n[0]
        args.sandbox = args.sandbox[0]
        child(args)
    elif args.two_companies:
        parent_two(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()

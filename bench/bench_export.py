#!/usr/bin/env python3
"""Import throughput of Level 1: a sandbox export job of N items into Odoo.

For each N the import runs in its own child process (so peak memory is per N)
against a sandbox served by a separate process (so the sandbox does not compete
with Odoo for the GIL). It prints items/second, HTTP requests sent by the
client, the peak RSS growth of the import, and a baseline: the same N moves
created again with one batched `account.move.create` (rolled back), with the
ratio import time / baseline time. See bench/README.md.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sandbox_process import start_sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import odoo_info  # noqa: E402

import odoo
from odoo import SUPERUSER_ID, Command, api

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "pleo_bench_export"


# --- parent: database, sandbox, one child per N -------------------------------------
def odoo_args(args):
    addons = ",".join([*odoo_info.addons_dirs(), str(REPO)])
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


def prepare_db(args):
    if args.fresh and db_exists(args):
        subprocess.run(
            ["dropdb", "-h", args.db_host, "-U", args.db_user, args.db], check=True
        )
    if not db_exists(args):
        print(f"== installing pleo_connector in a fresh database {args.db}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-d",
                args.db,
                "-i",
                "pleo_connector",
                "--stop-after-init",
                *odoo_args(args),
            ],
            check=True,
            env={**os.environ, "TZ": "UTC"},  # what odoo-bin sets
        )


def parent(args):
    prepare_db(args)
    proc, url = start_sandbox(args.port, receipts=args.receipts)
    results = []
    try:
        for n in args.n:
            cmd = [
                sys.executable,
                __file__,
                "--child",
                "--db",
                args.db,
                "--db-host",
                args.db_host,
                "--db-user",
                args.db_user,
                "--sandbox",
                url,
                "--n",
                str(n),
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
            if out.returncode or not line:
                sys.stderr.write(out.stdout + out.stderr)
                raise SystemExit(f"benchmark of N={n} failed")
            results.append(json.loads(line))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    header = (
        f"{'N':>7} {'import s':>9} {'items/s':>8} {'requests':>9} "
        f"{'peak RSS +MB':>13} {'baseline s':>11} {'overhead':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['n']:>7} {r['import_s']:>9.2f} {r['items_per_s']:>8.1f} "
            f"{r['requests']:>9} {r['rss_mb']:>13.1f} {r['baseline_s']:>11.2f} "
            f"{r['overhead']:>8.2f}x"
        )
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


def setup(env, url, info):
    """Idempotent: a DKK company on the generic chart mirroring the sandbox."""
    company = env.company
    if not env["account.account"].search_count(
        env["account.account"]._check_company_domain(company), limit=1
    ):
        dkk = env.ref("base.DKK")
        dkk.active = True
        company.currency_id = dkk
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    dkk = env.ref("base.DKK")
    if company.currency_id != dkk and not env["account.move"].search_count([]):
        dkk.active = True
        company.currency_id = dkk
    company.partner_id.tz = "Europe/Copenhagen"
    for code in ("EUR", "GBP", "JPY", "KWD"):
        env.ref(f"base.{code}").active = True
    Account = env["account.account"].with_company(company)

    def acc(code):
        return Account.search(
            [*Account._check_company_domain(company), ("code", "=", code)], limit=1
        )

    def reps(reverse):
        lines = [
            Command.create({"repartition_type": "base", "factor_percent": 100}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "factor_percent": 100,
                    "account_id": acc("131000").id,
                }
            ),
        ]
        if reverse:
            lines.append(
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": -100,
                        "account_id": acc("251000").id,
                    }
                )
            )
        return lines

    for code, rate in (("VAT25", 25), ("VAT19", 19), ("VAT20", 20), ("RC-EU", 25)):
        if not env["account.tax"].search_count([("pleo_code", "=", code)]):
            reverse = code == "RC-EU"
            env["account.tax"].create(
                {
                    "name": f"{rate}% purchase ({code})",
                    "pleo_code": code,
                    "amount": rate,
                    "type_tax_use": "purchase",
                    "company_id": company.id,
                    "invoice_repartition_line_ids": reps(reverse),
                    "refund_repartition_line_ids": reps(reverse),
                }
            )
    for plan_name, tags in (
        ("DEPT", ("SALES", "RND", "ADMIN")),
        ("PROJ", ("P-ALPHA", "P-BETA")),
    ):
        plan = env["account.analytic.plan"].search([("name", "=", plan_name)], limit=1)
        plan = plan or env["account.analytic.plan"].create({"name": plan_name})
        for tag in tags:
            if not env["account.analytic.account"].search_count([("code", "=", tag)]):
                env["account.analytic.account"].create(
                    {"name": tag.title(), "code": tag, "plan_id": plan.id}
                )
    for name, ref in (
        ("Adobe Systems Software Ireland Ltd", "V-ADOBE"),
        ("Kontorhotellet ApS", "V-KONTOR"),
    ):
        if not env["res.partner"].search_count([("ref", "=", ref)]):
            env["res.partner"].create({"name": name, "ref": ref})
    conn = env["pleo.connection"].search([("company_id", "=", company.id)], limit=1)
    vals = {
        "environment": "custom",
        "custom_url": url,
        "auth_method": "api_key",
        "api_key": info["apiKey"],
        "pleo_company_id": info["companyId"],
        # The sandbox runs without a rate limit; Pleo's own limit (500/min
        # advised) bounds a real import, not Odoo.
        "requests_per_minute": 0,
        "export_out_of_pocket_account_id": acc("230000").id,
    }
    if not conn:
        conn = env["pleo.connection"].create(
            dict(
                vals,
                name="Pleo bench",
                company_id=company.id,
                export_wallet_ids=[
                    Command.create(
                        {
                            "currency_id": company.currency_id.id,
                            "account_id": acc("201100").id,
                        }
                    )
                ],
            )
        )
    conn.sudo().write(vals)
    wallet = conn.export_wallet_ids.filtered(
        lambda w: w.currency_id == company.currency_id
    )
    if not wallet:
        conn.export_wallet_ids = [
            Command.clear(),
            Command.create(
                {"currency_id": company.currency_id.id, "account_id": acc("201100").id}
            ),
        ]
    conn.sudo().write({"state": "connected"})
    return conn


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


def child(args):
    odoo.tools.config.parse_config(
        [
            "-d",
            args.db,
            f"--db_host={args.db_host}",
            f"--db_user={args.db_user}",
            f"--addons-path={','.join([*odoo_info.addons_dirs(), str(REPO)])}",
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(args.db)
    info = sandbox_call(args.sandbox, "/_sandbox")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        conn = setup(env, args.sandbox, info)
        cr.commit()  # pylint: disable=invalid-commit
        job = sandbox_call(
            args.sandbox, "/_sandbox/jobs", {"seed": args.n, "notify": False}
        )["data"]

        clients = []
        cls = type(conn)
        original = cls._pleo_client

        def spy(self):
            client = original(self)
            clients.append(client)
            return client

        cls._pleo_client = spy
        before = {m.id for m in env["account.move"].search([])}
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        conn._pleo_export_run()
        import_s = time.perf_counter() - start
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cls._pleo_client = original
        jobs = sandbox_call(args.sandbox, "/_sandbox/jobs")["data"]
        remote = next(j for j in jobs if j["id"] == job["id"])
        moves = env["account.move"].search(
            [
                ("pleo_connection_id", "=", conn.id),
                ("pleo_accounting_entry_id", "!=", False),
                ("id", "not in", list(before)),
            ]
        )
        if remote["status"] != "completed" or len(moves) != args.n:
            raise SystemExit(
                f"import incomplete: job {remote['status']} {remote.get('counts')}, "
                f"{len(moves)} moves"
            )

        # Baseline: the same moves, created again in one batched create.
        with_receipts = len(moves.filtered("message_main_attachment_id"))
        vals_list = [baseline_vals(move) for move in moves]
        env.invalidate_all()
        Move = env["account.move"].with_context(
            skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True
        )
        start = time.perf_counter()
        Move.create(vals_list)
        env.flush_all()
        baseline_s = time.perf_counter() - start
        cr.rollback()
    result = {
        "n": args.n,
        "import_s": import_s,
        "items_per_s": args.n / import_s,
        "requests": sum(c.request_count for c in clients),
        "rss_mb": (rss1 - rss0) / 1024,
        "baseline_s": baseline_s,
        "overhead": import_s / baseline_s,
        "moves_with_receipts": with_receipts,
    }
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    p.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    p.add_argument("--n", type=int, action="append", help="items (repeatable)")
    p.add_argument("--fresh", action="store_true", help="drop and reinstall the DB")
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: free)")
    p.add_argument("--no-receipts", dest="receipts", action="store_false")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--sandbox", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.n = args.n or [1000, 10000]
    if args.child:
        args.n = args.n[0]
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()

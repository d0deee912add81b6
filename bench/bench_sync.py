#!/usr/bin/env python3
"""Cost of the master-data syncs (levels 2-4) against the sandbox.

Fills an Odoo database with N analytic accounts (over 5 plans), N expense
accounts, N purchase taxes and N supplier partners (once; reruns reuse them), then
runs, against an empty sandbox served by a separate process:

1. the first full sync (tags, tax codes, accounts, vendors),
2. a resync with no change (target: zero write calls, seconds),
3. a resync after one rename per kind.

For each it prints wall time, HTTP requests the client sent and the write calls
the sandbox received (POST/PUT/DELETE other than searches). See bench/README.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sandbox_process import start_sandbox

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "pleo_bench_sync"
KINDS = ("tags", "tax_codes", "accounts", "vendors")
MARKER = "pleo_bench_sync.filled"


def http_json(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else {}


def write_calls(url):
    counts = http_json(f"{url}/_sandbox/requests")["counts"]
    return sum(
        n
        for route, n in counts.items()
        if not route.startswith("GET ") and not route.endswith(":search")
    )


def odoo_addons_path():
    """Odoo's own addons directories and this repository, for --addons-path."""
    sys.path.insert(0, str(REPO / "scripts"))
    import odoo_info  # noqa: PLC0415 - only where Odoo is installed

    return ",".join([*odoo_info.addons_dirs(), str(REPO)]), odoo_info


def odoo_env(args):
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    addons_path, odoo_info = odoo_addons_path()
    config.parse_config(
        [
            f"--db_host={args.db_host}",
            f"--db_user={args.db_user}",
            f"--addons-path={addons_path}",
            *odoo_info.without_demo_args(),
            "--log-level=warn",
        ]
    )
    return odoo


def ensure_db(args):
    out = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    exists = any(line.split("|")[0].strip() == args.db for line in out.splitlines())
    if exists and args.fresh:
        subprocess.run(
            ["dropdb", "-h", args.db_host, "-U", args.db_user, args.db], check=True
        )
        exists = False
    if not exists:
        print(f"== installing pleo_connector and a chart in {args.db}", flush=True)
        addons_path, odoo_info = odoo_addons_path()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-d",
                args.db,
                f"--db_host={args.db_host}",
                f"--db_user={args.db_user}",
                "--http-interface=127.0.0.1",
                f"--addons-path={addons_path}",
                "-i",
                "pleo_connector",
                *odoo_info.without_demo_args(),
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
            env={**os.environ, "TZ": "UTC"},  # what odoo-bin sets
        )


def fill(env, args):
    """Create the benchmark's records once (marker in ir.config_parameter)."""
    params = env["ir.config_parameter"].sudo()
    if params.get_param(MARKER):
        return
    company = env.company
    if not env["account.account"].search_count([], limit=1):
        env["account.chart.template"].try_loading("generic_coa", company)
    t0 = time.time()
    plans = env["account.analytic.plan"].create(
        [{"name": f"Bench plan {i}"} for i in range(5)]
    )
    per_plan = args.analytic // len(plans)
    env["account.analytic.account"].create(
        [
            {
                "name": f"Analytic {i}",
                "code": f"A{i:06d}",
                "plan_id": plans[i % len(plans)].id,
            }
            for i in range(per_plan * len(plans))
        ]
    )
    taxes = env["account.tax"].create(
        [
            {
                "name": f"Bench purchase tax {i}",
                "amount": (i % 25) + 1,
                "amount_type": "percent",
                "type_tax_use": "purchase",
                "company_id": company.id,
            }
            for i in range(args.taxes)
        ]
    )
    env["account.account"].with_company(company).create(
        [
            {
                "code": f"7{i:05d}",
                "name": f"Bench expense {i}",
                "account_type": "expense",
                "tax_ids": [(6, 0, [taxes[i % len(taxes)].id])],
            }
            for i in range(args.accounts)
        ]
    )
    env["res.partner"].create(
        [
            {
                "name": f"Bench supplier {i}",
                "is_company": True,
                "supplier_rank": 1,
                "ref": f"S{i:06d}",
                "vat": f"DK{i:08d}",
                "country_id": env.ref("base.dk").id,
            }
            for i in range(args.partners)
        ]
    )
    params.set_param(MARKER, "1")
    env.cr.commit()
    print(f"== filled Odoo in {time.time() - t0:.1f}s", flush=True)


def connection_for(env, url, plans):
    Connection = env["pleo.connection"].with_context(active_test=False)
    connection = Connection.search([("company_id", "=", env.company.id)], limit=1)
    info = http_json(f"{url}/_sandbox")
    values = {
        "environment": "custom",
        "custom_url": url,
        "auth_method": "api_key",
        "api_key": info["apiKey"],
        "pleo_company_id": info["companyId"],
        "state": "connected",
        "integration_level": "4",
        "requests_per_minute": 10**6,
        "pleo_analytic_plan_ids": [(6, 0, plans.ids)],
        "active": True,
    }
    if connection:
        connection.write(values)
    else:
        connection = Connection.create({"name": "Bench", **values})
    env["pleo.binding"].search([("connection_id", "=", connection.id)]).unlink()
    env.cr.commit()
    return connection


def run_round(env, connection, url, label):
    http_json(f"{url}/_sandbox/requests", method="DELETE")
    t0 = time.time()
    calls = 0
    details = []
    for kind in KINDS:
        k0 = time.time()
        log = connection._pleo_sync(kind)
        env.cr.commit()
        calls += log.request_count
        details.append(
            f"{kind}: {time.time() - k0:.1f}s {log.request_count} calls "
            f"(+{log.count_created} ~{log.count_updated} -{log.count_archived} "
            f"={log.count_unchanged} !{log.count_failed})"
        )
    wall = time.time() - t0
    writes = write_calls(url)
    print(
        f"{label:<22} wall {wall:7.1f}s  calls {calls:6d}  write calls {writes:6d}",
        flush=True,
    )
    for line in details:
        print(f"    {line}", flush=True)
    return wall, calls, writes


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--db-host", default="127.0.0.1")
    p.add_argument("--db-user", default="root")
    p.add_argument("--fresh", action="store_true", help="drop and recreate the db")
    p.add_argument("--analytic", type=int, default=10000)
    p.add_argument("--accounts", type=int, default=2000)
    p.add_argument("--taxes", type=int, default=100)
    p.add_argument("--partners", type=int, default=20000)
    p.add_argument("--sandbox-url", help="use a running sandbox (emptied first)")
    args = p.parse_args(argv)

    ensure_db(args)
    odoo = odoo_env(args)
    proc = None
    if args.sandbox_url:
        url = args.sandbox_url.rstrip("/")
        http_json(f"{url}/_sandbox/reset", method="POST", body={"seed": "none"})
    else:
        proc, url = start_sandbox()
    try:
        registry = odoo.modules.registry.Registry(args.db)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            fill(env, args)
            plans = env["account.analytic.plan"].search(
                [("name", "like", "Bench plan")], limit=5
            )
            connection = connection_for(env, url, plans)
            print(
                f"== {args.analytic} analytic accounts, {args.accounts} accounts "
                f"(+ chart), {args.taxes} taxes, {args.partners} partners; "
                f"sandbox {url}",
                flush=True,
            )
            run_round(env, connection, url, "first full sync")
            run_round(env, connection, url, "no-change resync")
            env["account.analytic.account"].search(
                [("code", "=", "A000001")]
            ).name = "Renamed"
            env["account.tax"].search(
                [("name", "=", "Bench purchase tax 1")]
            ).name = "Renamed tax"
            env["account.account"].with_company(env.company).search(
                [("code", "=", "700001")]
            ).name = "Renamed account"
            env["res.partner"].search([("ref", "=", "S000001")]).name = "Renamed"
            env.cr.commit()
            run_round(env, connection, url, "one rename per kind")
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()

"""`pleo-sandbox` / `python -m pleo_sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .faults import parse_fault
from .server import SandboxServer


def _fault(text: str) -> dict:
    """A fault as JSON ('{"status": 503, "count": 2}') or k=v pairs
    ('status=503,count=2,path=/v3/')."""
    text = text.strip()
    if text.startswith("{"):
        spec = json.loads(text)
    else:
        spec = {}
        for part in filter(None, text.split(",")):
            key, _, value = part.partition("=")
            spec[key.strip()] = json.loads(value) if _is_json(value) else value
    parse_fault(spec)  # validate now, not on the first request
    return spec


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _seed(text: str):
    return int(text) if text.isdigit() else text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pleo-sandbox", description="A local Pleo look-alike API server."
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8900)
    p.add_argument(
        "--seed",
        type=_seed,
        default="demo",
        help="demo (two pending jobs), small, none, or N (one job of N items)",
    )
    p.add_argument("--token-ttl", type=float, default=900, help="access token seconds")
    p.add_argument("--job-expiry", type=float, default=3600, help="idle job seconds")
    p.add_argument("--file-ttl", type=float, default=86400, help="receipt link seconds")
    p.add_argument(
        "--rate-limit", type=int, default=600, help="requests/minute/client, 0 = off"
    )
    p.add_argument("--no-receipts", action="store_true", help="items without files")
    p.add_argument("--lenient", action="store_true", help="allow closing open jobs")
    p.add_argument("--expire-pending", action="store_true")
    p.add_argument("--stable-ids", action="store_true", help="same ids every run")
    p.add_argument("--client-id", default="pleo-sandbox-client")
    p.add_argument("--client-secret", default="pleo-sandbox-secret")
    p.add_argument("--api-key", default="pleo-sandbox-api-key")
    p.add_argument("--company-id", help="UUID of the Pleo company (default: fixed)")
    p.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        help='repeatable; e.g. "status=503,count=2,path=/v3/" or JSON',
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    srv = SandboxServer(
        args.host,
        args.port,
        args.seed,
        receipts=not args.no_receipts,
        token_ttl=args.token_ttl,
        job_expiry=args.job_expiry,
        file_ttl=args.file_ttl,
        rate_limit=args.rate_limit or None,
        strict=not args.lenient,
        expire_pending=args.expire_pending,
        stable_ids=args.stable_ids,
        client_id=args.client_id,
        client_secret=args.client_secret,
        api_key=args.api_key,
        company_id=args.company_id,
        faults=args.fault,
        verbose=args.verbose,
    )
    print(
        f"Pleo sandbox on {srv.url} (seed {args.seed})\n"
        f"  client_id={srv.client_id} client_secret={srv.client_secret}\n"
        f"  api_key={srv.api_key} company_id={srv.company_id}\n"
        f"  webhook secret={srv.webhook_secret}\n"
        f"  inspect: {srv.url}/_sandbox/state",
        flush=True,
    )
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

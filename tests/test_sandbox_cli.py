"""`python -m pleo_sandbox` starts a working sandbox from the command line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pleo_sandbox.__main__ import parser

ROOT = Path(__file__).resolve().parent.parent


def test_cli_options_parse():
    args = parser().parse_args(
        ["--seed", "500", "--token-ttl", "5", "--no-receipts", "--fault", "status=429"]
    )
    assert args.seed == 500 and args.token_ttl == 5 and args.no_receipts
    assert args.fault == [{"status": 429}]
    assert parser().parse_args([]).port == 8900
    with pytest.raises(SystemExit):
        parser().parse_args(["--fault", "kind=meteor"])


def test_cli_serves_until_stopped():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pleo_sandbox",
            "--port",
            "0",
            "--seed",
            "small",
            "--fault",
            '{"status": 503, "path": "/v3/"}',
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        info = requests.get(url + "/_sandbox", timeout=5).json()
        auth = (info["apiKey"], "")
        assert requests.get(url + "/v3/export-jobs", auth=auth).status_code == 503
        jobs = requests.get(url + "/v3/export-jobs", auth=auth).json()["data"]
        assert [j["numberOfItems"] for j in jobs] == [4]
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()

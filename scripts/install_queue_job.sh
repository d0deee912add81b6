#!/usr/bin/env bash
# Installs OCA's queue_job for one Odoo series into .odoo_addons/<series>/, an
# addons directory of this repository's own (git-ignored), for the tests of
# pleo_connector_queue_job. Usage: install_queue_job.sh PYTHON SERIES
#
# Not into the Python's site-packages: the wheel puts its files under odoo/addons,
# and an `odoo` directory there hides an editable (source) Odoo 18.0 from
# `import odoo`. Its metadata requires the `odoo` distribution, which no index
# has, so it is installed without dependencies and its other requirements after.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$1 SERIES=$2
TARGET=.odoo_addons/$SERIES
SPEC=$(scripts/queue_job_spec.sh "$SERIES")
rm -rf "$TARGET"
"$PY" -m pip install -q --no-deps --target "$TARGET" "$SPEC"
mapfile -t deps < <("$PY" - "$TARGET" <<'PY'
import importlib.metadata as m
import re
import sys

dist = next(m.distributions(path=[sys.argv[1]], name="odoo-addon-queue-job"))
for req in dist.requires or []:
    if re.split(r"[^A-Za-z0-9_.-]", req, maxsplit=1)[0].lower() != "odoo":
        print(req)
PY
)
if [ ${#deps[@]} -gt 0 ]; then
    "$PY" -m pip install -q "${deps[@]}"
fi

#!/usr/bin/env bash
# The addons as an integrator installs them: for each Odoo series a Python on
# PATH imports (scripts/odoo_pythons.sh), builds the wheels of both addons with
# whool (scripts/build_wheels.py), installs them with pip into a fresh virtual
# environment beside OCA's queue_job wheel, then runs Odoo from that
# environment with an addons path of Odoo's own addons only (never this
# repository): Odoo must find the three modules in the environment's
# site-packages, install them without a warning, and pass tests of both our
# addons there. Database: ${PLEO_WHEEL_TEST_DB:-pleo_wheel_test}_<series>,
# dropped and recreated. A series no Python here imports is SKIPPED, loudly.
# Usage: test_wheel.sh [SERIES ...]   (default: 18.0 19.0)
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
source scripts/odoo_pythons.sh
[ $# -eq 0 ] || SUPPORTED="$*"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}
# A smoke test of each addon (both suites run whole in test_odoo_all.sh): Pleo
# exports booked from the sandbox, and the crons' queue jobs, one of them
# running a real export.
GLUE=/pleo_connector_queue_job:TestQueueJob
TEST_TAGS=${PLEO_WHEEL_TEST_TAGS:-/pleo_connector:TestExportBooking,$GLUE.test_job_runs_the_real_export,$GLUE.test_cron_enqueues_one_job_per_connection_and_kind}
declare -A RESULT

# Runs in a subshell per series; its last line of output is the result.
run_series() (
    set -euo pipefail
    local series=$1 py=$2
    local db="${PLEO_WHEEL_TEST_DB:-pleo_wheel_test}_${series/./_}"
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    trap 'echo "FAILED: $series: line $LINENO: $BASH_COMMAND" >&2' ERR

    # A fresh environment over $py's site-packages (Odoo and its requirements:
    # no package index has Odoo), with the test requirements (whool, and what
    # the addons' tests import besides, as test_odoo_all.sh installs them).
    echo "== Odoo $series ($py): a fresh virtual environment"
    "$py" -m venv --system-site-packages "$WORK/venv"
    local vpy="$WORK/venv/bin/python"
    local site
    site=$("$vpy" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    "$vpy" -m pip install -q --disable-pip-version-check -r test-requirements.txt

    echo "== Building the wheels with whool"
    "$vpy" scripts/build_wheels.py --series "$series" --dist "$WORK/dist"
    mapfile -t wheels < <(ls "$WORK/dist/$series"/*.whl)

    # pip resolves their requirements: `odoo==$series.*` against the Odoo
    # installed in $py, the manifest's Python libraries, queue_job's wheel (the
    # release this project tests with, from PyPI), and this repository's own
    # distribution, the pure client and the sandbox the addons' tests import.
    echo "== Installing them with pip, with OCA's queue_job"
    local deps=() odoo_dist
    odoo_dist=$("$py" -c "import importlib.metadata as m; print(m.version('odoo'))" \
        2>/dev/null) || odoo_dist=
    if [ -z "$odoo_dist" ]; then
        # Odoo runs from a source tree pip does not know: no requirement on it
        # can be resolved, so the wheels go in without theirs, which are
        # installed one by one but for Odoo and the addons.
        deps=(--no-deps)
    fi
    # This repository's distribution is built with setuptools: the one here if
    # any (no download), else pip's isolated build fetches it.
    local build=()
    "$vpy" -c "import setuptools, wheel" 2>/dev/null && build=(--no-build-isolation)
    "$vpy" -m pip install -q --disable-pip-version-check "${build[@]}" \
        "${deps[@]}" "${wheels[@]}" "$(scripts/queue_job_spec.sh "$series")" "$REPO"
    if [ -z "$odoo_dist" ]; then
        mapfile -t reqs < <("$vpy" - <<'PY'
import importlib.metadata as m
import re

for dist in m.distributions():
    if dist.metadata["Name"].lower().replace("_", "-").startswith("odoo-addon-"):
        for req in dist.requires or []:
            if not re.match(r"odoo([<>=!~ ;]|-addon|$)", req.lower().replace("_", "-")):
                print(req)
PY
)
        [ ${#reqs[@]} -eq 0 ] || "$vpy" -m pip install -q "${reqs[@]}"
    fi

    # An editable Odoo 18.0 (setuptools' import hook) loses `import odoo` to
    # the `odoo` directory the addon wheels make in site-packages, which Python
    # takes for a namespace package first. The source tree on sys.path (what
    # `pip install -e --config-settings editable_mode=compat` does) wins again.
    local odoo_is_whole='import odoo, os, sys
sys.exit(not any(os.path.isfile(os.path.join(p, "release.py")) for p in odoo.__path__))'
    if ! "$vpy" -c "$odoo_is_whole"; then
        "$py" -c "import os, odoo; print(os.path.dirname(os.path.realpath(list(odoo.__path__)[0])))" \
            > "$site/odoo_source_tree.pth"
        echo "   (editable Odoo: its source tree put on sys.path by $site/odoo_source_tree.pth)"
        "$vpy" -c "$odoo_is_whole"
    fi

    # Odoo's own addons directories, read from $py (not from the environment,
    # whose site-packages/odoo/addons is what is under test).
    local PY=$py
    source scripts/odoo_env.sh
    ODOO=("$vpy" -m odoo)

    echo "== Odoo finds the modules in $site"
    "$vpy" - "$ODOO_ADDONS" "$REPO" "$site" <<'PY'
import importlib.util
import os
import sys

import odoo

if importlib.util.find_spec("odoo.init"):  # 19.0
    import odoo.init  # noqa: F401
from odoo.modules import module
from odoo.tools import config

addons_path, repo, site = sys.argv[1:]
config.parse_config(["--addons-path", addons_path, "--http-interface", "127.0.0.1"])
module.initialize_sys_path()
real = os.path.realpath
paths = [real(p) for p in odoo.addons.__path__]
assert not any(p == real(repo) or p.startswith(real(repo) + os.sep) for p in paths), (
    f"the repository is on odoo.addons' path: {paths}"
)
for name in ("pleo_connector", "pleo_connector_queue_job", "queue_job"):
    path = module.get_module_path(name)
    assert path and real(path).startswith(real(site) + os.sep), (name, path)
    print(f"   {name}: {path}")
PY

    local port
    port=$("$py" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    cat > "$WORK/odoo.conf" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ODOO_ADDONS
$ODOO_CONF_DEMO
http_interface = 127.0.0.1
http_port = $port
data_dir = $WORK/data
CONF

    echo "== Installing pleo_connector_queue_job (with pleo_connector, queue_job) in '$db'"
    dropdb --if-exists "$db"
    "${ODOO[@]}" -c "$WORK/odoo.conf" -d "$db" -i pleo_connector_queue_job \
        --stop-after-init --log-level=warn > "$WORK/install.log" 2>&1 || {
        cat "$WORK/install.log"
        echo "FAILED: the install from the wheels" >&2
        exit 1
    }
    if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/install.log"; then
        echo "FAILED: the install log has warnings or errors (above)." >&2
        exit 1
    fi
    check_community_only "$db"
    local installed
    installed=$(psql -d "$db" -Atc "SELECT string_agg(name || ' ' || latest_version, ', '
        ORDER BY name) FROM ir_module_module WHERE state = 'installed'
        AND name IN ('pleo_connector', 'pleo_connector_queue_job', 'queue_job')")
    echo "   installed: $installed"
    case $installed in
        "pleo_connector $series.1."*", pleo_connector_queue_job $series.1."*", queue_job $series."*) ;;
        *) echo "FAILED: not the three modules of $series: $installed" >&2; exit 1 ;;
    esac

    echo "== Odoo's test runner from the environment: $TEST_TAGS"
    local rc=0
    "${ODOO[@]}" -c "$WORK/odoo.conf" -d "$db" --test-enable --test-tags "$TEST_TAGS" \
        --stop-after-init --log-level=info > "$WORK/test.log" 2>&1 || rc=$?
    grep -E "addons paths:|post-tests in|tests when loading| (ERROR|CRITICAL) .*(FAIL|ERROR)" \
        "$WORK/test.log" | cut -c1-400 || true
    local report
    report=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading" \
        "$WORK/test.log" | tail -1) || true
    if [ "$rc" -ne 0 ] || [ -z "$report" ] || ! [[ $report =~ ^0\ failed,\ 0\ error ]] \
        || [[ $report =~ of\ 0\ tests ]]; then
        grep -E " (ERROR|CRITICAL) " -A 60 "$WORK/test.log" | tail -n 80 || tail -n 60 "$WORK/test.log"
        echo "FAILED: Odoo's tests from the wheels (exit $rc): ${report:-no test report}" >&2
        exit 1
    fi
    dropdb --if-exists "$db"
    local count=${report#*of }
    count=${count%% tests*}
    echo "RESULT: $count passed, 0 failed (from the wheels: ${wheels[*]##*/})"
)

status=0
for series in $SUPPORTED; do
    py=${PYTHON_OF[$series]:-}
    if [ -z "$py" ]; then
        RESULT[$series]="SKIPPED: no Python on PATH imports Odoo $series"
        continue
    fi
    log=$(mktemp)
    run_series "$series" "$py" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then
        RESULT[$series]=$(grep "^RESULT: " "$log" | tail -1 | sed 's/^RESULT: //')
    else
        RESULT[$series]="FAILED: $(grep "^FAILED: " "$log" | tail -1 | sed 's/^FAILED: //')"
        status=1
    fi
    rm -f "$log"
done

printf '\n%s\n' "######################################################################"
printf '%s\n' "#  Wheels installed into a fresh virtual environment, run by Odoo:"
for series in $SUPPORTED; do
    printf '#  %s: %s\n' "$series" "${RESULT[$series]}"
done
printf '%s\n' "######################################################################"
exit $status

#!/usr/bin/env bash
# Installs the addon in a fresh database and runs its Odoo tests with pytest-odoo.
# Where `import odoo` fails the tests are skipped, loudly, and the run still passes:
# the pure suite (tests/) has already run.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PYTHON:-python3}

# The browser tests (tours) need Chromium; Odoo skips them when none is found.
scripts/install_chromium.sh

if ! "$PY" -c "import odoo" >/dev/null 2>&1; then
    printf '\n%s\n' "######################################################################"
    printf '%s\n' "#  SKIPPED: Odoo tests (pleo_connector/tests)."
    printf '%s\n' "#  $PY cannot import odoo. Install Odoo 18.0 or 19.0 into this Python"
    printf '%s\n' "#  (README, 'Install') to run them; only the pure tests ran."
    printf '%s\n\n' "######################################################################"
    exit 0
fi

source scripts/odoo_env.sh
DB=${PLEO_TEST_DB:-pleo_connector_test}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CONF="$WORK/odoo.conf"
cat > "$CONF" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ODOO_ADDONS,$REPO
$ODOO_CONF_DEMO
http_interface = 127.0.0.1
data_dir = $WORK/data
CONF

echo "== Installing pleo_connector in a fresh database '$DB'"
dropdb --if-exists "$DB"
"${ODOO[@]}" -c "$CONF" -d "$DB" -i pleo_connector \
    --stop-after-init --log-level=warn 2>&1 | tee "$WORK/install.log"
# The addon must install without a single warning or error in the log.
if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/install.log"; then
    echo "FAILED: the install log has warnings or errors (above)." >&2
    exit 1
fi
check_community_only "$DB"

echo "== Running the Odoo tests with pytest-odoo"
"$PY" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$DB" \
    --odoo-http "${@:-pleo_connector/tests}"

# The whole suite only (not a chosen file): a real multi-worker server stops a
# long export and a long first sync at its time limit; both must resume.
if [ $# -eq 0 ]; then
    echo "== Long runs under Odoo's worker time limit (real server, 2 workers, 20 s)"
    "$PY" scripts/test_worker_limits.py --config "$CONF" --database "$DB" \
        --log "$WORK/worker_limits.log" || {
        tail -n 40 "$WORK/worker_limits.log"
        exit 1
    }
fi

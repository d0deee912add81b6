#!/usr/bin/env bash
# Installs the addon in a fresh database and runs its Odoo tests with pytest-odoo;
# then, where OCA's queue_job is on the addons path, installs queue_job in the
# same database (pleo_connector_queue_job follows by auto_install) and runs the
# glue's tests. The order keeps pleo_connector's suite testing the addon without
# the glue (the crons run the work themselves), and the glue is installed the way
# a customer adds it: onto a database that has pleo_connector already.
# Arguments are test paths/options: those under pleo_connector_queue_job/ go to
# the second run, the others to the first; none runs both suites whole.
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
# queue_job as scripts/install_queue_job.sh leaves it (test_odoo_all.sh runs it).
ADDONS=$ODOO_ADDONS,$REPO
QUEUE_JOB_DIR=$REPO/.odoo_addons/$ODOO_SERIES/odoo/addons
[ -f "$QUEUE_JOB_DIR/queue_job/__manifest__.py" ] && ADDONS=$ADDONS,$QUEUE_JOB_DIR
has_queue_job() {
    local dir
    IFS=, read -ra dirs <<<"$ADDONS"
    for dir in "${dirs[@]}"; do
        [ -f "$dir/queue_job/__manifest__.py" ] && return 0
    done
    return 1
}
PLEO_TESTS=() GLUE_TESTS=()
if [ $# -eq 0 ]; then
    PLEO_TESTS=(pleo_connector/tests) GLUE_TESTS=(pleo_connector_queue_job/tests)
fi
for arg in "$@"; do
    case $arg in
        pleo_connector_queue_job*) GLUE_TESTS+=("$arg") ;;
        *) PLEO_TESTS+=("$arg") ;;
    esac
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CONF="$WORK/odoo.conf"
cat > "$CONF" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ADDONS
$ODOO_CONF_DEMO
http_interface = 127.0.0.1
data_dir = $WORK/data
CONF

# Installs with -i $2 into $1; the log must have no warning or error, and no
# module outside the Community licences may be installed.
install_checked() {
    "${ODOO[@]}" -c "$CONF" -d "$1" -i "$2" \
        --stop-after-init --log-level=warn 2>&1 | tee "$WORK/install.log"
    if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/install.log"; then
        echo "FAILED: the install log of $2 has warnings or errors (above)." >&2
        exit 1
    fi
    check_community_only "$1"
}

run_pytest() {
    "$PY" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$DB" \
        --odoo-http "$@"
}

echo "== Installing pleo_connector in a fresh database '$DB'"
dropdb --if-exists "$DB"
install_checked "$DB" pleo_connector

if [ ${#PLEO_TESTS[@]} -gt 0 ]; then
    echo "== Running the Odoo tests with pytest-odoo"
    run_pytest "${PLEO_TESTS[@]}"
fi

# The whole suite only (not chosen files), in a copy of the database without
# the glue (which changes what the crons do): a real multi-worker server stops
# a long export and a long first sync at its time limit; both must resume.
if [ $# -eq 0 ]; then
    echo "== Long runs under Odoo's worker time limit (real server, 2 workers, 20 s)"
    dropdb --if-exists "${DB}_limits"
    createdb -T "$DB" "${DB}_limits"
    "$PY" scripts/test_worker_limits.py --config "$CONF" --database "${DB}_limits" \
        --log "$WORK/worker_limits.log" || {
        tail -n 40 "$WORK/worker_limits.log"
        exit 1
    }
    dropdb --if-exists "${DB}_limits"
fi

[ ${#GLUE_TESTS[@]} -gt 0 ] || exit 0
if ! has_queue_job; then
    printf '\n%s\n' "######################################################################"
    printf '%s\n' "#  SKIPPED: pleo_connector_queue_job tests: queue_job is not on the"
    printf '%s\n' "#  addons path (scripts/install_queue_job.sh $PY $ODOO_SERIES adds it)."
    printf '%s\n\n' "######################################################################"
    exit 0
fi
echo "== Installing queue_job in '$DB': pleo_connector_queue_job must follow"
install_checked "$DB" queue_job
glue=$(psql -d "$DB" -Atc "SELECT state FROM ir_module_module
    WHERE name = 'pleo_connector_queue_job'")
if [ "$glue" != installed ]; then
    echo "FAILED: pleo_connector_queue_job was not auto-installed ($glue)." >&2
    exit 1
fi
echo "== Running the pleo_connector_queue_job tests with pytest-odoo"
run_pytest "${GLUE_TESTS[@]}"

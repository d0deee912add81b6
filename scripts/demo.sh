#!/usr/bin/env bash
# `make demo`: a database `pleo_demo` with the addon and a chart of accounts, the
# bundled Pleo sandbox on port 8900, a connection authorised through the sandbox's
# OAuth consent, every level run once (printed), then Odoo on http://localhost:8069
# (login admin / admin) until Ctrl-C, which also stops the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PYTHON:-python3}
DB=${PLEO_DEMO_DB:-pleo_demo}
SANDBOX_PORT=${PLEO_SANDBOX_PORT:-8900}
HTTP_PORT=${PLEO_DEMO_HTTP_PORT:-8069}

if ! "$PY" -c "import odoo" >/dev/null 2>&1; then
    echo "The demo needs Odoo 18.0 importable from $PY (README, 'Install')." >&2
    exit 1
fi
source scripts/odoo_env.sh
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable at $PGHOST:$PGPORT as $PGUSER." >&2
    exit 1
fi
for port in "$SANDBOX_PORT" "$HTTP_PORT"; do
    if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
        echo "Port $port is already in use: stop what listens there first." >&2
        exit 1
    fi
done

WORK=${PLEO_DEMO_DIR:-${TMPDIR:-/tmp}/pleo_demo}
mkdir -p "$WORK"
CONF="$WORK/odoo.conf"
cat > "$CONF" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ODOO_ADDONS,$REPO
data_dir = $WORK/data
http_port = $HTTP_PORT
http_interface = 127.0.0.1
$ODOO_CONF_DEMO
CONF

echo "== 1/4 Database '$DB' with pleo_connector"
dropdb --if-exists "$DB"
"${ODOO[@]}" -c "$CONF" -d "$DB" -i pleo_connector \
    --stop-after-init --log-level=warn

check_community_only "$DB"

echo "== 2/4 Pleo sandbox on http://127.0.0.1:$SANDBOX_PORT (seed: demo)"
SANDBOX_PID=""
cleanup() {
    if [ -n "$SANDBOX_PID" ]; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM
if command -v pleo-sandbox >/dev/null 2>&1; then
    pleo-sandbox --port "$SANDBOX_PORT" --seed demo > "$WORK/sandbox.log" 2>&1 &
else
    PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" \
        "$PY" -m pleo_sandbox --port "$SANDBOX_PORT" --seed demo > "$WORK/sandbox.log" 2>&1 &
fi
SANDBOX_PID=$!

echo "== 3/4 Connect and run every level"
PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" "$PY" scripts/demo.py \
    --config "$CONF" --database "$DB" \
    --sandbox-url "http://127.0.0.1:$SANDBOX_PORT" \
    --odoo-url "http://localhost:$HTTP_PORT"

echo "== 4/4 Odoo on http://localhost:$HTTP_PORT (login admin / admin); Ctrl-C stops it"
"${ODOO[@]}" -c "$CONF" -d "$DB" --db-filter="^$DB\$" --log-level=info

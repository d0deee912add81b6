#!/usr/bin/env bash
# Regenerates pleo_connector/i18n/pleo_connector.pot from the addon, in a scratch
# database that is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PYTHON:-python3}
ODOO_ROOT=$("$PY" -c "import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))")
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}
DB=${PLEO_POT_DB:-pleo_connector_pot}
ADDONS="$ODOO_ROOT/addons,$ODOO_ROOT/odoo/addons,$REPO"
ODOO=("$PY" "$ODOO_ROOT/odoo-bin" --db_host="$PGHOST" --db_port="$PGPORT"
      --db_user="$PGUSER" --addons-path="$ADDONS" -d "$DB" --log-level=warn)
dropdb --if-exists "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
"${ODOO[@]}" -i pleo_connector --without-demo=all --stop-after-init
"${ODOO[@]}" --i18n-export=pleo_connector/i18n/pleo_connector.pot \
    --modules=pleo_connector --stop-after-init
echo "Wrote pleo_connector/i18n/pleo_connector.pot"

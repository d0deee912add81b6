#!/usr/bin/env bash
# Regenerates pleo_connector/i18n/pleo_connector.pot from the addon, in a scratch
# database that is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PYTHON:-python3}
source scripts/odoo_env.sh
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}
DB=${PLEO_POT_DB:-pleo_connector_pot}
ADDONS="$ODOO_ADDONS,$REPO"
ODOO=("${ODOO[@]}" --db_host="$PGHOST" --db_port="$PGPORT"
      --db_user="$PGUSER" --addons-path="$ADDONS" -d "$DB" --log-level=warn)
dropdb --if-exists "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
"${ODOO[@]}" -i pleo_connector $ODOO_DEMO_ARGS --stop-after-init
"${ODOO[@]}" --i18n-export=pleo_connector/i18n/pleo_connector.pot \
    --modules=pleo_connector --stop-after-init
echo "Wrote pleo_connector/i18n/pleo_connector.pot"

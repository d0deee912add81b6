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
# The queue glue's template too, where queue_job is installed beside (make test).
QUEUE_JOB_DIR=$REPO/.odoo_addons/$ODOO_SERIES/odoo/addons
MODULES=pleo_connector
if [ -f "$QUEUE_JOB_DIR/queue_job/__manifest__.py" ]; then
    ADDONS=$ADDONS,$QUEUE_JOB_DIR
    MODULES=pleo_connector,pleo_connector_queue_job
fi
ODOO=("${ODOO[@]}" --db_host="$PGHOST" --db_port="$PGPORT"
      --db_user="$PGUSER" --addons-path="$ADDONS" -d "$DB" --log-level=warn)
dropdb --if-exists "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
"${ODOO[@]}" -i "$MODULES" $ODOO_DEMO_ARGS --stop-after-init
IFS=, read -ra names <<<"$MODULES"
for module in "${names[@]}"; do
    "${ODOO[@]}" --i18n-export="$module/i18n/$module.pot" \
        --modules="$module" --stop-after-init
    echo "Wrote $module/i18n/$module.pot"
done

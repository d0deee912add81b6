# Sourced by the scripts that run Odoo (tests, demo, pot): what the Odoo that
# $PY imports is (scripts/odoo_info.py). Sets ODOO_SERIES (18.0, 19.0),
# ODOO_ADDONS (its own addons directories), ODOO_CONF_DEMO (the config line
# keeping demo data out, where the series needs one) and ODOO (the command).
eval "$("$PY" "$(dirname "${BASH_SOURCE[0]}")/odoo_info.py")"
# odoo-bin is not shipped by every package; `-m odoo` is. odoo-bin sets TZ.
export TZ=UTC
ODOO=("$PY" -m odoo)

# Fails when a module under a licence other than (L)GPL is installed in $1:
# the addon is Community software and must never pull Odoo Enterprise in.
check_community_only() {
    local found
    found=$(psql -d "$1" -Atc "SELECT name || ' (' || license || ')' FROM ir_module_module
        WHERE state = 'installed' AND license NOT LIKE '%GPL%'")
    if [ -n "$found" ]; then
        echo "FAILED: non-Community modules installed in $1: $found" >&2
        return 1
    fi
}

# Sourced by the scripts that run once per Odoo series (test_odoo_all.sh,
# test_wheel.sh): fills PYTHON_OF[<series>] with the first of $PYTHON, python3,
# python3.10 ... python3.13 on PATH that imports that series of Odoo.
SUPPORTED="18.0 19.0"
declare -A PYTHON_OF
for py in ${PYTHON:-} python3 python3.10 python3.11 python3.12 python3.13; do
    command -v "$py" >/dev/null 2>&1 || continue
    series=$("$py" -c "import odoo.release as r; print(r.major_version)" 2>/dev/null) || continue
    [ -n "${PYTHON_OF[$series]:-}" ] || PYTHON_OF[$series]=$py
done

#!/usr/bin/env bash
# Runs the Odoo tests once per supported Odoo series found on this machine: each
# of python3.10 ... python3.13 on PATH (and $PYTHON) that imports Odoo, in a
# database of its own. Prints the result per series, and a banner for a series
# that no Python here imports.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo_pythons.sh
declare -A RESULT

status=0
for series in $SUPPORTED; do
    py=${PYTHON_OF[$series]:-}
    if [ -z "$py" ]; then
        RESULT[$series]="SKIPPED: no Python on PATH imports Odoo $series"
        continue
    fi
    echo "== Odoo $series with $py: installing the test requirements"
    "$py" -m pip install -q -r test-requirements.txt -e . || { RESULT[$series]="FAILED: pip install"; status=1; continue; }
    # OCA's queue_job of this series, for the tests of pleo_connector_queue_job.
    scripts/install_queue_job.sh "$py" "$series" || { RESULT[$series]="FAILED: queue_job install"; status=1; continue; }
    log=$(mktemp)
    PYTHON=$py PLEO_TEST_DB="${PLEO_TEST_DB:-pleo_connector_test}_${series/./_}" \
        scripts/test_odoo.sh "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    # One pytest summary per suite run (pleo_connector, then the queue_job glue).
    summary=$(grep -E "^=+ .*(passed|failed|error).* =+$" "$log" | tr -d '=' \
        | sed 's/^ *//; s/ *$//' | paste -sd ';' - | sed 's/;/; /g')
    limits=$(grep "^worker limits:" "$log" | tail -1 | sed 's/^worker limits: //')
    summary="$summary${limits:+; long runs: $limits}"
    rm -f "$log"
    if [ "$rc" -ne 0 ]; then
        RESULT[$series]="FAILED: ${summary:-see above}"
        status=1
    else
        RESULT[$series]=${summary:-passed}
    fi
done

printf '\n%s\n' "######################################################################"
for series in $SUPPORTED; do
    printf '#  %s: %s\n' "$series" "$(echo "${RESULT[$series]}" | sed 's/^ *//')"
done
printf '%s\n' "######################################################################"
exit $status

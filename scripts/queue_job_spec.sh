#!/usr/bin/env bash
# Prints the pip requirement of OCA's queue_job for an Odoo series (the release
# this project tests with). Usage: queue_job_spec.sh SERIES
set -euo pipefail
case $1 in
    # Later 18.0 releases decorate methods with odoo.api.private, which 18.0
    # builds older than that decorator (this machine's among them) lack.
    18.0) echo "odoo-addon-queue-job==18.0.1.7.0.1" ;;
    *) echo "odoo-addon-queue-job==$1.*" ;;
esac

#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium, which Odoo's browser tests (tours) and
# scripts/screenshots.py drive through the DevTools protocol. Silent when present.
set -uo pipefail

if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
    exit 0
fi

warn() {
    printf '\n%s\n' "######################################################################"
    printf '#  WARNING: %s\n' "$@"
    printf '%s\n' "#  Chromium is missing: Odoo SKIPS the browser tests (tours) and"
    printf '%s\n' "#  scripts/screenshots.py cannot run. Install it by hand:"
    printf '%s\n' "#      apt-get install -y chromium chromium-driver"
    printf '%s\n\n' "######################################################################"
}

if ! command -v apt-get >/dev/null 2>&1; then
    warn "apt-get is not available on this machine."
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        warn "not root and no sudo: cannot install packages."
        exit 0
    fi
fi
echo "== Installing chromium (for the browser tests and screenshots)"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
    warn "apt-get install chromium failed."
fi
exit 0

#!/usr/bin/env bash
# Debian's Chromium and chromium-driver for the report's browser tests (tests/test_report_browser.py).
# Idempotent and quiet: does nothing when both are installed. No browser or driver is downloaded from elsewhere.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get not found; install chromium and chromium-driver yourself" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "install-browser: not root and no sudo; the browser tests will be skipped" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
    echo "install-browser: could not install chromium/chromium-driver; the browser tests will be skipped" >&2
fi

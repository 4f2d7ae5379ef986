#!/usr/bin/env bash
# System packages for the bot's X11 tests (tests/xvfb.py, tests/test_sources_x11.py, tests/test_paging_x11.py):
# a virtual X server, a small window manager (EWMH window list and geometry), xdotool/xwininfo/xprop to
# move and inspect windows, and Tk for the test windows. Idempotent and quiet: installs only what is missing.
set -euo pipefail

packages=(xvfb xdotool openbox x11-utils libtk8.6)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-bot-deps: apt-get not found; install ${missing[*]} by hand (the X11 tests skip without them)" >&2
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

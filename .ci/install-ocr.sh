#!/usr/bin/env bash
# Tesseract with its Latin-script model (how the bot reads usernames, handles and the labels its own reader is
# unsure of) and the script models of the classes it is tested on: Cyrillic, Korean, Hebrew, Greek, Arabic and
# simplified Chinese (the bot reads each label in the surest installed script).
set -euo pipefail
SCRIPTS=(latn cyrl hang hebr grek arab hans)
have_all() {
    command -v tesseract >/dev/null 2>&1 || return 1
    local langs
    langs=$(tesseract --list-langs 2>/dev/null)
    for name in Latin Cyrillic Hangul Hebrew Greek Arabic HanS; do
        grep -qx "$name" <<<"$langs" || return 1
    done
}
if have_all; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq tesseract-ocr "${SCRIPTS[@]/#/tesseract-ocr-script-}" >/dev/null

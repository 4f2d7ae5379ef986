#!/usr/bin/env bash
# Tesseract with its Latin-script model: how the bot reads participants' name labels.
set -euo pipefail
if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx Latin; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq tesseract-ocr tesseract-ocr-script-latn >/dev/null

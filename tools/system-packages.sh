#!/usr/bin/env bash
# System packages the project needs beyond Python: Chromium (the browser test drives it headless) and
# CJK fonts (the report's charts and the atlas screenshots draw Chinese). Installed from the system's
# package manager (Debian/Ubuntu apt) when missing; nothing is downloaded when they are present.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: please install ${need[*]} with your package manager (no apt-get here)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-packages: run as root or install ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
echo "system-packages: installing ${need[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
fc-cache -f >/dev/null 2>&1 || true

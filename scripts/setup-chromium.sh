#!/usr/bin/env bash
# Installs Debian's Chromium for offline diagram rendering (@weft/mermaid), unless a Chromium is
# already there. Idempotent and quiet; a fast no-op when /usr/bin/chromium exists.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  exit 0
fi
if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup-chromium: /usr/bin/chromium is missing and this user cannot install packages;" >&2
    echo "setup-chromium: install Debian's chromium, or set CHROMIUM_PATH to a Chromium binary." >&2
    exit 1
  fi
fi

echo "setup-chromium: installing chromium (apt)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version 2>/dev/null || true

#!/usr/bin/env bash
# Installs Debian's Chromium for offline diagram rendering (@weft/mermaid) and the browser tests,
# unless a Chromium is already there, and Chromium's headless shell beside it
# (chromium-headless-shell), which @weft/mermaid prefers: it starts faster and with less CPU time.
# The headless shell is optional: when it cannot be installed, the full Chromium is used.
# Idempotent and quiet; a fast no-op when both are installed or CHROMIUM_PATH names one.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  exit 0
fi
need_browser=0
need_shell=0
[ -x /usr/bin/chromium ] || need_browser=1
[ -x /usr/bin/chromium-headless-shell ] || need_shell=1
if [ "$need_browser" -eq 0 ] && [ "$need_shell" -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  # sudo may ask for a password when Chromium itself is missing; never for the optional shell alone.
  if command -v sudo >/dev/null 2>&1 && { [ "$need_browser" -eq 1 ] || sudo -n true 2>/dev/null; }; then
    SUDO="sudo"
  elif [ "$need_browser" -eq 1 ]; then
    echo "setup-chromium: /usr/bin/chromium is missing and this user cannot install packages;" >&2
    echo "setup-chromium: install Debian's chromium, or set CHROMIUM_PATH to a Chromium binary." >&2
    exit 1
  else
    echo "setup-chromium: chromium-headless-shell is not installed (this user cannot install packages); the full Chromium renders instead."
    exit 0
  fi
fi

# Installs the packages; when the package lists are missing or stale, updates them once and retries.
install() {
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ "$need_browser" -eq 1 ]; then
  echo "setup-chromium: installing chromium (apt)"
  install chromium
  /usr/bin/chromium --version 2>/dev/null || true
fi
if [ "$need_shell" -eq 1 ]; then
  echo "setup-chromium: installing chromium-headless-shell (apt)"
  install chromium-headless-shell ||
    echo "setup-chromium: chromium-headless-shell could not be installed; the full Chromium renders instead."
fi

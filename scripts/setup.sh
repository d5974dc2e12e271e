#!/usr/bin/env bash
# Installs everything Weft's workspace needs on a fresh Debian machine whose system Node may be
# older than 22: pnpm (pinned), the workspace's packages (which bring Node 22 as the `node`
# devDependency used by every `pnpm run` script), Chromium for diagram rendering, and in npm's
# cache what the packed-tarball test installs.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi

if [ -f scripts/setup-chromium.sh ]; then
  bash scripts/setup-chromium.sh
fi

export PUPPETEER_SKIP_DOWNLOAD=1
pnpm install --frozen-lockfile --reporter=append-only

# Builds the packages' dist/, so that `pnpm weft …` (the built CLI) works from the repository root.
pnpm build --output-logs=errors-only

# The packed-tarball test of `pnpm test` installs the tarballs with npm in an empty project: the
# registry packages it needs go into npm's cache now, so that the test does not wait on the network.
pnpm --filter @weft/pack-check run warm-cache

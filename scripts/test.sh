#!/usr/bin/env bash
# `pnpm test`: the import-cycle check, the linter and the format check; the type checks, two
# packages at a time, while the packed-tarball test (which mostly waits on npm and the registry)
# runs beside them; then every other package's tests, one package at a time, as their timings
# and shared services (Postgres, Redis) expect.
set -euo pipefail
cd "$(dirname "$0")/.."

# No package may have an import cycle (type-only imports included); Biome's rules and format hold.
pnpm run check:cycles
pnpm run lint

pnpm turbo run test --filter=@weft/pack-check &
pack=$!
status=0
pnpm turbo run typecheck --concurrency=2 || status=$?
wait "$pack" || status=$?
if [ "$status" -ne 0 ]; then exit "$status"; fi

pnpm turbo run test --concurrency=1 --filter='!@weft/pack-check'

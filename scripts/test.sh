#!/usr/bin/env bash
# `pnpm test`: the import-cycle check, the linter and the format check; then the packed-tarball
# test (which mostly waits on npm and the registry) starts, and runs beside everything else: the
# type checks, two packages at a time (each reads the other packages through their built types),
# then every other package's tests, one package at a time, as their timings and shared services
# (Postgres, Redis) expect.
set -euo pipefail
cd "$(dirname "$0")/.."

# No package may have an import cycle (type-only imports included); Biome's rules and format hold.
pnpm run check:cycles
pnpm run lint

pnpm turbo run test --filter=@weft/pack-check &
pack=$!
status=0
pnpm turbo run typecheck --concurrency=2 || status=$?
if [ "$status" -eq 0 ]; then pnpm turbo run test --concurrency=1 --filter='!@weft/pack-check' || status=$?; fi
wait "$pack" || status=$?
exit "$status"

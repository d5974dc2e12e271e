#!/usr/bin/env bash
# `pnpm test`: the import-cycle check, the linter and the format check first; then three lanes at
# once:
# - the type checks (`pnpm typecheck`: one tsc for every package, then docs-check), prefixed
#   `typecheck: `;
# - the packed-tarball test (@weft/pack-check), which mostly waits on npm and the registry;
# - every other package's tests, one package at a time (their timing assertions and 5 s timeouts
#   fail when packages compete for two busy cores), each package's output printed in one
#   block when it ends.
# It fails when any lane fails, and says which at the end; every package's tests run to their end
# (--continue), so one failing package does not cut the others short.
set -euo pipefail
cd "$(dirname "$0")/.."

# No package may have an import cycle (type-only imports included); Biome's rules and format hold.
pnpm run check:cycles
pnpm run lint

# The type checks and the packed tarballs read the packages' dist/ (from turbo's cache when built).
pnpm turbo run build --output-logs=errors-only

(
  set -o pipefail
  pnpm exec node scripts/typecheck.ts 2>&1 | sed -u 's/^/typecheck: /'
) &
typecheck=$!
pnpm turbo run test --filter=@weft/pack-check &
pack=$!

failed=()
pnpm turbo run test --concurrency=1 --log-order=grouped --continue --filter='!@weft/pack-check' || failed+=("package tests")
wait "$typecheck" || failed+=("typecheck")
wait "$pack" || failed+=("packed-tarball test (@weft/pack-check)")

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'pnpm test: failed: %s (their output is above)\n' "$(IFS=','; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo "pnpm test: cycles, lint, typecheck, package tests and the packed-tarball test passed."

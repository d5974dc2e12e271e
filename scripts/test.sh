#!/usr/bin/env bash
# `pnpm test`: builds the packages' dist/ (from Turbo's cache when built), then three lanes at once,
# sized so that they keep two cores busy and end close together:
# - the checks, prefixed `checks: `: the import-cycle check, the linter and format check and the
#   type checks (`scripts/typecheck.ts`: TypeScript 7's tsc over every package, then docs-check),
#   each run even when one before it fails;
# - the packed-tarball test (@weft/pack-check), which packs, installs with npm and runs the
#   tarballs on two Node versions;
# - every other package's tests in one Vitest run from the root (vitest.config.ts), its files
#   on a pool of three workers, those that mostly wait on processes, browsers and timers first.
# Each lane says when it ended (seconds since the start). It fails when any lane fails, and says
# which at the end; every lane runs to its end, so one failure does not cut the others short.
set -euo pipefail
cd "$(dirname "$0")/.."

# The type checks, the packed tarballs and the studio's page read the packages' dist/.
pnpm turbo run build --output-logs=errors-only

(
  set -o pipefail
  {
    ok=0
    pnpm run check:cycles || ok=1
    pnpm run lint || ok=1
    pnpm exec node scripts/typecheck.ts || ok=1
    echo "lane ended at ${SECONDS} s"
    exit "$ok"
  } 2>&1 | sed -u 's/^/checks: /'
) &
checks=$!
(
  ok=0
  pnpm turbo run test --filter=@weft/pack-check || ok=1
  echo "@weft/pack-check: lane ended at ${SECONDS} s"
  exit "$ok"
) &
pack=$!

failed=()
# Three workers: a third of the files' time is spent waiting, and two lanes share the cores with them.
pnpm exec vitest run --maxWorkers=3 || failed+=("package tests")
echo "package tests: lane ended at ${SECONDS} s"
wait "$checks" || failed+=("checks (cycles, lint, typecheck)")
wait "$pack" || failed+=("packed-tarball test (@weft/pack-check)")

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'pnpm test: failed: %s (their output is above)\n' "$(IFS=','; echo "${failed[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi
echo "pnpm test: cycles, lint, typecheck, package tests and the packed-tarball test passed."

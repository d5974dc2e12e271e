/**
 * Every package's tests in one Vitest run, as `pnpm test` runs them (each package keeps its own
 * `vitest.config.ts`, and `pnpm --filter <pkg> test` runs its tests alone); the examples' tests
 * are one project here ({@link examples}). @weft/pack-check is left out: `pnpm test` runs it as a
 * lane of its own.
 *
 * One run schedules the files of every package on one pool of workers, so that the files that
 * mostly wait (on child processes, a browser, a server's clock) overlap with those that compute.
 * Those are started first, slowest first ({@link SLOW_FIRST}): a run from a fresh clone has no
 * durations of an earlier run to order files by.
 *
 *   pnpm exec vitest run              # from the repository's root
 *   pnpm exec vitest run --project @weft/core
 *   pnpm exec vitest run --project examples
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The test files that take longest, most of it waiting, slowest first (from the repository's
 * root). They start before all others; the rest follow in Vitest's own order.
 */
export const SLOW_FIRST = [
  "packages/studio/test/studio.browser.test.ts",
  "packages/sqlite/test/step-crash.test.ts",
  "packages/postgres/test/crash.test.ts",
  "packages/bullmq/test/shared-limits.test.ts",
  "packages/mermaid/test/render.test.ts",
  "packages/sqlite/test/crash.test.ts",
  "packages/cli/test/cli.test.ts",
  "packages/postgres/test/step-crash.test.ts",
  "packages/core/test/type-errors.test.ts",
  "packages/bullmq/test/distributed.test.ts",
  "packages/bullmq/test/steps.test.ts",
  "packages/sqlite/test/busy-processes.test.ts",
  "packages/postgres/test/busy-processes.test.ts",
  "packages/sqlite/test/multi-process.test.ts",
];

const root = import.meta.dirname;
const missing = SLOW_FIRST.filter((file) => !existsSync(join(root, file)));
if (missing.length > 0) throw new Error(`vitest.config.ts: SLOW_FIRST lists files that do not exist: ${missing.join(", ")}`);

/** Vitest's order (earlier durations, else file size; by package), with the files of {@link SLOW_FIRST} first. */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const index = SLOW_FIRST.indexOf(relative(root, spec.moduleId).split("\\").join("/"));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    return sorted
      .map((spec, order) => ({ spec, order, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .map(({ spec }) => spec);
  }
}

/**
 * The examples' tests, as one project whose files share workers: each example's own config
 * (`pnpm --filter @weft/example-report test`) says no more than this, and a worker per example
 * file started Node and imported Weft, zod and the example's helpers once for each. No test of
 * theirs mocks a module or leaves global state changed.
 */
const examples = {
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: { name: "examples", root: join(root, "examples"), include: ["*/src/**/*.test.ts"], isolate: false },
};

export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "!packages/pack-check/vitest.config.ts", examples],
    sequence: { sequencer: SlowFirst },
  },
});

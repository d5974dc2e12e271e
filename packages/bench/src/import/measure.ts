import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../stats.js";

/** What {@link measureImport} measured: medians over fresh processes, in ms. */
export interface ImportProbe {
  readonly turns: number;
  /** Importing zod and immer alone. */
  readonly depsMs: number;
  /** Importing `@weft/core`, which imports them. */
  readonly coreMs: number;
  /** The median over turns of (core − deps), each turn one process of each. */
  readonly overMs: number;
}

const require = createRequire(import.meta.url);

/** The target: importing `@weft/core` costs at most this much over zod and immer alone. */
export const IMPORT_BUDGET_MS = 10;

/**
 * Import cost of `@weft/core` over zod and immer alone: `turns` pairs of fresh Node processes,
 * one importing zod and immer, one importing `@weft/core`'s built `dist`, in turns (the order
 * swapping every turn) so that the machine's load falls on both. Undefined when core is not
 * built (`pnpm build`).
 */
export function measureImport(turns: number): ImportProbe | undefined {
  const dist = join(dirname(require.resolve("@weft/core/package.json")), "dist", "index.js");
  if (!existsSync(dist)) return undefined;
  const child = fileURLToPath(new URL("./child.js", import.meta.url));
  const script = existsSync(child) ? child : child.replace(/\.js$/, ".ts");
  // The child is TypeScript in the source tree: strip its types with Node's own loader, no tsx.
  const once = (what: "core" | "deps"): number => {
    const run = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", script, what], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`import probe (${what}) failed: ${run.stderr}`);
    return Number(run.stdout.trim());
  };
  const deps: number[] = [];
  const core: number[] = [];
  const over: number[] = [];
  for (let i = 0; i < turns; i++) {
    const pair = i % 2 === 0 ? { d: once("deps"), c: once("core") } : { c: once("core"), d: once("deps") };
    deps.push(pair.d);
    core.push(pair.c);
    over.push(pair.c - pair.d);
  }
  return { turns, depsMs: median(deps), coreMs: median(core), overMs: median(over) };
}

/**
 * Bytes one run of a case allocates, on Weft and on the no-engine floor: a count that does not
 * move with the machine's load, unlike a time. Two figures per engine:
 *
 * - **interpreted**: with V8's optimizing compilers off, every allocation the code asks for is
 *   made, and the count is the same from one process to the next (to the byte, or nearly);
 * - **optimized**: as the bench runs, where the optimizing compiler removes some allocations
 *   (objects that never leave a function). Which ones depends on what it inlined, which can
 *   differ between processes: the median of three processes is shown, with the range.
 *
 *   pnpm --filter @weft/bench run alloc [case = sends/1000] [--sites]
 *
 * `--sites` also lists where the optimized runs allocate, by function (V8's sampling heap
 * profiler; run `pnpm --filter @weft/core build` first: the lines are those of core's bundle).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "../stats.js";
import { markdownTable } from "../table.js";

const args = process.argv.slice(2);
const sites = args.includes("--sites");
const [id = "sends/1000"] = args.filter((arg) => !arg.startsWith("--"));
const child = fileURLToPath(new URL("./child.ts", import.meta.url));
const heap = ["--expose-gc", "--max-semi-space-size=256", "--min-semi-space-size=256", "--no-warnings"];
// Dist mode (no source condition) when listing sites: a bundle's lines are real, tsx's are not.
const source = sites ? [] : ["--conditions=@weft/source"];

interface Measured {
  /** Null when the case has no such engine. */
  readonly bytes: number | null;
  readonly sites: readonly [string, number][];
}

function measure(engine: string, interpreted: boolean, withSites = false): Measured {
  const v8 = interpreted ? ["--no-opt", "--no-maglev"] : [];
  const [warmup, batches] = interpreted ? ["20", "3"] : ["1000", "5"];
  const argv = [...heap, ...v8, ...source, "--import", "tsx", child, id, engine, warmup, batches, ...(withSites ? ["--sites"] : [])];
  return JSON.parse(execFileSync(process.execPath, argv, { encoding: "utf8", maxBuffer: 1 << 24 })) as Measured;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const rows: string[][] = [];
let weftSites: readonly [string, number][] = [];
for (const engine of ["weft", "none"]) {
  process.stderr.write(`alloc: ${id} on ${engine}…\n`);
  const interpreted = measure(engine, true).bytes;
  if (interpreted === null) {
    rows.push([engine, "–", "–", "–"]);
    continue;
  }
  const optimized = [0, 1, 2].map((i) => measure(engine, false, sites && engine === "weft" && i === 0));
  if (engine === "weft" && sites) weftSites = optimized[0]!.sites;
  const bytes = optimized.map((m) => m.bytes ?? 0);
  rows.push([engine, kib(interpreted), kib(median(bytes)), `${kib(Math.min(...bytes))} – ${kib(Math.max(...bytes))}`]);
}
console.log(`# Bytes allocated by one run of ${id}\n`);
console.log(
  markdownTable(["engine", "interpreted", "optimized (median of 3)", "optimized range"], rows, ["left", "right", "right", "right"]),
);
if (sites) {
  console.log(`\n## Where Weft's optimized runs allocate (per run)\n`);
  console.log(
    markdownTable(
      ["function", "per run"],
      weftSites.map(([where, bytes]) => [where, kib(bytes)]),
      ["left", "right"],
    ),
  );
}

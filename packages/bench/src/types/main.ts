/**
 * Type-check cost: generates the same N-node graph for Weft and LangGraph.js, checks each with
 * `tsc --extendedDiagnostics --noEmit`, and prints check time and instantiation counts, minus
 * a baseline file with the same imports and state but no graph.
 *
 * Weft is checked through declarations emitted from its source, as a user's project sees a
 * published package (its own implementation is not re-checked), like LangGraph.js's `.d.ts`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { median } from "../stats.js";
import { formatMs, markdownTable } from "../table.js";
import { typeCases, type TypeCase } from "./generate.js";

const quick = process.env.BENCH_QUICK === "1";
// 50 is the size the project tracks; 40 is one every engine still compiles, for a like-for-like cost.
const sizes = (process.env.BENCH_TYPE_NODES ?? "40,50").split(",").map(Number);
const runs = quick ? 1 : 3;
/** Where the search for the largest graph that compiles stops; ~400 chained calls overflow tsc's stack. */
const MAX_NODES = 200;
const root = resolve(".types-bench");
const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js");

interface Diagnostics {
  readonly instantiations: number;
  readonly types: number;
  readonly checkMs: number;
  readonly memoryKb: number;
  /** The first error tsc reported, e.g. TS2589 "excessively deep"; undefined when it compiled. */
  readonly error: string | undefined;
}

function runTsc(args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tsc, ...args], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function emitWeftDeclarations(): void {
  const { output } = runTsc([
    "-p",
    resolve("../core/tsconfig.json"),
    "--noEmit",
    "false",
    "--declaration",
    "--emitDeclarationOnly",
    "--sourceMap",
    "false",
    "--outDir",
    join(root, "weft-core"),
  ]);
  // Emitting works despite type errors elsewhere in core's tree; those are not ours to judge here.
  if (output.trim() !== "") process.stderr.write("(core declarations emitted with diagnostics)\n");
}

function writeCase(item: TypeCase, nodes: number): string {
  const dir = join(root, `${item.id}-${nodes}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.ts"), item.source);
  const tsconfig = {
    extends: "../../../../tsconfig.base.json",
    compilerOptions: {
      noEmit: true,
      customConditions: [],
      paths: { "@weft/core": ["../weft-core/src/index.d.ts"] },
    },
    files: ["index.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  return dir;
}

function read(output: string, label: string): number {
  const match = new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(output);
  return match === null ? Number.NaN : Number(match[1]);
}

function check(dir: string, times: number): Diagnostics {
  const samples: Diagnostics[] = [];
  for (let i = 0; i < times; i++) {
    const { status, output } = runTsc(["-p", join(dir, "tsconfig.json"), "--extendedDiagnostics"]);
    // A very long call chain can overflow tsc's own stack: that is a failure to compile too.
    const crash = /RangeError: Maximum call stack size exceeded/.test(output) ? "tsc crashed: stack overflow" : undefined;
    const error = status === 0 ? undefined : (crash ?? /error (TS\d+: .*)/.exec(output)?.[1] ?? output.slice(0, 300));
    samples.push({
      instantiations: read(output, "Instantiations"),
      types: read(output, "Types"),
      checkMs: read(output, "Check time") * 1000,
      memoryKb: read(output, "Memory used"),
      error,
    });
  }
  return { ...samples[0]!, checkMs: median(samples.map((sample) => sample.checkMs)) };
}

/** Checks every case at `nodes` nodes. */
function checkAll(nodes: number, times: number): Map<string, Diagnostics> {
  const results = new Map<string, Diagnostics>();
  for (const item of typeCases(nodes)) results.set(item.id, check(writeCase(item, nodes), times));
  return results;
}

/** The largest chain (up to `max` nodes) of `id` that still type-checks, by bisection. */
function largestThatCompiles(id: string, max: number): number {
  const compiles = (nodes: number): boolean => {
    const item = typeCases(nodes).find((candidate) => candidate.id === id)!;
    return check(writeCase(item, nodes), 1).error === undefined;
  };
  if (compiles(max)) return max;
  let ok = 3;
  let bad = max;
  while (bad - ok > 1) {
    const mid = Math.floor((ok + bad) / 2);
    if (compiles(mid)) ok = mid;
    else bad = mid;
  }
  return ok;
}

rmSync(root, { recursive: true, force: true });
emitWeftDeclarations();
const version = execFileSync(process.execPath, [tsc, "--version"], { encoding: "utf8" }).trim();

// The generated sources must be right before their cost means anything: at a small size,
// every variant compiles.
for (const [id, result] of checkAll(10, 1)) {
  if (result.error !== undefined) throw new Error(`The 10-node "${id}" file does not type-check: ${result.error}`);
}

console.log(`# Type-check cost of an N-node graph — ${new Date().toISOString().slice(0, 10)}`);
console.log("");
console.log(
  `${version}, Node ${process.version}; a chain of addNode/addEdge calls (see src/types/generate.ts); ` +
    `check time is the median of ${runs} run(s); Δ is against a file with the same imports and state only.`,
);
console.log("");

const limits = new Map<string, string>();
const rows: string[][] = [];
for (const nodes of sizes) {
  const results = checkAll(nodes, runs);
  for (const item of typeCases(nodes).filter((candidate) => candidate.baseline !== undefined)) {
    const own = results.get(item.id)!;
    const base = results.get(item.baseline!)!;
    process.stderr.write(`  ${item.id} at ${nodes}: ${formatMs(own.checkMs)}\n`);
    if (!limits.has(item.id)) limits.set(item.id, quick ? "(quick mode)" : String(largestThatCompiles(item.id, MAX_NODES)));
    rows.push([
      item.title,
      own.error === undefined ? "yes" : `no: ${own.error}`,
      formatMs(own.checkMs),
      formatMs(own.checkMs - base.checkMs),
      own.instantiations.toLocaleString("en-US"),
      (own.instantiations - base.instantiations).toLocaleString("en-US"),
      `${Math.round(own.memoryKb / 1024)} MB`,
      limits.get(item.id)!,
    ]);
  }
}
console.log(
  markdownTable(
    [
      "graph",
      "compiles",
      "check time",
      "Δ check time",
      "instantiations",
      "Δ instantiations",
      "memory",
      `largest that compiles (≤ ${MAX_NODES})`,
    ],
    rows,
    ["left", "left", "right", "right", "right", "right", "right", "right"],
  ),
);

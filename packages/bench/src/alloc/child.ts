/**
 * One process of `alloc` (see main.ts): runs one case on one engine and prints, as JSON, the
 * bytes one run allocates, and with `--sites` where they were allocated.
 *
 * With a young generation large enough that no collection happens inside the runs measured, the
 * heap's growth over them is what they allocated. The runs are measured in batches: the heap
 * grows by pages, so one run's growth would be read to the nearest page. A batch stays well
 * inside the young generation, so that no collection lands in it.
 */
import { Session } from "node:inspector/promises";
import { benchCases } from "../cases.js";
import { median } from "../stats.js";
import { checkFinalState, type Engine } from "../workloads/workload.js";

const args = process.argv.slice(2);
const sites = args.includes("--sites");
const [id, engineArg, warmupArg, batchesArg] = args.filter((arg) => !arg.startsWith("--"));
const engine = engineArg as Engine;
const found = benchCases(false).find((entry) => entry.workload.id === id);
const run = found?.workload[engine];
if (found === undefined) throw new Error(`alloc: no case "${id}"`);
if (run === undefined) {
  // The case has no such engine (a loop has no no-engine floor): nothing to count.
  process.stdout.write(JSON.stringify({ bytes: null, sites: [] }));
  process.exit(0);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("alloc: run with --expose-gc");

checkFinalState(found.workload, engine, await run());
for (let i = 0; i < Number(warmupArg); i++) await run();
// As many runs per batch as fit well inside the young generation (256 MiB), at most 20.
gc();
const first = process.memoryUsage().heapUsed;
await run();
const batch = Math.max(1, Math.min(20, Math.floor((64 << 20) / Math.max(1, process.memoryUsage().heapUsed - first))));
const perRun: number[] = [];
for (let i = 0; i < Number(batchesArg); i++) {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let j = 0; j < batch; j++) await run();
  perRun.push((process.memoryUsage().heapUsed - before) / batch);
}

interface SampleNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly selfSize: number;
  readonly children: readonly SampleNode[];
}

/** Bytes per run by allocating function, from V8's sampling heap profiler, largest first. */
async function allocationSites(): Promise<[string, number][]> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  const runs = 20;
  for (let i = 0; i < runs; i++) await run!();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: SampleNode } };
  session.disconnect();
  const totals = new Map<string, number>();
  const walk = (node: SampleNode): void => {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(packages|node_modules)\//, "")}:${lineNumber + 1}:${columnNumber + 1}`;
    if (node.selfSize > 0) totals.set(where, (totals.get(where) ?? 0) + node.selfSize / runs);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25);
}

process.stdout.write(JSON.stringify({ bytes: median(perRun), sites: sites ? await allocationSites() : [] }));

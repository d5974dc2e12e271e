/**
 * One run of a million Sends behind `maxConcurrency: 1000`, in a process of its own, printing
 * its wall time and the process's peak resident memory as JSON. `pnpm bench` runs it as a
 * child, so no other case's heap is counted.
 *
 *   node --conditions=@weft/source --import tsx src/memory/million.ts [sends = 1000000]
 */
import { weftSendsGraph } from "../workloads/sends.js";

const sends = Number(process.argv[2] ?? 1_000_000);
const maxConcurrency = 1000;
const graph = weftSendsGraph(async ({ i }) => ({ items: [i] }));
const t0 = performance.now();
const state = await graph.invoke({ n: sends }, { maxConcurrency });
const ms = performance.now() - t0;
if (state.total !== sends) throw new Error(`million: expected ${sends} items, got ${state.total}.`);
// maxRSS is in KiB.
console.log(JSON.stringify({ sends, maxConcurrency, ms, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));

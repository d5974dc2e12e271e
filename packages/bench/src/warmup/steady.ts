/**
 * How many runs of 10000 Sends on Weft it takes, after a forced full collection, until the run
 * time is steady again: in a process of its own (no other engine's heap or promise hooks), it
 * times 20 runs in a row after a collection, 12 times, and prints a {@link SteadyProbe} as JSON.
 * `pnpm bench` runs it as a child for its steadiness target.
 *
 *   node --expose-gc --conditions=@weft/source --import tsx src/warmup/steady.ts [repeats = 12]
 */
import { FULL } from "../runner.js";
import { STEADY_TOLERANCE, STEADY_WINDOW, type SteadyProbe } from "../targets.js";
import { sends } from "../workloads/sends.js";
import { settledAt, timesAfterCollection, warmupCurve } from "./curve.js";

const repeats = Number(process.argv[2] ?? 12);
if (!Number.isInteger(repeats) || repeats < 1)
  throw new Error(`steady: repeats must be a positive whole number, got "${process.argv[2]}".`);
const workload = sends(10_000);
const run = workload.weft!;
for (let i = 0; i < 5; i++) await run(); // compiled once before any curve
const rows = await timesAfterCollection(run, 2 * FULL.rewarm, repeats, (globalThis as { gc?: () => void }).gc);
// Steady: the median of the runs after the bench's rewarm runs.
const curve = warmupCurve(rows, FULL.rewarm + 1);
const settled = settledAt(curve, { tolerance: STEADY_TOLERANCE, window: STEADY_WINDOW, settledFrom: FULL.rewarm + 1 });
const probe: SteadyProbe = { id: workload.id, settledAt: settled, firstRun: curve.relative[0]! };
console.log(JSON.stringify(probe));

import { setTimeout as sleep } from "node:timers/promises";
import { weftSendsGraph, type WorkerUpdate } from "./sends.js";
import { pick, range, type Workload } from "./workload.js";

/**
 * `n` Sends whose worker waits `waitMs` on a timer (an I/O-bound task, e.g. a model call),
 * on Weft, and with no engine: the same worker function called `n` times and awaited with
 * `Promise.all` (or a pool of `maxConcurrency`), which is as fast as Node can go. With
 * `maxConcurrency` the tasks go in waves of at most that many, so the ideal wall time is
 * `ceil(n / maxConcurrency) × waitMs`; without a cap it is `waitMs`.
 */
export function waitingSends(n: number, waitMs: number, maxConcurrency?: number): Workload {
  const waves = maxConcurrency === undefined ? 1 : Math.ceil(n / maxConcurrency);
  const worker = async ({ i }: { i: number }): Promise<WorkerUpdate> => {
    await sleep(waitMs);
    return { items: [i] };
  };
  const graph = weftSendsGraph(worker);
  const options = maxConcurrency === undefined ? {} : { maxConcurrency };
  return {
    id: `waiting-sends/${n}${maxConcurrency === undefined ? "" : `/cap${maxConcurrency}`}`,
    title: `${n} Sends × ${waitMs} ms wait, ${maxConcurrency === undefined ? "no cap" : `maxConcurrency ${maxConcurrency}`}`,
    idealMs: waves * waitMs,
    weft: () => graph.invoke({ n }, options),
    none: () => withoutEngine(n, worker, maxConcurrency),
    project: pick("items", "total"),
    expected: { items: range(n), total: n },
  };
}

/**
 * The Sends graph's work with no engine: `worker({ i })` for every `i < n`, awaited with
 * `Promise.all` (or a {@link pool} of `maxConcurrency`), in the graph's final-state shape.
 */
export async function withoutEngine(
  n: number,
  worker: (input: { i: number }) => Promise<WorkerUpdate>,
  maxConcurrency?: number,
): Promise<{ items: number[]; total: number }> {
  const inputs = range(n).map((i) => ({ i }));
  const updates = await (maxConcurrency === undefined ? Promise.all(inputs.map(worker)) : pool(inputs, maxConcurrency, worker));
  const items = updates.flatMap((update) => update.items);
  return { items, total: items.length };
}

/** Calls `fn` on every input with at most `limit` calls in flight; results in input order. */
export async function pool<I, O>(inputs: readonly I[], limit: number, fn: (input: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(inputs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await fn(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, lane));
  return results;
}

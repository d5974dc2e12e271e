import { setTimeout as sleep } from "node:timers/promises";
import { weftSendsGraph } from "./sends.js";
import { pick, range, type Workload } from "./workload.js";

/**
 * `n` Sends whose worker waits `waitMs` on a timer (an I/O-bound task, e.g. a model call),
 * on Weft only. With `maxConcurrency` the run's tasks go in waves of at most that many, so
 * the ideal wall time is `ceil(n / maxConcurrency) × waitMs`; without a cap it is `waitMs`.
 */
export function waitingSends(n: number, waitMs: number, maxConcurrency?: number): Workload {
  const waves = maxConcurrency === undefined ? 1 : Math.ceil(n / maxConcurrency);
  const graph = weftSendsGraph(async ({ i }) => {
    await sleep(waitMs);
    return { items: [i] };
  });
  const options = maxConcurrency === undefined ? {} : { maxConcurrency };
  return {
    id: `waiting-sends/${n}${maxConcurrency === undefined ? "" : `/cap${maxConcurrency}`}`,
    title: `${n} Sends × ${waitMs} ms wait, ${maxConcurrency === undefined ? "no cap" : `maxConcurrency ${maxConcurrency}`}`,
    idealMs: waves * waitMs,
    weft: () => graph.invoke({ n }, options),
    project: pick("items", "total"),
    expected: { items: range(n), total: n },
  };
}

import { weftSendsGraph, type WorkerUpdate } from "./sends.js";
import { pick, type Workload } from "./workload.js";

/**
 * `n` Sends whose worker ends after one await, on Weft, uncapped or behind `maxConcurrency`.
 * The workers barely wait, so the time is the engine's: with a cap it includes queueing every
 * task beyond it and handing each freed slot on, which must cost the same per task however
 * many wait.
 */
export function cappedSends(n: number, maxConcurrency?: number): Workload {
  const graph = weftSendsGraph(async ({ i }): Promise<WorkerUpdate> => ({ items: [i] }));
  const options = maxConcurrency === undefined ? {} : { maxConcurrency };
  return {
    id: `capped-sends/${n}${maxConcurrency === undefined ? "" : `/cap${maxConcurrency}`}`,
    title: `${n} async Sends, ${maxConcurrency === undefined ? "no cap" : `maxConcurrency ${maxConcurrency}`}`,
    weft: () => graph.invoke({ n }, options),
    project: pick("total"),
    expected: { total: n },
  };
}

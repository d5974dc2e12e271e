import type { TaskRef } from "@weft/core";
import type { RecordedRunEvent } from "@weft/core/draw";

/** A task reference as the runtime makes them: `"<step>:<position>"`. */
export function ref(step: number, position: number, node: string, sendIndex?: number): TaskRef {
  return { taskId: `${step}:${position}`, node, step, sendIndex };
}

/**
 * A hand-made run with fixed times: a plan step, then a step where Sends succeed, time out and
 * retry, queue, fail and get handled, get cancelled, fail the run, or never finish.
 */
export function scriptedRun(): RecordedRunEvent[] {
  const plan = ref(1, 0, "plan");
  const w0 = ref(2, 0, "worker", 0);
  const w1 = ref(2, 1, "worker", 1);
  const w2 = ref(2, 2, "worker", 2);
  const w3 = ref(2, 3, "worker", 3);
  const fetch = ref(2, 4, "fetch: news");
  const slow = ref(2, 5, "slow");
  const boom = { name: "Error", message: "boom" };
  return [
    { type: "run:start", input: { topic: "x" }, at: 0 },
    { type: "step:start", step: 1, tasks: [plan], at: 0.2 },
    { type: "task:start", attempt: 1, ...plan, at: 0.4 },
    { type: "task:end", update: {}, attempts: 1, durationMs: 2.8, ...plan, at: 3.2 },
    { type: "step:end", step: 1, state: {}, failures: [], at: 3.4 },
    { type: "step:start", step: 2, tasks: [w0, w1, w2, w3, fetch, slow], at: 3.6 },
    { type: "task:start", attempt: 1, ...w0, at: 4 },
    { type: "task:start", attempt: 1, ...w1, at: 4.1 },
    { type: "task:queued", ...w2, at: 4.2 },
    { type: "task:queued", ...w3, at: 4.3 },
    { type: "task:start", attempt: 1, ...fetch, at: 4.4 },
    { type: "task:start", attempt: 1, ...slow, at: 4.5 },
    { type: "task:retry", attempt: 1, error: boom, timedOut: true, delayMs: 5, ...w1, at: 10 },
    { type: "task:start", attempt: 2, ...w1, at: 15 },
    { type: "task:end", update: {}, attempts: 1, durationMs: 36, ...w0, at: 40 },
    { type: "task:start", attempt: 1, ...w2, at: 40.2 },
    { type: "task:error", error: boom, attempts: 1, timedOut: false, policy: "fail", durationMs: 40.6, ...fetch, at: 45 },
    { type: "task:cancelled", durationMs: 40.7, ...w3, at: 45.1 },
    { type: "task:end", update: {}, attempts: 2, durationMs: 45.9, ...w1, at: 50 },
    { type: "task:error", error: boom, attempts: 1, timedOut: false, policy: "handler", durationMs: 55.8, ...w2, at: 60 },
    { type: "task:end", update: {}, attempts: 1, durationMs: 56.3, ...w2, at: 60.5 },
    { type: "run:error", error: { name: "GraphError", message: "fetch failed", code: "TASK_FAILED" }, at: 62 },
  ];
}

/** One step in which every node of `nodes` runs once, from `i` to `i + 2` ms. */
export function oneStep(nodes: readonly string[]): RecordedRunEvent[] {
  const tasks = nodes.map((node, i) => ref(1, i, node));
  return [
    { type: "step:start", step: 1, tasks, at: 0 },
    ...tasks.flatMap((task, i): RecordedRunEvent[] => [
      { type: "task:start", attempt: 1, ...task, at: i },
      { type: "task:end", update: {}, attempts: 1, durationMs: 2, ...task, at: i + 2 },
    ]),
  ];
}

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

/**
 * A hand-made run with subgraphs two levels deep: two Sends to a "team" subgraph (the second
 * queued for a slot), each running "brief", then a "research" subgraph running "search"; in
 * team #1, search is retried. Inner task ids repeat from run to run, as the runtime makes them.
 */
export function subgraphRun(): RecordedRunEvent[] {
  const plan = ref(1, 0, "plan");
  const teams = [ref(2, 0, "team", 0), ref(2, 1, "team", 1)];
  const brief = ref(1, 0, "brief");
  const research = ref(2, 0, "research");
  const search = ref(1, 0, "search");
  const inner = (team: string, t0: number, retried: boolean): RecordedRunEvent[] => [
    { type: "step:start", step: 1, tasks: [brief], at: t0, path: [team] },
    { type: "task:start", attempt: 1, ...brief, at: t0, path: [team, "brief"] },
    { type: "task:end", update: {}, attempts: 1, durationMs: 4, ...brief, at: t0 + 4, path: [team, "brief"] },
    { type: "step:start", step: 2, tasks: [research], at: t0 + 5, path: [team] },
    { type: "task:start", attempt: 1, ...research, at: t0 + 5, path: [team, "research"] },
    { type: "step:start", step: 1, tasks: [search], at: t0 + 6, path: [team, "research"] },
    { type: "task:start", attempt: 1, ...search, at: t0 + 6, path: [team, "research", "search"] },
    ...(retried
      ? ([
          {
            type: "task:retry",
            attempt: 1,
            error: { name: "Error", message: "503" },
            timedOut: false,
            delayMs: 2,
            ...search,
            at: t0 + 10,
            path: [team, "research", "search"],
          },
          { type: "task:start", attempt: 2, ...search, at: t0 + 12, path: [team, "research", "search"] },
        ] satisfies RecordedRunEvent[])
      : []),
    { type: "task:end", update: {}, attempts: retried ? 2 : 1, durationMs: 14, ...search, at: t0 + 20, path: [team, "research", "search"] },
    { type: "task:end", update: {}, attempts: 1, durationMs: 16, ...research, at: t0 + 21, path: [team, "research"] },
  ];
  return [
    { type: "run:start", input: {}, at: 0 },
    { type: "step:start", step: 1, tasks: [plan], at: 0 },
    { type: "task:start", attempt: 1, ...plan, at: 1 },
    { type: "task:end", update: {}, attempts: 1, durationMs: 2, ...plan, at: 3 },
    { type: "step:start", step: 2, tasks: teams, at: 4 },
    { type: "task:start", attempt: 1, ...teams[0]!, at: 5 },
    { type: "task:queued", ...teams[1]!, at: 5 },
    ...inner("team#0", 6, false),
    { type: "task:end", update: {}, attempts: 1, durationMs: 23, ...teams[0]!, at: 28 },
    { type: "task:start", attempt: 1, ...teams[1]!, at: 28 },
    ...inner("team#1", 30, true),
    { type: "task:end", update: {}, attempts: 1, durationMs: 24, ...teams[1]!, at: 52 },
    { type: "run:end", status: "done", state: {}, interrupts: [], durationMs: 53, at: 53 },
  ] as RecordedRunEvent[];
}

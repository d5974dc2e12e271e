import { isGraphError, type GraphError, type RunEvent, type RunOptions, type TaskFailure, type TaskRef } from "@weft/core";
import { seconds } from "./latency.js";
import { Progress, type ProgressOptions } from "./progress.js";
import { refusalOf } from "./refusal.js";

/** How a run ended, with every event it streamed. */
export type RunOutcome<TState, TNodes extends string> = {
  readonly events: RunEvent<TState, TNodes>[];
  readonly durationMs: number;
  readonly progress: Progress;
} & (
  | { readonly status: "done"; readonly state: TState; readonly failures: readonly TaskFailure<TNodes>[]; readonly error: undefined }
  | { readonly status: "failed"; readonly state: undefined; readonly failures: readonly TaskFailure<TNodes>[]; readonly error: GraphError }
);

/** Anything with a `stream()` like a compiled graph's. */
export interface Streamable<TInput, TState, TNodes extends string> {
  stream(input: TInput, options?: RunOptions): AsyncIterable<RunEvent<TState, TNodes>>;
}

/**
 * Runs a graph through `stream()`, showing its branches live with a {@link Progress}, and
 * returns the final state (or the error that failed the run) with every event, for the
 * summary and the run's timeline.
 *
 * @example
 * ```ts
 * const outcome = await runWithProgress(graph, { query: "morning briefing" });
 * if (outcome.status === "done") console.log(outcome.state.finalResponse);
 * ```
 */
export async function runWithProgress<TInput, TState, TNodes extends string>(
  graph: Streamable<TInput, TState, TNodes>,
  input: TInput,
  options: {
    progress?: Omit<ProgressOptions, "label">;
    /** Names a task on screen, from the state committed before its step (see {@link ProgressOptions}). */
    label?: (task: TaskRef<TNodes>, state: TState) => string | undefined;
    run?: RunOptions;
  } = {},
): Promise<RunOutcome<TState, TNodes>> {
  const label = options.label as ProgressOptions["label"];
  const progress = new Progress({ ...options.progress, ...(label === undefined ? {} : { label }) });
  const events: RunEvent<TState, TNodes>[] = [];
  const start = performance.now();
  try {
    for await (const event of graph.stream(input, options.run)) {
      events.push(event);
      progress.observe(event as RunEvent<unknown, string>);
    }
  } catch (error) {
    progress.finish();
    if (!isGraphError(error) || refusalOf(error) !== undefined) throw error;
    const durationMs = performance.now() - start;
    const failures = events.flatMap((event) => (event.type === "step:end" ? event.failures : []));
    return { status: "failed", state: undefined, failures, error, events, durationMs, progress };
  }
  progress.finish();
  const end = events.findLast((event) => event.type === "run:end");
  if (end === undefined || end.type !== "run:end") throw new Error("The run's stream ended without a run:end event.");
  // A task that failed because the endpoint refused it (onError: "continue" kept the run going):
  // the other results cannot be trusted to mean anything either, so the example stops here.
  const refused = end.failures.find((failure) => refusalOf(failure.error) !== undefined);
  if (refused !== undefined) throw refused.error;
  return { status: "done", state: end.state, failures: end.failures, error: undefined, events, durationMs: end.durationMs, progress };
}

/**
 * The final state of a run that must have finished; throws the run's error otherwise.
 *
 * @example
 * ```ts
 * const { report } = stateOf(await runWithProgress(graph, input));
 * ```
 */
export function stateOf<TState>(outcome: RunOutcome<TState, string>): TState {
  if (outcome.status === "failed") throw outcome.error;
  return outcome.state;
}

/**
 * One line on how much the parallel branches saved: the run's wall-clock time against the sum
 * of its tasks' times, which is what running them one after another would take.
 *
 * @example
 * ```ts
 * console.log(timingSummary(outcome)); // "Finished in 3.41s: 8 tasks in 3 steps, 9.20s of work (2.7× faster than one after another)."
 * ```
 */
export function timingSummary(outcome: RunOutcome<unknown, string>): string {
  const views = outcome.progress.views().filter((task) => task.parent === undefined);
  const work = views.reduce((sum, task) => sum + (task.durationMs ?? 0), 0);
  const steps = new Set(views.map((task) => task.step)).size;
  const verb = outcome.status === "done" ? "Finished" : "Failed";
  const speedup = outcome.durationMs > 0 ? work / outcome.durationMs : 1;
  return `${verb} in ${seconds(outcome.durationMs)}: ${views.length} tasks in ${steps} steps, ${seconds(work)} of work (${speedup.toFixed(1)}× faster than one after another).`;
}

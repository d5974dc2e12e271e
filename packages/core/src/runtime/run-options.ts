import { didYouMean, GraphError, showValue } from "../errors.js";
import { hasMethod, isMilliseconds, isWholeAtLeast1, millisecondsRule } from "./option-values.js";
import type { RunOptions } from "../records/run.js";

/**
 * Checks a run's options before anything runs, and throws `INVALID_OPTION` naming the option
 * and the value: unknown keys, thread ids that are not non-empty strings, a `checkpointId`
 * without its `threadId`, and numbers out of range. Without it, `maxConcurrency: 0` would make
 * every task wait forever for a slot, `maxSteps: 0` would fail as if the graph looped, and a
 * `checkpointId` alone would be ignored, starting a fresh run instead of travelling back.
 */
export function checkRunOptions(options: RunOptions): void {
  for (const key of Object.keys(options)) {
    if (OPTIONS.includes(key)) continue;
    const hint = Object.hasOwn(LANGGRAPH, key) ? LANGGRAPH[key] : didYouMean(key, OPTIONS);
    throw new GraphError("INVALID_OPTION", `"${key}" is not a run option.${hint}`, { details: { option: key } });
  }
  const { signal, executor } = options as { signal?: unknown; executor?: unknown };
  if (signal !== undefined && !isAbortSignal(signal)) throw invalid("signal", signal, "an AbortSignal");
  if (executor !== undefined && !hasMethod(executor, "runAttempt")) {
    throw invalid("executor", executor, "an Executor (an object with a runAttempt method)");
  }
  nonEmptyString("threadId", options.threadId);
  nonEmptyString("checkpointId", options.checkpointId);
  if (options.checkpointId !== undefined && options.threadId === undefined) {
    throw new GraphError("INVALID_OPTION", "Run option checkpointId names a checkpoint of a thread: give the threadId too.", {
      details: { option: "checkpointId", value: options.checkpointId },
    });
  }
  wholeAtLeast1("maxSteps", options.maxSteps);
  wholeAtLeast1("maxConcurrency", options.maxConcurrency);
  duration("timeoutMs", options.timeoutMs, false);
  duration("settleTimeoutMs", options.settleTimeoutMs, true);
}

const OPTIONS = ["signal", "maxSteps", "maxConcurrency", "timeoutMs", "settleTimeoutMs", "threadId", "checkpointId", "executor"];

/** LangGraph.js's names for what Weft calls otherwise, with the way to say it here. */
const LANGGRAPH: Readonly<Record<string, string>> = {
  recursionLimit: " LangGraph.js's recursionLimit is Weft's maxSteps.",
  configurable: " LangGraph.js's configurable.thread_id and checkpoint_id are Weft's threadId and checkpointId.",
  streamMode: " Weft's stream() yields every kind of event; filter them by type.",
};

function wholeAtLeast1(option: string, value: unknown): void {
  if (value === undefined || isWholeAtLeast1(value)) return;
  throw invalid(option, value, "a whole number ≥ 1");
}

function nonEmptyString(option: string, value: unknown): void {
  if (value === undefined || (typeof value === "string" && value.length > 0)) return;
  throw invalid(option, value, "a non-empty string");
}

function duration(option: string, value: unknown, zeroAllowed: boolean): void {
  if (value === undefined || isMilliseconds(value, zeroAllowed)) return;
  throw invalid(option, value, millisecondsRule(zeroAllowed));
}

/** An `AbortSignal`, or anything that acts like one (a polyfill's, another realm's). */
function isAbortSignal(value: unknown): boolean {
  const signal = value as { aborted?: unknown; addEventListener?: unknown } | null;
  return typeof signal === "object" && signal !== null && typeof signal.aborted === "boolean" && typeof signal.addEventListener === "function";
}

function invalid(option: string, value: unknown, expected: string): GraphError {
  return new GraphError("INVALID_OPTION", `Run option ${option} must be ${expected}, got ${showValue(value)}.`, {
    details: { option, value },
  });
}

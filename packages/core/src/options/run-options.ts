import type { RunOptions } from "../records/run.js";
import { graphError, isPlainObject } from "../errors.js";
import { checkOptions, invalidOption, type OptionOwner, type Rule } from "./rules.js";
import { checkBudget, runBudget } from "./budget-options.js";
import { milliseconds, nonEmptyString, wholeAtLeast1, withMethods } from "./values.js";

const IF_BUSY: readonly string[] = ["reject", "enqueue", "interrupt", "rollback"];

/** The rules of a run's options, one per option of {@link RunOptions}. */
export const RUN_RULES = {
  signal: {
    expected: "an AbortSignal",
    accepts: isAbortSignal,
  },
  maxSteps: wholeAtLeast1,
  maxConcurrency: wholeAtLeast1,
  timeoutMs: milliseconds(false),
  settleTimeoutMs: milliseconds(true),
  threadId: nonEmptyString,
  checkpointId: nonEmptyString,
  executor: withMethods("an Executor", ["runAttempt"]),
  ifBusy: {
    expected: 'one of "reject", "enqueue", "interrupt", "rollback"',
    accepts: (value) => typeof value === "string" && IF_BUSY.includes(value),
  },
  storeTimeoutMs: milliseconds(false),
  leaseTtlMs: wholeAtLeast1,
  inProcessSleepMs: {
    expected: "a whole number of milliseconds from 0 to 2^31 − 1",
    accepts: (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 31 - 1,
  },
  budget: runBudget,
} as const satisfies Record<keyof RunOptions, Rule>;

/** LangGraph.js's names for what Weft calls otherwise, with the way to say it here. */
const LANGGRAPH: Readonly<Record<string, string>> = {
  recursionLimit: " LangGraph.js's recursionLimit is Weft's maxSteps.",
  configurable: " LangGraph.js's configurable.thread_id and checkpoint_id are Weft's threadId and checkpointId.",
  streamMode: " Weft's stream() yields every kind of event; filter them by type.",
};

/** Run options, as messages name them. */
export const RUN: OptionOwner = { scope: "run", hints: LANGGRAPH };

/**
 * Checks a run's options before anything runs, and throws `INVALID_OPTION` naming the option
 * and the value: unknown keys, thread ids that are not non-empty strings, a `checkpointId`
 * without its `threadId`, and numbers out of range. Without it, `maxConcurrency: 0` would make
 * every task wait forever for a slot, `maxSteps: 0` would fail as if the graph looped, and a
 * `checkpointId` alone would be ignored, starting a fresh run instead of travelling back.
 */
export function checkRunOptions(options: RunOptions): void {
  checkOptions(options, RUN_RULES, RUN);
  checkBudget(options.budget, RUN);
  if (options.checkpointId !== undefined && options.threadId === undefined) {
    throw graphError("INVALID_OPTION", "checkpointWithoutThread", { scope: "run", option: "checkpointId", value: options.checkpointId });
  }
}

/**
 * An `AbortSignal`, or anything that acts like one (a polyfill's, another realm's): it says
 * whether it fired, and listeners can be added and removed.
 */
function isAbortSignal(value: unknown): boolean {
  const signal = value as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return (
    typeof signal === "object" &&
    signal !== null &&
    typeof signal.aborted === "boolean" &&
    typeof signal.addEventListener === "function" &&
    typeof signal.removeEventListener === "function"
  );
}

/**
 * Checks the thread id and options of `getState`, `getHistory` and `updateState` as plain
 * JavaScript may pass them: a thread id that is not a non-empty string would look up no
 * thread, or a wrong one.
 */
export function checkThreadId(threadId: unknown, options: unknown): void {
  if (!nonEmptyString.accepts(threadId)) {
    throw invalidOption(RUN, { option: "threadId", value: threadId, expected: nonEmptyString.expected as string });
  }
  if (!isPlainObject(options)) throw graphError("INVALID_OPTION", "notAnObject", { scope: "run", value: options });
  const checkpointId = options.checkpointId;
  if (checkpointId !== undefined && !nonEmptyString.accepts(checkpointId)) {
    throw invalidOption(RUN, { option: "checkpointId", value: checkpointId, expected: nonEmptyString.expected as string });
  }
}

import { graphError, isPlainObject } from "../errors.js";
import type { TaskWaits } from "../records/attempt.js";
import type { WaitRequest } from "../records/interrupt.js";
import { taskRef } from "../records/task-ref.js";
import type { StepEnv, Task } from "./task.js";

/**
 * Timed waits in a node: `ctx.interrupt(value, { timeoutMs, default })` and `ctx.sleep(ms)`.
 * Their options are checked here, a short sleep waits here, and the wake-up time of a task's
 * sleep is saved before it starts.
 */

const INTERRUPT_OPTIONS = new Set(["timeoutMs", "default"]);

/** Checks `ctx.interrupt`'s options and returns its wait; a typed `INVALID_OPTION` naming the node and the option otherwise. */
export function interruptWait(node: string, options: unknown): WaitRequest {
  if (!isPlainObject(options)) {
    throw graphError("INVALID_OPTION", "callOption", {
      node,
      method: "interrupt",
      option: "options",
      value: options,
      expected: "an object { timeoutMs, default }",
    });
  }
  for (const key of Object.keys(options)) {
    if (!INTERRUPT_OPTIONS.has(key)) {
      throw graphError("INVALID_OPTION", "callOption", { node, method: "interrupt", option: key, value: options[key], expected: "absent" });
    }
  }
  const ms = checkMs(node, { method: "interrupt", option: "timeoutMs", value: options.timeoutMs });
  return { ms, default: options.default };
}

/** Checks `ctx.sleep`'s duration. */
export function sleepMs(node: string, ms: unknown): number {
  return checkMs(node, { method: "sleep", option: "ms", value: ms });
}

/** The longest wait: its wake-up time, in epoch milliseconds, stays a safe integer for a hundred thousand years. */
const MAX_WAIT_MS = 2 ** 52;

function checkMs(node: string, { method, option, value }: { method: string; option: string; value: unknown }): number {
  if (typeof value !== "number" || !(value >= 0 && value <= MAX_WAIT_MS)) {
    throw graphError("INVALID_OPTION", "callOption", { node, method, option, value, expected: "a number of milliseconds from 0 to 2^52" });
  }
  return value;
}

/** The answers of a task's calls before call `index`: those it was given, then `null` for each sleep that ended in this attempt. */
export function answersBefore(resumes: readonly unknown[], index: number): readonly unknown[] {
  if (index <= resumes.length) return resumes.slice(0, index);
  return [...resumes, ...new Array<null>(index - resumes.length).fill(null)];
}

/** Waits `ms`; rejects with the signal's reason if it fires first. */
export function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The waits of one task of a durable run; undefined for a run without a thread. */
export function taskWaits(task: Task, env: StepEnv): TaskWaits | undefined {
  const { waits, interruptScope } = env;
  if (waits === undefined || interruptScope === undefined) return undefined;
  return {
    inProcessMs: waits.inProcessMs,
    begin: async ({ index, ms, resumes }) => {
      const wakeAt = Math.ceil((await waits.now()) + ms);
      const id = `${interruptScope}:${task.taskId}:${index}`;
      const interrupt = { id, value: ms, kind: "sleep" as const, ...taskRef(task), wakeAt };
      await waits.save({ status: "interrupted", task, interrupt, resumes });
    },
  };
}

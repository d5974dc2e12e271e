import type { SavedError, SavedTaskResult } from "../checkpoint/thread.js";
import { describeThrown } from "../errors.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import { taskRef } from "../records/task-ref.js";
import type { RoutingTable } from "../runtime/route.js";
import type { Task, TaskOutcome } from "../runtime/task.js";

/**
 * Converts between a task's outcome, which the runtime deals in, and the plain record a
 * checkpointer keeps of it: a resume turns the record back into the outcome and does not run
 * the task again.
 */

/** The record of a settled task; undefined for a cancelled task, which has nothing to keep. */
export function toSavedResult(outcome: TaskOutcome): SavedTaskResult | undefined {
  switch (outcome.status) {
    case "done":
      return {
        status: "done",
        write: outcome.write,
        triggers: outcome.triggers,
        sends: outcome.sends.map((send) =>
          send.budget === undefined
            ? { node: send.node.name, input: send.input }
            : { node: send.node.name, input: send.input, budget: send.budget },
        ),
        recovered:
          outcome.recovered === undefined
            ? null
            : { error: errorInfo(outcome.recovered.error), attempts: outcome.recovered.attempts, timedOut: outcome.recovered.timedOut },
      };
    case "interrupted": {
      const { id, value, kind, wakeAt, path } = outcome.interrupt as PendingInterrupt;
      // A timed interrupt keeps its default, `undefined` included; a sleep's answer is null.
      const interrupt =
        wakeAt === undefined
          ? { id, value, kind }
          : kind === "sleep"
            ? { id, value, kind, wakeAt }
            : { id, value, kind, wakeAt, default: outcome.interrupt.default };
      return {
        status: "interrupted",
        interrupt: path === undefined ? interrupt : { ...interrupt, path: [...path] },
        resumes: outcome.resumes,
      };
    }
    case "failed":
      return {
        status: "failed",
        error: errorInfo(outcome.failure.error),
        attempts: outcome.failure.attempts,
        timedOut: outcome.failure.timedOut,
      };
    case "cancelled":
      return undefined;
  }
}

/** Turns a saved task result back into the outcome of `task`. */
export function toOutcome(task: Task, result: SavedTaskResult, routing: RoutingTable): TaskOutcome {
  switch (result.status) {
    case "done": {
      const base = {
        status: "done" as const,
        task,
        write: result.write,
        triggers: result.triggers,
        sends: result.sends.map((send) => ({ node: routing.ir.nodes.get(send.node)!, input: send.input, budget: send.budget })),
      };
      if (result.recovered === null) return base;
      return { ...base, recovered: { ...taskRef(task), ...result.recovered, policy: "handler" } };
    }
    case "interrupted":
      return { status: "interrupted", task, interrupt: { ...taskRef(task), ...result.interrupt }, resumes: result.resumes };
    case "failed":
      return {
        status: "failed",
        task,
        failure: { ...taskRef(task), error: result.error, attempts: result.attempts, timedOut: result.timedOut, policy: "fail" },
      };
  }
}

/** A failure as a checkpoint stores it; whatever was thrown, reading it must not throw. */
function errorInfo(error: unknown): SavedError {
  const message = describeThrown(error);
  try {
    if (error instanceof Error) {
      const { name, code } = error as { name: unknown; code?: unknown };
      const named = typeof name === "string" ? name : "Error";
      return typeof code === "string" ? { name: named, message, code } : { name: named, message };
    }
  } catch {
    // A getter or a Proxy trap threw: store the description alone.
  }
  return { name: "Error", message };
}

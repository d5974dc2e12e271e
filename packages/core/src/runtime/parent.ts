import { graphError, type GraphError } from "../errors.js";
import type { Command } from "../graph/command.js";
import { taskRef, type TaskFailure } from "../records/task-ref.js";
import type { StepEnv, Task, TaskOutcome } from "./task.js";

/** The signals made so far: told apart without `instanceof`, which throws for a revoked Proxy. */
const signals = new WeakSet<object>();

/** True for a {@link ParentSignal}, whatever else was thrown (a revoked Proxy included). */
export function isParentSignal(value: unknown): value is ParentSignal {
  return typeof value === "object" && value !== null && signals.has(value);
}

/**
 * Thrown where an inner node returned `Command({ graph: Command.PARENT })`: it fails the inner
 * step at once, whatever the node's retry and `onError`, and the subgraph task that ran the inner
 * graph takes the Command as its own result.
 */
export class ParentSignal {
  readonly command: Command;

  constructor(command: Command) {
    this.command = command;
    signals.add(this);
  }

  toString(): string {
    return "a Command to the parent graph";
  }
}

/**
 * The outcome of a task whose node returned a Command to the parent graph: it ends (its
 * `task:end` carries no update) and fails its step at once, so that the inner run stops and the
 * subgraph task reads the Command from the failure.
 */
export function toParent(
  run: { readonly task: Task; readonly attempt: number; readonly started: number },
  env: StepEnv,
  signal: ParentSignal,
): TaskOutcome {
  const { task } = run;
  env.emit?.({
    type: "task:end",
    update: undefined,
    attempts: run.attempt,
    durationMs: env.at() - run.started,
    ...taskRef(task),
    at: env.at(),
  });
  const failure: TaskFailure = { ...taskRef(task), error: signal, attempts: run.attempt, timedOut: false, policy: "fail" };
  env.onFatal(failure);
  return { status: "failed", task, failure };
}

/**
 * The error of a run that is no subgraph's and whose node returned a Command to the parent
 * graph: an `INVALID_ROUTE` naming the node, rather than a failure whose error is the Command.
 */
export function orphanedParent(error: GraphError, graph: string): GraphError {
  if (error.code !== "TASK_FAILED") return error;
  const failures = (error.details as { failures?: readonly { node: string; error: unknown }[] }).failures ?? [];
  const parent = failures.find((failure) => isParentSignal(failure.error));
  return parent === undefined ? error : graphError("INVALID_ROUTE", "parentWithoutParent", { node: parent.node, graph });
}

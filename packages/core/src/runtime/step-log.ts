import { stepKey, type StepResult, type TaskSteps } from "../records/attempt.js";
import type { TaskRef } from "../records/task-ref.js";
import { nodeCrypto } from "../lazy/builtins.js";

/**
 * Where the tasks of one step keep their `ctx.step` results, and what makes each task's
 * identity: a durable thread's store (see `thread/`), or this run alone.
 */
export interface StepScope {
  /** The thread whose store keeps the steps; undefined for a run without one. */
  readonly threadId: string | undefined;
  /** A string naming the task, the same every time it runs: the source of its idempotency keys. */
  identity(task: TaskRef): string;
  /** Where the task's step results are saved; undefined to keep them for the run only. */
  journal(task: TaskRef): TaskSteps | undefined;
}

/**
 * The step scope of a run without a thread: steps and keys last as long as the run. The run's
 * random id is made when a task first needs an identity: most runs never ask.
 */
export function runStepScope(): StepScope {
  let run: string | undefined;
  return {
    threadId: undefined,
    identity: (task) => `run:${(run ??= nodeCrypto().randomUUID())}:${task.taskId}`,
    journal: () => undefined,
  };
}

/** An idempotency key made from an identity: short, fixed length, safe in any header or API. */
export function idempotencyKey(identity: string, stepKey?: string): string {
  const hash = nodeCrypto().createHash("sha256").update(identity);
  if (stepKey !== undefined) hash.update("\n").update(stepKey);
  return `weft-${hash.digest("hex").slice(0, 40)}`;
}

/**
 * One task's steps as its attempts see them: the results saved before (read from the journal
 * once) and those finished since, so a retry in the same run reuses a finished step even
 * without a store. Saving goes to the journal first, and the value it keeps is the one used.
 */
export class StepLog implements TaskSteps {
  readonly #journal: TaskSteps | undefined;
  #known: Map<string, unknown> | undefined;
  #loading: Promise<ReadonlyMap<string, unknown>> | undefined;

  constructor(journal: TaskSteps | undefined) {
    this.#journal = journal;
  }

  load(): Promise<ReadonlyMap<string, unknown>> {
    if (this.#loading === undefined) {
      const journal = this.#journal;
      this.#loading =
        journal === undefined
          ? Promise.resolve((this.#known = new Map()))
          : journal.load().then(
              (saved) => (this.#known = new Map(saved)),
              (error: unknown) => {
                // A store that failed once may answer the next attempt.
                this.#loading = undefined;
                throw error;
              },
            );
    }
    return this.#loading;
  }

  async save(step: StepResult): Promise<unknown> {
    const value = this.#journal === undefined ? step.value : await this.#journal.save(step);
    (this.#known ??= new Map()).set(stepKey(step.name, step.occurrence), value);
    return value;
  }
}

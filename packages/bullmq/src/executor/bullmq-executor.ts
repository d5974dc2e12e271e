import type { AttemptControl, AttemptRequest, AttemptResult, Executor } from "@weft/core/adapter";
import type { JobsOptions } from "bullmq";
import { resolveSettings, type QueueSettings, type ResolvedSettings } from "../connection.js";
import { GraphQueue } from "./graph-queue.js";

/**
 * Options of {@link BullMQExecutor}: where the queues are, and how jobs are kept.
 *
 * @example
 * ```ts
 * const options: BullMQExecutorOptions = {
 *   connection: "redis://cache.internal:6379",
 *   prefix: "reports",
 *   jobOptions: { removeOnComplete: true },
 * };
 * ```
 */
export interface BullMQExecutorOptions extends QueueSettings {
  /**
   * Options given to every job (priority, `removeOnComplete`, …). `jobId` and `attempts` are
   * the executor's: each attempt is its own job, and retries belong to the driver.
   * Default: completed jobs are kept 10 minutes, failed ones a day.
   */
  readonly jobOptions?: Omit<JobsOptions, "jobId" | "attempts">;
  /**
   * After how long without an answer a job is looked up in Redis, in case its finish event
   * was missed (a dropped connection, a trimmed event stream). Default 15 000 ms.
   */
  readonly reconcileMs?: number;
}

const DEFAULT_JOB_OPTIONS: JobsOptions = { removeOnComplete: { age: 600 }, removeOnFail: { age: 86_400 } };

/**
 * Runs each task attempt of a graph as a BullMQ job, on worker processes that load the same
 * graph module ({@link startWorker} or the `weft-worker` bin). The driver — the process that
 * calls `invoke` — keeps limits, timeouts, retries, failure policies, validation, routing and
 * the commit, so the final state equals an in-process run. One queue per graph name.
 * A cancelled or timed-out attempt is removed from the queue, or aborted on its worker through
 * `ctx.signal`; `ctx.emit` events come back into the run's stream.
 *
 * Call {@link BullMQExecutor.close} when done: it holds Redis connections open.
 *
 * @example
 * ```ts
 * import { BullMQExecutor } from "@weft/bullmq";
 * import { builder } from "./graph.js";
 *
 * const executor = new BullMQExecutor({ connection: "redis://127.0.0.1:6379" });
 * const graph = builder.compile({ executor });
 * const state = await graph.invoke({ topic: "AI" });
 * await executor.close();
 * ```
 * @see ../../../../docs/guides/distributed.md
 */
export class BullMQExecutor implements Executor {
  readonly #settings: ResolvedSettings;
  readonly #jobOptions: JobsOptions;
  readonly #reconcileMs: number;
  readonly #queues = new Map<string, GraphQueue>();
  #closed = false;

  constructor(options: BullMQExecutorOptions = {}) {
    this.#settings = resolveSettings(options);
    this.#jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
    this.#reconcileMs = options.reconcileMs ?? 15_000;
    if (!(this.#reconcileMs > 0)) throw new RangeError(`reconcileMs must be a positive number of milliseconds, got ${this.#reconcileMs}.`);
  }

  /**
   * Sends one attempt to the graph's queue and waits for a worker's answer.
   * Called by the runtime, not by you.
   *
   * @example
   * ```ts
   * const graph = builder.compile({ executor: new BullMQExecutor() }); // the runtime calls runAttempt
   * ```
   */
  runAttempt(request: AttemptRequest, control: AttemptControl): Promise<AttemptResult> {
    try {
      return this.#queueFor(request.graph).submit(request, control);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The name of the BullMQ queue that carries a graph's attempts.
   *
   * @example
   * ```ts
   * new BullMQExecutor().queueName("report"); // "weft-report"
   * ```
   */
  queueName(graph: string): string {
    return this.#settings.queueName(graph);
  }

  /**
   * Closes the executor's queues and Redis connections. Attempts still waiting reject.
   *
   * @example
   * ```ts
   * await executor.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  /** Same as {@link BullMQExecutor.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #queueFor(graph: string): GraphQueue {
    let queue = this.#queues.get(graph);
    if (queue === undefined) {
      if (this.#closed) throw new Error("This BullMQExecutor is closed; create a new one.");
      queue = new GraphQueue(this.#settings.queueName(graph), this.#settings, {
        jobOptions: this.#jobOptions,
        reconcileMs: this.#reconcileMs,
      });
      this.#queues.set(graph, queue);
    }
    return queue;
  }
}

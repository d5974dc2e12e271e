import { randomUUID } from "node:crypto";
import type { AttemptControl, AttemptRequest, AttemptResult, UsageMeter } from "@weft/core/adapter";
import { Job, Queue, QueueEvents, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { decodeProgress, decodeReturn, encodeRequest, type JobData } from "../codec/wire.js";
import { bullConnection, cancelChannel, openRedis, type ResolvedSettings } from "../connection.js";

/** An attempt sent as a job and not yet answered. */
interface Pending {
  readonly node: string;
  readonly resolve: (result: AttemptResult) => void;
  readonly reject: (error: unknown) => void;
  readonly emit: (data: unknown) => void;
  /** Counts the node's usage against the run's budgets. */
  readonly usage: UsageMeter | undefined;
  readonly since: number;
  readonly dispose: () => void;
}

/** Options of one graph's queue, as the executor passes them on. */
export interface GraphQueueOptions {
  /** Options of every job; `attempts` stays 1 (retries belong to the driver). */
  readonly jobOptions: JobsOptions;
  /** How often to look up jobs whose finish event has not arrived. */
  readonly reconcileMs: number;
}

/**
 * The driver's side of one graph's BullMQ queue: sends attempts as jobs (in bulk, one round
 * trip per burst), and answers each from the queue's event stream (completed, failed,
 * progress). Events are read from the stream position taken before the first job was added,
 * so none is missed; jobs whose answer still has not come after `reconcileMs` are looked up.
 */
export class GraphQueue {
  readonly queue: Queue;
  /** Resolves once the event reader is placed at the stream's tail: jobs may then be added. */
  readonly #events: Promise<QueueEvents>;
  readonly #redis: Redis;
  readonly #channel: string;
  readonly #pending = new Map<string, Pending>();
  readonly #watched = new WeakMap<AbortSignal, Set<string>>();
  readonly #options: GraphQueueOptions;
  #buffer: { name: string; data: JobData; opts: JobsOptions }[] = [];
  #flushing = false;
  #reconciling = false;
  #closed = false;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(name: string, settings: ResolvedSettings, options: GraphQueueOptions) {
    const base = { connection: bullConnection(settings.connection), prefix: settings.prefix };
    this.queue = new Queue(name, base);
    this.#options = options;
    this.#redis = openRedis(settings.connection);
    this.#channel = cancelChannel(settings.prefix, name);
    this.#events = this.#redis.xrevrange(this.queue.keys.events!, "+", "-", "COUNT", 1).then((tail) => {
      const events = new QueueEvents(name, { ...base, autorun: false, lastEventId: tail[0]?.[0] ?? "0-0" });
      this.#listen(events);
      if (!this.#closed) events.run().catch((error: unknown) => this.#failAll(error));
      return events;
    });
    this.#events.catch(() => undefined);
    this.#timer = setInterval(() => void this.#reconcile(), options.reconcileMs);
    this.#timer.unref();
  }

  /** Runs one attempt as a job and resolves with its result; rejects at once when `signal` fires. */
  submit(request: AttemptRequest, control: AttemptControl): Promise<AttemptResult> {
    const { signal } = control;
    if (this.#closed) return Promise.reject(new Error(`The BullMQ executor for queue "${this.queue.name}" is closed.`));
    if (signal.aborted) return Promise.reject(signal.reason);
    const data = encodeRequest(request);
    const jobId = randomUUID();
    return new Promise<AttemptResult>((resolve, reject) => {
      const watched = this.#watch(signal);
      watched.add(jobId);
      this.#pending.set(jobId, {
        node: request.node,
        resolve,
        reject,
        emit: control.emit,
        usage: control.usage,
        since: Date.now(),
        dispose: () => watched.delete(jobId),
      });
      this.#buffer.push({ name: request.node, data, opts: { ...this.#options.jobOptions, jobId, attempts: 1 } });
      if (this.#buffer.length === 1) setImmediate(() => void this.#flush());
    });
  }

  /** Stops listening and closes the connections; attempts still waiting reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#failAll(new Error(`The BullMQ executor for queue "${this.queue.name}" was closed while the attempt ran.`));
    await Promise.allSettled([this.#events.then((events) => events.close()), this.queue.close()]);
    this.#redis.disconnect();
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#buffer.length > 0) {
        // Attempts cancelled while they waited for the round trip are not sent at all.
        const batch = this.#buffer.filter((job) => this.#pending.has(job.opts.jobId!));
        this.#buffer = [];
        if (batch.length === 0) continue;
        try {
          await this.#events;
          await this.queue.addBulk(batch);
        } catch (error) {
          for (const job of batch) this.#settle(job.opts.jobId!, () => Promise.reject(error));
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #listen(events: QueueEvents): void {
    events.on("completed", ({ jobId, returnvalue }) => this.#settle(jobId, () => decodeReturn(returnvalue)));
    events.on("failed", ({ jobId, failedReason }) =>
      this.#settle(jobId, (pending) => Promise.reject(workerFailure(jobId, pending, failedReason))),
    );
    events.on("progress", ({ jobId, data }) => {
      const progress = decodeProgress(data);
      if (progress === undefined) return;
      const pending = this.#pending.get(jobId);
      if ("data" in progress) pending?.emit(progress.data);
      else {
        try {
          pending?.usage?.report(progress.usage);
        } catch {
          // The worker counted the same usage first, with the same limits and prices: what the
          // run refuses here, the worker has already refused to the node.
        }
      }
    });
    events.on("error", () => {
      // QueueEvents reconnects by itself; jobs answered meanwhile are found by reconciling.
    });
  }

  /**
   * The jobs waiting on `signal`. One listener per signal, not per job: the tasks of a step
   * share their signal, and a fan-out of thousands would otherwise pile listeners on it.
   */
  #watch(signal: AbortSignal): Set<string> {
    let jobs = this.#watched.get(signal);
    if (jobs === undefined) {
      const watched = new Set<string>();
      jobs = watched;
      this.#watched.set(signal, watched);
      signal.addEventListener(
        "abort",
        () => {
          const jobIds = [...watched];
          for (const jobId of jobIds) this.#settle(jobId, () => Promise.reject(signal.reason));
          void this.#cancel(jobIds, signal.reason);
        },
        { once: true },
      );
    }
    return jobs;
  }

  #settle(jobId: string, outcome: (pending: Pending) => AttemptResult | Promise<AttemptResult>): void {
    const pending = this.#pending.get(jobId);
    if (pending === undefined) return;
    this.#pending.delete(jobId);
    pending.dispose();
    try {
      Promise.resolve(outcome(pending)).then(pending.resolve, pending.reject);
    } catch (error) {
      pending.reject(error);
    }
  }

  /** Removes jobs still waiting, and tells the workers to abort those that run. */
  async #cancel(jobIds: readonly string[], reason: unknown): Promise<void> {
    const message = reason instanceof Error ? reason.message : String(reason ?? "cancelled");
    await Promise.allSettled([
      this.#redis.publish(this.#channel, JSON.stringify({ jobIds, reason: message })),
      ...jobIds.map((jobId) => this.queue.remove(jobId)),
    ]);
  }

  /** Looks up jobs that have waited long for their answer, in case their event was missed. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      await this.#lookUpOldJobs(Date.now() - this.#options.reconcileMs);
    } finally {
      this.#reconciling = false;
    }
  }

  async #lookUpOldJobs(old: number): Promise<void> {
    for (const [jobId, pending] of this.#pending) {
      if (pending.since > old || this.#closed) continue;
      const job = await Job.fromId(this.queue, jobId).catch(() => null);
      if (job === null) continue;
      if (job === undefined) {
        if (this.#buffer.some((queued) => queued.opts.jobId === jobId)) continue;
        this.#settle(jobId, () => {
          throw new Error(
            `BullMQ job ${jobId} for node "${pending.node}" is gone from Redis (removed, evicted or flushed) before it finished.`,
          );
        });
      } else if (job.finishedOn !== undefined && job.finishedOn !== null) {
        if (job.failedReason) this.#settle(jobId, () => Promise.reject(workerFailure(jobId, pending, job.failedReason)));
        else this.#settle(jobId, () => decodeReturn(job.returnvalue));
      }
    }
  }

  #failAll(error: unknown): void {
    for (const jobId of [...this.#pending.keys()]) this.#settle(jobId, () => Promise.reject(error));
  }
}

function workerFailure(jobId: string, pending: Pending, reason: string): Error {
  return new Error(`BullMQ job ${jobId} for node "${pending.node}" failed on the worker side: ${reason}`);
}

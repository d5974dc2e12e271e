import { hostname } from "node:os";
import { CompiledGraph, GraphError, type CompiledDef } from "@weft/core";
import { runNodeAttempt, workerSteps, workerUsage, type AttemptRequest, type AttemptResult, type GraphIR } from "@weft/core/adapter";
import { graphIR, isGraphSource, loadGraphModule, type GraphSource } from "@weft/core/load";
import { WaitingError, Worker, type Job, type WorkerOptions as BullWorkerOptions } from "bullmq";
import { decodeRequest, encodeFailure, encodeProgress, encodeResult, encodeUsage, type JobData, type JobReturn } from "../codec/wire.js";
import { bullConnection, cancelChannel, resolveSettings, type QueueSettings } from "../connection.js";
import { CancelListener } from "./cancel-listener.js";

/**
 * Options of {@link startWorker}. Queue settings (`connection`, `prefix`, `queueName`) must
 * match the driver's executor.
 *
 * @example
 * ```ts
 * const options: StartWorkerOptions = { module: "./dist/graph.js", export: "report", concurrency: 8, prefix: "reports" };
 * ```
 */
export interface StartWorkerOptions extends QueueSettings {
  /**
   * The graph whose nodes this worker runs: a builder, a compiled graph or its `GraphIR`. A
   * graph compiled with the run's checkpointer (and `integrityKey`) also gives the worker the
   * thread's store: `ctx.step` results are then saved there, so a job taken over from a worker
   * that died does not run the steps it finished again.
   */
  readonly graph?: GraphSource;
  /** Or a module to import that exports it (a path or a URL); see `export`. */
  readonly module?: string | URL;
  /**
   * With `module`: the export to use. Default: `default`, `graph`, or the module's only graph.
   * The export may also be a function of no arguments that returns the graph.
   */
  readonly export?: string;
  /** Attempts this worker runs at once. Default 1. */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, in ms. When a worker dies, its jobs go back
   * to the queue once their lock expires and a stalled check runs. Default 30 000 (BullMQ's).
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, in ms. Default 30 000 (BullMQ's). */
  readonly stalledIntervalMs?: number;
  /** How many times a job may stall (its worker died) and be run again. Default 3. */
  readonly maxStalledCount?: number;
  /** A name for this worker, stored on its jobs. Default `<host>:<pid>`. */
  readonly name?: string;
  /**
   * Wraps each attempt this worker runs: it gets the attempt (with the driver's `trace`
   * headers, when a tracing executor set them) and must call `run` once and return its result.
   * `@weft/otel`'s `workerTracing()` uses it to run nodes inside the driver's trace.
   */
  readonly aroundAttempt?: (request: AttemptRequest, run: () => Promise<AttemptResult>) => Promise<AttemptResult>;
  /** Further BullMQ worker options, for what the options above do not cover. */
  readonly bullmq?: Omit<BullWorkerOptions, "connection" | "prefix" | "concurrency" | "autorun">;
}

/**
 * A running worker.
 *
 * @example
 * ```ts
 * const worker: WeftWorker = await startWorker({ graph });
 * worker.worker.on("stalled", (jobId) => console.warn(`job ${jobId} stalled on ${worker.queue}`));
 * await worker.close();
 * ```
 */
export interface WeftWorker {
  /** The graph it serves. */
  readonly graph: string;
  /** The BullMQ queue it takes jobs from. */
  readonly queue: string;
  /** Its name, as results and jobs record it. */
  readonly name: string;
  /** The underlying BullMQ worker, for its events (`completed`, `stalled`, …). */
  readonly worker: Worker;
  /**
   * Stops taking jobs, waits for the running ones — or, with `force`, aborts their `ctx.signal`
   * and does not wait — and closes the connections.
   */
  close(force?: boolean): Promise<void>;
}

/**
 * Starts a worker that runs a graph's task attempts from its BullMQ queue. It loads the same
 * graph as the driver (given, or imported from `module`), finds each job's node in it, runs it
 * with `runNodeAttempt`, and sends back the result, the node's error, or its interrupt. The
 * node's `ctx.signal` fires when the driver cancels the attempt or it times out there;
 * `ctx.emit` events are sent back as job progress, before the result. Given a graph compiled
 * with the run's checkpointer, its nodes' `ctx.step` results are saved in the thread's store.
 *
 * @example
 * ```ts
 * import { startWorker } from "@weft/bullmq";
 *
 * const worker = await startWorker({ module: "./dist/graph.js", concurrency: 4 });
 * process.on("SIGTERM", () => void worker.close());
 * ```
 * @see ../../../../docs/guides/distributed.md
 */
export async function startWorker(options: StartWorkerOptions): Promise<WeftWorker> {
  const source = await graphOf(options);
  const ir = graphIR(source);
  const compiled = source instanceof CompiledGraph ? (source as CompiledGraph<CompiledDef>) : undefined;
  const settings = resolveSettings(options);
  const queue = settings.queueName(ir.name);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}.`);
  }
  let cancels: CancelListener | undefined;
  let forced = false;
  const processor = async (job: Job<JobData, JobReturn>, token?: string, signal?: AbortSignal): Promise<JobReturn> => {
    // The driver cancelled this job before it started here (a worker may pick it up between the
    // cancel message and its removal from the queue): answer at once, without running the node,
    // as the driver's own process does for a task whose step is already cancelled.
    const reason = cancels?.cancelled(job.id!);
    if (reason !== undefined) return encodeFailure(new GraphError("ABORTED", `Cancelled by the driver before it started: ${reason}`), name);
    const answer = await runJob({ ir, compiled }, job, signal ?? new AbortController().signal, name, options.aroundAttempt);
    if (forced && signal?.aborted === true) {
      // Aborted by a forced close, not by the driver: hand the job to another worker rather
      // than answer with an abort the driver would take for the node's failure.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    return answer;
  };
  const worker = new Worker<JobData, JobReturn>(queue, processor, {
    maxStalledCount: 3,
    ...options.bullmq,
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    connection: bullConnection(settings.connection),
    prefix: settings.prefix,
    concurrency,
    name,
    autorun: false,
  });
  worker.on("error", () => {
    // BullMQ reports connection trouble here and recovers by itself; an unhandled
    // "error" event would crash the process instead.
  });
  // The node sees an Error as its signal's reason, as it would in the driver's process.
  const cancel = (jobId: string, why: string): boolean =>
    worker.cancelJob(jobId, new GraphError("ABORTED", `Cancelled by the driver: ${why}`) as unknown as string);
  cancels = new CancelListener(settings.connection, cancelChannel(settings.prefix, queue), cancel);
  await cancels.ready;
  void worker.run().catch(() => undefined);
  await worker.waitUntilReady();
  return {
    graph: ir.name,
    queue,
    name,
    worker,
    async close(force = false) {
      try {
        forced = force;
        if (force) worker.cancelAllJobs(new GraphError("ABORTED", `Worker ${name} is closing.`) as unknown as string);
        await worker.close(force);
      } finally {
        cancels?.close();
      }
    },
  };
}

/** Runs one job: one attempt of one node. Every ending, node errors included, is a result. */
async function runJob(
  { ir, compiled }: { readonly ir: GraphIR; readonly compiled: CompiledGraph<CompiledDef> | undefined },
  job: Job<JobData, JobReturn>,
  signal: AbortSignal,
  name: string,
  around: StartWorkerOptions["aroundAttempt"],
): Promise<JobReturn> {
  let progress: Promise<unknown> = Promise.resolve();
  try {
    const request = decodeRequest(job.data);
    if (request.graph !== ir.name) {
      throw new GraphError(
        "INVALID_OPTION",
        `Worker ${name} serves graph "${ir.name}" but got a job for graph "${request.graph}": give them different queues.`,
      );
    }
    const spec = ir.nodes.get(request.node);
    if (spec === undefined) {
      throw new GraphError(
        "UNKNOWN_NODE",
        `Worker ${name} has no node "${request.node}" in graph "${ir.name}": is it running an older version of the graph module?`,
        { details: { node: request.node } },
      );
    }
    // Custom events go out one after the other, and all of them before the result.
    const emit = (data: unknown): void => {
      const message = encodeProgress(data);
      progress = progress.then(() => job.updateProgress(message)).catch(() => undefined);
    };
    const steps = compiled === undefined ? undefined : workerSteps(compiled, request);
    // Usage goes back the same way, so the run counts it against its budgets; calls are checked
    // against the budgets as they stood when the attempt was sent.
    const usage = workerUsage(request, (used) => {
      const message = encodeUsage(used);
      progress = progress.then(() => job.updateProgress(message)).catch(() => undefined);
    });
    const run = async (): Promise<AttemptResult> =>
      runNodeAttempt(spec, request, { signal, emit, usage, ...(steps === undefined ? {} : { steps }) });
    const result = around === undefined ? await run() : await around(request, run);
    await progress;
    return encodeResult(result, name);
  } catch (error) {
    await progress;
    return encodeFailure(error, name);
  }
}

async function graphOf(options: StartWorkerOptions): Promise<GraphSource> {
  if (options.graph !== undefined && options.module !== undefined) {
    throw new GraphError("INVALID_OPTION", "startWorker takes a graph or a module, not both.", { details: { option: "graph" } });
  }
  if (options.graph !== undefined) {
    if (!isGraphSource(options.graph)) {
      throw new GraphError(
        "INVALID_OPTION",
        "startWorker's graph option is not a graph: pass a StateGraph builder, a compiled graph or a GraphIR.",
        {
          details: { option: "graph" },
        },
      );
    }
    return options.graph;
  }
  if (options.module !== undefined) return (await loadGraphModule({ module: options.module, export: options.export })).graph;
  throw new GraphError("INVALID_OPTION", "startWorker needs a graph (a builder or a compiled graph) or a module that exports one.", {
    details: { option: "graph" },
  });
}

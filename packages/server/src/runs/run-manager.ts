import { randomUUID } from "node:crypto";
import { isGraphError, type CompiledGraph, type IfBusy } from "@weft/core";
import { serializeRunEvent, type SerializedError } from "@weft/core/draw";
import { ServerError } from "../errors.js";
import type { EventStore, RunInfo, RunStatus, StoredEvent } from "../events/event-store.js";
import { LiveRun } from "./live-run.js";
import type { RunRequest } from "./run-request.js";

/** Any compiled graph, whatever its state and nodes. */
// biome-ignore lint/suspicious/noExplicitAny: a compiled graph of any state and nodes.
export type AnyCompiledGraph = CompiledGraph<any>;

const READ_BATCH = 1000;
const TERMINAL = new Set(["run:end", "run:error"]);

/** Once one of these arrives, the run got past its input, resume and options checks. */
const ACCEPTED = new Set(["step:start", "interrupt", "run:end"]);

/**
 * Starts runs, keeps their events in the event store, follows them for readers, cancels them.
 * A run is only created (and its id given out) once the engine accepted its input: a bad
 * input, resume or option fails the request instead, with the engine's `GraphError`.
 */
export class RunManager {
  readonly #graphs: ReadonlyMap<string, AnyCompiledGraph>;
  readonly #store: EventStore;
  readonly #ifBusy: IfBusy;
  readonly #now: () => number;
  readonly #live = new Map<string, { run: LiveRun; done: Promise<void> }>();

  constructor(options: { graphs: ReadonlyMap<string, AnyCompiledGraph>; store: EventStore; ifBusy: IfBusy; now?: () => number }) {
    this.#graphs = options.graphs;
    this.#store = options.store;
    this.#ifBusy = options.ifBusy;
    this.#now = options.now ?? Date.now;
  }

  /** The served graph of this name, or `UNKNOWN_GRAPH`. */
  graph(name: string): AnyCompiledGraph {
    const graph = this.#graphs.get(name);
    if (graph === undefined) {
      throw new ServerError(
        "UNKNOWN_GRAPH",
        `No graph "${name}" is served; served: ${[...this.#graphs.keys()].map((n) => `"${n}"`).join(", ")}.`,
        {
          graph: name,
        },
      );
    }
    return graph;
  }

  /**
   * Starts a run; resolves once the engine accepted it, rejects with its error otherwise. When
   * another run holds the thread (in this process or another on the same checkpointer), the
   * engine's `ifBusy` decides: the request's, else the server's.
   */
  async start(request: RunRequest & { graph: string; threadId: string }): Promise<RunInfo> {
    const graph = this.graph(request.graph);
    const run = new LiveRun(randomUUID(), this.#store);
    const startedAt = this.#now();
    let accept!: { resolve: () => void; reject: (error: unknown) => void };
    const accepted = new Promise<void>((resolve, reject) => (accept = { resolve, reject }));
    let created!: { resolve: () => void; reject: (error: unknown) => void };
    const ready = new Promise<void>((resolve, reject) => (created = { resolve, reject }));
    ready.catch(() => {});
    const events = graph.stream(request.input as never, {
      ...request.options,
      threadId: request.threadId,
      ifBusy: request.options.ifBusy ?? this.#ifBusy,
      ...(request.checkpointId === undefined ? {} : { checkpointId: request.checkpointId }),
      signal: run.controller.signal,
    });
    const done = this.#pump(run, events, { accept, ready });
    this.#live.set(run.runId, { run, done });
    try {
      await accepted;
    } catch (error) {
      this.#live.delete(run.runId);
      throw error;
    }
    try {
      await this.#store.createRun({ runId: run.runId, graph: request.graph, threadId: request.threadId, startedAt });
    } catch (error) {
      created.reject(error);
      run.controller.abort(error);
      throw error;
    }
    run.open();
    created.resolve();
    return { runId: run.runId, graph: request.graph, threadId: request.threadId, status: "running", startedAt, events: 0 };
  }

  /** Cancels a running run (it ends with `run:error` `ABORTED`); a run that has ended is left as it is. */
  async cancel(runId: string): Promise<RunInfo> {
    const live = this.#live.get(runId);
    live?.run.controller.abort(new ServerError("ABORTED", "The run was cancelled through the server."));
    return this.info(runId);
  }

  /** The run's current facts, or `UNKNOWN_RUN`. */
  async info(runId: string): Promise<RunInfo> {
    const info = await this.#store.getRun(runId);
    if (info === undefined)
      throw new ServerError("UNKNOWN_RUN", `No run "${runId}" (never started, or past its retention window).`, { runId });
    return info;
  }

  /**
   * The run's events after `after`, each exactly once, in order and in batches: the stored
   * ones, then the new ones as they are stored, up to the run's last event. Ends early when
   * `signal` aborts.
   */
  async *follow(runId: string, after: number, signal: AbortSignal): AsyncGenerator<StoredEvent[]> {
    let last = after;
    let final = false;
    while (!signal.aborted) {
      const batch = await this.#store.read(runId, { after: last, limit: READ_BATCH });
      if (signal.aborted) return;
      if (batch.length > 0) {
        yield batch;
        last = batch.at(-1)!.seq;
      }
      if (batch.length === READ_BATCH) continue;
      const live = this.#live.get(runId);
      if (batch.length > 0 && TERMINAL.has(batch.at(-1)!.type)) {
        // Return once the run is marked ended, so that what follows sees its final status.
        await live?.run.changed(Number.POSITIVE_INFINITY, signal);
        return;
      }
      if (live === undefined) {
        // Nothing is written after a run leaves the live map: one more read sees everything.
        if (final && batch.length === 0) return;
        final = true;
        continue;
      }
      await live.run.changed(last, signal);
    }
  }

  /** The run's last stored event, if it has any. */
  async lastEvent(runId: string): Promise<StoredEvent | undefined> {
    const info = await this.#store.getRun(runId);
    if (info === undefined || info.events === 0) return undefined;
    return (await this.#store.read(runId, { after: info.events - 1, limit: 1 }))[0];
  }

  /** The runs the store knows, newest first. */
  runs(filter: { graph?: string; threadId?: string; limit?: number }): Promise<RunInfo[]> {
    return this.#store.listRuns(filter);
  }

  /** Cancels every running run and waits until their events are stored. */
  async close(): Promise<void> {
    const live = [...this.#live.values()];
    for (const { run } of live) run.controller.abort(new ServerError("ABORTED", "The server is shutting down."));
    await Promise.allSettled(live.map(({ done }) => done));
  }

  async #pump(
    run: LiveRun,
    events: AsyncIterable<{ readonly type: string; readonly error?: unknown; readonly status?: string }>,
    hooks: {
      accept: { resolve: () => void; reject: (error: unknown) => void };
      ready: Promise<void>;
    },
  ): Promise<void> {
    let accepted = false;
    let status: Exclude<RunStatus, "running"> = "failed";
    let failure: unknown;
    try {
      for await (const event of events) {
        run.push(event.type, JSON.stringify(serializeRunEvent(event as never)));
        if (!accepted && ACCEPTED.has(event.type)) {
          accepted = true;
          hooks.accept.resolve();
        }
        // A run waiting on its sleeps is paused like an interrupted one: its thread resumes it.
        if (event.type === "run:end") status = event.status === "done" ? "done" : "interrupted";
        if (event.type === "run:error") failure = event.error;
      }
    } catch (error) {
      failure ??= error;
    }
    if (!accepted) {
      hooks.accept.reject(failure ?? new ServerError("INTERNAL", "The run ended before it started."));
      return;
    }
    if (failure !== undefined)
      status = isGraphError(failure) && failure.code === "ABORTED" && run.controller.signal.aborted ? "cancelled" : "failed";
    try {
      await hooks.ready;
    } catch {
      // The store could not record the run: it was never given out.
      this.#live.delete(run.runId);
      run.settle();
      return;
    }
    let error = failure === undefined ? undefined : toSerializedError(failure);
    try {
      await run.drained();
    } catch (storeError) {
      status = "failed";
      error = toSerializedError(storeError);
    }
    try {
      await this.#store.endRun(run.runId, { status, endedAt: this.#now(), ...(error === undefined ? {} : { error }) });
    } finally {
      this.#live.delete(run.runId);
      run.settle();
    }
  }
}

function toSerializedError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const serialized = serializeRunEvent({ type: "run:error", error: error as never, at: 0 });
  return (serialized as { error: SerializedError }).error;
}

import type { IfBusy, PendingInterrupt } from "@weft/core";
import type { ErrorBody, ServerErrorCode } from "../errors.js";
import type { RunInfo } from "../events/event-store.js";
import { parseServerSentEvents } from "./sse-parser.js";
import type { GraphInput, GraphNodes, GraphUpdate, ServerRunEvent, ServerThreadState } from "./types.js";

/**
 * A failed request: the server's error code, message and HTTP status.
 *
 * @example
 * ```ts
 * try { await client.start("t1", { input: {} as never }); } catch (error) {
 *   if (error instanceof ClientError && error.code === "THREAD_BUSY") console.log("try later");
 * }
 * ```
 */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly status: number;
  readonly code: ServerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, body: ErrorBody["error"]) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
  }
}

/**
 * Where the client connects.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { url: "http://127.0.0.1:8787", graph: "report", token: "s3cret" };
 * ```
 */
export interface ClientOptions {
  /** The server's base URL. */
  readonly url: string;
  /** The graph's name on the server. */
  readonly graph: string;
  readonly token?: string;
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * What starts a run: new input, an answer to the pending interrupt(s), a command, or nothing
 * (continue where the thread stopped), with run options.
 *
 * @example
 * ```ts
 * await client.start("t1", { input: { topic: "AI" }, maxConcurrency: 4 });
 * await client.start("t1", { resume: { approved: true } });
 * ```
 */
export type RunStart<TGraph> = (
  | { readonly input: GraphInput<TGraph>; readonly resume?: never; readonly command?: never }
  | { readonly resume: unknown; readonly input?: never; readonly command?: never }
  | {
      readonly command: {
        readonly resume?: unknown;
        readonly update?: GraphUpdate<TGraph>;
        readonly goto?: GraphNodes<TGraph> | readonly (GraphNodes<TGraph> | { node: GraphNodes<TGraph>; input: unknown })[];
      };
      readonly input?: never;
      readonly resume?: never;
    }
  | { readonly input?: never; readonly resume?: never; readonly command?: never }
) & {
  /** Continue from this earlier checkpoint of the thread (time travel, fork). */
  readonly checkpointId?: string;
  readonly maxSteps?: number;
  readonly maxConcurrency?: number;
  readonly timeoutMs?: number;
  /** What to do when another run holds the thread; default: the server's (`"reject"`: `THREAD_BUSY`). */
  readonly ifBusy?: IfBusy;
};

/**
 * How {@link GraphClient.events} re-attaches after a dropped connection.
 *
 * @example
 * ```ts
 * for await (const event of client.events(run.runId, { lastEventId: 41, retries: 20 })) console.log(event.id, event.type);
 * ```
 */
export interface FollowOptions {
  /** Start after this event id (what a previous reader saw last). Default 0: from the start. */
  readonly lastEventId?: number;
  /** Stops reading. */
  readonly signal?: AbortSignal;
  /** Consecutive failed connections before giving up. Default 10. */
  readonly retries?: number;
  /** Wait between reconnections, in milliseconds. Default 200. */
  readonly retryDelayMs?: number;
}

/**
 * A typed client for one graph on a `@weft/server`: the input, state, node names and events
 * are those of `TGraph`. Create it with {@link createClient}.
 *
 * @example
 * ```ts
 * const client: GraphClient<typeof graph> = createClient({ url, graph: "report" });
 * const state = await client.getState("t1");
 * ```
 * @see ../../../../docs/guides/server.md
 */
export interface GraphClient<TGraph> {
  /** Starts a run on a thread; resolves once the server accepted it. */
  start(threadId: string, start: RunStart<TGraph>): Promise<RunInfo>;
  /**
   * A run's events from `lastEventId` on, each exactly once, until its last one. A dropped
   * connection is re-attached with `Last-Event-ID`.
   */
  events(runId: string, options?: FollowOptions): AsyncGenerator<ServerRunEvent<TGraph>>;
  /** Starts a run and follows its events. */
  stream(threadId: string, start: RunStart<TGraph>, options?: Omit<FollowOptions, "lastEventId">): AsyncGenerator<ServerRunEvent<TGraph>>;
  getRun(runId: string): Promise<RunInfo>;
  cancel(runId: string): Promise<RunInfo>;
  /** The thread's state at its latest checkpoint, or at `checkpointId`. */
  getState(threadId: string, options?: { checkpointId?: string }): Promise<ServerThreadState<TGraph>>;
  /** The thread's checkpoints, newest first. */
  getHistory(threadId: string, options?: { limit?: number; before?: string }): Promise<ServerThreadState<TGraph>[]>;
  /** The thread's pending interrupts: its nodes' questions, and the breakpoint it is paused at. */
  interrupts(threadId: string): Promise<PendingInterrupt<GraphNodes<TGraph>>[]>;
  /** Answers pending interrupts by id (or the only one with `{ answer }`) and starts the resumed run. */
  answer(
    threadId: string,
    answers: { readonly answers: Readonly<Record<string, unknown>> } | { readonly answer: unknown },
  ): Promise<RunInfo>;
  /** Writes an update into the thread as a new checkpoint; returns its id. */
  updateState(
    threadId: string,
    values: GraphUpdate<TGraph>,
    options?: { asNode?: GraphNodes<TGraph>; checkpointId?: string },
  ): Promise<string>;
  /** Branches the thread from an earlier checkpoint (with an optional update); returns the new checkpoint's id. */
  fork(threadId: string, options: { checkpointId: string; values?: GraphUpdate<TGraph>; asNode?: GraphNodes<TGraph> }): Promise<string>;
  /** The thread's runs the server keeps, newest first. */
  runs(threadId: string): Promise<RunInfo[]>;
  /** The threads the server has run this graph on. */
  threads(): Promise<{ threadId: string; runs: number; lastRun: RunInfo }[]>;
}

/**
 * Connects to one graph of a `@weft/server`. Pass the graph's type to type inputs, states and
 * events: `createClient<typeof graph>(…)` (a type-only import of the graph module is enough).
 *
 * @example
 * ```ts
 * import { createClient } from "@weft/server/client";
 * import type { graph } from "./graph.js";
 *
 * const client = createClient<typeof graph>({ url: "http://127.0.0.1:8787", graph: "report" });
 * for await (const event of client.stream("t1", { input: { topic: "AI" } })) {
 *   if (event.type === "task:end") console.log(event.node, event.durationMs);
 * }
 * ```
 * @see ../../../../docs/guides/server.md
 */
export function createClient<TGraph>(options: ClientOptions): GraphClient<TGraph> {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const graphPath = `/graphs/${encodeURIComponent(options.graph)}`;
  const thread = (threadId: string): string => `${graphPath}/threads/${encodeURIComponent(threadId)}`;
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    options.token === undefined ? extra : { ...extra, authorization: `Bearer ${options.token}` };

  const request = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) throw toClientError(response.status, parsed);
    return parsed as T;
  };

  async function* events(runId: string, follow: FollowOptions = {}): AsyncGenerator<ServerRunEvent<TGraph>> {
    let last = follow.lastEventId ?? 0;
    let failures = 0;
    const retries = follow.retries ?? 10;
    for (;;) {
      if (follow.signal?.aborted) return;
      let response: Response;
      try {
        response = await doFetch(`${base}/runs/${encodeURIComponent(runId)}/events`, {
          headers: headers({ accept: "text/event-stream", "last-event-id": String(last) }),
          ...(follow.signal === undefined ? {} : { signal: follow.signal }),
        });
      } catch (error) {
        if (follow.signal?.aborted) return;
        if (++failures > retries) throw error;
        await delay(follow.retryDelayMs ?? 200);
        continue;
      }
      if (!response.ok) {
        const text = await response.text();
        if (response.status < 500 || ++failures > retries) throw toClientError(response.status, safeJson(text));
        await delay(follow.retryDelayMs ?? 200);
        continue;
      }
      try {
        for await (const message of parseServerSentEvents(response.body!)) {
          if (message.event === "end") return;
          const id = Number(message.id);
          if (!Number.isInteger(id) || id <= last) continue;
          last = id;
          failures = 0;
          yield { ...(JSON.parse(message.data) as object), id } as ServerRunEvent<TGraph>;
        }
      } catch (error) {
        if (follow.signal?.aborted) return;
        if (++failures > retries) throw error;
      }
      // The stream ended without its "end" event: the connection dropped. Re-attach.
      if (++failures > retries) throw new Error(`Lost the event stream of run "${runId}" after event ${last}.`);
      await delay(follow.retryDelayMs ?? 200);
    }
  }

  const start = (threadId: string, body: RunStart<TGraph>): Promise<RunInfo> => request("POST", `${thread(threadId)}/runs`, body);
  return {
    start,
    events,
    async *stream(threadId, body, follow = {}) {
      const run = await start(threadId, body);
      yield* events(run.runId, follow);
    },
    getRun: (runId) => request("GET", `/runs/${encodeURIComponent(runId)}`),
    cancel: (runId) => request("POST", `/runs/${encodeURIComponent(runId)}/cancel`),
    getState: (threadId, { checkpointId } = {}) =>
      request("GET", `${thread(threadId)}/state${checkpointId === undefined ? "" : `?checkpointId=${encodeURIComponent(checkpointId)}`}`),
    getHistory: async (threadId, { limit, before } = {}) => {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set("limit", String(limit));
      if (before !== undefined) query.set("before", before);
      const suffix = query.size === 0 ? "" : `?${query}`;
      return (await request<{ history: ServerThreadState<TGraph>[] }>("GET", `${thread(threadId)}/history${suffix}`)).history;
    },
    interrupts: async (threadId) =>
      (await request<{ interrupts: PendingInterrupt<GraphNodes<TGraph>>[] }>("GET", `${thread(threadId)}/interrupts`)).interrupts,
    answer: (threadId, answers) => request("POST", `${thread(threadId)}/interrupts`, answers),
    updateState: async (threadId, values, updateOptions = {}) =>
      (await request<{ checkpointId: string }>("POST", `${thread(threadId)}/state`, { values, ...updateOptions })).checkpointId,
    fork: async (threadId, forkOptions) =>
      (await request<{ checkpointId: string }>("POST", `${thread(threadId)}/fork`, forkOptions)).checkpointId,
    runs: async (threadId) => (await request<{ runs: RunInfo[] }>("GET", `${thread(threadId)}/runs`)).runs,
    threads: async () =>
      (await request<{ threads: { threadId: string; runs: number; lastRun: RunInfo }[] }>("GET", `${graphPath}/threads`)).threads,
  };
}

function toClientError(status: number, body: unknown): ClientError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  if (typeof error === "object" && error !== null && typeof error.code === "string") return new ClientError(status, error);
  return new ClientError(status, { code: "INTERNAL", message: `The server answered ${status} without an error body.` });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

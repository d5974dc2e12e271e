import OpenAI from "openai";
import {
  startTestServer,
  type ChatRequestBody,
  type Reply,
  type ReplyHandler,
  type ScriptedReply,
  type TestServer,
} from "@weft/openai/testing";
import { latencyScale, sleep } from "./latency.js";

/**
 * A simulated outage: requests it matches fail with an HTTP error before they leave the
 * process, whether the client talks to OpenAI or to the local server, so an example's
 * failure path runs the same way in both.
 */
export interface Outage {
  /** Which requests fail. */
  readonly when: (body: ChatRequestBody) => boolean;
  /** Default 503. */
  readonly status?: number;
  /** Default "The server is overloaded. Please try again later." */
  readonly message?: string;
  /** How long the failing request takes, at latency scale 1. Default 300 ms. */
  readonly latencyMs?: number;
}

/** What {@link exampleClient} takes. */
export interface ExampleClientOptions {
  /**
   * The local server's script, at real-life latency (scaled by `latencyScale`): each request
   * takes the first reply that matches and is not used up.
   */
  readonly replies?: readonly ScriptedReply[];
  /** Answers the local server's requests that no scripted reply matches. */
  readonly handler?: ReplyHandler;
  /**
   * `"auto"` (default): OpenAI when `OPENAI_API_KEY` is set, the local server otherwise.
   * Tests pass `"offline"`.
   */
  readonly mode?: "auto" | "offline" | "openai";
  /** Multiplies every simulated latency. Default: `WEFT_LATENCY_SCALE`, or 1. */
  readonly latencyScale?: number;
  readonly outage?: Outage;
  /** Where `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `WEFT_MODEL` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A model client for an example, and what it talks to. */
export interface ExampleClient {
  readonly client: OpenAI;
  /** `WEFT_MODEL`, default `gpt-4o-mini` (the local server answers to any name). */
  readonly model: string;
  readonly mode: "offline" | "openai";
  /** One line for the example's header: where the model calls go. */
  readonly description: string;
  /** The local server, offline; its `requests` record every call with timestamps. */
  readonly server: TestServer | undefined;
  readonly latencyScale: number;
  /** Stops the local server, if any. */
  close(): Promise<void>;
}

/**
 * Chooses the model client of an example: the real OpenAI service when `OPENAI_API_KEY` is
 * set (and `OPENAI_BASE_URL` when given), otherwise a local OpenAI-compatible server from
 * `@weft/openai/testing`, started in this process, that answers with the example's scripted
 * replies after realistic delays.
 *
 * @example
 * ```ts
 * const llm = await exampleClient({ replies: [{ match: "plan", json: { sections: ["A"] }, latencyMs: 800 }] });
 * try {
 *   const graph = reportGraph({ client: llm.client, model: llm.model });
 * } finally {
 *   await llm.close();
 * }
 * ```
 */
export async function exampleClient(options: ExampleClientOptions = {}): Promise<ExampleClient> {
  const env = options.env ?? process.env;
  const scale = options.latencyScale ?? latencyScale(env);
  const mode = options.mode ?? "auto";
  const model = env.WEFT_MODEL || "gpt-4o-mini";
  const fetch = options.outage === undefined ? undefined : failing(options.outage, scale);
  if (mode === "openai" || (mode === "auto" && env.OPENAI_API_KEY)) {
    const baseURL = env.OPENAI_BASE_URL || undefined;
    const client = new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL, maxRetries: 2, ...(fetch ? { fetch } : {}) });
    return {
      client,
      model,
      mode: "openai",
      description: `model calls go to ${baseURL ?? "OpenAI"} (${model})`,
      server: undefined,
      latencyScale: scale,
      close: async () => undefined,
    };
  }
  const { handler } = options;
  const server = await startTestServer({
    replies: (options.replies ?? []).map((reply) => scaleReply(reply, scale)),
    ...(handler === undefined ? {} : { handler: async (request) => scaleReply(await handler(request), scale) }),
  });
  return {
    client: server.client(fetch ? { fetch } : {}),
    model,
    mode: "offline",
    description: `offline: model calls go to a local OpenAI-compatible test server (scripted replies, latency ×${scale}); set OPENAI_API_KEY to use OpenAI`,
    server,
    latencyScale: scale,
    close: () => server.close(),
  };
}

/** A reply with its delays multiplied by `scale`. */
export function scaleReply<T extends Reply>(reply: T, scale: number): T {
  if (scale === 1) return reply;
  const scaled: Record<string, unknown> = { ...reply };
  if (typeof reply.latencyMs === "number") scaled.latencyMs = reply.latencyMs * scale;
  if ("chunkDelayMs" in reply) {
    const delay = reply.chunkDelayMs;
    scaled.chunkDelayMs = typeof delay === "function" ? (chunk: number) => delay(chunk) * scale : (delay ?? 0) * scale;
  }
  return scaled as T;
}

function failing(outage: Outage, scale: number): typeof globalThis.fetch {
  return async (input, init) => {
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as ChatRequestBody) : undefined;
    if (body === undefined || !outage.when(body)) return globalThis.fetch(input, init);
    await sleep((outage.latencyMs ?? 300) * scale, init?.signal ?? undefined);
    const status = outage.status ?? 503;
    const message = outage.message ?? "The server is overloaded. Please try again later.";
    return new Response(JSON.stringify({ error: { message, type: "server_error", param: null, code: null } }), {
      status,
      headers: { "content-type": "application/json" },
    });
  };
}

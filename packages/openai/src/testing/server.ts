import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI, { type ClientOptions } from "openai";
import { completionBody, isHttpReply, streamChunks, toAnswer } from "./replies.js";
import type { ChatRequestBody, Matcher, RecordedRequest, Reply, ReplyHandler, ScriptedReply } from "./types.js";

/**
 * What {@link startTestServer} takes.
 *
 * @example
 * ```ts
 * const options: TestServerOptions = { replies: [{ text: "Hi" }], handler: () => ({ status: 500 }) };
 * ```
 */
export interface TestServerOptions {
  /** Scripted replies; each request takes the first one that matches and is not used up. */
  readonly replies?: readonly ScriptedReply[];
  /** Answers requests no scripted reply matches. Without it they get an HTTP 500 saying so. */
  readonly handler?: ReplyHandler;
}

/**
 * A running local OpenAI-compatible server.
 *
 * @example
 * ```ts
 * const server: TestServer = await startTestServer({ replies: [{ text: "Hi" }] });
 * await server.client().chat.completions.create({ model: "m", messages: [{ role: "user", content: "Hello" }] });
 * console.log(server.requests[0]?.body.messages);
 * await server.close();
 * ```
 */
export interface TestServer {
  /** `http://127.0.0.1:<port>/v1`: the `baseURL` for an OpenAI client. */
  readonly baseURL: string;
  /** Every request received, in arrival order, updated as responses end. */
  readonly requests: readonly RecordedRequest[];
  /** Requests no scripted reply or handler answered. */
  readonly unmatched: readonly RecordedRequest[];
  /** Adds scripted replies after those already queued. */
  reply(...replies: ScriptedReply[]): void;
  /** Scripted replies not used up yet. */
  pending(): readonly ScriptedReply[];
  /** An OpenAI client for this server (`maxRetries: 0`, a dummy key), with your options on top. */
  client(options?: ClientOptions): OpenAI;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly RecordedRequest[]>;
  /** Resolves once no response is in progress. */
  idle(timeoutMs?: number): Promise<void>;
  /** Stops the server, cutting open connections. */
  close(): Promise<void>;
}

interface Entry {
  readonly reply: ScriptedReply;
  left: number;
}

type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Starts a local OpenAI-compatible chat completions server on 127.0.0.1 (random port) for
 * tests: scripted replies (by matcher, in order, or from a function), several tool calls in
 * one message, JSON answers, SSE streaming with a final usage chunk, latency, HTTP failures
 * and malformed bodies. It records every request with timestamps and whether it was aborted.
 *
 * @example
 * ```ts
 * const server = await startTestServer({
 *   replies: [
 *     { match: "weather", toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
 *     { json: { label: "positive" }, latencyMs: 20 },
 *   ],
 * });
 * const client = server.client();
 * // … run the graph with `client` …
 * expect(server.requests).toHaveLength(2);
 * await server.close();
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const script: Entry[] = (options.replies ?? []).map((reply) => ({ reply, left: reply.times ?? 1 }));
  const requests: MutableRecord[] = [];
  const unmatched: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let inFlight = 0;
  let completions = 0;
  let calls = 0;

  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  const choose = async (record: RecordedRequest): Promise<Reply | undefined> => {
    const entry = script.find((e) => e.left > 0 && matches(e.reply.match, record));
    if (entry !== undefined) {
      entry.left--;
      return entry.reply;
    }
    return options.handler === undefined ? undefined : options.handler(record);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = now();
    const text = await readBody(req);
    let body: ChatRequestBody;
    try {
      body = JSON.parse(text === "" ? "{}" : text) as ChatRequestBody;
    } catch {
      body = { model: "", messages: [] };
    }
    const record: MutableRecord = {
      index: requests.length,
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
      receivedAt,
      respondedAt: undefined,
      aborted: false,
      status: undefined,
    };
    requests.push(record);
    inFlight++;
    res.on("close", () => {
      if (res.writableFinished) record.respondedAt = now();
      else record.aborted = true;
      inFlight--;
      notify();
    });
    notify();

    if (req.method !== "POST" || !(req.url ?? "").replace(/\?.*$/, "").endsWith("/chat/completions")) {
      return sendJson(
        res,
        record,
        404,
        errorBody(`No route for ${req.method} ${req.url}: this server only answers POST /v1/chat/completions.`),
      );
    }
    const reply = await choose(record);
    if (reply === undefined) {
      unmatched.push(record);
      const last = lastUserText(record) || "(none)";
      return sendJson(res, record, 500, errorBody(`No scripted reply matches request #${record.index} (last user message: ${last}).`));
    }
    if (!(await wait(reply.latencyMs ?? 0, res))) return;
    if (isHttpReply(reply)) {
      record.status = reply.status;
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body ?? JSON.stringify(errorBody(reply.error ?? `HTTP ${reply.status}`, reply.status)));
      return;
    }
    const answer = toAnswer(reply, body, () => calls++);
    const id = `chatcmpl-test-${completions++}`;
    const model = body.model || "test-model";
    if (body.stream !== true) return sendJson(res, record, 200, completionBody(answer, id, model));

    record.status = 200;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunks = streamChunks(answer, id, model, body.stream_options?.include_usage === true);
    for (const [i, chunk] of chunks.entries()) {
      const delay = typeof reply.chunkDelayMs === "function" ? reply.chunkDelayMs(i) : (reply.chunkDelayMs ?? 0);
      if (i > 0 && !(await wait(delay, res))) return;
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify(errorBody(`Test server error: ${String(error)}`)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}/v1`;

  const until = (done: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (done()) return resolve();
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Test server: ${what} within ${timeoutMs} ms (${requests.length} requests so far).`));
      }, timeoutMs);
      waiters.add(check);
    });

  return {
    baseURL,
    requests,
    unmatched,
    reply: (...replies) => {
      for (const reply of replies) script.push({ reply, left: reply.times ?? 1 });
    },
    pending: () => script.filter((entry) => entry.left > 0).map((entry) => entry.reply),
    client: (clientOptions = {}) => new OpenAI({ apiKey: "test-key", baseURL, maxRetries: 0, ...clientOptions }),
    waitForRequests: async (count, timeoutMs = 5000) => {
      await until(() => requests.length >= count, timeoutMs, `did not receive ${count} requests`);
      return requests;
    },
    idle: (timeoutMs = 5000) => until(() => inFlight === 0, timeoutMs, "responses still running"),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The text of the last user message of a recorded request ("" if none).
 *
 * @example
 * ```ts
 * const server = await startTestServer({ handler: (req) => ({ text: `echo: ${lastUserText(req)}` }) });
 * ```
 */
export function lastUserText(request: RecordedRequest): string {
  const messages = request.body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === "user") return contentText(message.content);
  }
  return "";
}

/**
 * The text of the last message of a recorded request, whatever its role ("" if none).
 *
 * @example
 * ```ts
 * const sawToolResult = (req: RecordedRequest) => req.body.messages.at(-1)?.role === "tool";
 * lastMessageText(server.requests[1]!); // the tool's answer
 * ```
 */
export function lastMessageText(request: RecordedRequest): string {
  return contentText(request.body.messages?.at(-1)?.content);
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : "")).join("");
  return "";
}

function matches(matcher: Matcher | undefined, request: RecordedRequest): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === "function") return matcher(request);
  const text = lastUserText(request);
  return typeof matcher === "string" ? text.includes(matcher) : matcher.test(text);
}

function errorBody(message: string, status = 500): unknown {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return { error: { message, type, param: null, code: type } };
}

function sendJson(res: ServerResponse, record: MutableRecord, status: number, body: unknown): void {
  record.status = status;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/** Waits `ms`; resolves false at once if the client goes away first. */
function wait(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(true);
    }, ms);
    res.once("close", onClose);
  });
}

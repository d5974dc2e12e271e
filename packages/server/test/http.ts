import { afterEach } from "vitest";
import { parseServerSentEvents } from "../src/client/sse-parser.js";
import { serveGraphs, type GraphServer } from "../src/index.js";

/** A `serveGraphs` whose servers are all closed after each test. */
export function closedAfterEach(): (options: Parameters<typeof serveGraphs>[0]) => Promise<GraphServer> {
  const servers: GraphServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  return async (options) => {
    const server = await serveGraphs(options);
    servers.push(server);
    return server;
  };
}

/** One SSE message as the tests see it. */
export interface Message {
  readonly id: number | undefined;
  readonly event: string;
  readonly data: unknown;
}

/** A JSON request; returns the status and the parsed body. */
export async function call(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers: { ...(options.body === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
    ...(options.body === undefined ? {} : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

/**
 * Reads a run's SSE stream. With `stopAfter`, disconnects (aborts the request) after that
 * many messages; otherwise reads until the server closes the stream.
 */
export async function readEvents(
  url: string,
  options: { lastEventId?: number; stopAfter?: number; headers?: Record<string, string>; onMessage?: (message: Message) => void } = {},
): Promise<Message[]> {
  const disconnect = new AbortController();
  const response = await fetch(url, {
    headers: { ...(options.lastEventId === undefined ? {} : { "last-event-id": String(options.lastEventId) }), ...options.headers },
    signal: disconnect.signal,
  });
  if (response.status !== 200) throw new Error(`SSE answered ${response.status}: ${await response.text()}`);
  const messages: Message[] = [];
  try {
    for await (const message of parseServerSentEvents(response.body!)) {
      const parsed = { id: message.event === "end" ? undefined : Number(message.id), event: message.event, data: JSON.parse(message.data) };
      messages.push(parsed);
      options.onMessage?.(parsed);
      if (options.stopAfter !== undefined && messages.length >= options.stopAfter) {
        disconnect.abort();
        break;
      }
    }
  } catch (error) {
    if (!disconnect.signal.aborted) throw error;
  }
  return messages;
}

import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { ServerError } from "../errors.js";
import type { RunManager } from "../runs/run-manager.js";

const KEEPALIVE_MS = 15_000;

/**
 * Where a reader resumes: the `Last-Event-ID` header, else the `after` query parameter, else
 * the start. Either must be a whole number ≥ 0.
 */
export function resumePoint(c: Context): number {
  const given = c.req.header("last-event-id") ?? c.req.query("after");
  if (given === undefined || given === "") return 0;
  if (!/^\d{1,15}$/.test(given.trim())) {
    throw new ServerError("INVALID_INPUT", `Last-Event-ID (or ?after=) must be an event id (a whole number ≥ 0), got "${given}".`);
  }
  return Number(given.trim());
}

/**
 * Streams a run's events as server-sent events: `id` is the event's number within the run,
 * `data` the serialized event. After the run's last event comes one `end` event with the run's
 * facts, then the stream closes. A `: ping` comment keeps idle connections open.
 */
export async function runEventStream(c: Context, manager: RunManager, runId: string): Promise<Response> {
  const after = resumePoint(c);
  await manager.info(runId);
  return streamSSE(c, async (stream) => {
    const disconnected = new AbortController();
    stream.onAbort(() => disconnected.abort());
    const keepalive = setInterval(() => void stream.write(": ping\n\n").catch(() => disconnected.abort()), KEEPALIVE_MS);
    try {
      for await (const batch of manager.follow(runId, after, disconnected.signal)) {
        // One write per batch; an event's data is one line of JSON.
        await stream.write(batch.map((event) => `id: ${event.seq}\ndata: ${event.data}\n\n`).join(""));
      }
      if (!disconnected.signal.aborted) {
        const info = await manager.info(runId).catch(() => null);
        await stream.writeSSE({ event: "end", data: JSON.stringify(info) });
      }
    } finally {
      clearInterval(keepalive);
    }
  });
}

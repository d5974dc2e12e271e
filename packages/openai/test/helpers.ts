import type { RunEvent } from "@weft/core";
import { afterEach } from "vitest";
import { startTestServer, type TestServer, type TestServerOptions } from "../src/testing/index.js";

/** Starts test servers for a test file and closes them after each test. */
export function useTestServer(): (options?: TestServerOptions) => Promise<TestServer> {
  const started: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (options) => {
    const server = await startTestServer(options);
    started.push(server);
    return server;
  };
}

/** Runs a stream to its end; returns its events and the error it threw, if any. */
export async function collect(stream: AsyncIterable<RunEvent>): Promise<{ events: RunEvent[]; error: unknown }> {
  const events: RunEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

/** The final state of a run's events (throws if the run did not end). */
export function finalState<T>(events: readonly RunEvent[]): T {
  const end = events.at(-1);
  if (end?.type !== "run:end") throw new Error(`The run did not end: last event ${end?.type}`);
  return end.state as T;
}

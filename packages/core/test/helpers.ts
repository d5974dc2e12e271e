import type { Checkpointer } from "../src/adapter.js";
import type { RunEvent } from "../src/index.js";

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects every event of a stream, and the error it ended with, if any. */
export async function collect<T extends RunEvent<any, any>>(events: AsyncIterable<T>): Promise<{ events: T[]; error: unknown }> {
  const seen: T[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: undefined };
  } catch (error) {
    return { events: seen, error };
  }
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** A store a shared scenario runs against: how to make a fresh one, and how to let it go. */
export interface StoreBackend {
  readonly create: () => Promise<Checkpointer> | Checkpointer;
  readonly dispose?: (saver: Checkpointer) => Promise<void> | void;
}

/** Wraps a test so that it gets a fresh store from `backend`, disposed of afterwards. */
export function withStore(backend: StoreBackend): (test: (saver: Checkpointer) => Promise<void>) => () => Promise<void> {
  return (test) => async () => {
    const saver = await backend.create();
    try {
      await test(saver);
    } finally {
      await backend.dispose?.(saver);
    }
  };
}

/** Makes thread ids no other test of this process (or another one) uses, starting with `prefix`. */
export function threadIds(prefix: string): () => string {
  let threads = 0;
  return () => `${prefix}-${process.pid}-${Date.now().toString(36)}-${threads++}`;
}

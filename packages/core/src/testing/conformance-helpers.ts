import { expect } from "vitest";
import type { Checkpointer, CheckpointRow } from "../checkpoint/checkpointer.js";
import { isGraphError } from "../errors.js";

/** Runs a test with a fresh checkpointer, disposing of it afterwards. */
export type WithSaver = (test: (saver: Checkpointer) => Promise<void>) => () => Promise<void>;

let threads = 0;
/** A thread id no other test of this process (or of another process) uses. */
export const freshThread = (): string => `conformance-${process.pid}-${Date.now().toString(36)}-${threads++}`;

/** A checkpoint row whose data is recognizable and of a size that grows with `step`. */
export const row = (threadId: string, checkpointId: string, parentId: string | undefined, step: number): CheckpointRow => ({
  threadId,
  checkpointId,
  parentId,
  step,
  data: JSON.stringify({ step, note: "ünïcödé ✓", big: "x".repeat(step * 10) }),
});

/** What a promise rejected with; fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected the call to reject, but it resolved");
}

/** Asserts that `error` is a GraphError of `code`. */
export function expectCode(error: unknown, code: string): void {
  expect(isGraphError(error) ? error.code : error).toBe(code);
}

/** Polls `check` every 25 ms until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

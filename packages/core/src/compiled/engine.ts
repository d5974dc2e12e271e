import { lazyModule } from "../lazy/module.js";
import type { RunOptions } from "../records/run.js";
import type { RunSession } from "../runtime/loop.js";
import type { Threads } from "../thread/threads.js";

/**
 * What a compiled graph runs on, loaded by its first run or thread read rather than when the
 * package is imported, so that a program does not parse it before it needs it: the superstep
 * loop, and the durable threads with their store.
 */
export type Loop = typeof import("../runtime/loop.js");
export type Durable = typeof import("./durable.js");

/** The superstep loop and what only it uses (the step, each task's attempts, admission past the caps). */
export const loop = lazyModule<Loop>(() => import("../runtime/loop.js"));

/** The durable threads: leases, checkpoints, their records and replay. */
export const durable = lazyModule<Durable>(() => import("./durable.js"));

/**
 * A run's session on a thread of `threads`, which are made once the durable threads' code is
 * loaded: the session's `open` loads it first when need be.
 */
export function threadSession(
  threads: (loaded: Durable) => Threads,
  input: unknown,
  options: RunOptions & { readonly threadId: string; readonly inner?: boolean },
): RunSession {
  let session: RunSession | undefined;
  return {
    open: (run) =>
      durable.with((loaded) => {
        session = threads(loaded).session(input, options);
        return session.open(run);
      }),
    close: async (run) => {
      await session?.close(run);
    },
  };
}

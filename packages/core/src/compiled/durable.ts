import type { Checkpointer } from "../checkpoint/checkpointer.js";
import { threadGraph, ThreadStore, type ThreadStoreOptions } from "../checkpoint/thread.js";
import type { Program } from "../runtime/loop.js";
import { Threads } from "../thread/threads.js";

/** The durable threads of `program` on `checkpointer`, with their store. Loaded on first use: see `engine.ts`. */
export function openThreads(program: Program, checkpointer: Checkpointer, options: ThreadStoreOptions): Threads {
  return new Threads(program, new ThreadStore(checkpointer, threadGraph(program.ir, program.table, options)));
}

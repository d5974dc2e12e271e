import type { Checkpointer, LeaseRequest } from "../checkpoint/checkpointer.js";

/**
 * What this process knows of the threads its runs hold or wait for, per checkpointer: the runs
 * waiting in line (in arrival order), the holder to tell at once when another run asks it to
 * stop, and the waiters to wake when a lease is released. Across processes the store's lease is
 * the truth; this only makes waiting in one process orderly and prompt.
 */
interface LocalThread {
  /** Settles when the last run in line has finished with the thread. */
  tail: Promise<void>;
  holder: ((request: LeaseRequest) => void) | undefined;
  readonly wakers: Set<() => void>;
  /** Runs in line, holders and waiters: the entry is dropped when none is left. */
  users: number;
}

const registry = new WeakMap<Checkpointer, Map<string, LocalThread>>();

/** The thread's entry, with one more user; `done` gives the use back. */
function use(store: Checkpointer, threadId: string): { readonly thread: LocalThread; readonly done: () => void } {
  let threads = registry.get(store);
  if (threads === undefined) registry.set(store, (threads = new Map()));
  let thread = threads.get(threadId);
  if (thread === undefined) threads.set(threadId, (thread = { tail: Promise.resolve(), holder: undefined, wakers: new Set(), users: 0 }));
  thread.users++;
  let given = false;
  const entry = thread;
  const map = threads;
  const done = (): void => {
    if (given) return;
    given = true;
    if (--entry.users === 0 && map.get(threadId) === entry) map.delete(threadId);
  };
  return { thread, done };
}

/**
 * Joins the line for the thread: returns a promise that settles when every run that joined
 * before has left, and `leave`, to call once this run is done with the thread.
 */
export function joinLine(store: Checkpointer, threadId: string): { readonly turn: Promise<void>; readonly leave: () => void } {
  const { thread, done } = use(store, threadId);
  const turn = thread.tail;
  let resolve!: () => void;
  const left = new Promise<void>((settle) => (resolve = settle));
  thread.tail = turn.then(() => left);
  const leave = (): void => {
    resolve();
    done();
  };
  return { turn, leave };
}

/** Registers the run holding the thread in this process; returns the function that unregisters it. */
export function holdLocally(store: Checkpointer, threadId: string, onRequest: (request: LeaseRequest) => void): () => void {
  const { thread, done } = use(store, threadId);
  thread.holder = onRequest;
  return () => {
    if (thread.holder === onRequest) thread.holder = undefined;
    for (const wake of [...thread.wakers]) wake();
    done();
  };
}

/** Tells the thread's holder in this process, if any, what another run asked of it. */
export function tellHolder(store: Checkpointer, threadId: string, request: LeaseRequest): void {
  registry.get(store)?.get(threadId)?.holder?.(request);
}

/** Waits `ms`, or less when a holder in this process releases the thread or `signal` fires. */
export function waitForRelease(
  store: Checkpointer,
  { threadId, ms, signal }: { threadId: string; ms: number; signal: AbortSignal },
): Promise<void> {
  const { thread, done: unuse } = use(store, threadId);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      thread.wakers.delete(done);
      signal.removeEventListener("abort", done);
      unuse();
      resolve();
    };
    const timer = setTimeout(done, ms);
    thread.wakers.add(done);
    signal.addEventListener("abort", done, { once: true });
  });
}

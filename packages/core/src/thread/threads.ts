import type { ThreadStore } from "../checkpoint/thread.js";
import { closest, graphError, showValue } from "../errors.js";
import type { RunOptions } from "../records/run.js";
import type { Program, RunSession } from "../runtime/loop.js";
import { RunControl } from "../runtime/run-control.js";
import { beginOnThread } from "./begin.js";
import { boundStore } from "./bounded-store.js";
import { headFor, writeChange } from "./change.js";
import { describeThread, type ThreadState } from "./describe.js";
import { DEFAULT_LEASE_TTL_MS, RunLease } from "./lease.js";
import { taskIdentity, ThreadSteps, ThreadTaskSteps } from "./steps.js";
import { idempotencyKey } from "../runtime/step-log.js";
import { innerThreadId } from "../runtime/subgraph.js";
import type { TaskSteps } from "../records/attempt.js";

/** How long a cancelled run waits for its lease's release before it ends anyway (the lease then expires). */
const CANCELLED_RELEASE_MS = 25;

/**
 * The one path by which a graph's durable threads are started, resumed, updated, forked and
 * described. Every run and update holds the thread's lease while it writes; every write goes
 * on top of the head it read.
 */
export class Threads {
  readonly #program: Program;
  readonly #threads: ThreadStore;

  constructor(program: Program, threads: ThreadStore) {
    this.#program = program;
    this.#threads = threads;
  }

  /**
   * What a run on a thread opens and closes around its steps: it takes the thread's lease as
   * its `ifBusy` policy says, starts or resumes the thread, and gives the lease back when it ends.
   * Every checkpointer call of the run is bounded by the run (`timeoutMs`, `signal`,
   * `storeTimeoutMs`).
   */
  /** `inner`: the session of a subgraph task's inner run (see {@link isInnerOwner}). */
  session(input: unknown, options: RunOptions & { readonly threadId: string; readonly inner?: boolean }): RunSession {
    const { threadId } = options;
    let lease: RunLease | undefined;
    return {
      open: async (run) => {
        const raw = this.#threads.checkpointer;
        const store = boundStore(raw, { signal: run.signal, storeTimeoutMs: options.storeTimeoutMs });
        const threads = this.#threads.through(store);
        const inner = options.inner === true;
        const settings = { threadId, ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, ifBusy: options.ifBusy ?? "reject", inner };
        lease = await RunLease.take({ store, raw }, settings, run);
        const begun = await beginOnThread(
          { program: this.#program, threads },
          { threadId, input, checkpointId: options.checkpointId, budget: options.budget },
        );
        const at = { threads, threadId, lease, resumed: begun.resumed, inner };
        return { start: begun.start, store: new ThreadSteps(at, begun.checkpoint, begun.head) };
      },
      close: async (run) => {
        await lease?.release(run.signal.aborted ? CANCELLED_RELEASE_MS : options.storeTimeoutMs);
      },
    };
  }

  /** A thread's state at its latest checkpoint (or `checkpointId`); undefined for a new thread. */
  async state(threadId: string, checkpointId: string | undefined): Promise<ThreadState | undefined> {
    const saved = await this.#threads.load(threadId, checkpointId);
    return saved === undefined ? undefined : describeThread(this.#threads, threadId, saved);
  }

  /** A thread's checkpoints, newest first. */
  async history(threadId: string, options: { limit?: number; before?: string }): Promise<ThreadState[]> {
    const rows = await this.#threads.checkpointer.list(threadId, options);
    const states: ThreadState[] = [];
    for (const row of rows) {
      const saved = await this.#threads.load(threadId, row.checkpointId);
      states.push(await describeThread(this.#threads, threadId, saved!));
    }
    return states;
  }

  /**
   * Writes `update` into a thread as a new checkpoint, holding the thread's lease meanwhile
   * (`THREAD_BUSY` while a run holds it). Returns the new checkpoint's id.
   */
  async update(threadId: string, update: unknown, options: { asNode?: string; checkpointId?: string }): Promise<string> {
    const { ir } = this.#program;
    const asNode = options.asNode;
    const spec = typeof asNode === "string" ? ir.nodes.get(asNode) : undefined;
    if (asNode !== undefined && spec === undefined) {
      const node = typeof asNode === "string" ? asNode : showValue(asNode);
      throw graphError("UNKNOWN_NODE", "option", { option: "updateState asNode", node, suggestion: closest(node, ir.nodes.keys()) });
    }
    const run = new RunControl({});
    const raw = this.#threads.checkpointer;
    const lease = await RunLease.take({ store: raw, raw }, { threadId, ttlMs: DEFAULT_LEASE_TTL_MS, ifBusy: "reject" }, run);
    try {
      const threads = this.#threads;
      const saved = await threads.load(threadId, options.checkpointId);
      if (saved === undefined) throw graphError("UNKNOWN_THREAD", "nothingToUpdate", { threadId });
      const head = await headFor(threads, threadId, saved, options.checkpointId !== undefined);
      const changed = await writeChange(
        { program: this.#program, threads },
        { threadId, saved, head },
        {
          source: "update",
          update: { value: update, writer: asNode ?? "__update__" },
          next: spec === undefined ? { from: "saved", extra: [] } : { from: "node", node: spec },
        },
      );
      return changed.checkpoint.row.checkpointId;
    } finally {
      await lease.release(undefined);
      run.dispose();
    }
  }

  /**
   * The `ctx.step` results of one task of a thread, for a worker that runs the task's attempt
   * away from the run: saved and read in the thread's store, without the run's lease (the
   * first save of a step wins, so the run and its workers see one value per step).
   */
  taskSteps(place: { readonly threadId: string; readonly checkpointId: string; readonly taskId: string }): TaskSteps {
    return new ThreadTaskSteps({ threads: this.#threads, threadId: place.threadId, lease: undefined }, place.checkpointId, place);
  }

  /**
   * The inner threads of a thread's subgraph tasks, with the node each belongs to: one for each
   * task of a subgraph node planned at any of its checkpoints (those never run have no thread).
   */
  async innerThreads(threadId: string): Promise<{ readonly node: string; readonly threadId: string }[]> {
    const { ir } = this.#program;
    const found: { node: string; threadId: string }[] = [];
    for (const row of await this.#threads.checkpointer.list(threadId)) {
      const saved = await this.#threads.load(threadId, row.checkpointId);
      if (saved === undefined) continue;
      const step = saved.body.step + 1;
      const tasksOf = saved.body.tasksOf ?? row.checkpointId;
      for (const [position, task] of saved.body.next.entries()) {
        if (ir.nodes.get(task.node)?.subgraph === undefined) continue;
        const key = idempotencyKey(taskIdentity(threadId, tasksOf, `${step}:${position}`));
        found.push({ node: task.node, threadId: innerThreadId(threadId, { node: task.node, sendIndex: task.sendIndex }, key) });
      }
    }
    return found;
  }

  /** The graph's checkpointer. */
  get checkpointer(): ThreadStore["checkpointer"] {
    return this.#threads.checkpointer;
  }
}

import type { Checkpointer } from "../checkpoint/checkpointer.js";
import { headOf, ThreadStore, type LoadedCheckpoint } from "../checkpoint/thread.js";
import { closest, graphError, showValue } from "../errors.js";
import type { GraphIR } from "../graph/ir.js";
import { StateTable } from "../state/table.js";
import type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "../state/types.js";
import type { RunEvent } from "../stream/events.js";
import { AsyncQueue } from "../stream/queue.js";
import type { Command } from "../graph/command.js";
import { runGraph, type Program } from "./loop.js";
import { Planner, toFrontier } from "./planner.js";
import { NO_GOTO } from "./result.js";
import { RoutingTable } from "./route.js";
import { checkCompileOptions } from "./compile-options.js";
import { checkRunOptions, checkThreadId } from "../options/run-options.js";
import type { TaskRef } from "../records/task-ref.js";
import type { Executor } from "../records/attempt.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { RunOptions, RunResult } from "../records/run.js";

/** Options fixed at `compile()` time. */
export interface CompileOptions<TNodes extends string = string> {
  /** Defaults for every run of this graph; each run may override them. */
  readonly defaults?: Omit<RunOptions, "signal" | "threadId" | "checkpointId" | "executor">;
  /** Where runs with a `threadId` save their checkpoints. */
  readonly checkpointer?: Checkpointer;
  /** Pause a thread's run before any task of these nodes runs. */
  readonly interruptBefore?: readonly TNodes[];
  /** Pause a thread's run after a step in which these nodes ran. */
  readonly interruptAfter?: readonly TNodes[];
  /** Sign checkpoints with HMAC-SHA256 under this key; records changed without it are refused. */
  readonly integrityKey?: string;
  /** Take a full state snapshot at least every this many checkpoints. Default 100. */
  readonly snapshotEvery?: number;
  /** Where task attempts run; default: in this process. See `@weft/bullmq`. */
  readonly executor?: Executor;
}

/** What a compiled graph knows: its state schema and its nodes with their input types. */
export interface CompiledDef {
  readonly state: AnyStateSchema;
  readonly nodes: Record<string, unknown>;
}

/** A thread at one checkpoint: its state and what it would do next. */
export interface ThreadState<TState = Record<string, unknown>, TNodes extends string = string> {
  readonly values: TState;
  /** The tasks the next step runs (empty when the run has finished). */
  readonly next: readonly TaskRef<TNodes>[];
  /** Interrupts raised by tasks of the next step, waiting for an answer. */
  readonly interrupts: readonly PendingInterrupt<TNodes>[];
  /** Tasks of the next step that already finished; a resume does not run them again. */
  readonly finished: readonly TaskRef<TNodes>[];
  /** Tasks of the next step that failed; a resume runs them again. */
  readonly failures: readonly (TaskRef<TNodes> & { readonly error: { name: string; message: string; code?: string } })[];
  /** The step this checkpoint closes (0 for the run input). */
  readonly step: number;
  readonly checkpointId: string;
  readonly parentId: string | undefined;
  readonly createdAt: string;
  /** What made this checkpoint: a run's input, a step, or `updateState`. */
  readonly source: "input" | "step" | "update";
}

type Input<TDef extends CompiledDef> = InputOf<TDef["state"]> | Command | null;
type State<TDef extends CompiledDef> = StateOf<TDef["state"]>;
type Nodes<TDef extends CompiledDef> = keyof TDef["nodes"] & string;

/**
 * A validated, immutable graph, ready to run any number of times, concurrently too.
 *
 * @example
 * ```ts
 * const final = await graph.invoke({ topic: "AI agents" });
 * for await (const event of graph.stream({ topic: "AI agents" })) console.log(event.type);
 * ```
 * @see ../../../../docs/concepts/superstep.md
 */
export class CompiledGraph<TDef extends CompiledDef> {
  readonly #program: Program;
  readonly #defaults: Omit<RunOptions, "signal">;

  /** @internal Use `StateGraph#compile()`. */
  constructor(ir: GraphIR, options: CompileOptions) {
    checkCompileOptions(options as Readonly<Record<string, unknown>>);
    const table = new StateTable(ir.state);
    const checkNodes = (names: readonly string[] | undefined, option: string): Set<string> => {
      for (const name of names ?? []) {
        if (!ir.nodes.has(name)) {
          throw graphError("UNKNOWN_NODE", "option", { option, node: name, suggestion: closest(name, ir.nodes.keys()) });
        }
      }
      return new Set(names);
    };
    this.#program = {
      ir,
      table,
      routing: new RoutingTable(ir),
      threads:
        options.checkpointer === undefined
          ? undefined
          : new ThreadStore(options.checkpointer, ir, table, {
              key: options.integrityKey,
              snapshotEvery: options.snapshotEvery,
            }),
      interruptBefore: checkNodes(options.interruptBefore, "interruptBefore"),
      interruptAfter: checkNodes(options.interruptAfter, "interruptAfter"),
      executor: options.executor,
    };
    // Checked here too, so that a wrong default fails at compile() rather than at every run.
    checkRunOptions(options.defaults ?? {});
    this.#defaults = options.defaults ?? {};
  }

  /** The graph's name. */
  get name(): string {
    return this.#program.ir.name;
  }

  /**
   * Runs the graph to the end (or to an interrupt) and returns the state. With a `threadId`,
   * `null` or a `Command({ resume })` continues a paused thread.
   */
  async invoke(input: Input<TDef>, options: RunOptions = {}): Promise<State<TDef>> {
    return (await this.run(input, options)).state;
  }

  /**
   * Like `invoke`, with the run's facts: whether it finished or paused, its pending
   * interrupts, steps taken, and the failures that did not fail it.
   */
  async run(input: Input<TDef>, options: RunOptions = {}): Promise<RunResult<State<TDef>, Nodes<TDef>>> {
    // Before merging: spreading a string or a class instance would turn it into options.
    checkRunOptions(options);
    const result = await runGraph(this.#program, input, { ...this.#defaults, ...options }, undefined);
    return result as RunResult<State<TDef>, Nodes<TDef>>;
  }

  /**
   * Runs the graph and yields its events as they happen. If the run fails, the iteration
   * yields a `run:error` event and then throws the error. Breaking out of the loop cancels
   * the run.
   */
  stream(input: Input<TDef>, options: RunOptions = {}): AsyncIterableIterator<RunEvent<State<TDef>, Nodes<TDef>>> {
    const cancel = new AbortController();
    try {
      // Before AbortSignal.any, which throws a TypeError for what is not a signal.
      checkRunOptions(options);
    } catch (error) {
      const failed = new AsyncQueue<RunEvent<State<TDef>, Nodes<TDef>>>(() => undefined);
      failed.close({ error });
      return failed;
    }
    const signal = options.signal === undefined ? cancel.signal : AbortSignal.any([options.signal, cancel.signal]);
    const queue = new AsyncQueue<RunEvent<State<TDef>, Nodes<TDef>>>(() => cancel.abort());
    runGraph(this.#program, input, { ...this.#defaults, ...options, signal }, (event) => queue.push(event as never)).then(
      () => queue.close(),
      (error: unknown) => queue.close({ error }),
    );
    return queue;
  }

  /** A thread's state at its latest checkpoint (or `checkpointId`); undefined for a new thread. */
  async getState(
    threadId: string,
    options: { checkpointId?: string } = {},
  ): Promise<ThreadState<State<TDef>, Nodes<TDef>> | undefined> {
    checkThreadId(threadId, options);
    const threads = this.#threads();
    const saved = await threads.load(threadId, options.checkpointId);
    return saved === undefined ? undefined : this.#describe(threads, threadId, saved);
  }

  /** A thread's checkpoints, newest first: every state it went through, forks included. */
  async getHistory(
    threadId: string,
    options: { limit?: number; before?: string } = {},
  ): Promise<ThreadState<State<TDef>, Nodes<TDef>>[]> {
    checkThreadId(threadId, options);
    const threads = this.#threads();
    const rows = await threads.checkpointer.list(threadId, options);
    const states: ThreadState<State<TDef>, Nodes<TDef>>[] = [];
    for (const row of rows) {
      const saved = await threads.load(threadId, row.checkpointId);
      states.push(await this.#describe(threads, threadId, saved!));
    }
    return states;
  }

  /**
   * Writes `update` into a thread as a new checkpoint, through the reducers. With `asNode`,
   * the update counts as that node's and the next step is what follows that node; without,
   * the next step stays as it was. With `checkpointId`, the new checkpoint forks from that one.
   * Returns the new checkpoint's id.
   */
  async updateState(
    threadId: string,
    update: UpdateOf<TDef["state"]>,
    options: { asNode?: Nodes<TDef>; checkpointId?: string } = {},
  ): Promise<string> {
    const { ir, table, routing } = this.#program;
    checkThreadId(threadId, options);
    const threads = this.#threads();
    const saved = await threads.load(threadId, options.checkpointId);
    if (saved === undefined) throw graphError("UNKNOWN_THREAD", "nothingToUpdate", { threadId });
    const asNode = options.asNode;
    const spec = typeof asNode === "string" ? ir.nodes.get(asNode) : undefined;
    if (asNode !== undefined && spec === undefined) {
      const node = typeof asNode === "string" ? asNode : showValue(asNode);
      throw graphError("UNKNOWN_NODE", "option", { option: "updateState asNode", node, suggestion: closest(node, ir.nodes.keys()) });
    }
    const step = saved.body.step;
    const write = table.parseUpdate(update, asNode ?? "__update__");
    const state = table.commit(saved.state, [write], step);
    const planner = new Planner(ir, routing, saved.body.planner);
    let next = saved.body.next;
    if (spec !== undefined) {
      const routes = await routing.route(spec.name, NO_GOTO, state);
      const task = { taskId: "update", node: spec.name, step, sendIndex: undefined, spec, input: saved.state };
      next = planner.next(state, step + 1, [{ status: "done", task, write, ...routes }]).map(toFrontier);
    }
    const checkpoint = await threads.save(threadId, saved, {
      source: "update",
      step,
      writes: [write],
      state,
      next,
      planner: planner.save(),
      head: options.checkpointId === undefined ? headOf(saved) : await threads.head(threadId),
    });
    return checkpoint.row.checkpointId;
  }

  /** The graph as plain data, for drawing and tools. */
  toIR(): GraphIR {
    return this.#program.ir;
  }

  #threads(): ThreadStore {
    const threads = this.#program.threads;
    if (threads === undefined) {
      throw graphError("INVALID_OPTION", "noCheckpointer", { graph: this.name });
    }
    return threads;
  }

  async #describe(
    threads: ThreadStore,
    threadId: string,
    saved: LoadedCheckpoint,
  ): Promise<ThreadState<State<TDef>, Nodes<TDef>>> {
    const step = saved.body.step + 1;
    const next = saved.body.next.map((task, position) => ({
      taskId: `${step}:${position}`,
      node: task.node as Nodes<TDef>,
      step,
      sendIndex: task.sendIndex,
    }));
    const results = await threads.taskResults(threadId, saved.row.checkpointId);
    const interrupts: PendingInterrupt<Nodes<TDef>>[] = [];
    const finished: TaskRef<Nodes<TDef>>[] = [];
    const failures: ThreadState<State<TDef>, Nodes<TDef>>["failures"][number][] = [];
    for (const ref of next) {
      const result = results.get(ref.taskId);
      if (result?.status === "interrupted") interrupts.push({ ...ref, ...result.interrupt });
      else if (result?.status === "done") finished.push(ref);
      else if (result?.status === "failed") failures.push({ ...ref, error: result.error });
    }
    return {
      values: saved.state as State<TDef>,
      next,
      interrupts,
      finished,
      failures,
      step: saved.body.step,
      checkpointId: saved.row.checkpointId,
      parentId: saved.row.parentId,
      createdAt: saved.body.createdAt,
      source: saved.body.source,
    };
  }
}

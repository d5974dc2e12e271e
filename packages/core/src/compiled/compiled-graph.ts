import type { Checkpointer } from "../checkpoint/checkpointer.js";
import type { ThreadStoreOptions } from "../checkpoint/thread.js";
import { closest, graphError } from "../errors.js";
import type { GraphIR } from "../graph/ir.js";
import { StateTable } from "../state/table.js";
import type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "../state/types.js";
import type { RunEvent } from "../stream/events.js";
import { AsyncQueue } from "../stream/queue.js";
import type { Command } from "../graph/command.js";
import type { Program, RunSession } from "../runtime/loop.js";
import { RoutingTable } from "../runtime/route.js";
import { checkCompileOptions, type CompileOptions } from "./compile-options.js";
import type { Threads } from "../thread/threads.js";
import type { ThreadState } from "../thread/describe.js";
import { recoverThreads, type RecoverOptions, type RecoveredThread } from "../thread/recover.js";
import { checkRunOptions, checkThreadId } from "../options/run-options.js";
import type { RunOptions, RunResult } from "../records/run.js";
import type { SubgraphRunner } from "../graph/ir.js";
import { checkGraphInput } from "../state/io.js";
import { bindSubgraphs, subgraphRunner } from "./subgraph-runner.js";
import { durable, loop, threadSession, type Durable } from "./engine.js";

export type { CompileOptions } from "./compile-options.js";

/** The threads of a compiled graph, made with their loaded code (see `graphThreads`). */
let threadsOf: (graph: CompiledGraph<CompiledDef>, loaded: Durable) => Threads | undefined;
/** How a graph that holds `graph` as a subgraph node runs it: on its own checkpointer. */
let runnerOf: (graph: CompiledGraph<CompiledDef>, outer: CompileOptions) => SubgraphRunner;

/** What a compiled graph knows: its state schema, its nodes with their input types, and its input and output schemas. */
export interface CompiledDef {
  readonly state: AnyStateSchema;
  readonly nodes: Record<string, unknown>;
  /** What a run's input may hold, when narrower than the state. */
  readonly input?: AnyStateSchema;
  /** What a run returns, when less than the state. */
  readonly output?: AnyStateSchema;
}

export type { ThreadState } from "../thread/describe.js";

type InputSchema<TDef extends CompiledDef> = TDef extends { readonly input: infer I extends AnyStateSchema } ? I : TDef["state"];
type OutputSchema<TDef extends CompiledDef> = TDef extends { readonly output: infer O extends AnyStateSchema } ? O : TDef["state"];
type Input<TDef extends CompiledDef> = InputOf<InputSchema<TDef>> | Command | null;
type State<TDef extends CompiledDef> = StateOf<TDef["state"]>;
/** What `invoke` and `run` return: the output schema's keys of the state. */
type Output<TDef extends CompiledDef> = StateOf<OutputSchema<TDef>>;
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
  /** Where the threads are stored; undefined without a checkpointer. */
  readonly #store: { readonly checkpointer: Checkpointer; readonly options: ThreadStoreOptions } | undefined;
  /** The threads, made on first use, once their code is loaded. */
  #threads: Threads | undefined;
  readonly #defaults: Omit<RunOptions, "signal">;
  readonly #options: CompileOptions;

  static {
    threadsOf = (graph, loaded) => graph.#threadsWith(loaded);
    runnerOf = (graph, outer) => {
      // The inner graph runs on the outer graph's store, signed with its key.
      const bound = new CompiledGraph(graph.#program.ir, {
        ...graph.#options,
        checkpointer: outer.checkpointer,
        integrityKey: outer.integrityKey,
      });
      const deleteThread = (threadId: string): Promise<void> => bound.deleteThread(threadId);
      return subgraphRunner({
        program: bound.#program,
        checkpointer: bound.#store?.checkpointer,
        threads: (loaded) => bound.#threadsWith(loaded),
        defaults: bound.#defaults,
        deleteThread,
      });
    };
  }

  /** @internal Use `StateGraph#compile()`. */
  constructor(graphIR: GraphIR, options: CompileOptions) {
    checkCompileOptions(options as Readonly<Record<string, unknown>>);
    this.#options = options;
    const ir = bindSubgraphs(graphIR, (compiled) => runnerOf(compiled as CompiledGraph<CompiledDef>, options));
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
      interruptBefore: checkNodes(options.interruptBefore, "interruptBefore"),
      interruptAfter: checkNodes(options.interruptAfter, "interruptAfter"),
      executor: options.executor,
    };
    const store = { key: options.integrityKey, snapshotEvery: options.snapshotEvery };
    this.#store = options.checkpointer === undefined ? undefined : { checkpointer: options.checkpointer, options: store };
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
  async invoke(input: Input<TDef>, options: RunOptions = {}): Promise<Output<TDef>> {
    return (await this.run(input, options)).state;
  }

  /**
   * Like `invoke`, with the run's facts: whether it finished or paused, its pending
   * interrupts, steps taken, and the failures that did not fail it.
   */
  async run(input: Input<TDef>, options: RunOptions = {}): Promise<RunResult<Output<TDef>, Nodes<TDef>>> {
    // Before merging: spreading a string or a class instance would turn it into options.
    checkRunOptions(options);
    const checked = checkGraphInput(this.#program.ir.input, input);
    const merged = { ...this.#defaults, ...options };
    const result = await loop.with((loaded) =>
      loaded.runGraph(this.#program, { input: checked, options: merged, emit: undefined, session: this.#session(checked, merged) }),
    );
    return result as RunResult<Output<TDef>, Nodes<TDef>>;
  }

  /**
   * Runs the graph and yields its events as they happen. If the run fails, the iteration
   * yields a `run:error` event and then throws the error. Breaking out of the loop cancels
   * the run.
   */
  stream(input: Input<TDef>, options: RunOptions = {}): AsyncIterableIterator<RunEvent<State<TDef>, Nodes<TDef>>> {
    const cancel = new AbortController();
    let checked: unknown;
    try {
      // Before AbortSignal.any, which throws a TypeError for what is not a signal.
      checkRunOptions(options);
      checked = checkGraphInput(this.#program.ir.input, input);
    } catch (error) {
      const failed = new AsyncQueue<RunEvent<State<TDef>, Nodes<TDef>>>(() => undefined);
      failed.close({ error });
      return failed;
    }
    const signal = options.signal === undefined ? cancel.signal : AbortSignal.any([options.signal, cancel.signal]);
    const queue = new AsyncQueue<RunEvent<State<TDef>, Nodes<TDef>>>(() => cancel.abort());
    const merged = { ...this.#defaults, ...options, signal };
    const emit = (event: RunEvent): void => queue.push(event as never);
    loop
      .with((loaded) => loaded.runGraph(this.#program, { input: checked, options: merged, emit, session: this.#session(checked, merged) }))
      .then(
        () => queue.close(),
        (error: unknown) => queue.close({ error }),
      );
    return queue;
  }

  /** A thread's state at its latest checkpoint (or `checkpointId`); undefined for a new thread. */
  async getState(threadId: string, options: { checkpointId?: string } = {}): Promise<ThreadState<State<TDef>, Nodes<TDef>> | undefined> {
    checkThreadId(threadId, options);
    return (await (await this.#requireThreads()).state(threadId, options.checkpointId)) as
      | ThreadState<State<TDef>, Nodes<TDef>>
      | undefined;
  }

  /** A thread's checkpoints, newest first: every state it went through, forks included. */
  async getHistory(threadId: string, options: { limit?: number; before?: string } = {}): Promise<ThreadState<State<TDef>, Nodes<TDef>>[]> {
    checkThreadId(threadId, options);
    return (await (await this.#requireThreads()).history(threadId, options)) as ThreadState<State<TDef>, Nodes<TDef>>[];
  }

  /**
   * Writes `update` into a thread as a new checkpoint, through the reducers. With `asNode`,
   * the update counts as that node's and the next step is what follows that node; without,
   * the next step stays as it was. With `checkpointId`, the new checkpoint forks from that one.
   * Returns the new checkpoint's id. Fails with `THREAD_BUSY` while a run holds the thread.
   */
  async updateState(
    threadId: string,
    update: UpdateOf<TDef["state"]>,
    options: { asNode?: Nodes<TDef>; checkpointId?: string } = {},
  ): Promise<string> {
    checkThreadId(threadId, options);
    return (await this.#requireThreads()).update(threadId, update, options);
  }

  /**
   * Finishes the runs whose process died and wakes the threads whose wait is due: every thread
   * whose lease expired mid-run, and every thread whose wake-up time (a timed interrupt's
   * deadline, a paused `ctx.sleep`'s end) has passed by the checkpointer's clock, is taken (by
   * exactly one of several competing recoverers), resumed from its last checkpoint like
   * `invoke(null, { threadId })`, and released. A thread not due yet is left alone. Returns what
   * happened to each thread.
   *
   * @example
   * ```ts
   * for (const { threadId, status } of await graph.recover()) console.log(threadId, status);
   * ```
   * @see ../../../../docs/concepts/checkpoints.md
   */
  async recover(options: RecoverOptions = {}): Promise<RecoveredThread<State<TDef>, Nodes<TDef>>[]> {
    const threads = await this.#requireThreads();
    const recovered = await recoverThreads(threads, options, (threadId, run) => {
      // Never waits: a thread another run holds is that run's to finish.
      const merged = { ...this.#defaults, ...run, threadId, ifBusy: "reject" as const };
      return loop.with((loaded) =>
        loaded.runGraph(this.#program, { input: null, options: merged, emit: undefined, session: this.#session(null, merged) }),
      );
    });
    return recovered as RecoveredThread<State<TDef>, Nodes<TDef>>[];
  }

  /**
   * Removes a thread from the checkpointer: its checkpoints, task and step results, lease and
   * wake-up, and the inner threads of its subgraph nodes' tasks, at every level. (The
   * checkpointer's own `deleteThread` removes the one thread it is given.) Do not call it while a
   * run holds the thread.
   *
   * @example
   * ```ts
   * await graph.deleteThread("report-1");
   * ```
   * @see ../../../../docs/concepts/subgraphs.md
   */
  async deleteThread(threadId: string): Promise<void> {
    checkThreadId(threadId, {});
    const threads = await this.#requireThreads();
    for (const inner of await threads.innerThreads(threadId)) {
      await this.#program.ir.nodes.get(inner.node)!.subgraph!.runner!.deleteThread(inner.threadId);
    }
    await threads.checkpointer.deleteThread(threadId);
  }

  /** The graph as plain data, for drawing and tools. */
  toIR(): GraphIR {
    return this.#program.ir;
  }

  /** The threads, loading their code if need be; fails without a checkpointer. */
  async #requireThreads(): Promise<Threads> {
    if (this.#store === undefined) {
      throw graphError("INVALID_OPTION", "noCheckpointer", { graph: this.name });
    }
    return this.#threadsWith(await durable.load())!;
  }

  /** The threads, made on the first call; undefined without a checkpointer. */
  #threadsWith(loaded: Durable): Threads | undefined {
    const store = this.#store;
    if (store === undefined) return undefined;
    return (this.#threads ??= loaded.openThreads(this.#program, store.checkpointer, store.options));
  }

  /** A thread run's session, or undefined for a run without a thread. */
  #session(input: unknown, options: RunOptions): (() => RunSession) | undefined {
    const threadId = options.threadId;
    if (threadId === undefined) return undefined;
    return () => {
      if (this.#store === undefined) {
        throw graphError("INVALID_OPTION", "noCheckpointer", { scope: "run", option: "threadId", graph: this.name });
      }
      return threadSession((loaded) => this.#threadsWith(loaded)!, input, { ...options, threadId });
    };
  }
}

/**
 * The threads of `graph`, made on the first call with their loaded code; undefined without a
 * checkpointer. For `workerSteps`, which a worker calls before any run loaded that code.
 */
export function graphThreads(graph: CompiledGraph<CompiledDef>, loaded: Durable): Threads | undefined {
  return threadsOf(graph, loaded);
}

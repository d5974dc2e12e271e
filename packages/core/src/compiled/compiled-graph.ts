import { threadGraph, ThreadStore } from "../checkpoint/thread.js";
import { closest, graphError } from "../errors.js";
import type { GraphIR } from "../graph/ir.js";
import { StateTable } from "../state/table.js";
import type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "../state/types.js";
import type { RunEvent } from "../stream/events.js";
import { AsyncQueue } from "../stream/queue.js";
import type { Command } from "../graph/command.js";
import { runGraph, type Program, type RunSession } from "../runtime/loop.js";
import { RoutingTable } from "../runtime/route.js";
import { checkCompileOptions, type CompileOptions } from "./compile-options.js";
import { Threads } from "../thread/threads.js";
import type { ThreadState } from "../thread/describe.js";
import { recoverThreads, type RecoverOptions, type RecoveredThread } from "../thread/recover.js";
import { checkRunOptions, checkThreadId } from "../options/run-options.js";
import type { RunOptions, RunResult } from "../records/run.js";
import type { AttemptRequest, TaskSteps } from "../records/attempt.js";
import type { SubgraphRunner } from "../graph/ir.js";
import { checkGraphInput } from "../state/io.js";
import { bindSubgraphs, subgraphRunner } from "./subgraph-runner.js";

export type { CompileOptions } from "./compile-options.js";

/** The threads of a compiled graph, for {@link workerSteps}; undefined without a checkpointer. */
let threadsOf: (graph: CompiledGraph<CompiledDef>) => Threads | undefined;
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
  readonly #threads: Threads | undefined;
  readonly #defaults: Omit<RunOptions, "signal">;
  readonly #options: CompileOptions;

  static {
    threadsOf = (graph) => graph.#threads;
    runnerOf = (graph, outer) => {
      // The inner graph runs on the outer graph's store, signed with its key.
      const bound = new CompiledGraph(graph.#program.ir, {
        ...graph.#options,
        checkpointer: outer.checkpointer,
        integrityKey: outer.integrityKey,
      });
      const deleteThread = (threadId: string): Promise<void> => bound.deleteThread(threadId);
      return subgraphRunner({ program: bound.#program, threads: bound.#threads, defaults: bound.#defaults, deleteThread });
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
    this.#threads =
      options.checkpointer === undefined
        ? undefined
        : new Threads(this.#program, new ThreadStore(options.checkpointer, threadGraph(ir, table, store)));
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
    const result = await runGraph(this.#program, {
      input: checked,
      options: merged,
      emit: undefined,
      session: this.#session(checked, merged),
    });
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
    runGraph(this.#program, { input: checked, options: merged, emit, session: this.#session(checked, merged) }).then(
      () => queue.close(),
      (error: unknown) => queue.close({ error }),
    );
    return queue;
  }

  /** A thread's state at its latest checkpoint (or `checkpointId`); undefined for a new thread. */
  async getState(threadId: string, options: { checkpointId?: string } = {}): Promise<ThreadState<State<TDef>, Nodes<TDef>> | undefined> {
    checkThreadId(threadId, options);
    return (await this.#requireThreads().state(threadId, options.checkpointId)) as ThreadState<State<TDef>, Nodes<TDef>> | undefined;
  }

  /** A thread's checkpoints, newest first: every state it went through, forks included. */
  async getHistory(threadId: string, options: { limit?: number; before?: string } = {}): Promise<ThreadState<State<TDef>, Nodes<TDef>>[]> {
    checkThreadId(threadId, options);
    return (await this.#requireThreads().history(threadId, options)) as ThreadState<State<TDef>, Nodes<TDef>>[];
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
    return this.#requireThreads().update(threadId, update, options);
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
    const threads = this.#requireThreads();
    const recovered = await recoverThreads(threads, options, (threadId, run) => {
      // Never waits: a thread another run holds is that run's to finish.
      const merged = { ...this.#defaults, ...run, threadId, ifBusy: "reject" as const };
      return runGraph(this.#program, { input: null, options: merged, emit: undefined, session: this.#session(null, merged) });
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
    const threads = this.#requireThreads();
    for (const inner of await threads.innerThreads(threadId)) {
      await this.#program.ir.nodes.get(inner.node)!.subgraph!.runner!.deleteThread(inner.threadId);
    }
    await threads.checkpointer.deleteThread(threadId);
  }

  /** The graph as plain data, for drawing and tools. */
  toIR(): GraphIR {
    return this.#program.ir;
  }

  #requireThreads(): Threads {
    const threads = this.#threads;
    if (threads === undefined) {
      throw graphError("INVALID_OPTION", "noCheckpointer", { graph: this.name });
    }
    return threads;
  }

  /** A thread run's session, or undefined for a run without a thread. */
  #session(input: unknown, options: RunOptions): (() => RunSession) | undefined {
    const threadId = options.threadId;
    if (threadId === undefined) return undefined;
    return () => {
      if (this.#threads === undefined) {
        throw graphError("INVALID_OPTION", "noCheckpointer", { scope: "run", option: "threadId", graph: this.name });
      }
      return this.#threads.session(input, { ...options, threadId });
    };
  }
}

/**
 * Where a worker that runs a task's attempt away from its run keeps the task's `ctx.step`
 * results: the thread's store of `graph` (compiled with the same checkpointer as the run's),
 * for a request of a run on a thread. Undefined when the graph has no checkpointer or the run
 * no thread; the steps then last for the attempt. Pass it as `steps` to `runNodeAttempt`.
 *
 * @example
 * ```ts
 * const result = await runNodeAttempt(spec, request, { signal, emit, steps: workerSteps(graph, request) });
 * ```
 * @see ../../../../docs/concepts/steps.md
 */
export function workerSteps(graph: CompiledGraph<CompiledDef>, request: AttemptRequest): TaskSteps | undefined {
  const threads = threadsOf(graph);
  const { threadId, interruptScope, taskId } = request;
  if (threads === undefined || threadId === undefined || interruptScope === undefined) return undefined;
  return threads.taskSteps({ threadId, checkpointId: interruptScope, taskId });
}

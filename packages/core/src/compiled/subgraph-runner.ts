import type { GraphIR, NodeSpec, SubgraphRunner } from "../graph/ir.js";
import type { RunOptions } from "../records/run.js";
import type { Checkpointer } from "../checkpoint/checkpointer.js";
import type { Program } from "../runtime/loop.js";
import { checkGraphInput, graphOutput } from "../state/io.js";
import type { Threads } from "../thread/threads.js";
import { durable, loop, threadSession, type Durable } from "./engine.js";

/** What a subgraph runner runs: a compiled graph's program, its threads (with the outer checkpointer) and run defaults. */
export interface RunnerSource {
  readonly program: Program;
  /** The outer graph's checkpointer, which the inner threads are kept on; undefined without one. */
  readonly checkpointer: Checkpointer | undefined;
  /** The inner threads, made once their code is loaded; undefined without a checkpointer. */
  readonly threads: (loaded: Durable) => Threads | undefined;
  readonly defaults: Omit<RunOptions, "signal">;
  /** Removes one of the graph's threads with its inner threads. */
  readonly deleteThread: (threadId: string) => Promise<void>;
}

/**
 * The runner of a subgraph node: runs the inner graph's program on the outer graph's
 * checkpointer. A durable inner run waits for its thread rather than failing when a run of the
 * same task that was cancelled (a timeout before a retry) has not let go of it yet.
 */
export function subgraphRunner(source: RunnerSource): SubgraphRunner {
  const { program, checkpointer, defaults } = source;
  const { ir } = program;
  return {
    durable: checkpointer !== undefined,
    run: (input, { outer, threadId, emit, thread, budget, start }) => {
      const checked = start === undefined ? checkGraphInput(ir.input, input) : start.input;
      const options: RunOptions = threadId === undefined ? defaults : { ...defaults, ...definedOf(thread), threadId, ifBusy: "enqueue" };
      const session =
        threadId === undefined || checkpointer === undefined
          ? undefined
          : () => threadSession((loaded) => source.threads(loaded)!, checked, { ...options, threadId, inner: true });
      return loop.with((loaded) =>
        loaded.runGraph(program, {
          input: checked,
          options,
          emit,
          session,
          nested: true,
          outer,
          outerBudget: budget,
          initial: start?.state,
        }),
      );
    },
    peek: async (threadId) => {
      const threads = checkpointer === undefined ? undefined : source.threads(await durable.load());
      const state = await threads?.state(threadId, undefined);
      if (state === undefined) return undefined;
      return {
        values: graphOutput(ir.output, state.values),
        next: state.next.length,
        interrupts: state.interrupts,
        spent: state.budget?.spent,
      };
    },
    start: (input) => {
      const checked = checkGraphInput(ir.input, input);
      return { input: checked, state: program.table.initial(checked) };
    },
    now: () => checkpointer!.now(),
    deleteThread: source.deleteThread,
  };
}

/** `ir` with a runner given to each subgraph node, made by `runnerOf` from the compiled graph the node was built from. */
export function bindSubgraphs(ir: GraphIR, runnerOf: (compiled: object) => SubgraphRunner): GraphIR {
  if (![...ir.nodes.values()].some((spec) => spec.subgraph !== undefined)) return ir;
  const nodes = new Map<string, NodeSpec>();
  for (const [name, spec] of ir.nodes) {
    const sub = spec.subgraph;
    nodes.set(name, sub === undefined ? spec : { ...spec, subgraph: { ...sub, runner: runnerOf(sub.compiled) } });
  }
  return { ...ir, nodes };
}

/** The settings that are set, so that an unset one leaves the inner graph's default. */
function definedOf(settings: Readonly<Record<string, number | undefined>> | undefined): Record<string, number> {
  const set: Record<string, number> = {};
  for (const [key, value] of Object.entries(settings ?? {})) if (value !== undefined) set[key] = value;
  return set;
}

import type { GraphIR, NodeSpec, SubgraphRunner } from "../graph/ir.js";
import type { RunOptions } from "../records/run.js";
import { runGraph, type Program } from "../runtime/loop.js";
import { checkGraphInput, graphOutput } from "../state/io.js";
import type { Threads } from "../thread/threads.js";

/** What a subgraph runner runs: a compiled graph's program, its threads (with the outer checkpointer) and run defaults. */
export interface RunnerSource {
  readonly program: Program;
  readonly threads: Threads | undefined;
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
  const { program, threads, defaults } = source;
  const { ir } = program;
  return {
    durable: threads !== undefined,
    run: (input, { outer, threadId, emit, thread, budget, start }) => {
      const checked = start === undefined ? checkGraphInput(ir.input, input) : start.input;
      const options: RunOptions = threadId === undefined ? defaults : { ...defaults, ...definedOf(thread), threadId, ifBusy: "enqueue" };
      const session =
        threadId === undefined || threads === undefined ? undefined : () => threads.session(checked, { ...options, threadId, inner: true });
      return runGraph(program, { input: checked, options, emit, session, nested: true, outer, outerBudget: budget, initial: start?.state });
    },
    peek: async (threadId) => {
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
    now: () => threads!.checkpointer.now(),
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

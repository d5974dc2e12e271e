import type { GraphIR } from "../graph/ir.js";
import { StateTable } from "../state/table.js";
import type { AnyStateSchema, InputOf, StateOf } from "../state/types.js";
import type { RunEvent } from "../stream/events.js";
import { AsyncQueue } from "../stream/queue.js";
import { runGraph, type Program, type RunOptions, type RunResult } from "./loop.js";
import { RoutingTable } from "./route.js";

/** Options fixed at `compile()` time; every run may override them. */
export interface CompileOptions {
  /** Defaults for every run of this graph. */
  readonly defaults?: Omit<RunOptions, "signal">;
}

/** What a compiled graph knows: its state schema and its nodes with their input types. */
export interface CompiledDef {
  readonly state: AnyStateSchema;
  readonly nodes: Record<string, unknown>;
}

/**
 * A validated, immutable graph, ready to run any number of times, concurrently too.
 *
 * @example
 * ```ts
 * const final = await graph.invoke({ topic: "AI agents" });
 * for await (const event of graph.stream({ topic: "AI agents" })) console.log(event.type);
 * ```
 * @see ../../../docs/concepts/superstep.md
 */
export class CompiledGraph<TDef extends CompiledDef> {
  readonly #program: Program;
  readonly #defaults: Omit<RunOptions, "signal">;

  /** @internal Use `StateGraph#compile()`. */
  constructor(ir: GraphIR, options: CompileOptions) {
    this.#program = { ir, table: new StateTable(ir.state), routing: new RoutingTable(ir) };
    this.#defaults = options.defaults ?? {};
  }

  /** The graph's name. */
  get name(): string {
    return this.#program.ir.name;
  }

  /** Runs the graph to the end and returns the final state. */
  async invoke(input: InputOf<TDef["state"]>, options: RunOptions = {}): Promise<StateOf<TDef["state"]>> {
    const result = await runGraph(this.#program, input, { ...this.#defaults, ...options }, undefined);
    return result.state as StateOf<TDef["state"]>;
  }

  /**
   * Runs the graph to the end and returns the final state with the run's facts: steps taken
   * and the failures that did not fail the run (`onError: "continue"` or a handler).
   */
  async run(
    input: InputOf<TDef["state"]>,
    options: RunOptions = {},
  ): Promise<RunResult<StateOf<TDef["state"]>, keyof TDef["nodes"] & string>> {
    const result = await runGraph(this.#program, input, { ...this.#defaults, ...options }, undefined);
    return result as RunResult<StateOf<TDef["state"]>, keyof TDef["nodes"] & string>;
  }

  /**
   * Runs the graph and yields its events as they happen. If the run fails, the iteration
   * yields a `run:error` event and then throws the error. Breaking out of the loop cancels
   * the run.
   */
  stream(
    input: InputOf<TDef["state"]>,
    options: RunOptions = {},
  ): AsyncIterableIterator<RunEvent<StateOf<TDef["state"]>, keyof TDef["nodes"] & string>> {
    const cancel = new AbortController();
    const signal = options.signal === undefined ? cancel.signal : AbortSignal.any([options.signal, cancel.signal]);
    const queue = new AsyncQueue<RunEvent<StateOf<TDef["state"]>, keyof TDef["nodes"] & string>>(() => cancel.abort());
    runGraph(this.#program, input, { ...this.#defaults, ...options, signal }, (event) => queue.push(event as never)).then(
      () => queue.close(),
      (error: unknown) => queue.close({ error }),
    );
    return queue;
  }

  /** The graph as plain data, for drawing and tools. */
  toIR(): GraphIR {
    return this.#program.ir;
  }
}

import type { z } from "zod";
import { graphError, isArray, isPlainObject, kindOf } from "../errors.js";
import { CompiledGraph, type CompiledDef, type CompileOptions } from "../compiled/compiled-graph.js";
import type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "../state/types.js";
import { END, START } from "../graph/constants.js";
import type { BranchSpec, GraphIR, JoinSpec, NodeSpec } from "../graph/ir.js";
import { checkGraphOptions, type GraphOptions } from "../options/graph-options.js";
import { checkNodeOptions, checkSubgraphOptions } from "../graph/node-options.js";
import type {
  BuilderDef,
  CheckedResult,
  EmptyDef,
  LooseResult,
  NodeContext,
  NodeFn,
  NodeNames,
  NodeOptions,
  ErrorHandler,
  Route,
  SendTo,
  TypeError,
} from "../graph/types.js";
import { validateGraph } from "../graph/validate.js";

type Reserved = START | END | `__${string}`;

/** Rejects reserved and already used node names at compile time. */
type NewNodeName<$Name extends string, TDef extends BuilderDef> = $Name extends Reserved
  ? TypeError<`Node name "${$Name}" is reserved`>
  : $Name extends NodeNames<TDef>
    ? TypeError<`Node "${$Name}" is already in this graph`>
    : unknown;

// A conditional type resolves the previous definition at once; an object type would defer it
// and make `compile()` unwind every level (TS2589 on long graphs).
type WithNode<TDef extends BuilderDef, $Name extends string, $Input, $Ends extends string> = TDef extends {
  readonly nodes: infer Nodes;
  readonly ends: infer Ends extends string;
}
  ? { readonly nodes: Nodes & { readonly [K in $Name]: $Input }; readonly ends: Ends | $Ends }
  : never;

/** Rejects an edge source that is not a node (or START), naming it. */
type KnownSources<$From, TDef extends BuilderDef> = [
  Exclude<$From extends readonly string[] ? $From[number] : $From, NodeNames<TDef> | START>,
] extends [infer Unknown extends string]
  ? [Unknown] extends [never]
    ? unknown
    : TypeError<`addEdge: "${Unknown}" is not a node of this graph`>
  : unknown;

/** Rejects an edge target that is not a node (or END), naming it. */
type KnownTarget<$To extends string, TDef extends BuilderDef> = $To extends NodeNames<TDef> | END
  ? unknown
  : TypeError<`addEdge: "${$To}" is not a node of this graph`>;

type UndeclaredEnds<TDef extends BuilderDef> = Exclude<TDef["ends"], NodeNames<TDef> | END>;

/** A router: chooses what runs after its source from the state (with the source's own update). */
export type Router<TState extends AnyStateSchema, TResult> = (state: StateOf<TState>) => TResult | Promise<TResult>;

/**
 * Builds a typed state graph. Every method returns a new builder; node names accumulate in the
 * type, so a misspelled name in an edge, a router, a `Send` or a `Command` fails to compile.
 *
 * @example
 * ```ts
 * const State = z.object({ topic: z.string(), report: z.string().optional() });
 * const graph = new StateGraph(State)
 *   .addNode("write", (s) => ({ report: `# ${s.topic}` }))
 *   .addEdge(START, "write")
 *   .addEdge("write", END)
 *   .compile();
 * ```
 * @see ../../../../docs/concepts/edges.md
 */
export class StateGraph<
  TState extends AnyStateSchema,
  TDef extends BuilderDef = EmptyDef,
  TInput extends AnyStateSchema = TState,
  TOutput extends AnyStateSchema = TState,
> {
  #ir: GraphIR;

  /**
   * A builder for graphs of state `state`. With `options.input` and `options.output` (object
   * schemas of state keys), runs take only the input keys and return only the output keys, and
   * as a subgraph node the graph reads and writes only these.
   */
  constructor(state: TState, options: GraphOptions & { readonly input?: TInput; readonly output?: TOutput } = {}) {
    if (!isStateSchema(state)) throw graphError("INVALID_GRAPH", "stateNotAnObject", { kind: schemaKind(state) });
    const checked = checkGraphOptions(options);
    const name = checked.name ?? "graph";
    this.#ir = {
      name,
      state,
      nodes: new Map(),
      edges: [],
      joins: [],
      branches: [],
      input: ioSchema(state, { name, schema: "input", given: checked.input }),
      output: ioSchema(state, { name, schema: "output", given: checked.output }),
    };
  }

  /**
   * Adds a node. Its tasks receive the state, or — with `options.input` — their own input,
   * which is what a `Send` to this node must carry.
   *
   * The node may be a compiled graph (a subgraph): by default it passes the inner graph the
   * keys of this state it reads (its input keys) and writes back the keys of its output that the
   * inner run changed. A key both states have with different types fails to compile, naming it;
   * `options.input` and `options.output` map the states instead. A `Send` to this node carries
   * the inner graph's input (or what `options.input` takes).
   *
   * @example
   * ```ts
   * builder.addNode("research", researchGraph, { concurrency: 10, timeoutMs: 60_000 });
   * ```
   * @see ../../../../docs/concepts/subgraphs.md
   */
  addNode<
    $Name extends string,
    const $Ends extends string = never,
    $Result extends LooseResult<TState, NoInfer<$Ends>> = LooseResult<TState, NoInfer<$Ends>>,
    $Sub extends CompiledDef = never,
  >(
    name: $Name & NewNodeName<$Name, TDef>,
    // One signature for both, so that a wrong node function gets one short message, not a list of overloads.
    fn:
      | ((input: StateOf<TState>, ctx: NodeContext) => $Result & CheckedResult<$Result, TState, NoInfer<$Ends>>)
      | ([$Sub] extends [never] ? never : CompiledGraph<$Sub> & SharedKeysMatch<TState, $Sub, true, true>),
    options?: NodeOptions<TState, undefined, $Ends>,
  ): StateGraph<TState, WithNode<TDef, $Name, [$Sub] extends [never] ? StateOf<TState> : SubgraphInput<$Sub>, $Ends>, TInput, TOutput>;
  /** A subgraph node whose `input` maps the task's input (the state, or a Send's payload) to the inner run's. */
  addNode<$Name extends string, $Sub extends CompiledDef, const $Ends extends string = never, $In = StateOf<TState>>(
    name: $Name & NewNodeName<$Name, TDef>,
    graph: CompiledGraph<$Sub> & SharedKeysMatch<TState, $Sub, false, true>,
    options: SubgraphNodeOptions<TState, $In, $Sub, $Ends> & {
      readonly input: (value: $In) => SubgraphInput<$Sub>;
      readonly output?: undefined;
    },
  ): StateGraph<TState, WithNode<TDef, $Name, $In, $Ends>, TInput, TOutput>;
  /** A subgraph node whose `output` maps the inner run's final state to this graph's update. */
  addNode<$Name extends string, $Sub extends CompiledDef, const $Ends extends string = never>(
    name: $Name & NewNodeName<$Name, TDef>,
    graph: CompiledGraph<$Sub> & SharedKeysMatch<TState, $Sub, true, false>,
    options: SubgraphNodeOptions<TState, SubgraphInput<$Sub>, $Sub, $Ends> & {
      readonly input?: undefined;
      readonly output: (state: StateOf<SubOutput<$Sub>>) => UpdateOf<TState> | undefined;
    },
  ): StateGraph<TState, WithNode<TDef, $Name, SubgraphInput<$Sub>, $Ends>, TInput, TOutput>;
  /** A subgraph node with both mappings: the two states need share nothing. */
  addNode<$Name extends string, $Sub extends CompiledDef, const $Ends extends string = never, $In = StateOf<TState>>(
    name: $Name & NewNodeName<$Name, TDef>,
    graph: CompiledGraph<$Sub>,
    options: SubgraphNodeOptions<TState, $In, $Sub, $Ends> & {
      readonly input: (value: $In) => SubgraphInput<$Sub>;
      readonly output: (state: StateOf<SubOutput<$Sub>>) => UpdateOf<TState> | undefined;
    },
  ): StateGraph<TState, WithNode<TDef, $Name, $In, $Ends>, TInput, TOutput>;
  /** A node whose tasks receive their own input, validated by `options.input` (a Send worker). */
  addNode<
    $Name extends string,
    $InputSchema extends z.ZodType,
    const $Ends extends string = never,
    $Result extends LooseResult<TState, NoInfer<$Ends>> = LooseResult<TState, NoInfer<$Ends>>,
  >(
    name: $Name & NewNodeName<$Name, TDef>,
    fn: (input: z.output<$InputSchema>, ctx: NodeContext) => $Result & CheckedResult<$Result, TState, NoInfer<$Ends>>,
    options: NodeOptions<TState, $InputSchema, $Ends> & { readonly input: $InputSchema },
  ): StateGraph<TState, WithNode<TDef, $Name, z.input<$InputSchema>, $Ends>, TInput, TOutput>;
  addNode(
    name: string,
    fn: NodeFn<never, TState, string> | CompiledGraph<CompiledDef>,
    options?: NodeOptions<TState, z.ZodType | undefined, string> | SubgraphNodeOptions<TState, never, CompiledDef, string>,
  ): never {
    checkNewName(this.#ir, name);
    if (fn instanceof CompiledGraph) return this.#withSubgraph(name, fn, options);
    if (typeof fn !== "function") {
      throw graphError("INVALID_OPTION", "notAFunction", { scope: "node", node: name, option: "fn", value: fn });
    }
    const spec: NodeSpec = {
      name,
      index: this.#ir.nodes.size,
      fn: fn as unknown as NodeSpec["fn"],
      ...checkNodeOptions(name, options as NodeOptions<TState, z.ZodType | undefined, string> | undefined),
    };
    const nodes = new Map(this.#ir.nodes).set(name, spec);
    return this.#with({ nodes });
  }

  /**
   * Adds nodes that run one after the other, in the order of the object's keys.
   *
   * @example
   * ```ts
   * builder.addSequence({ fetch: fetchData, clean: cleanData }).addEdge(START, "fetch");
   * ```
   */
  addSequence<const $Nodes extends Record<string, NodeFn<StateOf<TState>, TState>>>(
    nodes: $Nodes & { [K in keyof $Nodes]: NewNodeName<K & string, TDef> },
  ): StateGraph<
    TState,
    { readonly nodes: TDef["nodes"] & { readonly [K in keyof $Nodes]: StateOf<TState> }; readonly ends: TDef["ends"] },
    TInput,
    TOutput
  > {
    const names = isPlainObject(nodes) ? Object.keys(nodes) : [];
    if (names.length === 0) throw graphError("INVALID_NODE_NAME", "emptySequence", { value: nodes });
    // The signature checks the names; inside, they are plain strings.
    let builder = this as unknown as { addNode: (...args: unknown[]) => unknown; addEdge: (...args: unknown[]) => unknown };
    for (const [i, name] of names.entries()) {
      builder = builder.addNode(name, nodes[name]) as typeof builder;
      if (i > 0) builder = builder.addEdge(names[i - 1], name) as typeof builder;
    }
    return builder as never;
  }

  /**
   * `from` → `to`: `to` runs in the step after `from`. With an array `from`, a join: `to` runs
   * once every node of `from` has run since `to` last ran. A name that is not a node of the
   * graph fails to compile with a message naming it.
   */
  addEdge<const $From extends string | readonly [string, ...string[]], const $To extends string>(
    from: $From & KnownSources<$From, TDef>,
    to: $To & KnownTarget<$To, TDef>,
  ): StateGraph<TState, TDef, TInput, TOutput>;
  addEdge(from: string | readonly string[], to: string): StateGraph<TState, TDef, TInput, TOutput> {
    const isNames = isArray(from) && from.every((name: unknown) => typeof name === "string");
    if (typeof to !== "string" || (typeof from !== "string" && !isNames)) {
      throw graphError("INVALID_ROUTE", "addEdge", { value: [from, to] });
    }
    if (typeof from === "string") {
      return this.#with({ edges: [...this.#ir.edges, { from, to }] });
    }
    if (from.length === 0) throw graphError("UNKNOWN_NODE", "emptyJoin", { node: to });
    if (from.length === 1) return this.#with({ edges: [...this.#ir.edges, { from: from[0]!, to }] });
    const join: JoinSpec = { sources: [...new Set(from)], target: to };
    return this.#with({ joins: [...this.#ir.joins, join] });
  }

  /**
   * After `from` runs, `router` chooses what runs next: a node name, `END`, a `Send`, or an
   * array of them. `targets` lists the possible destinations, for drawing and validation.
   */
  addConditionalEdges(
    from: NodeNames<TDef> | START,
    router: Router<TState, Route<TDef>>,
    targets?: readonly (NodeNames<TDef> | END)[],
  ): StateGraph<TState, TDef, TInput, TOutput>;
  /** With a path map: the router returns keys of `pathMap` (or Sends); the map names the nodes. */
  addConditionalEdges<const $Map extends Record<string, NodeNames<TDef> | END>>(
    from: NodeNames<TDef> | START,
    router: Router<TState, (keyof $Map & string) | SendTo<TDef> | readonly ((keyof $Map & string) | SendTo<TDef>)[]>,
    pathMap: $Map,
  ): StateGraph<TState, TDef, TInput, TOutput>;
  addConditionalEdges(
    from: string,
    router: (state: never) => unknown,
    targets?: readonly string[] | Record<string, string>,
  ): StateGraph<TState, TDef, TInput, TOutput> {
    if (typeof from !== "string") throw graphError("INVALID_ROUTE", "conditionalSource", { value: from });
    if (typeof router !== "function") throw graphError("INVALID_ROUTE", "routerNotAFunction", { node: from, value: router });
    const branch: BranchSpec = { source: from, router, ...routerTargets(from, targets) };
    return this.#with({ branches: [...this.#ir.branches, branch] });
  }

  /**
   * Validates the graph and returns a runnable, immutable {@link CompiledGraph}. Throws a
   * `GraphError` naming the problem: unknown nodes, unreachable nodes, nodes with no way out.
   */
  compile(
    ...options: UndeclaredEnds<TDef> extends never
      ? [options?: CompileOptions<NodeNames<TDef>>]
      : [commandTargetIsNotANode: TypeError<`Command target "${UndeclaredEnds<TDef>}" is not a node of this graph`>]
  ): CompiledGraph<{ state: TState; nodes: TDef["nodes"]; input: TInput; output: TOutput }> {
    validateGraph(this.#ir);
    return new CompiledGraph(this.#ir, (options[0] ?? {}) as CompileOptions);
  }

  /** The graph as plain data (nodes, edges, joins, branches). */
  toIR(): GraphIR {
    return this.#ir;
  }

  /** Adds a node that runs `graph`, with the mappings and node options of `options`. */
  #withSubgraph(name: string, graph: CompiledGraph<CompiledDef>, options: unknown): never {
    const { mapInput, mapOutput, ...checked } = checkSubgraphOptions(name, options);
    const inner = graph.toIR();
    const spec: NodeSpec = {
      name,
      index: this.#ir.nodes.size,
      // What a caller outside the run loop (a test harness, a worker) gets: the inner graph, run once.
      fn: (input, ctx) =>
        graph.invoke((mapInput === undefined ? input : mapInput(input)) as never, { signal: (ctx as NodeContext).signal }),
      ...checked,
      subgraph: { graph: inner, input: mapInput, output: mapOutput, runner: undefined, compiled: graph },
    };
    const nodes = new Map(this.#ir.nodes).set(name, spec);
    return this.#with({ nodes });
  }

  /** A new builder with `patch` applied; its type is the caller's to state. */
  #with(patch: Partial<GraphIR>): never {
    const next = new StateGraph<TState, EmptyDef>(this.#ir.state as TState);
    next.#ir = { ...this.#ir, ...patch };
    return next as never;
  }
}

/** The input schema of a compiled graph's definition, else its state. */
type SubInput<S extends CompiledDef> = S extends { readonly input: infer I extends AnyStateSchema } ? I : S["state"];
/** The output schema of a compiled graph's definition, else its state. */
type SubOutput<S extends CompiledDef> = S extends { readonly output: infer O extends AnyStateSchema } ? O : S["state"];

/**
 * Options of a subgraph node: a node's options, with `input` and `output` mapping functions in
 * place of an input schema.
 */
export interface SubgraphNodeOptions<TState extends AnyStateSchema, TIn, TSub extends CompiledDef, TEnds extends string>
  extends Omit<NodeOptions<TState, undefined, TEnds>, "input" | "estimateTokens" | "onError"> {
  /**
   * Makes the inner run's input from the task's input: this graph's state for a task an edge
   * started, a `Send`'s payload for one a Send started. Default: the state's keys that the
   * inner graph reads, or the Send's payload as it is.
   */
  readonly input?: ((value: TIn) => InputOf<SubInput<TSub>>) | undefined;
  /** Makes this graph's update from the inner run's final state (its output keys). Default: the shared keys it changed. */
  readonly output?: ((state: StateOf<SubOutput<TSub>>) => UpdateOf<TState> | undefined) | undefined;
  /** The tokens one task is expected to use, from its input, for a `RateLimit` with a token limit. */
  readonly estimateTokens?: (input: TIn) => number;
  /** What a failure of the inner run (after retries) does, as for any node. */
  readonly onError?: "fail" | "continue" | ErrorHandler<TIn, UpdateOf<TState>>;
}

/** What a subgraph node's task receives without an `input` mapping, and so what a `Send` to it carries: the inner run's input. */
type SubgraphInput<S extends CompiledDef> = InputOf<SubInput<S>>;

type Defined<T> = Exclude<T, undefined>;
/** True when two types differ, `undefined` aside (an optional key may hold what a required one does). */
type Differ<A, B> = [Defined<A>] extends [Defined<B>] ? ([Defined<B>] extends [Defined<A>] ? false : true) : true;
/** The keys both states have with different types. */
type BadKeys<TState extends AnyStateSchema, TInner extends AnyStateSchema> = {
  [K in keyof StateOf<TState> & keyof StateOf<TInner> & string]: Differ<StateOf<TState>[K], StateOf<TInner>[K]> extends true ? K : never;
}[keyof StateOf<TState> & keyof StateOf<TInner> & string];
type Mismatch<TState extends AnyStateSchema, S extends CompiledDef, CheckIn extends boolean, CheckOut extends boolean> =
  | (CheckIn extends true ? BadKeys<TState, SubInput<S>> : never)
  | (CheckOut extends true ? BadKeys<TState, SubOutput<S>> : never);

/** Rejects a subgraph sharing a key of another type in a direction no mapping replaces, naming the key. */
type SharedKeysMatch<TState extends AnyStateSchema, S extends CompiledDef, CheckIn extends boolean, CheckOut extends boolean> = [
  Mismatch<TState, S, CheckIn, CheckOut>,
] extends [never]
  ? unknown
  : TypeError<`Key "${Mismatch<TState, S, CheckIn, CheckOut>}" has another type in the subgraph: give the node input and output mappings`>;

/** A graph's input or output schema, checked: an object schema of the state's keys. */
function ioSchema(
  state: AnyStateSchema,
  at: { name: string; schema: "input" | "output"; given: z.ZodObject | undefined },
): AnyStateSchema | undefined {
  const { given, schema, name } = at;
  if (given === undefined) return undefined;
  for (const key of Object.keys(given.shape)) {
    if (!Object.hasOwn(state.shape, key)) throw graphError("INVALID_GRAPH", "schemaKey", { key, graph: name, schema });
  }
  return given as AnyStateSchema;
}

function checkNewName(ir: GraphIR, name: string): void {
  if (typeof name !== "string" || name.length === 0) throw graphError("INVALID_NODE_NAME", "notAName", { value: name });
  if (name === START || name === END || name.startsWith("__")) throw graphError("INVALID_NODE_NAME", "reserved", { node: name });
  if (ir.nodes.has(name)) throw graphError("INVALID_NODE_NAME", "taken", { node: name, graph: ir.name });
}

/**
 * A router's declared targets: an array of node names, or a path map from the router's
 * results to node names. Read as plain JavaScript may pass them: only the map's own keys
 * count (a router returning "toString" is not in a map that does not say so).
 */
function routerTargets(from: string, targets: unknown): Pick<BranchSpec, "targets" | "pathMap"> {
  if (targets === undefined) return { targets: undefined, pathMap: undefined };
  const names = (values: readonly unknown[]): values is readonly string[] => values.every((value) => typeof value === "string");
  if (isArray(targets) && names(targets)) return { targets: [...targets], pathMap: undefined };
  if (isPlainObject(targets) && names(Object.values(targets))) {
    const pathMap = Object.assign(Object.create(null) as Record<string, string>, targets);
    return { targets: Object.values(pathMap), pathMap };
  }
  throw graphError("INVALID_ROUTE", "targets", { node: from, value: targets });
}

/** A zod object schema, as far as a graph needs one: its keys are the state's. */
function isStateSchema(state: unknown): state is AnyStateSchema {
  const schema = state as { shape?: unknown; safeParse?: unknown } | null | undefined;
  return typeof schema?.safeParse === "function" && isPlainObject(schema.shape);
}

function schemaKind(state: unknown): string {
  const name = (state as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
  return typeof state === "object" && state !== null && typeof name === "string" ? `a ${name}` : kindOf(state);
}

import type { z } from "zod";
import { graphError, isArray, isPlainObject, kindOf } from "../errors.js";
import { CompiledGraph, type CompileOptions } from "../compiled/compiled-graph.js";
import type { AnyStateSchema, StateOf } from "../state/types.js";
import { END, START } from "../graph/constants.js";
import type { BranchSpec, GraphIR, JoinSpec, NodeSpec } from "../graph/ir.js";
import { checkGraphOptions, type GraphOptions } from "../options/graph-options.js";
import { checkNodeOptions } from "../graph/node-options.js";
import type {
  BuilderDef,
  CheckedResult,
  EmptyDef,
  LooseResult,
  NodeContext,
  NodeFn,
  NodeNames,
  NodeOptions,
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
export class StateGraph<TState extends AnyStateSchema, TDef extends BuilderDef = EmptyDef> {
  #ir: GraphIR;

  constructor(state: TState, options: GraphOptions = {}) {
    if (!isStateSchema(state)) throw graphError("INVALID_GRAPH", "stateNotAnObject", { kind: schemaKind(state) });
    this.#ir = {
      name: checkGraphOptions(options).name ?? "graph",
      state,
      nodes: new Map(),
      edges: [],
      joins: [],
      branches: [],
    };
  }

  /**
   * Adds a node. Its tasks receive the state, or — with `options.input` — their own input,
   * which is what a `Send` to this node must carry.
   */
  addNode<
    $Name extends string,
    const $Ends extends string = never,
    $Result extends LooseResult<TState, NoInfer<$Ends>> = LooseResult<TState, NoInfer<$Ends>>,
  >(
    name: $Name & NewNodeName<$Name, TDef>,
    fn: (input: StateOf<TState>, ctx: NodeContext) => $Result & CheckedResult<$Result, TState, NoInfer<$Ends>>,
    options?: NodeOptions<TState, undefined, $Ends>,
  ): StateGraph<TState, WithNode<TDef, $Name, StateOf<TState>, $Ends>>;
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
  ): StateGraph<TState, WithNode<TDef, $Name, z.input<$InputSchema>, $Ends>>;
  addNode(name: string, fn: NodeFn<never, TState, string>, options?: NodeOptions<TState, z.ZodType | undefined, string>): never {
    checkNewName(this.#ir, name);
    if (typeof fn !== "function") {
      throw graphError("INVALID_OPTION", "notAFunction", { scope: "node", node: name, option: "fn", value: fn });
    }
    const spec: NodeSpec = {
      name,
      index: this.#ir.nodes.size,
      fn: fn as unknown as NodeSpec["fn"],
      ...checkNodeOptions(name, options),
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
    { readonly nodes: TDef["nodes"] & { readonly [K in keyof $Nodes]: StateOf<TState> }; readonly ends: TDef["ends"] }
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
  ): StateGraph<TState, TDef>;
  addEdge(from: string | readonly string[], to: string): StateGraph<TState, TDef> {
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
  ): StateGraph<TState, TDef>;
  /** With a path map: the router returns keys of `pathMap` (or Sends); the map names the nodes. */
  addConditionalEdges<const $Map extends Record<string, NodeNames<TDef> | END>>(
    from: NodeNames<TDef> | START,
    router: Router<TState, (keyof $Map & string) | SendTo<TDef> | readonly ((keyof $Map & string) | SendTo<TDef>)[]>,
    pathMap: $Map,
  ): StateGraph<TState, TDef>;
  addConditionalEdges(
    from: string,
    router: (state: never) => unknown,
    targets?: readonly string[] | Record<string, string>,
  ): StateGraph<TState, TDef> {
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
  ): CompiledGraph<{ state: TState; nodes: TDef["nodes"] }> {
    validateGraph(this.#ir);
    return new CompiledGraph(this.#ir, (options[0] ?? {}) as CompileOptions);
  }

  /** The graph as plain data (nodes, edges, joins, branches). */
  toIR(): GraphIR {
    return this.#ir;
  }

  /** A new builder with `patch` applied; its type is the caller's to state. */
  #with(patch: Partial<GraphIR>): never {
    const next = new StateGraph<TState, EmptyDef>(this.#ir.state as TState);
    next.#ir = { ...this.#ir, ...patch };
    return next as never;
  }
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

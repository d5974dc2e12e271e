import { closest, graphError } from "../errors.js";
import { END, START } from "../graph/constants.js";
import type { BranchSpec, GraphIR, NodeSpec } from "../graph/ir.js";
import { isSend, type Send } from "../graph/send.js";
import type { ScopeLimit } from "../records/budget.js";
import type { Snapshot } from "../records/write.js";
import { parseQuickly, type QuickParse, quickParse, UNSURE } from "../state/quick-parse.js";
import { formatIssues } from "../state/table.js";
import { isThenable } from "./maybe.js";

/** A Send checked against its target: the node exists and the input was parsed. */
export interface ParsedSend {
  readonly node: NodeSpec;
  readonly input: unknown;
  /**
   * The budgets the task will run under, innermost first: the Send's own (its id still empty:
   * it becomes the id of the task it starts) and those of the task that sent it.
   */
  readonly budget?: readonly ScopeLimit[] | undefined;
}

/** Where a task leads: nodes triggered by edges, routers and Commands, and Sends, in order. */
export interface Routes {
  readonly triggers: readonly string[];
  readonly sends: readonly ParsedSend[];
}

const NONE: readonly never[] = Object.freeze([]);

/** The static facts routing needs, computed once per compiled graph. */
export class RoutingTable {
  readonly edgesFrom: ReadonlyMap<string, readonly string[]>;
  readonly branchesFrom: ReadonlyMap<string, readonly BranchSpec[]>;
  /** Per source, where its static edges alone lead: shared by every task of that source. */
  readonly #staticRoutes: ReadonlyMap<string, Routes>;
  /** The same, for the sources without routers only. */
  readonly #fixedRoutes: ReadonlyMap<string, Routes>;

  readonly ir: GraphIR;
  /**
   * The target of the last Send parsed, with its input's quick parse: a fan-out sends to one
   * node many times in a row, and these two lookups (a Map, then a WeakMap) are most of
   * {@link parseSend}'s time on a small input. Made by the first Send.
   */
  #lastTarget: SendTarget | undefined;
  /** The source whose fixed routes were asked last, and its answer: a fan-out's tasks ask one after another. */
  #lastSource: string | undefined;
  #lastFixed: Routes | undefined;

  constructor(ir: GraphIR) {
    this.ir = ir;
    const edges = new Map<string, string[]>();
    for (const edge of ir.edges) edges.set(edge.from, [...(edges.get(edge.from) ?? []), edge.to]);
    const branches = new Map<string, BranchSpec[]>();
    for (const branch of ir.branches) branches.set(branch.source, [...(branches.get(branch.source) ?? []), branch]);
    this.edgesFrom = edges;
    this.branchesFrom = branches;
    const staticRoutes = new Map<string, Routes>();
    for (const source of [START, ...ir.nodes.keys()]) {
      staticRoutes.set(source, Object.freeze({ triggers: edges.get(source) ?? NONE, sends: NONE }));
    }
    this.#staticRoutes = staticRoutes;
    this.#fixedRoutes = new Map([...staticRoutes].filter(([source]) => !branches.has(source)));
  }

  /** Checks a Send emitted by `from` and parses its input with the target's input schema. */
  parseSend(send: Send, from: string): ParsedSend {
    const target = this.#targetOf(send.node, from);
    const node = target.node;
    const limit = send.options?.budget;
    const budget = limit === undefined ? undefined : [{ ...limit, id: "" }];
    if (node.input === undefined) return budget === undefined ? { node, input: send.input } : { node, input: send.input, budget };
    const quick = target.quick === undefined ? UNSURE : target.quick(send.input);
    if (quick !== UNSURE) return budget === undefined ? { node, input: quick } : { node, input: quick, budget };
    const parsed = node.input.safeParse(send.input);
    if (!parsed.success) {
      throw graphError("INVALID_INPUT", "send", { node: send.node, from, problem: formatIssues(parsed.error) }, parsed.error);
    }
    return budget === undefined ? { node, input: parsed.data } : { node, input: parsed.data, budget };
  }

  /** The node a Send from `from` goes to, named `name`, with its input's quick parse; `UNKNOWN_NODE` when there is none. */
  #targetOf(name: string, from: string): SendTarget {
    const last = this.#lastTarget;
    if (last !== undefined && last.node.name === name) return last;
    const node = this.ir.nodes.get(name);
    if (node === undefined) {
      throw graphError("UNKNOWN_NODE", "send", { node: name, from, suggestion: closest(name, this.ir.nodes.keys()) });
    }
    const target: SendTarget = { node, quick: node.input === undefined ? undefined : quickParse(node.input) };
    this.#lastTarget = target;
    return target;
  }

  /** The input an edge-triggered task of `node` receives. */
  edgeInput(node: NodeSpec, state: Snapshot): unknown {
    if (node.input === undefined) return state;
    const quick = parseQuickly(node.input, state);
    if (quick !== UNSURE) return quick;
    const parsed = node.input.safeParse(state);
    if (!parsed.success) {
      throw graphError("INVALID_INPUT", "edgeInput", { node: node.name, problem: formatIssues(parsed.error) }, parsed.error);
    }
    return parsed.data;
  }

  /**
   * Where `source` leads when it has no conditional edges and returns no Command: its static
   * edges, one shared answer. Undefined when it has routers (see {@link route}).
   */
  fixedRoutes(source: string): Routes | undefined {
    if (source === this.#lastSource) return this.#lastFixed;
    const fixed = this.#fixedRoutes.get(source);
    this.#lastSource = source;
    this.#lastFixed = fixed;
    return fixed;
  }

  /** Whether `source` has conditional edges, whose routers need its view of the state. */
  hasRouters(source: string): boolean {
    return this.branchesFrom.has(source);
  }

  /**
   * Where a source leads: static edges, then Command targets, then each router's choice.
   * Routers see `view`, the step snapshot with the source's own write applied. Synchronous
   * unless a router returns a promise.
   */
  route(source: string, goto: readonly unknown[], view: Snapshot): Routes | Promise<Routes> {
    const branches = this.branchesFrom.get(source);
    // The common case of a fan-out worker: static edges only, one shared answer per source.
    if (goto.length === 0 && branches === undefined) return this.#staticRoutes.get(source)!;
    const routes = new RouteList(this, source);
    if (goto.length > 0) routes.add(goto, undefined);
    if (branches === undefined) return routes;
    return routes.branch(branches, view, 0);
  }

  /**
   * Where a `Command` given as a run's input sends the run: its `goto` targets alone, without
   * START's edges. `from` names the sender in errors.
   */
  goto(goto: readonly unknown[], from: string): Routes {
    const routes = new RouteList(this, from, false);
    routes.add(goto, undefined);
    return routes;
  }
}

/** A node Sends go to, and the quick parse of its input schema (undefined when it has none). */
interface SendTarget {
  readonly node: NodeSpec;
  readonly quick: QuickParse | undefined;
}

/** The routes of one source as its Command and routers choose them, checked one by one. */
class RouteList implements Routes {
  readonly triggers: string[];
  readonly sends: ParsedSend[] = [];
  readonly #table: RoutingTable;
  readonly #source: string;

  constructor(table: RoutingTable, source: string, withEdges = true) {
    this.#table = table;
    this.#source = source;
    this.triggers = withEdges ? [...(table.edgesFrom.get(source) ?? NONE)] : [];
  }

  /** Runs the routers from `branches[from]` on in order, adding their choices. */
  branch(branches: readonly BranchSpec[], view: Snapshot, from: number): Routes | Promise<Routes> {
    for (let i = from; i < branches.length; i++) {
      const branch = branches[i]!;
      const result = (branch.router as (state: Snapshot) => unknown)(view);
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) => {
          this.add(value, branch);
          return this.branch(branches, view, i + 1);
        });
      }
      this.add(result, branch);
    }
    return this;
  }

  /** Adds what a router (`branch`) or a Command (no branch) chose. */
  add(choice: unknown, branch: BranchSpec | undefined): void {
    if (!Array.isArray(choice)) this.#one(choice, branch);
    // Indexed: a router's array may hold a fan-out's every Send, and before V8 optimizes this,
    // a for-of allocates an iterator result per element.
    else for (let i = 0; i < choice.length; i++) this.#one(choice[i], branch);
  }

  #one(choice: unknown, branch: BranchSpec | undefined): void {
    const source = this.#source;
    const by = branch === undefined ? "command" : "router";
    if (isSend(choice)) {
      this.sends.push(this.#table.parseSend(choice, source));
      return;
    }
    if (typeof choice !== "string") {
      throw graphError("INVALID_ROUTE", "notARoute", { node: source, by, kind: choice === null ? "null" : typeof choice });
    }
    let target = choice;
    const pathMap = branch?.pathMap;
    if (pathMap !== undefined) {
      // Own keys only: "toString" is not a key of a path map, whatever Object.prototype has.
      if (!Object.hasOwn(pathMap, choice)) {
        throw graphError("INVALID_ROUTE", "notInPathMap", {
          node: source,
          by,
          route: choice,
          suggestion: closest(choice, Object.keys(pathMap)),
        });
      }
      target = pathMap[choice]!;
    }
    const nodes = this.#table.ir.nodes;
    if (target !== END && !nodes.has(target)) {
      throw graphError("UNKNOWN_NODE", "route", { node: target, from: source, by, suggestion: closest(target, nodes.keys()) });
    }
    if (branch?.targets !== undefined && pathMap === undefined && !branch.targets.includes(target)) {
      throw graphError("INVALID_ROUTE", "notDeclared", { node: source, by, route: target, targets: branch.targets });
    }
    if (target !== END) this.triggers.push(target);
  }
}

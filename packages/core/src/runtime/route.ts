import { enablePatches, produceWithPatches } from "immer";
import type { Interpreted } from "../records/attempt.js";
import { didYouMean, GraphError } from "../errors.js";
import { isCommand } from "../graph/command.js";
import { END, START } from "../graph/constants.js";
import type { BranchSpec, GraphIR, NodeSpec } from "../graph/ir.js";
import { isSend, type Send } from "../graph/send.js";
import { formatIssues, type StateTable } from "../state/table.js";
import type { Snapshot, Write } from "../records/write.js";

enablePatches();

/** A Send checked against its target: the node exists and the input was parsed. */
export interface ParsedSend {
  readonly node: NodeSpec;
  readonly input: unknown;
}

/** Where a task leads: nodes triggered by edges, routers and Commands, and Sends, in order. */
export interface Routes {
  readonly triggers: readonly string[];
  readonly sends: readonly ParsedSend[];
  /** The snapshot with the task's own write applied, when routers needed it. */
  readonly view?: Snapshot;
}

const NONE: readonly never[] = Object.freeze([]);

/** The static facts routing needs, computed once per compiled graph. */
export class RoutingTable {
  readonly edgesFrom: ReadonlyMap<string, readonly string[]>;
  readonly branchesFrom: ReadonlyMap<string, readonly BranchSpec[]>;
  /** Per source, where its static edges alone lead: shared by every task of that source. */
  readonly #staticRoutes: ReadonlyMap<string, Routes>;

  readonly ir: GraphIR;

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
  }

  /** Checks a Send emitted by `from` and parses its input with the target's input schema. */
  parseSend(send: Send, from: string): ParsedSend {
    const node = this.ir.nodes.get(send.node);
    if (node === undefined) {
      throw new GraphError(
        "UNKNOWN_NODE",
        `"${from}" sent to "${send.node}", which is not a node.${didYouMean(send.node, this.ir.nodes.keys())}`,
        { details: { node: send.node, from } },
      );
    }
    if (node.input === undefined) return { node, input: send.input };
    const parsed = node.input.safeParse(send.input);
    if (!parsed.success) {
      throw new GraphError(
        "INVALID_INPUT",
        `"${from}" sent an invalid input to "${send.node}": ${formatIssues(parsed.error)}`,
        { cause: parsed.error, details: { node: send.node, from } },
      );
    }
    return { node, input: parsed.data };
  }

  /** The input an edge-triggered task of `node` receives. */
  edgeInput(node: NodeSpec, state: Snapshot): unknown {
    if (node.input === undefined) return state;
    const parsed = node.input.safeParse(state);
    if (!parsed.success) {
      throw new GraphError(
        "INVALID_INPUT",
        `The state does not match the input schema of node "${node.name}": ${formatIssues(parsed.error)}`,
        { cause: parsed.error, details: { node: node.name } },
      );
    }
    return parsed.data;
  }

  /**
   * Where a source leads after writing `write`: static edges, then Command targets, then each
   * router's choice. Routers see the step snapshot with the source's own write applied.
   * Synchronous unless a router returns a promise.
   */
  route(
    source: string,
    snapshot: Snapshot,
    write: Write | undefined,
    goto: readonly unknown[],
    table: StateTable,
    step: number,
  ): Routes | Promise<Routes> {
    const branches = this.branchesFrom.get(source);
    // The common case of a fan-out worker: static edges only, one shared answer per source.
    if (goto.length === 0 && branches === undefined) {
      return this.#staticRoutes.get(source) ?? { triggers: this.edgesFrom.get(source) ?? NONE, sends: NONE };
    }
    const triggers: string[] = [...(this.edgesFrom.get(source) ?? NONE)];
    const sends: ParsedSend[] = [];
    if (goto.length > 0) this.#collect(goto, source, `Command of "${source}"`, undefined, triggers, sends);
    if (branches === undefined) return { triggers, sends };
    const view = write === undefined ? snapshot : table.commit(snapshot, [write], step);
    return this.#branch(source, branches, view, triggers, sends);
  }

  /** Runs the routers of `source` in order on `view`, adding their choices to `triggers` and `sends`. */
  #branch(
    source: string,
    branches: readonly BranchSpec[],
    view: Snapshot,
    triggers: string[],
    sends: ParsedSend[],
  ): Routes | Promise<Routes> {
    const next = (i: number): Routes | Promise<Routes> => {
      for (; i < branches.length; i++) {
        const branch = branches[i]!;
        const result = (branch.router as (state: Snapshot) => unknown)(view);
        if (result instanceof Promise) {
          return result.then((value) => {
            this.#collect(Array.isArray(value) ? value : [value], source, `Router of "${source}"`, branch, triggers, sends);
            return next(i + 1);
          });
        }
        this.#collect(Array.isArray(result) ? result : [result], source, `Router of "${source}"`, branch, triggers, sends);
      }
      return { triggers, sends, view };
    };
    return next(0);
  }

  #collect(
    choices: readonly unknown[],
    source: string,
    who: string,
    branch: BranchSpec | undefined,
    triggers: string[],
    sends: ParsedSend[],
  ): void {
    for (const choice of choices) {
      if (isSend(choice)) {
        sends.push(this.parseSend(choice, source));
        continue;
      }
      if (typeof choice !== "string") {
        throw new GraphError(
          "INVALID_ROUTE",
          `${who} returned ${choice === null ? "null" : typeof choice}; expected a node name, END or a Send.`,
          { details: { node: source } },
        );
      }
      let target = choice;
      if (branch?.pathMap !== undefined) {
        const mapped = branch.pathMap[choice];
        if (mapped === undefined) {
          throw new GraphError(
            "INVALID_ROUTE",
            `${who} returned "${choice}", which is not a key of its path map.${didYouMean(choice, Object.keys(branch.pathMap))}`,
            { details: { node: source, route: choice } },
          );
        }
        target = mapped;
      }
      if (target !== END && !this.ir.nodes.has(target)) {
        throw new GraphError(
          "UNKNOWN_NODE",
          `${who} returned "${target}", which is not a node.${didYouMean(target, this.ir.nodes.keys())}`,
          { details: { node: target, from: source } },
        );
      }
      if (branch?.targets !== undefined && branch.pathMap === undefined && !branch.targets.includes(target)) {
        throw new GraphError(
          "INVALID_ROUTE",
          `${who} returned "${target}", which is not among its declared targets (${branch.targets.join(", ")}).`,
          { details: { node: source, route: target } },
        );
      }
      if (target !== END) triggers.push(target);
    }
  }
}

const nothing: Interpreted = { update: undefined, overwrite: undefined, goto: NONE };

/**
 * Reads what a node returned: nothing, an update, a Command, or an immer recipe. A recipe
 * drafts `snapshot`, the state; tasks that receive their own input have none to draft.
 */
export function interpret(result: unknown, snapshot: Snapshot | undefined, node: string): Interpreted {
  if (result === undefined || result === null) return nothing;
  if (isCommand(result)) return { update: result.update, overwrite: undefined, goto: result.goto };
  if (typeof result === "function") {
    if (snapshot === undefined) {
      throw new GraphError(
        "INVALID_UPDATE",
        `Node "${node}" returned a recipe, which drafts the state, but its tasks receive their own input (a Send or an input schema): return an update object instead.`,
        { details: { node } },
      );
    }
    const [next, patches] = produceWithPatches(snapshot, result as (draft: Record<string, unknown>) => void);
    const keys = new Set(patches.map((patch) => String(patch.path[0])));
    const update: Record<string, unknown> = {};
    for (const key of keys) update[key] = next[key];
    return { update, overwrite: keys, goto: NONE };
  }
  // An update object; anything else (a number, a string…) parseUpdate rejects, naming the node.
  return { update: result, overwrite: undefined, goto: NONE };
}

/**
 * True when a node returned a plain update object (not a Command, not a recipe): the common
 * case, which the engine reads without taking it apart.
 */
export function isPlainUpdate(result: unknown): result is object {
  return typeof result === "object" && result !== null && !isCommand(result);
}

/** What a plain update leads to: no overwritten keys, no Command targets. */
export const NO_GOTO: readonly never[] = NONE;

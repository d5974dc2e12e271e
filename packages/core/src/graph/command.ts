import type { Send } from "./send.js";

/** Where a {@link Command} sends the run: node names, `END`, and `Send` packets. */
export type Goto<TNode extends string> = TNode | Send<TNode> | readonly (TNode | Send<TNode>)[];

/**
 * Returned by a node to update the state and choose what runs next in one value. Targets a
 * node may go to are declared with the `ends` option of `addNode`, so they are type-checked
 * and drawn.
 *
 * @example
 * ```ts
 * builder.addNode(
 *   "triage",
 *   (state) => new Command({ update: { urgent: true }, goto: state.urgent ? "page" : "queue" }),
 *   { ends: ["page", "queue"] },
 * );
 * ```
 * @see ../../../../docs/concepts/edges.md
 */
const brand = Symbol.for("weft.Command");

/** The `graph` of a {@link Command} that goes to the graph running this one as a subgraph. */
const PARENT = "__parent__";

export class Command<TNode extends string = string, TUpdate = unknown, TGraph extends string | undefined = undefined> {
  /**
   * As `graph`, sends the Command to the graph that runs this one as a subgraph node: the inner
   * run ends, and the update and `goto` apply in the parent, as if the subgraph node had returned
   * them (its update checked against the parent's state, its targets being the parent's nodes).
   *
   * @example
   * ```ts
   * return new Command({ graph: Command.PARENT, goto: "escalate", update: { reason: "refund over limit" } });
   * ```
   * @see ../../../../docs/concepts/subgraphs.md
   */
  static readonly PARENT: typeof PARENT = PARENT;

  readonly [brand] = true;
  readonly update: TUpdate | undefined;
  readonly goto: readonly (TNode | Send<TNode>)[];
  /** Values for pending interrupts, by interrupt id, when resuming a run. */
  readonly resume: unknown;
  /** `Command.PARENT` for a Command to the parent graph; undefined for this graph. */
  readonly graph: TGraph;

  constructor(options: { update?: TUpdate; goto?: Goto<TNode>; resume?: unknown; graph?: TGraph }) {
    this.update = options.update;
    const goto = options.goto;
    this.goto =
      goto === undefined ? [] : Array.isArray(goto) ? [...(goto as readonly (TNode | Send<TNode>)[])] : [goto as TNode | Send<TNode>];
    this.resume = options.resume;
    this.graph = options.graph as TGraph;
  }
}

/**
 * A Command to the parent graph, as a node's result type sees it: what a node inside a subgraph
 * returns to route in its parent (its targets and update are the parent's, checked there).
 */
export interface ParentCommand {
  readonly graph: typeof PARENT;
  readonly update: unknown;
  readonly resume: unknown;
}

/** True for a {@link Command}, even one created by another copy of this package. */
export function isCommand(value: unknown): value is Command {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** True for a Command whose `graph` is `Command.PARENT`. */
export function isParentCommand(command: Command<string, unknown, string | undefined>): boolean {
  return command.graph === PARENT;
}

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

export class Command<TNode extends string = string, TUpdate = unknown> {
  readonly [brand] = true;
  readonly update: TUpdate | undefined;
  readonly goto: readonly (TNode | Send<TNode>)[];
  /** Values for pending interrupts, by interrupt id, when resuming a run. */
  readonly resume: unknown;

  constructor(options: { update?: TUpdate; goto?: Goto<TNode>; resume?: unknown }) {
    this.update = options.update;
    const goto = options.goto;
    this.goto =
      goto === undefined ? [] : Array.isArray(goto) ? [...(goto as readonly (TNode | Send<TNode>)[])] : [goto as TNode | Send<TNode>];
    this.resume = options.resume;
  }
}

/** True for a {@link Command}, even one created by another copy of this package. */
export function isCommand(value: unknown): value is Command {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

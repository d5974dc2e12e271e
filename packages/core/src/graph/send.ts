import { graphError } from "../errors.js";

/**
 * A packet from a router or a `Command`: run `node` in the next step with exactly `input`.
 * Several Sends to one node run concurrently, one task each, and commit in emission order.
 *
 * @example
 * ```ts
 * builder.addConditionalEdges("plan", (state) =>
 *   state.sections.map((section) => new Send("write", { section })),
 * );
 * ```
 * @see ../../../../docs/concepts/send.md
 */
const brand = Symbol.for("weft.Send");

export class Send<TNode extends string = string, TInput = unknown> {
  readonly node: TNode;
  readonly input: TInput;
  readonly [brand] = true;

  constructor(node: TNode, input: TInput) {
    if (typeof node !== "string" || node.length === 0) {
      throw graphError("INVALID_ROUTE", "sendWithoutNode", { value: node });
    }
    this.node = node;
    this.input = input;
  }
}

/** True for a {@link Send}, even one created by another copy of this package. */
export function isSend(value: unknown): value is Send {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

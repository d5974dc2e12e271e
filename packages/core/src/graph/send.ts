import { graphError } from "../errors.js";
import { checkSendOptions } from "../options/budget-options.js";
import type { SendOptions } from "../records/send.js";

/**
 * A packet from a router or a `Command`: run `node` in the next step with exactly `input`.
 * Several Sends to one node run concurrently, one task each, and commit in emission order.
 *
 * @example
 * ```ts
 * builder.addConditionalEdges("plan", (state) =>
 *   state.sections.map((section) => new Send("write", { section })),
 * );
 * // A worker that may spend 5000 tokens, with everything it sends on:
 * new Send("research", { topic: "tides" }, { budget: { tokens: 5000 } });
 * ```
 * @see ../../../../docs/concepts/send.md
 */
const brand = Symbol.for("weft.Send");

export class Send<TNode extends string = string, TInput = unknown> {
  readonly node: TNode;
  readonly input: TInput;
  /** What the task this Send starts may spend; see {@link SendOptions}. */
  readonly options: SendOptions | undefined;
  readonly [brand] = true;

  constructor(node: TNode, input: TInput, options?: SendOptions) {
    if (typeof node !== "string" || node.length === 0) {
      throw graphError("INVALID_ROUTE", "sendWithoutNode", { value: node });
    }
    if (options !== undefined) checkSendOptions(options, node);
    this.node = node;
    this.input = input;
    this.options = options;
  }
}

/** True for a {@link Send}, even one created by another copy of this package. */
export function isSend(value: unknown): value is Send {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

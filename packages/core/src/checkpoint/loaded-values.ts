import { deepFreeze } from "../state/freeze.js";
import { didYouMean, GraphError, graphError, isGraphError } from "../errors.js";
import type { GraphIR } from "../graph/ir.js";
import type { Write } from "../records/write.js";
import { formatIssues, type StateTable } from "../state/table.js";

/**
 * Checks what a stored record holds against the graph that loads it: state keys must be keys of
 * the state and their values must pass the key's schema; nodes must be nodes of the graph and a
 * Send's input must pass its node's input schema. A record that fails is `INVALID_CHECKPOINT`
 * naming the record, the key or node, and why. A signature proves who wrote a record, not that
 * the graph still accepts what it holds.
 */
export class LoadedValues {
  readonly #ir: GraphIR;
  readonly #table: StateTable;

  constructor(ir: GraphIR, table: StateTable) {
    this.#ir = ir;
    this.#table = table;
  }

  /** A snapshot's keys and values. */
  snapshot(snapshot: Readonly<Record<string, unknown>>, where: string): void {
    for (const key of Object.keys(snapshot)) {
      const channel = this.#table.channels.get(key);
      if (channel === undefined) throw this.#unknownKey(key, where);
      const parsed = channel.schema.safeParse(snapshot[key]);
      if (!parsed.success) {
        throw graphError("INVALID_CHECKPOINT", "invalidValue", { where, key, problem: formatIssues(parsed.error) }, parsed.error);
      }
    }
  }

  /**
   * The state replayed from writes, for the keys whose writes could not be checked one by one:
   * those of reducers without an update schema.
   */
  replayed(state: Readonly<Record<string, unknown>>, where: string): void {
    const unchecked: Record<string, unknown> = {};
    for (const [key, channel] of this.#table.channels) {
      if (channel.reducer !== undefined && channel.reducer.update === undefined && key in state) unchecked[key] = state[key];
    }
    this.snapshot(unchecked, where);
  }

  /** A stored write, parsed again as the update it was when its writer returned it. */
  write(write: Write, where: string): Write {
    for (const key in write.values) {
      if (!this.#table.channels.has(key)) throw this.#unknownKey(key, where);
    }
    try {
      return this.#table.parseUpdate(write.values, write.writer, write.overwrite);
    } catch (error) {
      if (!isGraphError(error)) throw error;
      const key = error.details?.key;
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} holds an invalid write${typeof key === "string" ? ` of state key "${key}"` : ""}: ${error.message}`,
        { cause: error, details: { where, key: typeof key === "string" ? key : undefined } },
      );
    }
  }

  /** A node named by a record; with `input`, a Send's input, parsed with the node's input schema. */
  node(name: string, where: string): void {
    if (!this.#ir.nodes.has(name)) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} names node "${name}", which graph "${this.#ir.name}" does not have.${didYouMean(name, this.#ir.nodes.keys())}`,
        { details: { where, node: name } },
      );
    }
  }

  /** A Send's node and input; returns the input as its schema parses it. */
  send(send: { readonly node: string; readonly input: unknown }, where: string): unknown {
    this.node(send.node, where);
    const schema = this.#ir.nodes.get(send.node)!.input;
    if (schema === undefined) return send.input;
    const parsed = schema.safeParse(send.input);
    if (!parsed.success) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} holds a Send to "${send.node}" whose input does not match the node's input schema: ${formatIssues(parsed.error)}`,
        { cause: parsed.error, details: { where, node: send.node } },
      );
    }
    return deepFreeze(parsed.data);
  }

  #unknownKey(key: string, where: string): GraphError {
    return new GraphError(
      "INVALID_CHECKPOINT",
      `${where} holds state key "${key}", which the state of graph "${this.#ir.name}" does not have.${didYouMean(key, this.#table.channels.keys())}`,
      { details: { where, key } },
    );
  }
}

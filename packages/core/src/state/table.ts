import { deepFreeze } from "./freeze.js";
import { z } from "zod";
import { didYouMean, GraphError } from "../errors.js";
import { reducerOf, type ReducerSpec } from "./channels.js";
import type { AnyStateSchema } from "./types.js";
import { writerName, type Snapshot, type Write, type Writer } from "../records/write.js";

/**
 * The values of a write, as code outside the engine may see them (stream events, error
 * details): frozen, list batches included.
 */
export function exposeWrite(write: Write | undefined): Readonly<Record<string, unknown>> | undefined {
  return write === undefined ? undefined : deepFreeze(write.values);
}

interface Channel {
  readonly key: string;
  readonly schema: z.ZodType;
  readonly reducer: ReducerSpec | undefined;
}

/**
 * The state's keys as channels: validates input and updates, and merges a step's writes in
 * task order. Built once per compiled graph.
 */
export class StateTable {
  readonly channels: ReadonlyMap<string, Channel>;
  private readonly plainInput: z.ZodType<Record<string, unknown>>;

  readonly schema: AnyStateSchema;

  constructor(schema: AnyStateSchema) {
    this.schema = schema;
    const channels = new Map<string, Channel>();
    const plainShape: Record<string, z.ZodType> = {};
    for (const [key, keySchema] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      const spec = reducerOf(keySchema);
      channels.set(key, { key, schema: keySchema, reducer: spec });
      if (spec === undefined) plainShape[key] = keySchema;
    }
    this.channels = channels;
    this.plainInput = z.object(plainShape);
  }

  /** The state a run starts from: reducer keys at their initial value, then `input` applied. */
  initial(input: unknown): Snapshot {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new GraphError("INVALID_INPUT", `Run input must be an object of state keys, got ${describe(input)}.`);
    }
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(record)) this.requireKey(key, undefined);
    const plain = this.plainInput.safeParse(record);
    if (!plain.success) {
      throw new GraphError("INVALID_INPUT", `Run input is invalid: ${formatIssues(plain.error)}`, {
        cause: plain.error,
        details: { fields: plain.error.issues.map((issue) => issue.path.join(".")) },
      });
    }
    const state: Record<string, unknown> = {};
    for (const channel of this.channels.values()) {
      if (channel.reducer === undefined) {
        if (channel.key in plain.data) state[channel.key] = plain.data[channel.key];
        continue;
      }
      const reducer = channel.reducer;
      let value: unknown;
      try {
        value = reducer.init();
      } catch (error) {
        throw reducerFailed(channel.key, "init", error);
      }
      if (record[channel.key] !== undefined) {
        const parsed = this.parseValue(channel, record[channel.key], undefined);
        try {
          value = reducer.reduce(value, parsed);
        } catch (error) {
          throw reducerFailed(channel.key, "input", error);
        }
      }
      state[channel.key] = value;
    }
    return deepFreeze(state);
  }

  /**
   * Validates a node's update and returns it with each value parsed (defaults, transforms)
   * and deeply frozen; an append list's batch has its items frozen, and is frozen itself where
   * it leaves the engine (see {@link exposeWrite}). Throws `INVALID_UPDATE` naming the writer
   * and the key.
   */
  parseUpdate(update: unknown, writer: Writer, overwrite?: ReadonlySet<string>): Write {
    if (typeof update !== "object" || update === null || Array.isArray(update)) {
      const name = writerName(writer);
      throw new GraphError(
        "INVALID_UPDATE",
        `Node "${name}" returned ${describe(update)}; a node returns an update object, a Command, a recipe function or nothing.`,
        { details: { node: name } },
      );
    }
    const values: Record<string, unknown> = {};
    for (const key in update) {
      const raw = (update as Record<string, unknown>)[key];
      if (raw === undefined) continue;
      const channel = this.requireKey(key, writer);
      values[key] =
        overwrite?.has(key) === true ? this.parseOverwrite(channel, raw, writer) : this.parseValue(channel, raw, writer);
    }
    return { writer, values, overwrite };
  }

  /**
   * Merges the writes of one step into `state`, in the order given (task order). A last-value
   * key written twice is a `CONCURRENT_UPDATE`; nothing is changed when that happens.
   */
  commit(state: Snapshot, writes: readonly Write[], step: number): Snapshot {
    if (writes.length === 0) return state;
    const byKey = new Map<string, { writers: Writer[]; values: unknown[]; overwritten: boolean }>();
    // Indexed loops here and in appendAll: they run over every write of a step, often before
    // V8 optimizes them, and a for-of there allocates an iterator result per element.
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i]!;
      for (const key in write.values) {
        let entry = byKey.get(key);
        if (entry === undefined) byKey.set(key, (entry = { writers: [], values: [], overwritten: false }));
        entry.writers.push(write.writer);
        entry.values.push(write.values[key]);
        if (write.overwrite?.has(key) === true) entry.overwritten = true;
      }
    }
    if (byKey.size === 0) return state;
    const next: Record<string, unknown> = { ...state };
    for (const [key, entry] of byKey) {
      const channel = this.channels.get(key)!;
      const reducer = channel.reducer;
      if ((reducer === undefined || entry.overwritten) && entry.writers.length > 1) {
        throw concurrentUpdate(key, entry.writers, step, reducer !== undefined);
      }
      if (reducer === undefined || entry.overwritten) {
        next[key] = entry.values[0];
      } else if (reducer.splitItems !== undefined) {
        next[key] = appendAll(state[key] as readonly unknown[], entry.values as unknown[][]);
      } else {
        let value = state[key];
        for (let i = 0; i < entry.values.length; i++) {
          try {
            value = reducer.reduce(value, entry.values[i]);
          } catch (error) {
            throw reducerFailed(key, { writer: entry.writers[i]!, step }, error);
          }
        }
        next[key] = deepFreeze(value);
      }
    }
    return Object.freeze(next);
  }

  /** `writer` is undefined for the run input. */
  private requireKey(key: string, by: Writer | undefined): Channel {
    const channel = this.channels.get(key);
    if (channel === undefined) {
      const writer = by === undefined ? undefined : writerName(by);
      throw new GraphError(
        writer === undefined ? "INVALID_INPUT" : "INVALID_UPDATE",
        `${whoWrote(writer)} key "${key}", which is not in the state.${didYouMean(key, this.channels.keys())}`,
        { details: { key, writer } },
      );
    }
    return channel;
  }

  private parseValue(channel: Channel, raw: unknown, writer: Writer | undefined): unknown {
    const reducer = channel.reducer;
    if (reducer?.splitItems !== undefined) {
      const items = reducer.splitItems(raw);
      if (items === undefined) throw invalidValue(channel, writer, channel.schema.safeParse(raw).error);
      // The list is the parser's fresh copy, which no code outside the engine holds: the commit
      // copies its items into the state, and it is frozen where it leaves the engine (see
      // `exposeWrite`). Only its items, which the state will share, are frozen here.
      for (let i = 0; i < items.length; i++) deepFreeze(items[i]);
      return items;
    }
    if (reducer !== undefined && reducer.update === undefined) return deepFreeze(raw);
    const parsed = (reducer?.update ?? channel.schema).safeParse(raw);
    if (!parsed.success) throw invalidValue(channel, writer, parsed.error);
    return deepFreeze(parsed.data);
  }

  private parseOverwrite(channel: Channel, raw: unknown, writer: Writer): unknown {
    const parsed = channel.schema.safeParse(raw);
    if (!parsed.success) throw invalidValue(channel, writer, parsed.error);
    return deepFreeze(parsed.data);
  }
}

function appendAll(current: readonly unknown[], batches: readonly (readonly unknown[])[]): readonly unknown[] {
  // Spread, not slice(): V8 has no fast path for slicing a frozen array (70× slower at 10 000 items).
  const out = [...current];
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    for (let j = 0; j < batch.length; j++) out.push(batch[j]);
  }
  return Object.freeze(out);
}

function concurrentUpdate(key: string, by: readonly Writer[], step: number, hasReducer: boolean): GraphError {
  const writers = by.map(writerName);
  const names = writers.map((writer) => `"${writer}"`).join(" and ");
  const problem = hasReducer
    ? "and a recipe replaced its whole value: return an update for this key instead of changing it in a recipe"
    : "but has no reducer: give it a reducer or write it from one node";
  return new GraphError(
    "CONCURRENT_UPDATE",
    `Key "${key}" got ${writers.length} updates in step ${step} (from ${names}) ${problem}.`,
    { details: { key, writers, step } },
  );
}

/**
 * A reducer threw: on a task's update (`INVALID_UPDATE`, naming the writer and the step), or
 * while the run starts, making the key's initial value or folding the run input into it
 * (`INVALID_INPUT`). The state is left as it was.
 */
function reducerFailed(
  key: string,
  at: { readonly writer: Writer; readonly step: number } | "init" | "input",
  error: unknown,
): GraphError {
  const reason = error instanceof Error ? error.message : String(error);
  if (typeof at === "string") {
    const what = at === "init" ? "making its initial value" : "on the run input";
    return new GraphError("INVALID_INPUT", `The reducer of key "${key}" threw ${what}: ${reason}`, {
      cause: error,
      details: { key },
    });
  }
  const { step } = at;
  const writer = writerName(at.writer);
  return new GraphError("INVALID_UPDATE", `The reducer of key "${key}" threw on the update from "${writer}" in step ${step}: ${reason}`, {
    cause: error,
    details: { key, writer, step },
  });
}

function invalidValue(channel: Channel, by: Writer | undefined, error: z.ZodError | undefined): GraphError {
  const writer = by === undefined ? undefined : writerName(by);
  const reason = error === undefined ? "it does not match the schema" : formatIssues(error);
  return new GraphError(
    writer === undefined ? "INVALID_INPUT" : "INVALID_UPDATE",
    `${whoWrote(writer)} an invalid value to key "${channel.key}": ${reason}`,
    { cause: error, details: { key: channel.key, writer } },
  );
}

function whoWrote(writer: string | undefined): string {
  return writer === undefined ? "Run input has" : `Node "${writer}" wrote`;
}

/** One line per zod issue: `path: message`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

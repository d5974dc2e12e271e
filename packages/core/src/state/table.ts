import { AppendLog, copyLogs, ListVersions, LOG_MIN_LENGTH, logOf, stateWith } from "./append-lists.js";
import { deepFreeze } from "./freeze.js";
import { z } from "zod";
import { closest, describeThrown, graphError, isPlainObject, kindOf, type GraphError } from "../errors.js";
import { reducerOf, type ReducerSpec } from "./channels.js";
import { parseQuickly, UNSURE } from "./quick-parse.js";
import type { AnyStateSchema } from "./types.js";
import { writerName, type Snapshot, type Write, type Writer } from "../records/write.js";

/**
 * The values of a write, as code outside the engine may see them (stream events, error
 * details): frozen, list batches included.
 */
export function exposeWrite(write: Write | undefined): Readonly<Record<string, unknown>> | undefined {
  return write === undefined ? undefined : deepFreeze(write.values);
}

const hasOwn = Object.prototype.hasOwnProperty;

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
  /** The channel {@link requireKey} found last. */
  private lastChannel: Channel | undefined;

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
    this.lastChannel = undefined;
  }

  /** The state a run starts from: reducer keys at their initial value, then `input` applied. */
  initial(input: unknown): Snapshot {
    if (!isPlainObject(input)) throw graphError("INVALID_INPUT", "notAnObject", { kind: kindOf(input) });
    const record = input;
    for (const key of Object.keys(record)) this.requireKey(key, undefined);
    // A copy without a prototype, so that zod reads only the input's own keys.
    const plain = this.plainInput.safeParse(Object.assign(Object.create(null) as object, record));
    if (!plain.success) {
      const fields = plain.error.issues.map((issue) => issue.path.join("."));
      throw graphError("INVALID_INPUT", "invalid", { fields, problem: formatIssues(plain.error) }, plain.error);
    }
    const state: Record<string, unknown> = {};
    for (const channel of this.channels.values()) {
      if (channel.reducer === undefined) {
        if (Object.hasOwn(plain.data, channel.key)) state[channel.key] = plain.data[channel.key];
        continue;
      }
      const reducer = channel.reducer;
      let value: unknown;
      try {
        // `compile()` refused reducers without an initial value.
        value = reducer.init!();
      } catch (error) {
        throw reducerFailed(channel.key, "init", error);
      }
      if (reducer.splitItems === undefined) checkResult(channel, value, "init");
      const given = Object.hasOwn(record, channel.key) ? record[channel.key] : undefined;
      if (given !== undefined) {
        const parsed = this.parseValue(channel, given, undefined);
        try {
          value = reducer.reduce(value, parsed);
        } catch (error) {
          throw reducerFailed(channel.key, "input", error);
        }
        if (reducer.splitItems === undefined) checkResult(channel, value, "input");
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
    // A Map, a Date or a class instance is no update: its keys are not state keys, and what
    // it holds would be read from its prototype or not at all.
    if (!isPlainObject(update)) {
      throw graphError("INVALID_UPDATE", "notAnUpdate", { node: writerName(writer), kind: kindOf(update) });
    }
    const values: Record<string, unknown> = {};
    // Own enumerable keys only: an inherited property is no part of the update. (for-in with
    // an own check, not Object.keys: no array per update on the hot path; hasOwnProperty.call,
    // which V8 folds inside for-in, where it does not fold Object.hasOwn.)
    for (const key in update) {
      if (!hasOwn.call(update, key)) continue;
      const raw = update[key];
      if (raw === undefined) continue;
      const channel = this.requireKey(key, writer);
      values[key] = overwrite?.has(key) === true ? this.parseOverwrite(channel, raw, writer) : this.parseValue(channel, raw, writer);
    }
    return { writer, values, overwrite };
  }

  /**
   * Merges the writes of one step into `state`, in the order given (task order). A last-value
   * key written twice is a `CONCURRENT_UPDATE`; nothing is changed when that happens.
   */
  commit(state: Snapshot, writes: readonly Write[], step: number): Snapshot {
    if (writes.length === 0) return state;
    const byKey = new Map<string, KeyWrites>();
    // Indexed loops here and in appendAll: they run over every write of a step, often before
    // V8 optimizes them, and a for-of there allocates an iterator result per element.
    // The key written last is kept at hand: a fan-out's writes are to the same key, one after another.
    let lastKey: string | undefined;
    let last: KeyWrites | undefined;
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i]!;
      const values = write.values;
      for (const key in values) {
        // Own keys only: an enumerable property someone put on Object.prototype is no write.
        if (!hasOwn.call(values, key)) continue;
        let entry = key === lastKey ? last : byKey.get(key);
        if (entry === undefined) byKey.set(key, (entry = newKeyWrites(this.channels.get(key)!)));
        lastKey = key;
        last = entry;
        entry.count++;
        const value = values[key];
        if (write.overwrite?.has(key) === true) {
          entry.overwritten = true;
          entry.values.push(value);
        } else if (entry.list) {
          // An append list's batch goes straight into the list's new items: no list of batches to walk again.
          const batch = value as readonly unknown[];
          for (let j = 0; j < batch.length; j++) entry.values.push(batch[j]);
        } else {
          entry.values.push(value);
        }
      }
    }
    if (byKey.size === 0) return state;
    let logs = copyLogs(state);
    // The state's keys in order, without reading its long lists (their accessor would make the
    // list's frozen view): those stay undefined here, for stateWith to fill.
    const next: Record<string, unknown> = {};
    for (const key of Object.keys(state)) next[key] = logs?.has(key) === true ? undefined : state[key];
    for (const [key, entry] of byKey) {
      const channel = entry.channel;
      const reducer = channel.reducer;
      if ((reducer === undefined || entry.overwritten) && entry.count > 1) {
        throw concurrentUpdate(key, writersOf(writes, key), step, reducer !== undefined);
      }
      if (reducer === undefined || entry.overwritten) {
        next[key] = entry.values[0];
        logs?.delete(key);
      } else if (entry.list) {
        const items = entry.values;
        const log = logOf(state, key);
        const current = log === undefined ? ((state[key] as readonly unknown[] | undefined) ?? []) : undefined;
        // A plain copy while it costs no more than the append itself: a short list, or a step
        // that adds at least as many items as the list holds (a fan-out filling it).
        if (current !== undefined && (current.length + items.length < LOG_MIN_LENGTH || items.length >= current.length)) {
          // The items are the commit's own array: a list that was empty becomes it.
          next[key] = current.length === 0 ? Object.freeze(items) : appendAll(current, items);
        } else {
          // A long list appends without copying: see append-lists.ts.
          logs ??= new ListVersions();
          logs.set(key, (log ?? AppendLog.of(current!)).append([items]));
        }
      } else {
        next[key] = deepFreeze(fold(channel, state[key], { values: entry.values, writes }, step));
      }
    }
    return stateWith(next, logs);
  }

  /** `writer` is undefined for the run input. */
  private requireKey(key: string, by: Writer | undefined): Channel {
    // The channel looked up last is kept at hand: a fan-out's writes are to the same key, one after another.
    const last = this.lastChannel;
    if (last !== undefined && last.key === key) return last;
    const channel = this.channels.get(key);
    if (channel === undefined) {
      const suggestion = closest(key, this.channels.keys());
      if (by === undefined) throw graphError("INVALID_INPUT", "unknownKey", { key, suggestion });
      throw graphError("INVALID_UPDATE", "unknownKey", { key, writer: writerName(by), suggestion });
    }
    this.lastChannel = channel;
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
    const schema = reducer?.update ?? channel.schema;
    const quick = parseQuickly(schema, raw);
    if (quick !== UNSURE) return deepFreeze(quick);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw invalidValue(channel, writer, parsed.error);
    return deepFreeze(parsed.data);
  }

  private parseOverwrite(channel: Channel, raw: unknown, writer: Writer): unknown {
    const parsed = channel.schema.safeParse(raw);
    if (!parsed.success) throw invalidValue(channel, writer, parsed.error);
    return deepFreeze(parsed.data);
  }
}

/**
 * What a step writes to one key: the values in task order — for an append list, the items of
 * its batches, one after another — how many writes there were, and whether one of them
 * replaces the key (its value is then the first). Who wrote them is looked up in the step's
 * writes only to name a writer in an error (see {@link writersOf}): a fan-out's commit keeps
 * no second list beside the values.
 */
interface KeyWrites {
  readonly channel: Channel;
  /** True for an append list, whose writes are batches of items. */
  readonly list: boolean;
  readonly values: unknown[];
  count: number;
  overwritten: boolean;
}

function newKeyWrites(channel: Channel): KeyWrites {
  return { channel, list: channel.reducer?.splitItems !== undefined, values: [], count: 0, overwritten: false };
}

/** The writers of `key` among `writes`, in order: one for each of the key's writes ({@link KeyWrites.count}). */
function writersOf(writes: readonly Write[], key: string): Writer[] {
  const writers: Writer[] = [];
  for (let i = 0; i < writes.length; i++) {
    const values = writes[i]!.values;
    if (hasOwn.call(values, key)) writers.push(writes[i]!.writer);
  }
  return writers;
}

function appendAll(current: readonly unknown[], items: readonly unknown[]): readonly unknown[] {
  // Spread, not slice(): V8 has no fast path for slicing a frozen array (70× slower at 10 000 items).
  const out = [...current];
  for (let i = 0; i < items.length; i++) out.push(items[i]);
  return Object.freeze(out);
}

function concurrentUpdate(key: string, by: readonly Writer[], step: number, hasReducer: boolean): GraphError {
  return graphError("CONCURRENT_UPDATE", hasReducer ? "recipeReplaced" : "noReducer", { key, writers: by.map(writerName), step });
}

/**
 * A reducer threw: on a task's update (`INVALID_UPDATE`, naming the writer and the step), or
 * while the run starts, making the key's initial value or folding the run input into it
 * (`INVALID_INPUT`). The state is left as it was.
 */
function reducerFailed(key: string, at: { readonly writer: Writer; readonly step: number } | "init" | "input", error: unknown): GraphError {
  const problem = describeThrown(error);
  if (typeof at === "string") return graphError("INVALID_INPUT", at === "init" ? "reducerInit" : "reducerInput", { key, problem }, error);
  return graphError("INVALID_UPDATE", "reducerThrew", { key, writer: writerName(at.writer), step: at.step, problem }, error);
}

function invalidValue(channel: Channel, by: Writer | undefined, error: z.ZodError | undefined): GraphError {
  const problem = error === undefined ? "it does not match the schema" : formatIssues(error);
  if (by === undefined) return graphError("INVALID_INPUT", "invalidValue", { key: channel.key, problem }, error);
  return graphError("INVALID_UPDATE", "invalidValue", { key: channel.key, writer: writerName(by), problem }, error);
}

/**
 * Folds a step's writes to a reducer key into `current`, and checks the result against the
 * key's schema, once per step: a result the schema rejects (a number reducer fed a string)
 * is an `INVALID_UPDATE` naming the first writer whose update made it so.
 */
function fold(
  channel: Channel,
  current: unknown,
  entry: { readonly values: readonly unknown[]; readonly writes: readonly Write[] },
  step: number,
): unknown {
  const reducer = channel.reducer!;
  const apply = (value: unknown, i: number): unknown => {
    try {
      return reducer.reduce(value, entry.values[i]);
    } catch (error) {
      throw reducerFailed(channel.key, { writer: writersOf(entry.writes, channel.key)[i]!, step }, error);
    }
  };
  let value = current;
  for (let i = 0; i < entry.values.length; i++) value = apply(value, i);
  if (parseQuickly(channel.schema, value) !== UNSURE || channel.schema.safeParse(value).success) return value;
  // Only on failure: fold again one write at a time to name the writer at fault.
  value = current;
  for (let i = 0; i < entry.values.length; i++) {
    value = apply(value, i);
    const parsed = channel.schema.safeParse(value);
    if (!parsed.success) {
      const writer = writersOf(entry.writes, channel.key)[i]!;
      const details = { key: channel.key, writer: writerName(writer), step, problem: formatIssues(parsed.error) };
      throw graphError("INVALID_UPDATE", "reducerResult", details, parsed.error);
    }
  }
  return value;
}

/** A reducer's initial value, or its fold of the run input, must pass the key's schema. */
function checkResult(channel: Channel, value: unknown, at: "init" | "input"): void {
  const parsed = channel.schema.safeParse(value);
  if (parsed.success) return;
  const problem = formatIssues(parsed.error);
  throw graphError("INVALID_INPUT", at === "init" ? "reducerInitInvalid" : "reducerResult", { key: channel.key, problem }, parsed.error);
}

/** One line per zod issue: `path: message`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
}

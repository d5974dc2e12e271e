import { z } from "zod";
import { graphError, kindOf } from "../errors.js";
import { type QuickParse, quickParse, UNSURE } from "./quick-parse.js";

/** How one state key folds the writes it receives in a step. */
export interface ReducerSpec<TValue = unknown, TUpdate = unknown> {
  /** Folds one update into the current value. Must not mutate `current`. */
  readonly reduce: (current: TValue, update: TUpdate) => TValue;
  /**
   * Creates the value the key holds before any write. Undefined when `reducer()` was called
   * without one (from plain JavaScript): `compile()` refuses the graph.
   */
  readonly init: (() => TValue) | undefined;
  /** The initial value when it was given as a value rather than a function, for `compile()` to check. */
  readonly initValue?: { readonly value: TValue };
  /** Validates one update, when the reducer was given an update schema. */
  readonly update: z.ZodType | undefined;
  /**
   * Tells an update of several items from one item, for list channels (see {@link appendList}).
   * Returns a new array, which the engine owns.
   */
  readonly splitItems?: (update: unknown) => readonly unknown[] | undefined;
}

declare const reducerMark: unique symbol;

/**
 * A zod schema marked as a reducer channel. The mark exists in types only; at run time the
 * schema is a fresh clone registered with its {@link ReducerSpec}.
 */
export type ReducerSchema<TSchema extends z.ZodType, TUpdate> = TSchema & {
  readonly [reducerMark]: { readonly update: TUpdate };
};

/** The update type of a key: its reducer's update type, or the schema's input type. */
export type UpdateValueOf<TSchema> = TSchema extends { readonly [reducerMark]: { readonly update: infer U } } ? U : z.input<TSchema>;

/** True for keys declared with {@link reducer} or {@link appendList}. */
export type IsReducerKey<TSchema> = TSchema extends { readonly [reducerMark]: unknown } ? true : false;

const reducers = new WeakMap<z.ZodType, ReducerSpec>();

/**
 * Declares a state key that folds every write of a step with `reduce`, starting from `init`
 * (a value, or a function that makes a fresh one for each run). The update type may differ
 * from the value type. Updates reach `reduce` as the node wrote them; pass `options.update`
 * to have Weft validate them first (an invalid one is an `INVALID_UPDATE` naming the node and
 * the key). What `reduce` returns is validated with `schema`: a result the schema rejects is
 * an `INVALID_UPDATE` naming the key and the writer, and the state keeps its value.
 *
 * @example
 * ```ts
 * const State = z.object({
 *   total: reducer(z.number(), (sum, n: number) => sum + n, 0),
 * });
 * ```
 * @see ../../../../docs/concepts/state.md
 */
export function reducer<TSchema extends z.ZodType, TUpdate = z.output<TSchema>>(
  schema: TSchema,
  reduce: (current: z.output<TSchema>, update: TUpdate) => z.output<TSchema>,
  init: z.output<TSchema> | (() => z.output<TSchema>),
  options: { update?: z.ZodType<TUpdate> } = {},
): ReducerSchema<TSchema, TUpdate> {
  if (typeof (schema as { clone?: unknown } | null)?.clone !== "function") {
    throw graphError("INVALID_GRAPH", "reducerSchema", { kind: kindOf(schema) });
  }
  const marked = schema.clone() as TSchema;
  // From plain JavaScript, `reducer(schema, fn)` leaves out the initial value the types require.
  // biome-ignore lint/complexity/noArguments: an omitted argument differs from one given as undefined.
  const missing = arguments.length < 3;
  reducers.set(marked, {
    reduce: reduce as ReducerSpec["reduce"],
    init: missing ? undefined : typeof init === "function" ? (init as () => unknown) : () => init,
    initValue: missing || typeof init === "function" ? undefined : { value: init },
    update: options.update,
  });
  return marked as ReducerSchema<TSchema, TUpdate>;
}

/**
 * Declares a list key that appends every write of a step, in task order. A write may be one
 * item or an array of items; the list starts empty.
 *
 * @example
 * ```ts
 * const State = z.object({ results: appendList(z.string()) });
 * // a node returns { results: "one" } or { results: ["one", "two"] }
 * ```
 * @see ../../../../docs/concepts/state.md
 */
export function appendList<TItem extends z.ZodType>(
  item: TItem,
): ReducerSchema<z.ZodArray<TItem>, z.input<TItem> | readonly z.input<TItem>[]> {
  const list = z.array(item);
  const marked = list.clone();
  const items = new ItemParse(item);
  const splitItems = (update: unknown): readonly unknown[] | undefined => {
    if (Array.isArray(update)) {
      const many = items.all(update);
      if (many !== undefined) return many;
    }
    const one = items.one(update);
    return one === UNSURE ? undefined : [one];
  };
  reducers.set(marked, {
    reduce: (current, update) => (current as unknown[]).concat(update as unknown[]),
    init: () => [],
    update: z.union([list, item]),
    splitItems,
  });
  return marked as ReducerSchema<z.ZodArray<TItem>, z.input<TItem> | readonly z.input<TItem>[]>;
}

/** How a list's items are parsed: quickly where the item schema allows (see quick-parse.ts), else by zod. */
class ItemParse {
  readonly #item: z.ZodType;
  /** Looked up at the first parse, not when the list is declared: an object's shape may not be readable yet. */
  #quick: QuickParse | null | undefined;

  constructor(item: z.ZodType) {
    this.#item = item;
  }

  /** The item parsed, or {@link UNSURE} when zod refuses it. */
  one(value: unknown): unknown {
    const parse = (this.#quick ??= quickParse(this.#item) ?? null);
    const quick = parse === null ? UNSURE : parse(value);
    if (quick !== UNSURE) return quick;
    const parsed = this.#item.safeParse(value);
    return parsed.success ? parsed.data : UNSURE;
  }

  /**
   * What `z.array(item)` makes of an array, item by item: a new array of the parsed items, or
   * undefined when one fails. The same answer as the array schema's (which has no checks of
   * its own), without its per-parse bookkeeping: a fan-out's workers each append an item or two.
   */
  all(update: readonly unknown[]): unknown[] | undefined {
    // Made at its final length: an array grown by push from empty reserves room for 17 items.
    const items = new Array<unknown>(update.length);
    for (let i = 0; i < update.length; i++) {
      const parsed = this.one(update[i]);
      if (parsed === UNSURE) return undefined;
      items[i] = parsed;
    }
    return items;
  }
}

/** The {@link ReducerSpec} a schema was marked with, if any. */
export function reducerOf(schema: z.ZodType): ReducerSpec | undefined {
  return reducers.get(schema);
}

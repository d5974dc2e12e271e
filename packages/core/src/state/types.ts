import type { z } from "zod";
import type { IsReducerKey, UpdateValueOf } from "./channels.js";

/** Any zod object schema usable as a graph's state. */
export type AnyStateSchema = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

type ShapeOf<TSchema extends AnyStateSchema> = TSchema["shape"];

/** The state nodes read: the schema's output type. */
export type StateOf<TSchema extends AnyStateSchema> = z.output<TSchema>;

/** What a node may return: any subset of keys, each in its update type. */
export type UpdateOf<TSchema extends AnyStateSchema> = {
  [K in keyof ShapeOf<TSchema>]?: UpdateValueOf<ShapeOf<TSchema>[K]>;
};

type ReducerKeys<TSchema extends AnyStateSchema> = {
  [K in keyof ShapeOf<TSchema>]: IsReducerKey<ShapeOf<TSchema>[K]> extends true ? K : never;
}[keyof ShapeOf<TSchema>];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * What `invoke` accepts: the schema's input type, where reducer keys are optional and
 * given as updates (they are folded into the key's initial value).
 */
export type InputOf<TSchema extends AnyStateSchema> = Simplify<
  Omit<z.input<TSchema>, ReducerKeys<TSchema>> & {
    [K in ReducerKeys<TSchema>]?: UpdateValueOf<ShapeOf<TSchema>[K]>;
  }
>;

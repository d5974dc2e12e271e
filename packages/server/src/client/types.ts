import type { CompiledDef, CompiledGraph, InputOf, RunEvent, StateOf, ThreadState, UpdateOf } from "@weft/core";
import type { SerializedError } from "@weft/core/draw";

/** The definition behind a compiled graph. */
type DefOf<TGraph> = TGraph extends CompiledGraph<infer TDef extends CompiledDef> ? TDef : never;

/** What a graph's runs take as input. */
export type GraphInput<TGraph> = InputOf<DefOf<TGraph>["state"]>;
/** A graph's state type. */
export type GraphState<TGraph> = StateOf<DefOf<TGraph>["state"]>;
/** What `updateState` takes for a graph. */
export type GraphUpdate<TGraph> = UpdateOf<DefOf<TGraph>["state"]>;
/** A graph's node names. */
export type GraphNodes<TGraph> = keyof DefOf<TGraph>["nodes"] & string;

type Wire<TEvent> = TEvent extends { readonly error: unknown } ? Omit<TEvent, "error"> & { readonly error: SerializedError } : TEvent;

/**
 * A run event as the server sends it: the graph's `RunEvent`, serialized (errors as
 * `{ name, message, code? }`), with `id`, its number within the run (its SSE event id).
 */
export type ServerRunEvent<TGraph> = Wire<RunEvent<GraphState<TGraph>, GraphNodes<TGraph>>> & { readonly id: number };

/** A thread's state at one checkpoint, as the server sends it. */
export type ServerThreadState<TGraph> = ThreadState<GraphState<TGraph>, GraphNodes<TGraph>>;

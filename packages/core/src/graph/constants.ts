/**
 * The virtual node every run starts from. Edges out of START choose the first step's tasks.
 *
 * @example
 * ```ts
 * builder.addEdge(START, "plan");
 * ```
 */
export const START = "__start__";
/** The type of {@link START}. */
export type START = typeof START;

/**
 * The virtual node that ends a path. A run ends when no task is left to run.
 *
 * @example
 * ```ts
 * builder.addEdge("synthesize", END);
 * ```
 */
export const END = "__end__";
/** The type of {@link END}. */
export type END = typeof END;

/**
 * Weft's failures: the {@link GraphError} class, its codes and their details, and the helpers
 * every message uses to show values safely.
 *
 * @see ../../../docs/concepts/failures.md
 */
export {
  GraphError,
  graphError,
  isGraphError,
  type GraphErrorConstructor,
  type GraphErrorOptions,
  type GraphErrorReason,
} from "./errors/graph-error.js";
export type { GraphErrorCode, GraphErrorDetails, GraphErrorDetailsByCode, OptionScope } from "./errors/details.js";
export {
  closest,
  describeThrown,
  didYouMean,
  isAbortError,
  isArray,
  isPlainObject,
  kindOf,
  showValue,
  suggest,
} from "./errors/describe.js";

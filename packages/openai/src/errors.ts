/**
 * What went wrong with a model's answer.
 *
 * @example
 * ```ts
 * const retryable = (code: ModelErrorCode) => code !== "MAX_TURNS";
 * ```
 * @see ../../../docs/guides/openai.md
 */
export type ModelErrorCode =
  /** A structured answer is not valid JSON (`raw` holds the text). */
  | "INVALID_JSON"
  /** A structured answer is JSON but does not match the zod schema (`raw` holds the text). */
  | "SCHEMA_MISMATCH"
  /** The model refused to answer (`raw` holds the refusal). */
  | "REFUSAL"
  /** The answer has no choice, or no content where content was needed. */
  | "EMPTY_ANSWER"
  /** The agent loop reached `maxTurns` and the model still asked for tools. */
  | "MAX_TURNS";

const brand = Symbol.for("weft.openai.ModelError");

/**
 * The error `@weft/openai` throws about a model's answer. It is not a `GraphError`, so a node's
 * `retry` policy retries it by default: a malformed answer often comes out right the next time.
 *
 * @example
 * ```ts
 * builder.addNode("classify", classify, { retry: { maxAttempts: 3 } });
 * // after the last attempt:
 * if (isModelError(error.cause) && error.cause.code === "INVALID_JSON") console.log(error.cause.raw);
 * ```
 * @see ../../../docs/guides/openai.md
 */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** The model's raw text (or refusal), when there was one. */
  readonly raw: string | undefined;
  /** Structured facts (model, issues, finish reason…) for programs rather than people. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly [brand] = true;

  constructor(code: ModelErrorCode, message: string, options: { raw?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ModelError";
    this.code = code;
    this.raw = options.raw;
    this.details = Object.freeze({ ...options.details });
  }
}

/**
 * True for any {@link ModelError}, even one created by another copy of this package.
 *
 * @example
 * ```ts
 * if (isModelError(error) && error.code === "SCHEMA_MISMATCH") console.log(error.raw);
 * ```
 */
export function isModelError(value: unknown): value is ModelError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

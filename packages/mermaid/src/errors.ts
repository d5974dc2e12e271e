/**
 * What went wrong while rendering a diagram.
 *
 * @example
 * ```ts
 * const retryable = (code: RenderErrorCode) => code === "RENDER_FAILED";
 * ```
 */
export type RenderErrorCode =
  /** No Chromium executable was found (see `findChromium`). */
  | "CHROMIUM_NOT_FOUND"
  /** Chromium was found but did not start. */
  | "CHROMIUM_LAUNCH_FAILED"
  /** Mermaid rejected the diagram text. */
  | "INVALID_DIAGRAM"
  /** The diagram parsed but could not be drawn or captured. */
  | "RENDER_FAILED"
  /** `render` was called after `close`, or the browser went away. */
  | "RENDERER_CLOSED"
  /** The `"mermaid-cli"` engine was asked for, and its optional peer `@mermaid-js/mermaid-cli` is not installed. */
  | "MERMAID_CLI_NOT_INSTALLED";

const brand = Symbol.for("weft.RenderError");

/**
 * The one error class of `@weft/mermaid`; `code` says what went wrong and `cause` keeps the
 * original error.
 *
 * @example
 * ```ts
 * try {
 *   await renderMermaid(text, { format: "svg" });
 * } catch (error) {
 *   if (isRenderError(error) && error.code === "CHROMIUM_NOT_FOUND") console.error(error.message);
 * }
 * ```
 * @see ../../../docs/diagrams.md
 */
export class RenderError extends Error {
  readonly code: RenderErrorCode;
  readonly [brand] = true;

  constructor(code: RenderErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RenderError";
    this.code = code;
  }
}

/**
 * True for any {@link RenderError}, even one created by another copy of this package.
 *
 * @example
 * ```ts
 * if (isRenderError(error)) console.error(error.code);
 * ```
 */
export function isRenderError(value: unknown): value is RenderError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

import { isGraphError, type GraphErrorCode } from "@weft/core";

/**
 * The `code` of every error body the server sends: a {@link GraphErrorCode} from the engine,
 * or one of the server's own.
 *
 * @example
 * ```ts
 * const retry = (code: ServerErrorCode): boolean => code === "THREAD_BUSY";
 * ```
 * @see ../../../docs/guides/server.md
 */
export type ServerErrorCode =
  | GraphErrorCode
  /** No graph of that name is served. */
  | "UNKNOWN_GRAPH"
  /** No run of that id is known (never started, or past its retention window). */
  | "UNKNOWN_RUN"
  /** No route matches the method and path. */
  | "NOT_FOUND"
  /** The request body is larger than the server's `maxBodyBytes`. */
  | "PAYLOAD_TOO_LARGE"
  /** The server has a token and the request did not bring it. */
  | "UNAUTHORIZED"
  /** Anything else: a bug or a failing store. */
  | "INTERNAL";

/**
 * What every failed request gets as its JSON body.
 *
 * @example
 * ```ts
 * const body: ErrorBody = { error: { code: "INVALID_INPUT", message: "Body field \"input\" …" } };
 * ```
 */
export interface ErrorBody {
  readonly error: {
    readonly code: ServerErrorCode;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

/**
 * A failure the server reports with its own code (see {@link ServerErrorCode}). Engine
 * failures stay `GraphError`s; both become an {@link ErrorBody}.
 *
 * @example
 * ```ts
 * throw new ServerError("UNKNOWN_RUN", `No run "${runId}".`);
 * ```
 */
export class ServerError extends Error {
  override readonly name = "ServerError";
  readonly code: ServerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ServerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

const STATUS: Partial<Record<ServerErrorCode, 400 | 401 | 404 | 409 | 413>> = {
  INVALID_INPUT: 400,
  INVALID_OPTION: 400,
  INVALID_RESUME: 400,
  INVALID_UPDATE: 400,
  INVALID_ROUTE: 400,
  UNKNOWN_NODE: 400,
  UNAUTHORIZED: 401,
  UNKNOWN_THREAD: 404,
  UNKNOWN_GRAPH: 404,
  UNKNOWN_RUN: 404,
  NOT_FOUND: 404,
  THREAD_BUSY: 409,
  INVALID_CHECKPOINT: 409,
  PAYLOAD_TOO_LARGE: 413,
};

/**
 * The HTTP status and JSON body of any thrown value: a `GraphError` or {@link ServerError}
 * keeps its code (`UNKNOWN_THREAD` → 404, `INVALID_INPUT` → 400, `THREAD_BUSY` → 409 …);
 * anything else is a 500 `INTERNAL`.
 *
 * @example
 * ```ts
 * const { status, body } = errorResponse(new ServerError("UNKNOWN_RUN", "No run \"r1\"."));
 * // status 404, body.error.code "UNKNOWN_RUN"
 * ```
 */
export function errorResponse(error: unknown): { status: 400 | 401 | 404 | 409 | 413 | 500; body: ErrorBody } {
  if (error instanceof ServerError || isGraphError(error)) {
    const code = error.code as ServerErrorCode;
    const details = Object.keys(error.details).length === 0 ? undefined : jsonDetails(error.details);
    return {
      status: STATUS[code] ?? 500,
      body: { error: details === undefined ? { code, message: error.message } : { code, message: error.message, details } },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: "INTERNAL", message } } };
}

/** Details as JSON can carry them: anything that does not survive `JSON.stringify` is dropped. */
function jsonDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

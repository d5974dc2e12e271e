import { GraphError, type GraphErrorCode, type Usage } from "@weft/core";
import type { AttemptRequest, AttemptResult } from "@weft/core/adapter";
import { decode, encode, type Wire } from "./codec.js";

/**
 * The messages between a driver and its workers, as BullMQ stores them (JSON). Every message
 * carries `weft: 1` so that a worker or driver of another format version is detected, not
 * misread.
 */
const VERSION = 1;

/** A job's data: one attempt of one task. */
export interface JobData {
  readonly weft: typeof VERSION;
  readonly request: Wire;
}

/** A job's return value: what the attempt produced, or the error the node threw. */
export type JobReturn =
  | { readonly weft: typeof VERSION; readonly worker: string; readonly result: WireResult }
  | { readonly weft: typeof VERSION; readonly worker: string; readonly error: WireError };

/** A job's progress: one custom event emitted by the node, or one usage it reported (`ctx.reportUsage`). */
export type JobProgress = { readonly weft: typeof VERSION; readonly emit: Wire } | { readonly weft: typeof VERSION; readonly usage: Wire };

/** An error as plain data: enough to rebuild it with its name, code, stack and cause. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly details?: Wire;
  readonly cause?: WireError;
  /** Other own properties (an HTTP `status`, say), when they could be encoded. */
  readonly props?: Wire;
}

/** Encodes an attempt for a job. Inputs that cannot be sent fail with `INVALID_INPUT`. */
export function encodeRequest(request: AttemptRequest): JobData {
  return { weft: VERSION, request: encode(request, { path: `input of "${request.node}"`, code: "INVALID_INPUT" }) };
}

/** Reads a job's data back into the attempt it stands for. */
export function decodeRequest(data: unknown): AttemptRequest {
  checkVersion(data, "job data");
  return decode((data as JobData).request) as AttemptRequest;
}

/** Encodes what an attempt returned. Results that cannot be sent fail with `INVALID_UPDATE`. */
export function encodeResult(result: AttemptResult, worker: string): JobReturn {
  const wire: WireResult =
    result.kind === "interrupted"
      ? {
          kind: "interrupted",
          id: result.id,
          value: encode(result.value, { path: "interrupt value" }),
          ...pauseOf(result),
        }
      : {
          kind: "returned",
          update: encode(result.result.update, { path: "update" }),
          overwrite: result.result.overwrite === undefined ? null : [...result.result.overwrite],
          goto: encode(result.result.goto, { path: "goto" }),
        };
  return { weft: VERSION, worker, result: wire };
}

/** A timed interrupt's or a sleep's wait, and the answers before it, when the attempt has them. */
function pauseOf(result: AttemptResult & { kind: "interrupted" }): { pause?: Wire } {
  const { sleep, wait, resumes } = result;
  if (sleep === undefined && wait === undefined && resumes === undefined) return {};
  return { pause: encode({ sleep, wait, resumes }, { path: "interrupt default" }) };
}

/** An attempt's result as plain data. */
type WireResult =
  | { readonly kind: "returned"; readonly update: Wire; readonly overwrite: string[] | null; readonly goto: Wire }
  | { readonly kind: "interrupted"; readonly id: string; readonly value: Wire; readonly pause?: Wire };

/** Encodes the error an attempt threw. */
export function encodeFailure(error: unknown, worker: string): JobReturn {
  return { weft: VERSION, worker, error: toWireError(error, 0) };
}

/** Reads a job's return value: the attempt's result, or throws the node's error rebuilt. */
export function decodeReturn(value: unknown): AttemptResult {
  checkVersion(value, "job result");
  const message = value as JobReturn;
  if ("error" in message) throw fromWireError(message.error);
  const result = message.result;
  if (result.kind === "interrupted") {
    const interrupted = { kind: "interrupted" as const, id: result.id, value: decode(result.value) };
    if (result.pause === undefined) return interrupted;
    const { sleep, wait, resumes } = decode(result.pause) as Pick<AttemptResult & { kind: "interrupted" }, "sleep" | "wait" | "resumes">;
    return {
      ...interrupted,
      ...(sleep === undefined ? {} : { sleep }),
      ...(wait === undefined ? {} : { wait }),
      ...(resumes === undefined ? {} : { resumes }),
    };
  }
  return {
    kind: "returned",
    result: {
      update: decode(result.update),
      overwrite: result.overwrite === null ? undefined : new Set(result.overwrite),
      goto: decode(result.goto) as unknown[],
    },
  };
}

/** Encodes one custom event for a job's progress. */
export function encodeProgress(data: unknown): JobProgress {
  return { weft: VERSION, emit: encode(data, { path: "custom event" }) };
}

/** Encodes one usage report of the node for a job's progress. */
export function encodeUsage(usage: Usage): JobProgress {
  return { weft: VERSION, usage: encode(usage, { path: "usage" }) };
}

/** Reads a custom event or a usage report from a job's progress; undefined for progress that is not Weft's. */
export function decodeProgress(value: unknown): { data: unknown } | { usage: Usage } | undefined {
  if (typeof value !== "object" || value === null || (value as JobProgress).weft !== VERSION) return undefined;
  if ("usage" in value) return { usage: decode((value as { usage: Wire }).usage) as Usage };
  return { data: decode((value as { emit: Wire }).emit) };
}

function checkVersion(value: unknown, what: string): void {
  const version = typeof value === "object" && value !== null ? (value as { weft?: unknown }).weft : undefined;
  if (version !== VERSION) {
    throw new Error(
      `This ${what} is in Weft wire format ${JSON.stringify(version)}, but this @weft/bullmq reads format ${VERSION}: run the same @weft/bullmq version on the driver and the workers.`,
    );
  }
}

const MAX_CAUSE_DEPTH = 5;
const OWN = new Set(["name", "message", "stack", "cause", "code", "details"]);

function toWireError(error: unknown, depth: number): WireError {
  if (!(error instanceof Error)) {
    return { name: "Error", message: typeof error === "string" ? error : `A non-Error value was thrown: ${safeString(error)}` };
  }
  const record = error as Error & { code?: unknown; details?: unknown };
  const props: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(error)) if (!OWN.has(key)) props[key] = item;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof record.code === "string" ? { code: record.code } : {}),
    ...optional("details", record.details),
    ...(error.cause === undefined || depth >= MAX_CAUSE_DEPTH ? {} : { cause: toWireError(error.cause, depth + 1) }),
    ...(Object.keys(props).length === 0 ? {} : optional("props", props)),
  };
}

/** Encodes `value` under `key`, or leaves it out when it cannot be encoded. */
function optional(key: "details" | "props", value: unknown): Partial<Record<typeof key, Wire>> {
  if (value === undefined) return {};
  try {
    return { [key]: encode(value) };
  } catch {
    return {};
  }
}

function fromWireError(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : fromWireError(wire.cause);
  const error =
    wire.name === "GraphError" && wire.code !== undefined
      ? new GraphError(wire.code as GraphErrorCode, wire.message, {
          cause,
          details: (wire.details === undefined ? {} : decode(wire.details)) as Record<string, unknown>,
        })
      : Object.assign(new Error(wire.message, cause === undefined ? undefined : { cause }), {
          ...(wire.code === undefined ? {} : { code: wire.code }),
          ...(wire.details === undefined ? {} : { details: decode(wire.details) }),
        });
  error.name = wire.name;
  if (wire.props !== undefined) Object.assign(error, decode(wire.props));
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

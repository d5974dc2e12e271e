import { SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import { WeftAttributes as A } from "./attributes.js";

/** What a span says about an error of any kind (an Error, a string, anything thrown). */
export function errorAttributes(error: unknown): Attributes {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : typeof error;
  return {
    [A.ERROR_TYPE]: code ?? name,
    [A.ERROR_MESSAGE]: errorMessage(error),
    ...(code === undefined ? {} : { [A.ERROR_CODE]: code }),
  };
}

/** Marks `span` failed with `error`: status, attributes and an `exception` event. */
export function recordError(span: Span, error: unknown, time?: number): void {
  span.setAttributes(errorAttributes(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
  if (error instanceof Error) span.recordException(error, time);
  else span.recordException(errorMessage(error), time);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  try {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" || typeof code === "number" ? String(code) : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === "string" ? error : `A non-Error value was thrown: ${String(error)}`;
  } catch {
    return `A non-Error value was thrown (${typeof error}).`;
  }
}

import { context, createTraceState, isSpanContextValid, propagation, trace, type Context, type SpanContext } from "@opentelemetry/api";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace context of `ctx` as propagation headers, for `AttemptRequest.trace`: whatever the
 * registered propagator writes, and at least W3C `traceparent` (and `tracestate`), so the
 * context crosses processes even where no propagator is registered. Empty when `ctx` holds
 * no valid span.
 *
 * @example
 * ```ts
 * const headers = injectTrace(context.active()); // { traceparent: "00-…-…-01" }
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
export function injectTrace(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  const span = trace.getSpanContext(ctx);
  if (headers.traceparent === undefined && span !== undefined && isSpanContextValid(span)) {
    headers.traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
    const state = span.traceState?.serialize();
    if (state !== undefined && state !== "") headers.tracestate = state;
  }
  return headers;
}

/**
 * The context that {@link injectTrace}'s headers stand for, on top of `base` (the active
 * context by default). Headers that are missing, not an object, or malformed give `base`
 * unchanged: a bad trace header never stops the work it came with.
 *
 * @example
 * ```ts
 * const parent = extractTrace(request.trace);
 * await context.with(parent, () => tracer.startActiveSpan("work", (span) => span.end()));
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
export function extractTrace(headers: unknown, base: Context = context.active()): Context {
  if (typeof headers !== "object" || headers === null) return base;
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (typeof value === "string") carrier[key] = value;
  const extracted = propagation.extract(base, carrier);
  if (trace.getSpanContext(extracted) !== undefined) return extracted;
  const parsed = parseTraceparent(carrier.traceparent, carrier.tracestate);
  return parsed === undefined ? extracted : trace.setSpanContext(extracted, parsed);
}

function parseTraceparent(value: string | undefined, state: string | undefined): SpanContext | undefined {
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase());
  if (match === null) return undefined;
  const span: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
    ...(state === undefined || state === "" ? {} : { traceState: createTraceState(state) }),
  };
  return isSpanContextValid(span) ? span : undefined;
}

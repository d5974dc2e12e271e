import { createTraceState, propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { extractTrace, injectTrace } from "./carrier.js";

const span = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState("vendor=a1"),
};
const ctx = trace.setSpanContext(ROOT_CONTEXT, span);

afterEach(() => propagation.disable());

describe("trace headers", () => {
  it("carry the span context as W3C traceparent and tracestate with no propagator registered", () => {
    const headers = injectTrace(ctx);
    expect(headers).toEqual({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "vendor=a1" });
    const back = trace.getSpanContext(extractTrace(JSON.parse(JSON.stringify(headers)), ROOT_CONTEXT))!;
    expect(back).toMatchObject({ traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(back.traceState?.get("vendor")).toBe("a1");
  });

  it("are empty for a context without a valid span", () => {
    expect(injectTrace(ROOT_CONTEXT)).toEqual({});
    expect(injectTrace(trace.setSpanContext(ROOT_CONTEXT, { ...span, traceId: "0".repeat(32) }))).toEqual({});
  });

  it("leave the context as it is when missing or malformed, whatever plain JavaScript sends", () => {
    for (const bad of [
      undefined,
      null,
      5,
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      {},
      { traceparent: 42 },
      { traceparent: "garbage" },
      { traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01" },
      { traceparent: "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01" },
      { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01" },
    ]) {
      expect(trace.getSpanContext(extractTrace(bad, ROOT_CONTEXT))).toBeUndefined();
    }
  });

  it("go through a registered propagator too, both ways", () => {
    const seen: string[] = [];
    const custom: TextMapPropagator = {
      inject: (_ctx, carrier: Record<string, string>) => {
        carrier["x-custom"] = "1";
      },
      extract: (context, carrier: Record<string, string>) => {
        seen.push(carrier["x-custom"] ?? "none");
        return context;
      },
      fields: () => ["x-custom"],
    };
    propagation.setGlobalPropagator(custom);
    const headers = injectTrace(ctx);
    expect(headers["x-custom"]).toBe("1");
    expect(headers.traceparent).toBeDefined();
    expect(trace.getSpanContext(extractTrace(headers, ROOT_CONTEXT))?.spanId).toBe(span.spanId);
    expect(seen).toEqual(["1"]);
  });
});

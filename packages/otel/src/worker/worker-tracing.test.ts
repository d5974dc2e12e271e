import { SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import type { AttemptRequest, AttemptResult } from "@weft/core/adapter";
import { afterEach, describe, expect, it } from "vitest";
import { setupTracing } from "../../test/spans.js";
import { WeftAttributes as A } from "../run/attributes.js";
import { workerTracing } from "./worker-tracing.js";

const tracing = setupTracing();
afterEach(() => tracing.exporter.reset());

const request: AttemptRequest = {
  taskId: "2:1",
  node: "work",
  step: 2,
  sendIndex: 1,
  graph: "g",
  attempt: 3,
  input: {},
  resumes: [],
  interruptScope: undefined,
  trace: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
};
const returned: AttemptResult = { kind: "returned", result: { update: { a: 1 }, overwrite: undefined, goto: [] } };

describe("workerTracing", () => {
  it("runs the node inside a node span whose parent is the driver's attempt span", async () => {
    let active: string | undefined;
    const result = await workerTracing({ tracer: tracing.tracer, attributes: { "service.instance.id": "w1" } })(request, async () => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      return returned;
    });
    expect(result).toBe(returned);
    const [span] = tracing.spans();
    expect(span!.name).toBe("node work");
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(span!.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(span!.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(active).toBe(span!.spanContext().spanId);
    expect(span!.attributes).toMatchObject({
      [A.NODE]: "work",
      [A.TASK_ID]: "2:1",
      [A.STEP]: 2,
      [A.SEND_INDEX]: 1,
      [A.ATTEMPT]: 3,
      "service.instance.id": "w1",
    });
  });

  it("fails the span with what the node threw, and rethrows it unchanged", async () => {
    const thrown = { not: "an error" };
    const error = await workerTracing({ tracer: tracing.tracer })(request, () => Promise.reject(thrown)).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    const [span] = tracing.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes[A.ERROR_MESSAGE]).toBe("A non-Error value was thrown: [object Object]");
  });

  it("starts a trace of its own for an attempt without or with malformed headers", async () => {
    for (const headers of [undefined, { traceparent: "nonsense" }, "nonsense" as never]) {
      await workerTracing({ tracer: tracing.tracer })({ ...request, trace: headers }, async () => returned);
    }
    for (const span of tracing.spans()) expect(span.parentSpanContext).toBeUndefined();
    expect(tracing.spans()).toHaveLength(3);
  });

  it("runs the node untraced when the tracer throws", async () => {
    const broken = {
      startSpan: () => {
        throw new Error("tracer down");
      },
    } as unknown as Tracer;
    let ran = 0;
    const result = await workerTracing({ tracer: broken })(request, async () => {
      ran++;
      return returned;
    });
    expect(result).toBe(returned);
    expect(ran).toBe(1);
  });

  it("rejects options that are not a tracer with a GraphError naming the option", () => {
    expect(() => workerTracing({ tracer: {} as Tracer })).toThrow(/workerTracing option tracer/);
    expect(() => workerTracing(null as never)).toThrow(/workerTracing options must be an object/);
  });
});

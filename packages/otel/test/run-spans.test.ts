import { SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { appendList, Command, END, isGraphError, MemoryCheckpointer, Send, START, StateGraph, type RunEvent } from "@weft/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { traceInvoke, traceStream, tracingExecutor, WeftAttributes as A } from "../src/index.js";
import { childrenOf, ms, named, only, parentOf, setupTracing, tree } from "./spans.js";

const tracing = setupTracing();
afterEach(() => tracing.exporter.reset());
const { tracer } = tracing;

const State = z.object({ count: z.number().int(), items: appendList(z.number()), total: z.number().optional() });

/** plan sends `count` work tasks; work squares its number; sum adds them up. */
function fanOut(work: (i: number, ctx: { signal: AbortSignal; attempt: number }) => number | Promise<number> = (i) => i * i, options = {}) {
  return new StateGraph(State, { name: "fan" })
    .addNode("plan", (s) => new Command({ goto: Array.from({ length: s.count }, (_, i) => new Send("work", { i })) }), { ends: ["work"] })
    .addNode("work", async ({ i }, ctx) => ({ items: await work(i, ctx) }), { input: z.object({ i: z.number() }), ...options })
    .addNode("sum", (s) => ({ total: s.items.reduce((a, b) => a + b, 0) }))
    .addEdge(START, "plan")
    .addEdge("work", "sum")
    .addEdge("sum", END)
    .compile();
}

async function drain<E>(events: AsyncIterable<E>): Promise<{ events: E[]; error: unknown }> {
  const seen: E[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { events: seen, error };
  }
  return { events: seen, error: undefined };
}

describe("a traced fan-out run", () => {
  it("is a run span over step spans, with the Send tasks as siblings under their step", async () => {
    const graph = fanOut();
    const { events } = await drain(traceStream(graph, { count: 3, items: [] }, { tracer }));
    const spans = tracing.spans();
    const run = only(spans, "run fan");

    expect(parentOf(spans, run)).toBeUndefined();
    expect(tree(spans, run)).toEqual([
      "run fan",
      "  step 1",
      "    task plan",
      "  step 2",
      "    task work #0",
      "    task work #1",
      "    task work #2",
      "  step 3",
      "    task sum",
    ]);
    // Every span is in the run's trace, and no span is left out of the tree.
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([run.spanContext().traceId]));
    expect(spans).toHaveLength(9);

    const works = named(spans, "task work");
    expect(works.map((s) => s.attributes)).toEqual(
      [0, 1, 2].map((i) =>
        expect.objectContaining({
          [A.GRAPH]: "fan",
          [A.NODE]: "work",
          [A.STEP]: 2,
          [A.SEND_INDEX]: i,
          [A.ATTEMPT]: 1,
          [A.TASK_ID]: `2:${i}`,
        }),
      ),
    );
    expect(only(spans, "task plan").attributes[A.SEND_INDEX]).toBeUndefined();
    expect(only(spans, "step 2").attributes).toMatchObject({ [A.STEP]: 2, [A.STEP_TASKS]: 3, [A.FAILURES]: 0 });
    expect(run.attributes).toMatchObject({ [A.GRAPH]: "fan", [A.RUN_STATUS]: "done", [A.RUN_STEPS]: 3, [A.FAILURES]: 0 });
    for (const span of spans) expect(span.status.code).toBe(SpanStatusCode.UNSET);

    // Times come from the events: the run span lasts as long as the run says, and children lie within parents.
    const end = events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
    expect(ms(run.duration)).toBeCloseTo(end.at, 0);
    for (const span of spans) {
      const parent = parentOf(spans, span);
      if (parent === undefined) continue;
      expect(ms(span.startTime)).toBeGreaterThanOrEqual(ms(parent.startTime) - 0.01);
      expect(ms(span.endTime)).toBeLessThanOrEqual(ms(parent.endTime) + 0.01);
    }
  });

  it("times spans from the events, not from when the stream is read", async () => {
    // The reader waits for both work tasks to have run before it reads past the first event: the
    // run goes on without waiting for its reader (it would hang otherwise).
    let worked = 0;
    let bothWorked: () => void = () => {};
    const workDone = new Promise<void>((resolve) => {
      bothWorked = resolve;
    });
    const graph = fanOut((i) => {
      if (++worked === 2) bothWorked();
      return i * i;
    });
    const seen: RunEvent[] = [];
    for await (const event of traceStream(graph, { count: 2, items: [] }, { tracer })) {
      seen.push(event);
      if (seen.length === 1) await workDone;
      // A slow reader: 30 ms per event would stretch every span if they were timed on reading.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const spans = tracing.spans();
    const run = only(spans, "run fan");
    const end = seen.at(-1)!;
    expect(ms(run.duration)).toBeCloseTo(end.at, 0);
    // Each work task's span lasts from its task:start to its task:end, as the events tell.
    const started = new Map<string, number>();
    const fromEvents: number[] = [];
    for (const event of seen) {
      if (event.type === "task:start" && event.node === "work") started.set(event.taskId, event.at);
      if (event.type === "task:end" && event.node === "work") fromEvents.push(event.at - started.get(event.taskId)!);
    }
    const durations = named(spans, "task work").map((span) => ms(span.duration));
    expect(durations).toHaveLength(2);
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    sorted(durations).forEach((duration, i) => expect(duration).toBeCloseTo(sorted(fromEvents)[i]!, 0));
  });

  it("records how long a task waited for a concurrency slot", async () => {
    const release: (() => void)[] = [];
    const graph = fanOut((i) => new Promise<number>((resolve) => release.push(() => resolve(i))), { concurrency: 1 });
    const running = drain(traceStream(graph, { count: 2, items: [] }, { tracer }));
    while (release.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 40));
    release.shift()!();
    while (release.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    release.shift()!();
    await running;
    const [first, second] = named(tracing.spans(), "task work").sort(
      (a, b) => Number(a.attributes[A.SEND_INDEX]) - Number(b.attributes[A.SEND_INDEX]),
    );
    expect(first!.attributes[A.QUEUED_MS]).toBeUndefined();
    expect(second!.attributes[A.QUEUED_MS]).toBeGreaterThanOrEqual(35);
  });

  it("makes the span around the call the run span's parent, and traceInvoke returns the state", async () => {
    const graph = fanOut();
    const state = await trace.getTracer("test").startActiveSpan("request", async (span: Span) => {
      try {
        return await traceInvoke(graph, { count: 2, items: [] }, { tracer });
      } finally {
        span.end();
      }
    });
    expect(state.total).toBe(1);
    const spans = tracing.spans();
    const run = only(spans, "run fan");
    expect(parentOf(spans, run)?.name).toBe("request");
    expect(run.attributes[A.GRAPH]).toBe("fan");
  });
});

describe("interrupts and size", () => {
  it("ends the interrupted attempt with the interrupt's id, and the resumed run is a trace of its own", async () => {
    const Approval = z.object({ draft: z.string(), verdict: z.string().optional() });
    const graph = new StateGraph(Approval, { name: "approve" })
      .addNode("ask", (s, ctx) => ({ verdict: `${s.draft}: ${ctx.interrupt<string>("approve?")}` }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const paused = await drain(traceStream(graph, { draft: "memo" }, { tracer, threadId: "t-1" }));
    const end = paused.events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
    expect(end.status).toBe("interrupted");
    const first = tracing.spans();
    const ask = only(first, "task ask");
    expect(ask.attributes[A.INTERRUPT_ID]).toBe(end.interrupts[0]!.id);
    expect(ask.status.code).toBe(SpanStatusCode.UNSET);
    expect(only(first, "run approve").attributes).toMatchObject({ [A.RUN_STATUS]: "interrupted", [A.THREAD_ID]: "t-1" });
    tracing.exporter.reset();

    const state = await traceInvoke(graph, new Command({ resume: "yes" }), { tracer, threadId: "t-1" });
    expect(state.verdict).toBe("memo: yes");
    const second = tracing.spans();
    expect(only(second, "run approve").attributes[A.RUN_STATUS]).toBe("done");
    expect(only(second, "task ask").attributes[A.INTERRUPT_ID]).toBeUndefined();
    expect(only(second, "run approve").spanContext().traceId).not.toBe(only(first, "run approve").spanContext().traceId);
  });

  it("traces a fan-out of 2000 Sends behind a cap: one span per task, every span ended", async () => {
    const graph = fanOut(async (i) => i % 7);
    const state = await traceInvoke(
      graph,
      { count: 2000, items: [] },
      { tracer, maxConcurrency: 50, executor: tracingExecutor({ graph }) },
    );
    expect(state.items).toHaveLength(2000);
    const spans = tracing.spans();
    const works = named(spans, "task work");
    expect(works).toHaveLength(2000);
    expect(new Set(works.map((s) => s.attributes[A.SEND_INDEX])).size).toBe(2000);
    const step = only(spans, "step 2");
    for (const span of works) expect(parentOf(spans, span)).toBe(step);
    expect(works.filter((s) => s.attributes[A.QUEUED_MS] !== undefined).length).toBeGreaterThanOrEqual(1950);
    expect(spans).toHaveLength(2000 + 6);
  });
});

describe("failures and retries", () => {
  it("gives each attempt its own span: the failed one marked retried with the error", async () => {
    const graph = fanOut(
      (i, ctx) => {
        if (i === 1 && ctx.attempt === 1) throw Object.assign(new TypeError("flaky"), { code: "E_FLAKY" });
        return i;
      },
      { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
    );
    await traceInvoke(graph, { count: 2, items: [] }, { tracer });
    const spans = tracing.spans();
    const attempts = named(spans, "task work").filter((s) => s.attributes[A.SEND_INDEX] === 1);
    const [failed, retried] = attempts.sort((a, b) => Number(a.attributes[A.ATTEMPT]) - Number(b.attributes[A.ATTEMPT]));
    expect(failed!.attributes).toMatchObject({
      [A.ATTEMPT]: 1,
      [A.RETRIED]: true,
      [A.TIMED_OUT]: false,
      [A.ERROR_CODE]: "E_FLAKY",
      [A.ERROR_TYPE]: "E_FLAKY",
      [A.ERROR_MESSAGE]: "flaky",
    });
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: "flaky" });
    expect(failed!.events.map((e) => e.name)).toEqual(["exception"]);
    expect(retried!.attributes).toMatchObject({ [A.ATTEMPT]: 2 });
    expect(retried!.attributes[A.RETRIED]).toBeUndefined();
    expect(retried!.status.code).toBe(SpanStatusCode.UNSET);
    // Both attempts are siblings under the step, the retry after the failure.
    expect(parentOf(spans, failed!)).toBe(parentOf(spans, retried!));
    expect(ms(retried!.startTime)).toBeGreaterThanOrEqual(ms(failed!.endTime));
  });

  it("marks a timed-out task that the graph continues past, and keeps the run span ok", async () => {
    const graph = fanOut(
      (i, ctx) => (i === 0 ? new Promise<number>((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))) : i),
      { timeoutMs: 30, onError: "continue" },
    );
    await traceInvoke(graph, { count: 2, items: [] }, { tracer });
    const spans = tracing.spans();
    const timedOut = named(spans, "task work").find((s) => s.attributes[A.SEND_INDEX] === 0)!;
    expect(timedOut.attributes).toMatchObject({ [A.TIMED_OUT]: true, [A.ERROR_CODE]: "TIMEOUT", [A.ERROR_POLICY]: "continue" });
    expect(timedOut.status.code).toBe(SpanStatusCode.ERROR);
    expect(only(spans, "step 2").attributes[A.FAILURES]).toBe(1);
    const run = only(spans, "run fan");
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(run.attributes[A.FAILURES]).toBe(1);
  });

  it("gives a failure an onError handler recovers from one span, failed, with the handler policy", async () => {
    const graph = new StateGraph(State, { name: "recover" })
      .addNode(
        "work",
        () => {
          throw new RangeError("out of range");
        },
        { onError: () => ({ total: -1 }) },
      )
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    const state = await traceInvoke(graph, { count: 0, items: [] }, { tracer });
    expect(state.total).toBe(-1);
    const spans = tracing.spans();
    const work = only(spans, "task work");
    expect(work.attributes).toMatchObject({ [A.ERROR_POLICY]: "handler", [A.ERROR_TYPE]: "RangeError", [A.ERROR_MESSAGE]: "out of range" });
    expect(work.status.code).toBe(SpanStatusCode.ERROR);
    expect(only(spans, "run recover").attributes[A.FAILURES]).toBe(1);
  });

  it("fails the run span with the run's error, and marks the cancelled siblings", async () => {
    const graph = fanOut((i, ctx) => {
      if (i === 0) throw null; // anything can be thrown
      return new Promise<number>((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
    });
    const { error } = await drain(traceStream(graph, { count: 3, items: [] }, { tracer }));
    expect(isGraphError(error)).toBe(true);
    const spans = tracing.spans();
    const run = only(spans, "run fan");
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.attributes[A.ERROR_CODE]).toBe((error as { code: string }).code);
    const works = named(spans, "task work");
    const thrower = works.find((s) => s.attributes[A.SEND_INDEX] === 0)!;
    expect(thrower.status.code).toBe(SpanStatusCode.ERROR);
    expect(thrower.attributes[A.ERROR_MESSAGE]).toBe("A non-Error value was thrown: null");
    expect(works.filter((s) => s.attributes[A.CANCELLED] === true)).toHaveLength(2);
    // Nothing is left open: every span started was ended and exported.
    expect(spans.every((s) => s.ended)).toBe(true);
  });

  it("ends every span, the run span failed, when the reader stops early", async () => {
    const graph = fanOut((i, ctx) => new Promise<number>((resolve) => setTimeout(() => resolve(i), ctx.signal.aborted ? 0 : 1000)));
    for await (const event of traceStream(graph, { count: 2, items: [] }, { tracer })) {
      if (event.type === "task:start" && event.node === "work") break;
    }
    const spans = tracing.spans();
    const run = only(spans, "run fan");
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.attributes[A.ERROR_CODE]).toBe("ABORTED");
    expect(named(spans, "task work").length).toBeGreaterThanOrEqual(1);
  });
});

describe("spans made inside nodes", () => {
  const userSpan = (name: string) => trace.getTracer("user").startActiveSpan(name, (span) => span.end());

  it("are children of their attempt's span with a tracing executor", async () => {
    const graph = fanOut((i) => {
      userSpan(`inside ${i}`);
      return i;
    });
    await traceInvoke(graph, { count: 2, items: [] }, { tracer, executor: tracingExecutor({ graph }) });
    const spans = tracing.spans();
    for (const i of [0, 1]) {
      const inside = only(spans, `inside ${i}`);
      const parent = parentOf(spans, inside)!;
      expect(parent.name).toBe("task work");
      expect(parent.attributes[A.SEND_INDEX]).toBe(i);
    }
  });

  it("find their own run when two traced runs share a compile-time tracing executor", async () => {
    const builder = new StateGraph(State, { name: "shared" })
      .addNode("plan", (s) => new Command({ goto: Array.from({ length: s.count }, (_, i) => new Send("work", { i })) }), { ends: ["work"] })
      .addNode(
        "work",
        async ({ i }, ctx) => {
          await new Promise((resolve) => setTimeout(resolve, 5 * (i + 1)));
          userSpan(`inside ${ctx.superstep}:${i}`);
          return { items: i };
        },
        { input: z.object({ i: z.number() }) },
      )
      .addEdge(START, "plan")
      .addEdge("work", END);
    const graph = builder.compile({ executor: tracingExecutor({ graph: builder }) });
    await Promise.all([
      traceInvoke(graph, { count: 3, items: [] }, { tracer, attributes: { run: "a" } }),
      traceInvoke(graph, { count: 3, items: [] }, { tracer, attributes: { run: "b" } }),
    ]);
    const spans = tracing.spans();
    const runs = named(spans, "run shared");
    expect(runs).toHaveLength(2);
    const insides = spans.filter((s) => s.name.startsWith("inside "));
    expect(insides).toHaveLength(6);
    for (const inside of insides) {
      const attempt = parentOf(spans, inside)!;
      expect(attempt.name).toBe("task work");
      expect(`inside ${String(attempt.attributes[A.STEP])}:${String(attempt.attributes[A.SEND_INDEX])}`).toBe(inside.name);
    }
    // Each run span has its own three work attempts.
    for (const run of runs) {
      const step = childrenOf(spans, run).find((s) => s.name === "step 2")!;
      expect(childrenOf(spans, step).map((s) => s.attributes[A.SEND_INDEX])).toEqual([0, 1, 2]);
      expect(
        new Set(
          childrenOf(spans, step)
            .flatMap((s) => childrenOf(spans, s))
            .map((s) => s.spanContext().traceId),
        ),
      ).toEqual(new Set([run.spanContext().traceId]));
    }
  });

  it("with a tracing executor but a plain invoke, are children of the span around the call", async () => {
    const builder = new StateGraph(State, { name: "plain" })
      .addNode("work", () => {
        userSpan("inside");
        return { total: 1 };
      })
      .addEdge(START, "work")
      .addEdge("work", END);
    const graph = builder.compile({ executor: tracingExecutor({ graph: builder }) });
    await trace.getTracer("user").startActiveSpan("request", async (span) => {
      await graph.invoke({ count: 0, items: [] });
      span.end();
    });
    const spans = tracing.spans();
    expect(parentOf(spans, only(spans, "inside"))?.name).toBe("request");
  });

  it("are children of the run span without one", async () => {
    const graph = fanOut((i) => {
      userSpan(`inside ${i}`);
      return i;
    });
    await traceInvoke(graph, { count: 1, items: [] }, { tracer });
    const spans = tracing.spans();
    expect(parentOf(spans, only(spans, "inside 0"))?.name).toBe("run fan");
  });
});

describe("a tracer that misbehaves", () => {
  it.each([0, 2])("never changes the run: a tracer throwing after %i spans gives the same events and state", async (good) => {
    let calls = 0;
    const broken = {
      startSpan: () => {
        if (++calls > good) throw new Error("exporter down");
        return tracer.startSpan("ok");
      },
      startActiveSpan: () => {
        throw new Error("unused");
      },
    } as unknown as Tracer;
    const graph = fanOut();
    const plain = await drain(graph.stream({ count: 3, items: [] }));
    const traced = await drain(traceStream(graph, { count: 3, items: [] }, { tracer: broken, executor: tracingExecutor({ graph }) }));
    expect(traced.error).toBeUndefined();
    expect(traced.events.map((e) => e.type)).toEqual(plain.events.map((e) => e.type));
    expect((traced.events.at(-1) as { state: unknown }).state).toEqual((plain.events.at(-1) as { state: unknown }).state);
    expect(calls).toBeGreaterThan(good);
  });

  it("rejects options that are not a tracer with a GraphError naming the option", () => {
    const graph = fanOut();
    for (const tracerOption of [{}, 5, "tracer", null]) {
      let thrown: unknown;
      try {
        traceStream(graph, { count: 1, items: [] }, { tracer: tracerOption as unknown as Tracer });
      } catch (error) {
        thrown = error;
      }
      expect(isGraphError(thrown) && thrown.code === "INVALID_OPTION").toBe(true);
      expect((thrown as Error).message).toContain("tracer");
    }
    expect(() => traceStream(graph, { count: 1, items: [] }, null as never)).toThrow(/options must be an object/);
    expect(() => tracingExecutor(undefined as never)).toThrow(/tracingExecutor takes/);
    expect(() => tracingExecutor({} as never)).toThrow(/needs \{ executor \} or \{ graph \}/);
  });
});

describe("the in-process tracing executor", () => {
  it("refuses attempts of another graph", async () => {
    const graph = fanOut();
    const other = new StateGraph(State, { name: "other" })
      .addNode("work", () => ({ total: 1 }))
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    const { error } = await drain(traceStream(other, { count: 0, items: [] }, { tracer, executor: tracingExecutor({ graph }) }));
    expect(isGraphError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/runs graph "fan" but got node "work" of graph "other"/);
    expect(childrenOf(tracing.spans(), only(tracing.spans(), "run other")).length).toBeGreaterThan(0);
  });
});

import { SpanStatusCode } from "@opentelemetry/api";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { traceInvoke, WeftAttributes as A } from "../src/index.js";
import { named, setupTracing } from "./spans.js";

const tracing = setupTracing();
const { tracer } = tracing;
afterEach(() => tracing.exporter.reset());

describe("budgets in traces", () => {
  it("task spans carry what is left of the tightest budget; a refused call is a BUDGET_EXCEEDED error", async () => {
    const graph = new StateGraph(z.object({ done: appendList(z.number()) }), { name: "budgeted" })
      .addNode("plan", () => ({}))
      .addNode(
        "work",
        ({ i, tokens }: { i: number; tokens: number }, ctx) => {
          ctx.reserveUsage().settle({ tokens, costUsd: 0.01 });
          ctx.reserveUsage().settle({ tokens, costUsd: 0.01 });
          return { done: i };
        },
        { input: z.object({ i: z.number(), tokens: z.number() }), onError: "continue" },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [30, 200].map((tokens, i) => new Send("work", { i, tokens }, { budget: { tokens: 100 } })))
      .addEdge("work", END)
      .compile();

    await traceInvoke(graph, {}, { tracer, budget: { tokens: 1000, costUsd: 1 } });

    const work = named(tracing.spans(), "task work").sort(
      (a, b) => Number(a.attributes[A.SEND_INDEX]) - Number(b.attributes[A.SEND_INDEX]),
    );
    // Send #0: its own 100 tokens is the tightest budget, 40 left after 2 × 30; only the run limits dollars.
    expect(work[0]!.attributes[A.BUDGET_REMAINING_TOKENS]).toBe(40);
    expect(work[0]!.attributes[A.BUDGET_REMAINING_COST_USD]).toBeCloseTo(0.98, 10);
    // Send #1 spent its 100 with one call of 200 and was refused the second.
    expect(work[1]!.attributes[A.BUDGET_REMAINING_TOKENS]).toBe(0);
    expect(work[1]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(work[1]!.attributes[A.ERROR_CODE]).toBe("BUDGET_EXCEEDED");
  });
});

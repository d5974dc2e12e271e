import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, isGraphError, MemoryCheckpointer, Send, START, StateGraph } from "../src/index.js";
import type { NodeContext, RunEvent, Usage } from "../src/index.js";
import { runNodeAttempt, type Executor } from "../src/adapter.js";
import { collect, rejectionOf, sleep } from "./helpers.js";

/**
 * A model call as a node makes one without any provider: it reserves its estimate, waits,
 * and settles with what it used. `calls` counts the calls that started.
 */
async function fakeCall(ctx: NodeContext, used: Usage, options: { estimate?: Usage; ms?: number; calls?: { n: number } } = {}) {
  const reservation = ctx.reserveUsage(options.estimate);
  if (options.calls !== undefined) options.calls.n++;
  await sleep(options.ms ?? 1);
  reservation.settle(used);
}

const Loop = z.object({ turns: z.number().default(0) });

/** A node that calls a "model" once per step, forever: only a budget stops it. */
function loopGraph(estimate?: Usage, checkpointer?: MemoryCheckpointer) {
  return new StateGraph(Loop)
    .addNode("think", async (s, ctx) => {
      await fakeCall(ctx, { tokens: 100 }, { estimate });
      return { turns: s.turns + 1 };
    })
    .addEdge(START, "think")
    .addConditionalEdges("think", () => "think")
    .compile(checkpointer === undefined ? {} : { checkpointer });
}

describe("a run's token budget", () => {
  it("stops the run at the first call that finds the budget spent; the call in flight was counted", async () => {
    const error = await rejectionOf(loopGraph().invoke({}, { budget: { tokens: 250 }, maxSteps: 100 }));

    expect(error.code).toBe("TASK_FAILED");
    const cause = error.details.failures[0].error;
    expect(isGraphError(cause) && cause.code).toBe("BUDGET_EXCEEDED");
    // Three calls started below 250 (0, 100, 200 spent); the fourth found 300 spent.
    expect(cause.details).toMatchObject({ budget: "run", limit: "tokens", max: 250, spent: 300, node: "think", step: 4 });
    expect(cause.message).toContain('Node "think" in step 4 did not start a call');
  });

  it("with an estimate, refuses the call that would not fit, so the budget is never passed", async () => {
    const error = await rejectionOf(loopGraph({ tokens: 100 }).invoke({}, { budget: { tokens: 250 }, maxSteps: 100 }));

    const cause = error.details.failures[0].error;
    expect(cause.details).toMatchObject({ spent: 200, estimate: 100, step: 3 });
  });

  it("counts what a synchronous node reports, with nobody listening to events", async () => {
    const graph = new StateGraph(Loop)
      .addNode("draft", (s, ctx) => {
        ctx.reportUsage({ tokens: 80 });
        return { turns: s.turns + 1 };
      })
      .addNode("call", async (s, ctx) => {
        await fakeCall(ctx, { tokens: 10 }, { estimate: { tokens: 30 } });
        return { turns: s.turns + 1 };
      })
      .addEdge(START, "draft")
      .addEdge("draft", "call")
      .addEdge("call", END)
      .compile();

    const error = await rejectionOf(graph.invoke({}, { budget: { tokens: 100 } }));
    const cause = error.details.failures[0].error;
    expect(isGraphError(cause) && cause.code).toBe("BUDGET_EXCEEDED");
    expect(cause.details).toMatchObject({ node: "call", spent: 80, estimate: 30 });
  });

  it("reports each usage with what remains, and the run's spending in its result", async () => {
    const graph = new StateGraph(Loop)
      .addNode("think", async (_s, ctx) => {
        ctx.reportUsage({ inputTokens: 30, outputTokens: 12 });
        return { turns: 1 };
      })
      .addEdge(START, "think")
      .addEdge("think", END)
      .compile();

    const { events } = await collect(graph.stream({}, { budget: { tokens: 100 } }));
    const usage = events.flatMap((e) => (e.type === "task:usage" ? [e] : []))[0];
    expect(usage?.usage).toMatchObject({ tokens: 42, costUsd: 0, inputTokens: 30, outputTokens: 12 });
    expect(usage?.budgets).toEqual([
      { scope: "run", limit: { tokens: 100 }, spent: { tokens: 42, costUsd: 0 }, remaining: { tokens: 58 } },
    ]);
    const end = events.at(-1);
    expect(end?.type === "run:end" && end.budget).toEqual({
      scope: "run",
      limit: { tokens: 100 },
      spent: { tokens: 42, costUsd: 0 },
      remaining: { tokens: 58 },
    });
  });

  it("a run without a budget or usage reports none", async () => {
    const graph = new StateGraph(Loop)
      .addNode("a", () => ({ turns: 1 }))
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile();
    const result = await graph.run({});
    expect(result.budget).toBeUndefined();
  });
});

describe("a cost budget", () => {
  const prices = { small: { inputPerMillion: 1, outputPerMillion: 4 } };

  it("prices usage by model from the run's table and stops once the dollars are spent", async () => {
    const error = await rejectionOf(
      new StateGraph(Loop)
        .addNode("think", async (s, ctx) => {
          // 1000 in at $1/M and 500 out at $4/M: $0.003 a call.
          await fakeCall(ctx, { model: "small", inputTokens: 1000, outputTokens: 500 });
          return { turns: s.turns + 1 };
        })
        .addEdge(START, "think")
        .addConditionalEdges("think", () => "think")
        .compile()
        .invoke({}, { budget: { costUsd: 0.01, prices }, maxSteps: 100 }),
    );
    const cause = error.details.failures[0].error;
    expect(cause.details).toMatchObject({ limit: "costUsd", max: 0.01, step: 5 });
    expect(cause.details.spent).toBeCloseTo(0.012, 10);
  });

  it("refuses usage of a model the table does not price, naming the model and the node", async () => {
    const graph = new StateGraph(Loop)
      .addNode("think", (_s, ctx) => {
        ctx.reportUsage({ model: "unknown-model", tokens: 10 });
        return { turns: 1 };
      })
      .addEdge(START, "think")
      .addEdge("think", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}, { budget: { costUsd: 1, prices } }));
    const cause = error.details.failures[0].error;
    expect(cause.code).toBe("INVALID_OPTION");
    expect(cause.message).toContain('Node "think" reported usage of model "unknown-model" without its cost');
  });

  it("takes a cost a node reports itself, without prices", async () => {
    const graph = new StateGraph(Loop)
      .addNode("think", (_s, ctx) => {
        ctx.reportUsage({ tokens: 10, costUsd: 0.25 });
        return { turns: 1 };
      })
      .addEdge(START, "think")
      .addEdge("think", END)
      .compile();
    const result = await graph.run({}, { budget: { costUsd: 1 } });
    expect(result.budget?.remaining).toEqual({ costUsd: 0.75 });
  });
});

const Fan = z.object({ done: appendList(z.number()), total: z.number().default(0) });
const Job = z.object({ i: z.number(), tokens: z.number() });

describe("a Send's budget", () => {
  it("fails only the worker that outspends it, under onError: continue, and the others' results are kept", async () => {
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode(
        "work",
        async ({ i, tokens }, ctx) => {
          // Two calls: a worker whose first call used up its budget cannot make the second.
          await fakeCall(ctx, { tokens });
          await fakeCall(ctx, { tokens });
          return { done: i };
        },
        { input: Job, onError: "continue" },
      )
      .addNode("sum", (s) => ({ total: s.done.length }))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [10, 10, 500, 10].map((tokens, i) => new Send("work", { i, tokens }, { budget: { tokens: 100 } })))
      .addEdge("work", "sum")
      .addEdge("sum", END)
      .compile();

    const result = await graph.run({});

    expect(result.state.done).toEqual([0, 1, 3]);
    expect(result.state.total).toBe(3);
    expect(result.failures).toHaveLength(1);
    const failure = result.failures[0]!;
    expect(failure).toMatchObject({ node: "work", sendIndex: 2 });
    expect(isGraphError(failure.error) && failure.error.details).toMatchObject({
      budget: "send",
      scopeId: "2:2",
      max: 100,
      spent: 500,
    });
    // The run's spending holds every worker's: 3 × 20 + 500.
    expect(result.budget?.spent.tokens).toBe(560);
  });

  it("covers the tasks the worker causes through Sends of its own, at any depth", async () => {
    const Depth = z.object({ depth: z.number() });
    const graph = new StateGraph(Fan)
      .addNode("start", () => ({}))
      .addNode(
        "dig",
        async ({ depth }, ctx) => {
          await fakeCall(ctx, { tokens: 40 }, { estimate: { tokens: 40 } });
          return { done: depth };
        },
        { input: Depth, onError: "continue" },
      )
      .addEdge(START, "start")
      .addConditionalEdges("start", () => new Send("dig", { depth: 0 }, { budget: { tokens: 100 } }))
      .addConditionalEdges("dig", (_s) => [new Send("dig", { depth: 99 })])
      .compile();

    // Each dig sends one more; the chain runs on the first Send's 100 tokens: 40, 80, then refused.
    const result = await graph.run({}, { maxSteps: 10 });

    expect(result.state.done).toEqual([0, 99]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.step).toBe(4);
    const error = result.failures[0]!.error;
    expect(isGraphError(error) && error.details).toMatchObject({ budget: "send", scopeId: "2:0", spent: 80 });
  });

  it("a nested Send's own budget counts against the budget it runs under too", async () => {
    const Depth = z.object({ depth: z.number() });
    const events: RunEvent[] = [];
    const withChild = new StateGraph(Fan)
      .addNode("start", () => ({}))
      .addNode(
        "dig",
        async ({ depth }, ctx) => {
          ctx.reportUsage({ tokens: 30 });
          return { done: depth };
        },
        { input: Depth },
      )
      .addEdge(START, "start")
      .addConditionalEdges("start", () => new Send("dig", { depth: 0 }, { budget: { tokens: 1000 } }))
      .addConditionalEdges("dig", (s) => (s.done.length === 1 ? [new Send("dig", { depth: 1 }, { budget: { tokens: 50 } })] : []))
      .compile();
    for await (const event of withChild.stream({})) events.push(event);
    const usages = events.flatMap((e) => (e.type === "task:usage" ? [e] : []));
    expect(usages.map((e) => e.budgets.map((b) => [b.scope, b.id, b.spent.tokens, b.remaining.tokens]))).toEqual([
      [
        ["run", undefined, 30, undefined],
        ["send", "2:0", 30, 970],
      ],
      [
        ["run", undefined, 60, undefined],
        ["send", "3:0", 30, 20],
        ["send", "2:0", 60, 940],
      ],
    ]);
  });
});

describe("concurrent workers racing for the last tokens", () => {
  function race(estimate: Usage | undefined) {
    const calls = { n: 0 };
    let inFlight = 0;
    let maxInFlight = 0;
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode(
        "work",
        async ({ i }, ctx) => {
          for (;;) {
            const reservation = ctx.reserveUsage(estimate);
            calls.n++;
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await sleep(1 + (i % 3));
            inFlight--;
            reservation.settle({ tokens: 10 });
          }
        },
        { input: Job, onError: "continue" },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => Array.from({ length: 20 }, (_, i) => new Send("work", { i, tokens: 0 })))
      .addEdge("work", END)
      .compile();
    return { graph, calls, maxInFlight: () => maxInFlight };
  }

  it("with estimates that cover each call, 20 workers never spend past the budget together", async () => {
    const { graph, calls } = race({ tokens: 10 });
    const result = await graph.run({}, { budget: { tokens: 255 } });
    // Every worker ends refused; the 25 calls that fit ran, and no more.
    expect(result.failures).toHaveLength(20);
    expect(result.failures.every((f) => isGraphError(f.error) && f.error.code === "BUDGET_EXCEEDED")).toBe(true);
    expect(calls.n).toBe(25);
    expect(result.budget?.spent.tokens).toBe(250);
  });

  it("without estimates, overspend is bounded by the calls in flight when the budget ran out", async () => {
    const { graph, calls, maxInFlight } = race(undefined);
    const result = await graph.run({}, { budget: { tokens: 255 } });
    expect(result.failures).toHaveLength(20);
    const spent = result.budget!.spent.tokens;
    // A call starts only while spent < 255; calls that started are counted in full.
    expect(spent).toBe(calls.n * 10);
    expect(spent).toBeGreaterThanOrEqual(260);
    expect(spent).toBeLessThanOrEqual(250 + maxInFlight() * 10);
  });
});

describe("budgets on durable threads", () => {
  it("what was spent survives an interrupt: the resumed run goes on with what is left", async () => {
    const checkpointer = new MemoryCheckpointer();
    const State = z.object({ answers: appendList(z.string()) });
    const graph = new StateGraph(State)
      .addNode("draft", async (_s, ctx) => {
        ctx.reportUsage({ tokens: 70 });
        return { answers: "draft" };
      })
      .addNode("review", async (_s, ctx) => {
        const ok = ctx.interrupt<string>("approve?");
        await fakeCall(ctx, { tokens: 20 });
        return { answers: ok };
      })
      .addEdge(START, "draft")
      .addEdge("draft", "review")
      .addEdge("review", END)
      .compile({ checkpointer });

    const paused = await graph.run({}, { threadId: "b1", budget: { tokens: 80 } });
    expect(paused.status).toBe("interrupted");
    const state = await graph.getState("b1");
    expect(state?.budget).toEqual({ scope: "run", limit: { tokens: 80 }, spent: { tokens: 70, costUsd: 0 }, remaining: { tokens: 10 } });

    // Resumed without a budget option: the limit the run started with still holds; 70 + 20 > 80 is
    // fine for a call that started below the limit, so this one runs and is counted.
    const { Command } = await import("../src/index.js");
    const done = await graph.run(new Command({ resume: "yes" }), { threadId: "b1" });
    expect(done.budget?.spent.tokens).toBe(90);
    expect((await graph.getState("b1"))?.budget?.remaining).toEqual({ tokens: 0 });
  });

  it("a run that failed on its budget resumes with a bigger one and does not get a fresh budget", async () => {
    const checkpointer = new MemoryCheckpointer();
    const graph = loopGraph(undefined, checkpointer);

    const failed = await rejectionOf(graph.invoke({}, { threadId: "b2", budget: { tokens: 250 }, maxSteps: 100 }));
    expect(failed.code).toBe("TASK_FAILED");
    expect((await graph.getState("b2"))?.budget?.spent.tokens).toBe(300);

    // Resumed with the same budget, the next call is refused at once: nothing was given back.
    const again = await rejectionOf(graph.invoke(null, { threadId: "b2", budget: { tokens: 250 }, maxSteps: 100 }));
    expect(again.details.failures[0].error.details).toMatchObject({ spent: 300, step: 4 });

    // With a bigger budget it goes on from 300 spent: two more calls until 500.
    const more = await rejectionOf(graph.invoke(null, { threadId: "b2", budget: { tokens: 450 }, maxSteps: 100 }));
    expect(more.details.failures[0].error.details).toMatchObject({ spent: 500, max: 450 });
    expect((await graph.getState("b2"))?.values.turns).toBe(5);
  });

  it("the usage of tasks of a step that did not commit is kept with their saved results", async () => {
    const checkpointer = new MemoryCheckpointer();
    const State = z.object({ done: appendList(z.number()) });
    let failing = true;
    const graph = new StateGraph(State)
      .addNode("plan", () => ({}))
      .addNode(
        "work",
        async ({ i }, ctx) => {
          ctx.reportUsage({ tokens: 25 });
          if (i === 1 && failing) throw new Error("down");
          return { done: i };
        },
        { input: z.object({ i: z.number() }) },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [0, 1, 2].map((i) => new Send("work", { i }, { budget: { tokens: 40 } })))
      .addEdge("work", END)
      .compile({ checkpointer });

    await rejectionOf(graph.invoke({}, { threadId: "b3", budget: { tokens: 1000 } }));
    // Worker 0 finished and worker 1 failed, 25 each; worker 2 was cancelled before it started.
    const paused = await graph.getState("b3");
    expect(paused?.finished.map((task) => task.sendIndex)).toEqual([0]);
    expect(paused?.budget?.spent.tokens).toBe(50);

    failing = false;
    const result = await graph.run(null, { threadId: "b3" });
    expect(result.state.done).toEqual([0, 1, 2]);
    // The failed worker ran twice (25 + 25); worker 0 did not run again; worker 2 ran once.
    expect(result.budget?.spent.tokens).toBe(100);
  });

  it("a run resumed without options keeps its prices: its calls are still priced against the cost limit", async () => {
    const checkpointer = new MemoryCheckpointer();
    const { Command } = await import("../src/index.js");
    const State = z.object({ answers: appendList(z.string()) });
    const graph = new StateGraph(State)
      .addNode("ask", (_s, ctx) => {
        const ok = ctx.interrupt<string>("go?");
        ctx.reserveUsage().settle({ model: "small", inputTokens: 1_000_000, outputTokens: 0 });
        return { answers: ok };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer });
    const prices = { small: { inputPerMillion: 2, outputPerMillion: 8 } };
    await graph.run({}, { threadId: "b5", budget: { costUsd: 5, prices } });

    const done = await graph.run(new Command({ resume: "yes" }), { threadId: "b5" });

    expect(done.state.answers).toEqual(["yes"]);
    expect(done.budget).toEqual({
      scope: "run",
      limit: { costUsd: 5 },
      spent: { tokens: 1_000_000, costUsd: 2 },
      remaining: { costUsd: 3 },
    });
  });

  it("a new run on the thread starts with nothing spent", async () => {
    const checkpointer = new MemoryCheckpointer();
    const graph = new StateGraph(Loop)
      .addNode("think", (s, ctx) => {
        ctx.reportUsage({ tokens: 60 });
        return { turns: s.turns + 1 };
      })
      .addEdge(START, "think")
      .addEdge("think", END)
      .compile({ checkpointer });
    await graph.run({}, { threadId: "b4", budget: { tokens: 100 } });
    const second = await graph.run({ turns: 5 }, { threadId: "b4", budget: { tokens: 100 } });
    expect(second.budget?.spent.tokens).toBe(60);
  });
});

describe("bad budget options", () => {
  const graph = new StateGraph(Loop)
    .addNode("a", () => ({ turns: 1 }))
    .addEdge(START, "a")
    .addEdge("a", END)
    .compile();

  it.each([
    [{ tokens: -1 }, "budget.tokens", "Run option budget.tokens must be a whole number ≥ 0, got -1."],
    [{ tokens: Number.NaN }, "budget.tokens", "Run option budget.tokens must be a whole number ≥ 0, got NaN."],
    [{ tokens: 1.5 }, "budget.tokens", undefined],
    [{ costUsd: -0.5 }, "budget.costUsd", undefined],
    [{ costUsd: Number.POSITIVE_INFINITY }, "budget.costUsd", undefined],
    [{}, "budget", "Run option budget must be an object with tokens, costUsd or both, got an object."],
    [{ token: 5 }, "budget.token", undefined],
    [{ tokens: 5, prices: { m: { inputPerMillion: 1 } } }, "budget.prices.m.outputPerMillion", undefined],
    [{ tokens: 5, prices: { m: { inputPerMillion: -1, outputPerMillion: 1 } } }, "budget.prices.m.inputPerMillion", undefined],
    [{ tokens: 5, prices: { m: 3 } }, "budget.prices.m", undefined],
    [5, "budget", undefined],
  ])("budget %j is an INVALID_OPTION naming %s", async (budget, option, message) => {
    const error = await rejectionOf(graph.invoke({}, { budget: budget as never }));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.details.option).toBe(option);
    if (message !== undefined) expect(error.message).toBe(message);
  });

  it("a Send with a bad budget is an INVALID_OPTION naming the Send's node and the option", () => {
    for (const [options, option] of [
      [{ budget: { tokens: -5 } }, "budget.tokens"],
      [{ budget: { costUsd: Number.NaN } }, "budget.costUsd"],
      [{ budget: {} }, "budget"],
      [{ budgett: {} }, "budgett"],
    ] as const) {
      let error: any;
      try {
        new Send("work", {}, options as never);
      } catch (thrown) {
        error = thrown;
      }
      expect(error?.code).toBe("INVALID_OPTION");
      expect(error.details).toMatchObject({ scope: "send", node: "work", option });
    }
    expect(() => new Send("work", {}, { budget: { tokens: -5 } })).toThrow(
      'Send to "work": option budget.tokens must be a whole number ≥ 0, got -5.',
    );
  });

  it.each([
    [{ tokens: -3 }, "usage.tokens"],
    [{ inputTokens: Number.NaN }, "usage.inputTokens"],
    [{ costUsd: -1 }, "usage.costUsd"],
    [{ model: "" }, "usage.model"],
    [null, "usage"],
  ])("reportUsage(%j) fails the task with an INVALID_OPTION naming the node and %s", async (usage, option) => {
    const bad = new StateGraph(Loop)
      .addNode("report", (_s, ctx) => {
        ctx.reportUsage(usage as never);
        return { turns: 1 };
      })
      .addEdge(START, "report")
      .addEdge("report", END)
      .compile();
    const error = await rejectionOf(bad.invoke({}, { budget: { tokens: 10 } }));
    const cause = error.details.failures[0].error;
    expect(cause.code).toBe("INVALID_OPTION");
    expect(cause.details).toMatchObject({ node: "report", option });
  });

  it("BUDGET_EXCEEDED is not retried by a retry policy", async () => {
    let attempts = 0;
    const graph = new StateGraph(Loop)
      .addNode(
        "think",
        (_s, ctx) => {
          attempts++;
          ctx.reserveUsage({ tokens: 50 });
          return { turns: 1 };
        },
        { retry: { maxAttempts: 5, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "think")
      .addEdge("think", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}, { budget: { tokens: 10 } }));
    expect(error.details.failures[0].error.code).toBe("BUDGET_EXCEEDED");
    expect(attempts).toBe(1);
  });
});

describe("budgets at scale and through the executor seam", () => {
  it("10000 Sends racing for 5000 tokens: exactly the first 5000 calls run, in task order", async () => {
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode(
        "work",
        ({ i }, ctx) => {
          ctx.reserveUsage({ tokens: 1 }).settle({ tokens: 1 });
          return { done: i };
        },
        { input: Job, onError: "continue" },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () =>
        Array.from({ length: 10_000 }, (_, i) => new Send("work", { i, tokens: 1 }, { budget: { tokens: 1 } })),
      )
      .addEdge("work", END)
      .compile();

    const result = await graph.run({}, { budget: { tokens: 5000 } });

    expect(result.state.done).toHaveLength(5000);
    expect(result.state.done.at(-1)).toBe(4999);
    expect(result.failures).toHaveLength(5000);
    expect(result.budget?.spent.tokens).toBe(5000);
  });

  it("a node with a timeout (its attempt runs through the executor seam) still counts and checks usage", async () => {
    const graph = new StateGraph(Loop)
      .addNode(
        "think",
        async (s, ctx) => {
          await fakeCall(ctx, { tokens: 100 });
          return { turns: s.turns + 1 };
        },
        { timeoutMs: 5000 },
      )
      .addEdge(START, "think")
      .addConditionalEdges("think", () => "think")
      .compile();
    const error = await rejectionOf(graph.invoke({}, { budget: { tokens: 150 }, maxSteps: 50 }));
    expect(error.details.failures[0].error.details).toMatchObject({ spent: 200, step: 3 });
  });

  it("an executor that passes its control on counts usage of the nodes it runs, across a JSON boundary", async () => {
    const builder = new StateGraph(Loop)
      .addNode("think", async (s, ctx) => {
        await fakeCall(ctx, { tokens: 100 });
        return { turns: s.turns + 1 };
      })
      .addEdge(START, "think")
      .addConditionalEdges("think", () => "think");
    const worker = builder.toIR();
    const executor: Executor = {
      runAttempt: async (request, control) => {
        const wire = JSON.parse(JSON.stringify(request));
        return runNodeAttempt(worker.nodes.get(wire.node)!, wire, control);
      },
    };
    const error = await rejectionOf(builder.compile({ executor }).invoke({}, { budget: { tokens: 150 }, maxSteps: 50 }));
    expect(error.details.failures[0].error.details).toMatchObject({ budget: "run", spent: 200, step: 3 });
  });
});

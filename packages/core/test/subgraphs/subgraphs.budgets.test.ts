import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  appendList,
  Command,
  END,
  isGraphError,
  MemoryCheckpointer,
  type NodeContext,
  type RunEvent,
  Send,
  START,
  StateGraph,
} from "../../src/index.js";
import { collect, sleep } from "../helpers.js";

/** The first `BUDGET_EXCEEDED` in an error's chain of causes. */
function budgetError(error: unknown): { code: string; details: Record<string, unknown>; message: string } | undefined {
  for (let at: unknown = error; at !== undefined && at !== null; at = (at as { cause?: unknown }).cause) {
    if (isGraphError(at) && at.code === "BUDGET_EXCEEDED") return at as never;
  }
  return undefined;
}

/** A model call as a node makes it: reserve its estimate, wait for the answer, count what it used. */
async function call(ctx: NodeContext, tokens: number): Promise<void> {
  const reservation = ctx.reserveUsage({ tokens });
  await sleep(1);
  reservation.settle({ tokens });
}

const Job = z.object({ job: z.number(), log: appendList(z.string()) });

/** A worker subgraph: one model call of `tokens`, recording whether the budget let it through. */
function worker(tokens: number, seen: string[]) {
  return new StateGraph(Job, { name: "worker" })
    .addNode("ask", async (s, ctx) => {
      try {
        await call(ctx, tokens);
      } catch (error) {
        seen.push(`refused ${s.job}: ${budgetError(error)?.code}`);
        throw error;
      }
      return { log: `asked ${s.job}` };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile();
}

const Fan = z.object({ jobs: z.number(), log: appendList(z.string()) });

describe("budgets over subgraph runs", () => {
  it("stops model calls inside Send subgraph workers once the outer run's budget is spent, never above it", async () => {
    const seen: string[] = [];
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode("work", worker(100, seen), { onError: "continue" })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => Array.from({ length: s.jobs }, (_, job) => new Send("work", { job })))
      .addEdge("work", END)
      .compile();

    const result = await graph.run({ jobs: 12 }, { budget: { tokens: 550 } });

    // Twelve workers start at once; each reserves 100 before its call: five fit in 550.
    expect(result.state.log).toHaveLength(5);
    expect(result.budget).toMatchObject({ scope: "run", spent: { tokens: 500 }, remaining: { tokens: 50 } });
    expect(seen).toHaveLength(7);
    expect(seen.every((line) => line.endsWith("BUDGET_EXCEEDED"))).toBe(true);
    expect(result.failures).toHaveLength(7);
    const refused = budgetError(result.failures[0]!.error)!;
    expect(refused.details).toMatchObject({ node: "ask", budget: "run", max: 550, estimate: 100 });
    expect(refused.details.path).toEqual([`work#${result.failures[0]!.sendIndex}`, "ask"]);
    expect(refused.message).toContain(`(inside work#${result.failures[0]!.sendIndex})`);
  });

  it("holds each subgraph worker to the budget of the Send that started it", async () => {
    const Pair = z.object({ job: z.number(), log: appendList(z.string()) });
    const twice = new StateGraph(Pair, { name: "twice" })
      .addNode("first", async (s, ctx) => {
        await call(ctx, 100);
        return { log: `first ${s.job}` };
      })
      .addNode("second", async (s, ctx) => {
        await call(ctx, 100);
        return { log: `second ${s.job}` };
      })
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile();
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode("work", twice, { onError: "continue" })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) =>
        Array.from({ length: s.jobs }, (_, job) => new Send("work", { job }, { budget: { tokens: job === 0 ? 200 : 150 } })),
      )
      .addEdge("work", END)
      .compile();

    const result = await graph.run({ jobs: 3 }, { budget: { tokens: 10_000 } });

    // Worker 0 had room for both calls; the others for one each.
    expect(result.state.log).toEqual(["first 0", "second 0"]);
    expect(result.budget?.spent.tokens).toBe(400);
    expect(result.failures.map((failure) => failure.sendIndex)).toEqual([1, 2]);
    for (const failure of result.failures) {
      const refused = budgetError(failure.error)!;
      expect(refused.details).toMatchObject({ node: "second", budget: "send", scopeId: failure.taskId, max: 150, spent: 100 });
      expect(refused.details.path).toEqual([`work#${failure.sendIndex}`, "second"]);
    }
  });

  it("counts calls two levels deep against the outer run and the outer Send, with paths in events and errors", async () => {
    const Topic = z.object({ topic: z.string(), log: appendList(z.string()) });
    const research = new StateGraph(Topic, { name: "research" })
      .addNode("read", async (s, ctx) => {
        await call(ctx, 100);
        return { log: `read ${s.topic}` };
      })
      .addEdge(START, "read")
      .addEdge("read", END)
      .compile();
    const Team = z.object({ team: z.number(), log: appendList(z.string()) });
    const team = new StateGraph(Team, { name: "team" })
      .addNode("split", () => ({}))
      .addNode("research", research, { onError: "continue" })
      .addEdge(START, "split")
      .addConditionalEdges("split", (s) => ["a", "b", "c"].map((topic) => new Send("research", { topic: `${s.team}${topic}` })))
      .addEdge("research", END)
      .compile();
    const graph = new StateGraph(Fan)
      .addNode("plan", () => ({}))
      .addNode("team", team)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) =>
        Array.from({ length: s.jobs }, (_, t) => new Send("team", { team: t }, { budget: { tokens: 250 } })),
      )
      .addEdge("team", END)
      .compile();

    const { events, error } = await collect(graph.stream({ jobs: 2 }, { budget: { tokens: 1_000 } }));

    expect(error).toBeUndefined();
    const usage = events.flatMap((event) => (event.type === "task:usage" ? [event] : []));
    // Each team's Send budget lets two of its three researchers read.
    expect(usage).toHaveLength(4);
    for (const event of usage) {
      const [outer] = event.path!;
      expect(event.path).toEqual([outer, expect.stringMatching(/^research#[0-2]$/), "read"]);
      expect(event.usage.tokens).toBe(100);
      // The outer run's budget first, then the outer Send's: the inner runs have none of their own.
      expect(event.budgets.map((budget) => [budget.scope, budget.id, budget.path])).toEqual([
        ["run", undefined, undefined],
        ["send", `2:${outer!.slice("team#".length)}`, undefined],
      ]);
      expect(event.budgets[0]!.limit).toEqual({ tokens: 1_000 });
    }
    const end = events.find((event) => event.type === "run:end") as Extract<RunEvent, { type: "run:end" }>;
    expect(end.budget?.spent.tokens).toBe(400);
    const failed = events.filter((event) => event.type === "task:error" && event.path?.length === 2);
    expect(failed).toHaveLength(2);
    const refused = budgetError((failed[0] as Extract<RunEvent, { type: "task:error" }>).error)!;
    expect(refused.details).toMatchObject({ node: "read", budget: "send", max: 250, spent: 200 });
    expect((refused.details.path as string[])[0]).toMatch(/^team#[01]$/);
    expect((refused.details.path as string[]).slice(1)).toEqual([expect.stringMatching(/^research#[0-2]$/), "read"]);
  });

  it("shows an inner run's own budget in usage events, under the task's path", async () => {
    const Log = z.object({ log: appendList(z.string()) });
    const inner = new StateGraph(Log, { name: "inner" })
      .addNode("ask", async (_s, ctx) => {
        await call(ctx, 100);
        return { log: "asked" };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ defaults: { budget: { tokens: 300 } } });
    const graph = new StateGraph(Log).addNode("work", inner).addEdge(START, "work").addEdge("work", END).compile();

    const { events, error } = await collect(graph.stream({ log: [] }, { budget: { tokens: 1_000 } }));

    expect(error).toBeUndefined();
    const usage = events.find((event) => event.type === "task:usage") as Extract<RunEvent, { type: "task:usage" }>;
    expect(usage.path).toEqual(["work", "ask"]);
    expect(usage.budgets).toMatchObject([
      { scope: "run", limit: { tokens: 1_000 }, spent: { tokens: 100 } },
      { scope: "run", path: ["work"], limit: { tokens: 300 }, spent: { tokens: 100 }, remaining: { tokens: 200 } },
    ]);
  });

  it("keeps what an inner run spent before an interrupt: the resumed run's calls are refused past the budget", async () => {
    const Review = z.object({ log: appendList(z.string()) });
    const review = new StateGraph(Review, { name: "review" })
      .addNode("draft", async (_s, ctx) => {
        await call(ctx, 100);
        return { log: "drafted" };
      })
      .addNode("approve", (_s, ctx) => ({ log: `approved: ${ctx.interrupt<string>("ok?")}` }))
      .addNode("revise", async (_s, ctx) => {
        await call(ctx, 100);
        return { log: "revised" };
      })
      .addEdge(START, "draft")
      .addEdge("draft", "approve")
      .addEdge("approve", "revise")
      .addEdge("revise", END)
      .compile();
    const graph = new StateGraph(Review)
      .addNode("review", review)
      .addEdge(START, "review")
      .addEdge("review", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const paused = await graph.run({}, { threadId: "keep", budget: { tokens: 150 } });
    expect(paused.status).toBe("interrupted");
    expect(paused.budget?.spent.tokens).toBe(100);
    expect((await graph.getState("keep"))?.budget?.spent.tokens).toBe(100);

    const error = await graph.run(new Command({ resume: { [paused.interrupts[0]!.id]: "yes" } }), { threadId: "keep" }).catch((e) => e);

    const refused = budgetError(error)!;
    expect(refused.details).toMatchObject({ node: "revise", budget: "run", max: 150, spent: 100, path: ["review", "revise"] });
    expect((await graph.getState("keep"))?.budget?.spent.tokens).toBe(100);
  });

  it("counts what an inner run spent before its task was cancelled, when the task runs again from the inner thread", async () => {
    let failOnce = true;
    let reached: () => void = () => {};
    const drafted = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const Steps = z.object({ log: appendList(z.string()) });
    const long = new StateGraph(Steps, { name: "long" })
      .addNode("draft", async (_s, ctx) => {
        await call(ctx, 100);
        return { log: "drafted" };
      })
      .addNode("polish", async (_s, ctx) => {
        reached();
        // The first time, the sibling's failure cancels the step while this waits.
        if (failOnce) await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
        await call(ctx, 100);
        return { log: "polished" };
      })
      .addEdge(START, "draft")
      .addEdge("draft", "polish")
      .addEdge("polish", END)
      .compile();
    const graph = new StateGraph(Steps)
      .addNode("long", long)
      .addNode("flaky", async () => {
        await drafted;
        if (failOnce) {
          failOnce = false;
          throw new Error("flaky");
        }
        return { log: "flaky ok" };
      })
      .addEdge(START, "long")
      .addEdge(START, "flaky")
      .addEdge(["long", "flaky"], END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const failed = await graph.run({}, { threadId: "cancelled", budget: { tokens: 1_000 } }).catch((e) => e);
    expect(isGraphError(failed) && failed.code).toBe("TASK_FAILED");

    const done = await graph.run(null, { threadId: "cancelled" });

    // "draft" ran once, before the cancellation; its 100 tokens still count.
    expect(done.state.log).toEqual(["drafted", "polished", "flaky ok"]);
    expect(done.budget?.spent.tokens).toBe(200);
  });
});

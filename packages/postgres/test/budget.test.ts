import { appendList, Command, END, isGraphError, Send, START, StateGraph } from "@weft/core";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();
const schema = freshSchema();

const State = z.object({ done: appendList(z.number()) });

/**
 * Workers under one Send budget each: worker 1 spends its budget and stops to ask a human
 * before its second call.
 */
function workers(checkpointer: PostgresCheckpointer) {
  return new StateGraph(State)
    .addNode("plan", () => ({}))
    .addNode(
      "work",
      ({ i }: { i: number }, ctx) => {
        ctx.reserveUsage().settle({ tokens: 60 });
        if (i === 1) ctx.interrupt("go on?");
        ctx.reserveUsage({ tokens: 60 }).settle({ tokens: 60 });
        return { done: i };
      },
      { input: z.object({ i: z.number() }), onError: "continue" },
    )
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => [0, 1, 2].map((i) => new Send("work", { i }, { budget: { tokens: 150 } })))
    .addEdge("work", END)
    .compile({ checkpointer });
}

describe.skipIf(!available)("budgets in Postgres", () => {
  afterAll(() => dropSchema(schema));

  it("a Send's spending survives an interrupt across checkpointer instances: the resumed worker is refused", async () => {
    const first = new PostgresCheckpointer(POSTGRES_URL, { schema });
    const paused = await workers(first).run({}, { threadId: "pg-spend" });
    expect(paused.status).toBe("interrupted");
    await first.close();

    const second = new PostgresCheckpointer(POSTGRES_URL, { schema });
    const graph = workers(second);
    // Workers 0 and 2 spent 120 each; worker 1 spent 60 before it stopped.
    expect((await graph.getState("pg-spend"))?.budget?.spent.tokens).toBe(300);
    // Resumed, worker 1 runs again from the start: 60 + 60 under its 150, and its next call's
    // 60 would not fit. A fresh Send budget would have let it finish.
    const result = await graph.run(new Command({ resume: true }), { threadId: "pg-spend" });
    expect(result.state.done).toEqual([0, 2]);
    expect(result.failures).toHaveLength(1);
    const error = result.failures[0]!.error;
    expect(isGraphError(error) && error.details).toMatchObject({ budget: "send", spent: 120, estimate: 60, max: 150 });
    expect(result.budget?.spent.tokens).toBe(360);
    await second.close();
  });
});

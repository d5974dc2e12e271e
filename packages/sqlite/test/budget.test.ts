import { appendList, isGraphError, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SqliteCheckpointer } from "../src/index.js";
import { tempDatabase } from "./temp-file.js";

const State = z.object({ notes: appendList(z.string()) });

/** A graph whose node reports 100 tokens a call and calls again each step until a budget stops it. */
function spender(checkpointer: SqliteCheckpointer) {
  return new StateGraph(State)
    .addNode("work", (s, ctx) => {
      ctx.reserveUsage().settle({ tokens: 100 });
      return { notes: `call ${s.notes.length}` };
    })
    .addEdge(START, "work")
    .addConditionalEdges("work", () => "work")
    .compile({ checkpointer });
}

describe("budgets in SQLite", () => {
  it("what a run spent is read back by another checkpointer on the same file: a resume gets no fresh budget", async () => {
    const file = tempDatabase();
    try {
      const first = new SqliteCheckpointer(file.path);
      const failed = await spender(first)
        .invoke({}, { threadId: "spend", budget: { tokens: 250 }, maxSteps: 50 })
        .catch((error: unknown) => error);
      expect(isGraphError(failed) && isGraphError(failed.cause) && failed.cause.code).toBe("BUDGET_EXCEEDED");
      await first.close();

      const second = new SqliteCheckpointer(file.path);
      const graph = spender(second);
      expect((await graph.getState("spend"))?.budget).toEqual({
        scope: "run",
        limit: { tokens: 250 },
        spent: { tokens: 300, costUsd: 0 },
        remaining: { tokens: 0 },
      });
      // Without a budget option the stored limit holds, and the next call is refused at once.
      const again = await graph.invoke(null, { threadId: "spend", maxSteps: 50 }).catch((error: unknown) => error);
      expect(isGraphError(again) && isGraphError(again.cause) && again.cause.details).toMatchObject({ spent: 300, max: 250 });
      expect((await graph.getState("spend"))?.values.notes).toHaveLength(3);
      await second.close();
    } finally {
      file.remove();
    }
  });
});

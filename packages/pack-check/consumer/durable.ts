// A durable run with @weft/sqlite: the first process fails in `publish` after `draft` has been
// checkpointed; the second resumes the thread and `draft` does not run again.
import { appendFileSync } from "node:fs";
import { END, START, StateGraph } from "@weft/core";
import { SqliteCheckpointer } from "@weft/sqlite";
import { z } from "zod";

const State = z.object({ topic: z.string(), draft: z.string().optional(), published: z.boolean().default(false) });

const checkpointer = new SqliteCheckpointer("weft.db");
const graph = new StateGraph(State)
  .addNode("draft", (s) => {
    appendFileSync("calls.log", "draft\n");
    return { draft: `About ${s.topic}` };
  })
  .addNode("publish", () => {
    appendFileSync("calls.log", "publish\n");
    if (process.argv[2] === "crash") throw new Error("the network went away");
    return { published: true };
  })
  .addEdge(START, "draft")
  .addEdge("draft", "publish")
  .addEdge("publish", END)
  .compile({ checkpointer });

try {
  const state =
    process.argv[2] === "crash"
      ? await graph.invoke({ topic: "durability" }, { threadId: "t1" })
      : await graph.invoke(null, { threadId: "t1" });
  console.log(JSON.stringify(state));
} catch (error) {
  console.log(`failed: ${(error as Error).message.split("\n")[0]}`);
} finally {
  await checkpointer.close();
}

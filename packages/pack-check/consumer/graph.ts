// A graph module for `npx weft draw`: its export is a factory, as an app's graphs often are.
import { appendList, END, START, StateGraph } from "@weft/core";
import { z } from "zod";

const State = z.object({ text: z.string(), reviews: appendList(z.string()) });

export function reviewGraph() {
  return new StateGraph(State, { name: "review" })
    .addNode("security", () => ({ reviews: "ok" }))
    .addNode("style", () => ({ reviews: "ok" }))
    .addNode("summarize", () => undefined)
    .addEdge(START, "security")
    .addEdge(START, "style")
    .addEdge(["security", "style"], "summarize")
    .addEdge("summarize", END);
}

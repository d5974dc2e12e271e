import { output, runWithProgress, startExample, stateOf, timingSummary, type ExampleOptions } from "@weft/example-shared";
import { briefingGraph } from "./graph.js";
import { demoSources } from "./sources.js";

/** Runs the morning briefing: three services at once, then the aggregate; prints progress and the briefing. */
export async function runBriefing(options: ExampleOptions & { query?: string } = {}) {
  const { print, progress } = output(options);
  const graph = briefingGraph(demoSources(options.latencyScale));
  print("Weft briefing example (sectioning): weather, news and calendar are fetched at once,");
  print("then one aggregate node joins them.");
  print();
  const outcome = await runWithProgress(graph, { query: options.query ?? "morning briefing" }, { progress });
  const state = stateOf(outcome);
  print();
  print(state.finalResponse);
  print();
  print(timingSummary(outcome));
  return { state, outcome, graph };
}

startExample(import.meta.url, { query: { type: "string" } }, async ({ values }) => {
  const { graph, outcome } = await runBriefing(typeof values.query === "string" ? { query: values.query } : {});
  return [{ name: "briefing", graph, events: outcome.events, labels: outcome.progress.views(), title: "briefing run" }];
});

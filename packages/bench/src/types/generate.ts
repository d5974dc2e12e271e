/**
 * Sources of one graph shape for the type-check benchmark, on each engine: `plan` fans out
 * with Sends to `write`, then a chain n0 → … → n(k-1) loops back through a router. `nodes`
 * counts them all (plan + write + the chain).
 */

/** A variant: its file's source, and which engine and state style it uses. */
export interface TypeCase {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  /** The id of the case with the same imports and state but no graph, to subtract. */
  readonly baseline?: string;
}

function chainNames(nodes: number): string[] {
  if (nodes < 3) throw new Error("The type-check graph needs at least 3 nodes.");
  return Array.from({ length: nodes - 2 }, (_, i) => `n${i}`);
}

const weftState = `import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";

const State = z.object({
  topic: z.string(),
  count: z.number(),
  sections: z.array(z.string()).default([]),
  log: appendList(z.string()),
  done: z.boolean().optional(),
});
const Section = z.object({ section: z.string() });
`;

/** The graph, given what differs between engines: the constructor, the worker, a log update. */
function graphSource(state: string, nodes: number, engine: { create: string; write: string; log: (name: string) => string }): string {
  const chain = chainNames(nodes);
  return `${state}
export const graph = ${engine.create}
  .addNode("plan", (s) => ({ sections: [s.topic, \`\${s.topic} again\`] }))
  ${engine.write}
${chain.map((name) => `  .addNode("${name}", (s) => ({ count: s.count + 1, log: ${engine.log(name)} }))`).join("\n")}
  .addEdge(START, "plan")
  .addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write", { section })), ["write"])
  .addEdge("write", "${chain[0]}")
${chain
  .slice(1)
  .map((name, i) => `  .addEdge("${chain[i]}", "${name}")`)
  .join("\n")}
  .addConditionalEdges("${chain.at(-1)}", (s) => (s.count < 100 ? "${chain[0]}" : END), ["${chain[0]}", END])
  .compile();

export async function main(): Promise<number> {
  const final = await graph.invoke({ topic: "types", count: 0 });
  return final.count + final.log.length;
}
`;
}

function weft(nodes: number): string {
  return graphSource(weftState, nodes, {
    create: 'new StateGraph(State, { name: "types" })',
    write: '.addNode("write", ({ section }) => ({ log: section }), { input: Section })',
    log: (name) => `"${name}"`,
  });
}

const langgraphAnnotationState = `import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({
  topic: Annotation<string>,
  count: Annotation<number>,
  sections: Annotation<string[]>({ reducer: (_current, next) => next, default: () => [] }),
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  done: Annotation<boolean | undefined>,
});
`;

const langgraphZodState = `import { END, Send, START, StateGraph } from "@langchain/langgraph";
import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";

const State = z.object({
  topic: z.string(),
  count: z.number(),
  sections: z.array(z.string()).default([]),
  log: z.array(z.string()).register(registry, { reducer: { fn: (a: string[], b: string[]) => a.concat(b) }, default: () => [] }),
  done: z.boolean().optional(),
});
`;

function langgraph(state: string, nodes: number): string {
  return graphSource(state, nodes, {
    create: "new StateGraph(State)",
    write: '.addNode("write", (input: { section: string }) => ({ log: [input.section] }))',
    log: (name) => `["${name}"]`,
  });
}

/** Every variant at `nodes` nodes, with the state-only baselines they are measured against. */
export function typeCases(nodes: number): TypeCase[] {
  // The baselines export what they import, so nothing is elided as unused.
  const keep = (...names: string[]): string => `\nexport { END, Send, START, StateGraph, ${names.join(", ")} };\n`;
  return [
    { id: "weft-state", title: "Weft: imports + zod state only", source: weftState + keep("State", "Section") },
    { id: "weft", title: `Weft, ${nodes} nodes (zod state)`, source: weft(nodes), baseline: "weft-state" },
    {
      id: "langgraph-annotation-state",
      title: "LangGraph.js: imports + Annotation state only",
      source: langgraphAnnotationState + keep("State"),
    },
    {
      id: "langgraph-annotation",
      title: `LangGraph.js, ${nodes} nodes (Annotation)`,
      source: langgraph(langgraphAnnotationState, nodes),
      baseline: "langgraph-annotation-state",
    },
    { id: "langgraph-zod-state", title: "LangGraph.js: imports + zod state only", source: langgraphZodState + keep("State") },
    {
      id: "langgraph-zod",
      title: `LangGraph.js, ${nodes} nodes (zod state)`,
      source: langgraph(langgraphZodState, nodes),
      baseline: "langgraph-zod-state",
    },
  ];
}

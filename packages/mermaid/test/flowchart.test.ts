import { END, Send, START, StateGraph, appendList } from "@weft/core";
import { toMermaid } from "@weft/core/draw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { drawValid } from "./draw.js";
import briefing from "./fixtures/briefing.js";
import { graph as report } from "./fixtures/report.js";
import support from "./fixtures/support.js";
import { voting } from "./fixtures/voting.js";
import { nastyGraph } from "./nasty.js";

describe("toMermaid on the seed's graphs", () => {
  it("briefing: START fans out to three fetchers with solid edges, which all lead to the aggregator", async () => {
    expect(await drawValid(briefing)).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["weather"]
        n1["news"]
        n2["calendar"]
        n3["aggregate"]
        __end__(["END"])
        __start__ --> n0
        __start__ --> n1
        __start__ --> n2
        n0 --> n3
        n1 --> n3
        n2 --> n3
        n3 --> __end__
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
      "
    `);
  });

  it("report: the planner's Send fan-out to the worker is a thick dashed 'Send' edge into a stacked node", async () => {
    const text = await drawValid(report);
    expect(text).toContain('n0 ==>|"Send"| n1');
    expect(text).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["plan"]
        n1@{ shape: procs, label: "write_section" }
        n2["synthesize"]
        __end__(["END"])
        __start__ --> n0
        n1 --> n2
        n2 --> __end__
        n0 ==>|"Send"| n1
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
        classDef worker fill:#f5f3ff,stroke:#7c3aed,color:#2e1065
        class n1 worker
        linkStyle 3 stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4
      "
    `);
  });

  it("voting: Sends straight from START to the judges", async () => {
    expect(await drawValid(voting)).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0@{ shape: procs, label: "judge" }
        n1["tally"]
        __end__(["END"])
        n0 --> n1
        n1 --> __end__
        __start__ ==>|"Send"| n0
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
        classDef worker fill:#f5f3ff,stroke:#7c3aed,color:#2e1065
        class n0 worker
        linkStyle 2 stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4
      "
    `);
  });
});

describe("toMermaid on every kind of edge", () => {
  it("draws a join as a junction dot, path keys as edge labels, Command targets dashed, deferred nodes by class", async () => {
    const text = await drawValid(support);
    expect(text).toContain("j0@{ shape: f-circ }");
    expect(text).toContain("n0 --- j0\n  n1 --- j0\n  j0 --> n2");
    expect(text).toContain('n2 -.->|"spam"| __end__');
    expect(text).toContain("n2 -.-> n6");
    expect(text).toContain("class n7 deferred");
    expect(text).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["read_ticket"]
        n1["load_customer"]
        n2["triage"]
        n3["refund"]
        n4["investigate"]
        n5@{ shape: procs, label: "check" }
        n6["escalate"]
        n7["reply"]
        __end__(["END"])
        j0@{ shape: f-circ }
        __start__ --> n0
        __start__ --> n1
        n3 --> n7
        n5 --> n7
        n6 --> n7
        n7 --> __end__
        n0 --- j0
        n1 --- j0
        j0 --> n2
        n2 -.->|"refund"| n3
        n2 -.->|"bug"| n4
        n2 -.->|"spam"| __end__
        n4 ==>|"Send"| n5
        n2 -.-> n6
        classDef deferred fill:#fffbeb,stroke:#b45309,stroke-dasharray:6 3,color:#451a03
        class n7 deferred
        classDef join fill:#334155,stroke:#334155
        class j0 join
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
        classDef worker fill:#f5f3ff,stroke:#7c3aed,color:#2e1065
        class n5 worker
        linkStyle 12 stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4
      "
    `);
  });

  it("joins several path keys that lead to one target into one label", async () => {
    const State = z.object({ mood: z.string() });
    const graph = new StateGraph(State)
      .addNode("classify", () => ({}))
      .addNode("cheer", () => ({}))
      .addEdge(START, "classify")
      .addConditionalEdges("classify", (s) => (s.mood === "sad" ? "sad" : s.mood === "bored" ? "bored" : "fine"), {
        sad: "cheer",
        bored: "cheer",
        fine: END,
      })
      .addEdge("cheer", END);
    expect(await drawValid(graph)).toContain('n0 -.->|"sad, bored"| n1');
  });

  it("draws a router without declared targets as dashed edges to every node and END, or to one placeholder", async () => {
    const State = z.object({ next: z.string() });
    const graph = new StateGraph(State)
      .addNode("route", () => ({}))
      .addNode("a", () => ({}))
      .addEdge(START, "route")
      .addConditionalEdges("route", (s) => (s.next === "a" ? "a" : END))
      .addEdge("a", END);
    expect(await drawValid(graph)).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["route"]
        n1["a"]
        __end__(["END"])
        __start__ --> n0
        n1 --> __end__
        n0 -.-> n0
        n0 -.-> n1
        n0 -.-> __end__
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
      "
    `);
    expect(await drawValid(graph, { undeclaredRoutes: "placeholder" })).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["route"]
        n1["a"]
        __end__(["END"])
        r0{{"any node"}}
        __start__ --> n0
        n1 --> __end__
        n0 -.-> r0
        classDef any fill:#ffffff,stroke:#64748b,stroke-dasharray:2 2,color:#334155
        class r0 any
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
      "
    `);
  });

  it("expands a node into a subgraph box holding the graph it runs, nested graphs included", async () => {
    const State = z.object({ q: z.string() });
    const fetch = new StateGraph(State)
      .addNode("fetch", () => ({}))
      .addEdge(START, "fetch")
      .addEdge("fetch", END);
    const research = new StateGraph(State)
      .addNode("search", () => ({}))
      .addNode("rank", () => ({}))
      .addEdge(START, "search")
      .addEdge("search", "rank")
      .addEdge("rank", END);
    const outer = new StateGraph(State)
      .addNode("research", () => ({}))
      .addNode("write", () => ({}))
      .addEdge(START, "research")
      .addEdge("research", "write")
      .addEdge("write", END);
    const text = await drawValid(outer, {
      subgraphs: { research: { graph: research, subgraphs: { search: fetch } } },
      direction: "LR",
      title: "nested",
    });
    expect(text).toContain('subgraph n0 ["research"]');
    expect(text).toContain('subgraph n0_n0 ["search"]');
    expect(text).toMatchInlineSnapshot(`
      "---
      title: "nested"
      ---
      flowchart LR
        __start__(["START"])
        subgraph n0 ["research"]
          n0___start__(["START"])
          subgraph n0_n0 ["search"]
            n0_n0___start__(["START"])
            n0_n0_n0["fetch"]
            n0_n0___end__(["END"])
          end
          n0_n1["rank"]
          n0___end__(["END"])
        end
        n1["write"]
        __end__(["END"])
        n0_n0___start__ --> n0_n0_n0
        n0_n0_n0 --> n0_n0___end__
        n0___start__ --> n0_n0
        n0_n0 --> n0_n1
        n0_n1 --> n0___end__
        __start__ --> n0
        n0 --> n1
        n1 --> __end__
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,n0___start__,n0_n0___start__,n0_n0___end__,n0___end__,__end__ terminal
      "
    `);
  });
});

describe("toMermaid on subgraph nodes", () => {
  const State = z.object({ q: z.string(), notes: appendList(z.string()) });
  // The same node names at every level: ids must still differ.
  const leaf = new StateGraph(State, { name: "leaf" })
    .addNode("work", () => ({}))
    .addEdge(START, "work")
    .addEdge("work", END)
    .compile();
  const middle = new StateGraph(State, { name: "middle" })
    .addNode("work", leaf)
    .addNode("check", () => ({}))
    .addEdge(START, "work")
    .addEdge("work", "check")
    .addEdge("check", END)
    .compile();
  const top = new StateGraph(State)
    .addNode("work", middle)
    .addNode("check", () => ({}))
    .addEdge(START, "work")
    .addEdge("work", "check")
    .addEdge("check", END);

  it("expands subgraph nodes from the graph itself, two levels deep, with ids unique across levels", async () => {
    const text = await drawValid(top);
    expect(text).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        subgraph n0 ["work"]
          n0___start__(["START"])
          subgraph n0_n0 ["work"]
            n0_n0___start__(["START"])
            n0_n0_n0["work"]
            n0_n0___end__(["END"])
          end
          n0_n1["check"]
          n0___end__(["END"])
        end
        n1["check"]
        __end__(["END"])
        n0_n0___start__ --> n0_n0_n0
        n0_n0_n0 --> n0_n0___end__
        n0___start__ --> n0_n0
        n0_n0 --> n0_n1
        n0_n1 --> n0___end__
        __start__ --> n0
        n0 --> n1
        n1 --> __end__
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,n0___start__,n0_n0___start__,n0_n0___end__,n0___end__,__end__ terminal
      "
    `);
    const declared = text
      .split("\n")
      .map((line) => /^\s*(?:subgraph )?([A-Za-z0-9_]+)(?:\[|\(|@| \[)/.exec(line)?.[1])
      .filter((id) => id !== undefined);
    expect(declared).toHaveLength(11);
    expect(new Set(declared).size).toBe(declared.length);
    // A builder, its compiled graph and its IR draw the same.
    expect(toMermaid(top.compile())).toBe(text);
    expect(toMermaid(top.toIR())).toBe(text);
  });

  it("draws Sends into a subgraph that the state alone cannot start as Sends into a purple box", async () => {
    const Section = z.object({ title: z.string(), text: appendList(z.string()), draft: z.string().default("") });
    const writer = new StateGraph(Section, { name: "writer" })
      .addNode("draft", () => ({}))
      .addNode("revise", () => ({}))
      .addEdge(START, "draft")
      .addEdge("draft", "revise")
      .addEdge("revise", END)
      .compile();
    const Doc = z.object({ titles: z.array(z.string()), text: appendList(z.string()) });
    const doc = new StateGraph(Doc)
      .addNode("plan", () => ({}))
      .addNode("write", writer, { concurrency: 2 })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.titles.map((title) => new Send("write", { title })), ["write"])
      .addEdge("write", END);
    const text = await drawValid(doc);
    expect(text).toContain('n0 ==>|"Send"| n1');
    expect(text).toContain("class n1 worker");
    expect(text).toMatchInlineSnapshot(`
      "flowchart TD
        __start__(["START"])
        n0["plan"]
        subgraph n1 ["write"]
          n1___start__(["START"])
          n1_n0["draft"]
          n1_n1["revise"]
          n1___end__(["END"])
        end
        __end__(["END"])
        n1___start__ --> n1_n0
        n1_n0 --> n1_n1
        n1_n1 --> n1___end__
        __start__ --> n0
        n1 --> __end__
        n0 ==>|"Send"| n1
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,n1___start__,n1___end__,__end__ terminal
        classDef worker fill:#f5f3ff,stroke:#7c3aed,color:#2e1065
        class n1 worker
        linkStyle 5 stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4
      "
    `);
  });

  it("draws a router into a subgraph that shares the state's keys as a route, and one with an input mapping too", async () => {
    const route = new StateGraph(State)
      .addNode("triage", () => ({}))
      .addNode("research", leaf)
      .addNode("mapped", leaf, { input: (s: { q: string }) => ({ q: s.q, notes: [] }) })
      .addEdge(START, "triage")
      .addConditionalEdges("triage", (s) => (s.q === "a" ? "research" : "mapped"), ["research", "mapped"])
      .addEdge("research", END)
      .addEdge("mapped", END);
    const text = await drawValid(route);
    expect(text).toContain("n0 -.-> n1\n");
    expect(text).toContain("n0 -.-> n2\n");
    expect(text).not.toContain("Send");
    expect(text).not.toContain("worker");
  });

  it("lets a map entry win over the graph a subgraph node holds, and still expands nodes that call a graph", async () => {
    const other = new StateGraph(State)
      .addNode("instead", () => ({}))
      .addEdge(START, "instead")
      .addEdge("instead", END);
    const outer = new StateGraph(State)
      .addNode("work", middle)
      .addNode("call", (s) => leaf.invoke(s))
      .addEdge(START, "work")
      .addEdge("work", "call")
      .addEdge("call", END);
    const text = await drawValid(outer, { subgraphs: { work: other, call: leaf } });
    expect(text).toContain('subgraph n0 ["work"]\n    n0___start__(["START"])\n    n0_n0["instead"]\n    n0___end__(["END"])\n  end');
    expect(text).toContain('subgraph n1 ["call"]\n    n1___start__(["START"])\n    n1_n0["work"]');
    expect(text).not.toContain("check");
    // An entry with its own map reaches into the graph it draws.
    const deeper = await drawValid(outer, { subgraphs: { work: { graph: middle, subgraphs: { check: other } } } });
    expect(deeper).toContain('subgraph n0_n1 ["check"]\n      n0_n1___start__(["START"])\n      n0_n1_n0["instead"]');
    expect(deeper).toContain('subgraph n0_n0 ["work"]');
  });
});

describe("toMermaid with names that break naive output", () => {
  it("keeps keywords, spaces, quotes, brackets, markup, entities and unicode inside quoted labels behind safe ids", async () => {
    expect(await drawValid(nastyGraph(), { title: 'nasty "graph": #1' })).toMatchInlineSnapshot(`
      "---
      title: "nasty \\"graph\\": #1"
      ---
      flowchart TD
        __start__(["START"])
        n0["end"]
        n1["class"]
        n2["graph"]
        n3["subgraph"]
        n4["click"]
        n5["style"]
        n6["a b"]
        n7["say #quot;hi#quot;"]
        n8["[x]"]
        n9["{y}"]
        n10["(z)"]
        n11["a#35;b;"]
        n12["#35;quot;"]
        n13["#lt;b#gt;bold#lt;/b#gt;"]
        n14["a#amp;amp;b"]
        n15["#96;md#96;"]
        n16["grün ✓ 日本 🚀"]
        n17["x --#gt; y"]
        n18["a|b"]
        n19["%%c"]
        n20["back#92;slash"]
        n21["semi;colon"]
        n22["key: value"]
        n23@{ shape: procs, label: "work|er #quot;1#quot;" }
        n24["done?) ]]"]
        __end__(["END"])
        __start__ --> n0
        n0 --> n1
        n1 --> n2
        n2 --> n3
        n3 --> n4
        n4 --> n5
        n5 --> n6
        n6 --> n7
        n7 --> n8
        n8 --> n9
        n9 --> n10
        n10 --> n11
        n11 --> n12
        n12 --> n13
        n13 --> n14
        n14 --> n15
        n15 --> n16
        n16 --> n17
        n17 --> n18
        n18 --> n19
        n19 --> n20
        n20 --> n21
        n21 --> n22
        n23 --> n24
        n24 --> __end__
        n22 ==>|"#quot;quoted#quot; key"| n23
        n22 -.->|"--#gt;"| n24
        n22 -.->|"a|b"| __end__
        classDef deferred fill:#fffbeb,stroke:#b45309,stroke-dasharray:6 3,color:#451a03
        class n24 deferred
        classDef terminal fill:#f1f5f9,stroke:#475569,color:#0f172a
        class __start__,__end__ terminal
        classDef worker fill:#f5f3ff,stroke:#7c3aed,color:#2e1065
        class n23 worker
        linkStyle 25 stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4
      "
    `);
  });
});

describe("toMermaid output is stable", () => {
  it("gives the same bytes for a builder, its compiled graph and its IR, every time", async () => {
    const builder = support;
    const first = toMermaid(builder);
    expect(toMermaid(builder.compile())).toBe(first);
    expect(toMermaid(builder.toIR())).toBe(first);
    expect(toMermaid(builder)).toBe(first);
    expect(await drawValid(builder)).toBe(first);
  });

  it("draws a repeated static edge once", async () => {
    const State = z.object({ x: z.number() });
    const graph = new StateGraph(State)
      .addNode("a", () => ({}))
      .addEdge(START, "a")
      .addEdge(START, "a")
      .addEdge("a", END);
    expect((await drawValid(graph)).match(/__start__ --> n0/g)).toHaveLength(1);
  });
});

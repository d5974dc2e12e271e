import { END, START, StateGraph } from "@weft/core";
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

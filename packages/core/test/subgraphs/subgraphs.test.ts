import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, GraphError, MemoryCheckpointer, Send, START, StateGraph, type RunEvent } from "../../src/index.js";
import { collect, rejectionOf, sleep } from "../helpers.js";

/** A research graph: search, then read; it shares `topic` and `notes` with the graphs below. */
const Research = z.object({ topic: z.string(), notes: appendList(z.string()), summary: z.string().optional() });

function researchGraph(calls: string[] = []) {
  return new StateGraph(Research, { name: "research" })
    .addNode("search", (s) => {
      calls.push(`search ${s.topic}`);
      return { notes: `found ${s.topic}` };
    })
    .addNode("read", (s) => {
      calls.push(`read ${s.topic}`);
      return { notes: `read ${s.topic}`, summary: `${s.topic}: ${s.notes.length + 1} notes` };
    })
    .addEdge(START, "search")
    .addEdge("search", "read")
    .addEdge("read", END)
    .compile();
}

describe("a compiled graph as a node", () => {
  it("reads the keys it shares with its parent and writes back those it changed; an append list gets only the new items", async () => {
    const Report = z.object({ topic: z.string(), notes: appendList(z.string()), title: z.string() });
    const graph = new StateGraph(Report)
      .addNode("research", researchGraph())
      .addNode("title", (s) => ({ title: `On ${s.topic}` }))
      .addEdge(START, "research")
      .addEdge("research", "title")
      .addEdge("title", END)
      .compile();

    const final = await graph.invoke({ topic: "tides", notes: ["given"], title: "" });

    // `summary` is not a key of the parent: it stays inside. `notes` held "given" before the
    // subgraph ran: the parent's list receives only what the inner run added.
    expect(final).toEqual({ topic: "tides", notes: ["given", "found tides", "read tides"], title: "On tides" });
  });

  it("does not write back a shared key the inner run left as it was", async () => {
    const Parent = z.object({ topic: z.string(), notes: appendList(z.string()), other: z.string() });
    const graph = new StateGraph(Parent)
      .addNode("research", researchGraph())
      // Writes `topic` in the same step: a second writer of a plain key would be a CONCURRENT_UPDATE.
      .addNode("rename", () => ({ topic: "renamed" }))
      .addEdge(START, "research")
      .addEdge(START, "rename")
      .addEdge(["research", "rename"], END)
      .compile();

    const final = await graph.invoke({ topic: "tides", notes: [], other: "kept" });

    expect(final).toEqual({ topic: "renamed", notes: ["found tides", "read tides"], other: "kept" });
  });

  it("maps the parent's state in and the inner state out with input and output", async () => {
    const Desk = z.object({ question: z.string(), answer: z.string().optional() });
    const graph = new StateGraph(Desk)
      .addNode("research", researchGraph(), {
        input: (s) => ({ topic: s.question.toUpperCase() }),
        output: (inner) => ({ answer: `${inner.summary} (${inner.notes.join(", ")})` }),
      })
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile();

    expect(await graph.invoke({ question: "why" })).toEqual({ question: "why", answer: "WHY: 2 notes (found WHY, read WHY)" });
  });

  it("records the inner graph in the node's spec, for drawings and tools", () => {
    const inner = researchGraph();
    const ir = new StateGraph(Research).addNode("research", inner).addEdge(START, "research").addEdge("research", END).toIR();
    expect(ir.nodes.get("research")?.subgraph?.graph).toBe(inner.toIR());
  });

  it("refuses at compile() a shared key whose schemas accept other values, naming the node and the key", () => {
    const Other = z.object({ topic: z.number(), notes: appendList(z.string()) });
    const builder = new StateGraph(Other)
      // @ts-expect-error `topic` is a number here and a string in the subgraph
      .addNode("research", researchGraph())
      .addEdge(START, "research")
      .addEdge("research", END);
    const error = (() => {
      try {
        builder.compile();
      } catch (thrown) {
        return thrown;
      }
    })() as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.details).toMatchObject({ node: "research", key: "topic", subgraph: "research" });
    expect(error.message).toContain('key "topic"');
  });

  it("accepts a shared key whose schemas differ only in refinements and defaults, and mappings that replace the shared keys", async () => {
    const Refined = z.object({ topic: z.string().min(1).default("x"), notes: appendList(z.string()) });
    const graph = new StateGraph(Refined)
      .addNode("research", researchGraph())
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile();
    expect((await graph.invoke({ topic: "a" })).notes).toEqual(["found a", "read a"]);

    const Other = z.object({ topic: z.number() });
    const mapped = new StateGraph(Other)
      .addNode("research", researchGraph(), {
        input: (s) => ({ topic: String(s.topic) }),
        output: (inner) => ({ topic: inner.notes.length }),
      })
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile();
    expect(await mapped.invoke({ topic: 7 })).toEqual({ topic: 2 });
  });

  it("refuses an input or output mapping that is not a function, naming the node and the option", () => {
    const error = (() => {
      try {
        // @ts-expect-error a mapping is a function
        new StateGraph(Research).addNode("research", researchGraph(), { input: "topic" });
      } catch (thrown) {
        return thrown;
      }
    })() as GraphError;
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.details).toMatchObject({ node: "research", option: "input" });
  });
});

describe("subgraphs under Send", () => {
  it("runs 100 Sends to a subgraph as 100 inner runs, at most 10 at once, results in Send order", async () => {
    let inFlight = 0;
    let most = 0;
    const Worker = z.object({ index: z.number(), found: appendList(z.string()) });
    const worker = new StateGraph(Worker, { name: "worker" })
      .addNode("fetch", async (s) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Later Sends finish first: the order of results must not follow the clock.
        await sleep((100 - s.index) % 7);
        inFlight--;
        return { found: `page ${s.index}` };
      })
      .addNode("parse", (s) => ({ found: `parsed ${s.index}` }))
      .addEdge(START, "fetch")
      .addEdge("fetch", "parse")
      .addEdge("parse", END)
      .compile();
    const Fanout = z.object({ count: z.number(), found: appendList(z.string()) });
    const graph = new StateGraph(Fanout)
      .addNode("plan", () => ({}))
      .addNode("worker", worker, { concurrency: 10 })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => Array.from({ length: s.count }, (_, index) => new Send("worker", { index })))
      .addEdge("worker", END)
      .compile();

    const final = await graph.invoke({ count: 100 });

    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(10);
    expect(final.found).toEqual(Array.from({ length: 100 }, (_, i) => [`page ${i}`, `parsed ${i}`]).flat());
  });

  it("gives a Send's payload to the input mapping; the mapping's parameter is what the Send carries", async () => {
    const Sections = z.object({ titles: z.array(z.string()), notes: appendList(z.string()) });
    const graph = new StateGraph(Sections)
      .addNode("start", () => ({}))
      .addNode("research", researchGraph(), { input: (payload: { title: string }) => ({ topic: payload.title }) })
      .addEdge(START, "start")
      .addConditionalEdges("start", (s) => s.titles.map((title) => new Send("research", { title })))
      .addEdge("research", END)
      .compile();

    const final = await graph.invoke({ titles: ["a", "b"] });

    expect(final.notes).toEqual(["found a", "read a", "found b", "read b"]);
  });

  it("lets the failures of some inner runs be recorded while the others commit (onError: continue)", async () => {
    const Worker = z.object({ index: z.number(), found: appendList(z.string()) });
    const worker = new StateGraph(Worker, { name: "worker" })
      .addNode("fetch", (s) => {
        if (s.index % 3 === 0) throw new Error(`page ${s.index} is gone`);
        return { found: `page ${s.index}` };
      })
      .addEdge(START, "fetch")
      .addEdge("fetch", END)
      .compile();
    const graph = new StateGraph(z.object({ found: appendList(z.string()) }))
      .addNode("plan", () => ({}))
      .addNode("worker", worker, { onError: "continue" })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => Array.from({ length: 7 }, (_, index) => new Send("worker", { index })))
      .addEdge("worker", END)
      .compile();

    const result = await graph.run({});

    expect(result.state.found).toEqual(["page 1", "page 2", "page 4", "page 5"]);
    expect(result.failures.map((failure) => failure.sendIndex)).toEqual([0, 3, 6]);
    expect(result.failures.every((failure) => failure.node === "worker")).toBe(true);
  });
});

describe("cancelling inner runs", () => {
  const Held = z.object({ index: z.number(), log: appendList(z.string()) });

  /** A subgraph whose one node waits until its run is aborted, and counts the waits and aborts. */
  function heldGraph(seen: { waiting: number; aborted: number; onWaiting?: () => void }) {
    return new StateGraph(Held, { name: "held" })
      .addNode("hold", async (_s, ctx) => {
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            seen.aborted++;
            resolve();
          });
          seen.waiting++;
          seen.onWaiting?.();
        });
        return { log: "released" };
      })
      .addEdge(START, "hold")
      .addEdge("hold", END)
      .compile();
  }

  it("links each inner run to its step without an abort listener on the step's signal", async () => {
    const count = 200;
    let listeners = -1;
    let allWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => (allWaiting = resolve));
    const Worker = z.object({ index: z.number(), log: appendList(z.string()) });
    const worker = new StateGraph(Worker, { name: "worker" })
      .addNode("work", async (s) => {
        if (s.index === count - 1) allWaiting();
        await waiting;
        await sleep(1);
        return { log: `w${s.index}` };
      })
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    const graph = new StateGraph(Worker)
      .addNode("plan", () => ({}))
      .addNode("worker", worker)
      .addNode("probe", async (_s, ctx) => {
        await waiting;
        // Every inner run has started and is waiting: a listener each would make `count`.
        listeners = getEventListeners(ctx.signal, "abort").length;
        return {};
      })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [
        ...Array.from({ length: count }, (_, index) => new Send("worker", { index })),
        new Send("probe", { index: -1, log: [] }),
      ])
      .addEdge("worker", END)
      .addEdge("probe", END)
      .compile();

    const final = await graph.invoke({ index: 0 });

    expect(final.log).toHaveLength(count);
    expect(listeners).toBeGreaterThanOrEqual(0);
    expect(listeners).toBeLessThan(3);
  });

  it("cancels every running inner run when a sibling fails the step, and fails with the sibling's error", async () => {
    const seen: { waiting: number; aborted: number; onWaiting?: () => void } = { waiting: 0, aborted: 0 };
    const waiting = new Promise<void>((resolve) => (seen.onWaiting = () => seen.waiting === 20 && resolve()));
    const graph = new StateGraph(Held)
      .addNode("plan", () => ({}))
      .addNode("held", heldGraph(seen))
      .addNode("boom", async () => {
        await waiting;
        throw new Error("boom");
      })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [
        ...Array.from({ length: 20 }, (_, index) => new Send("held", { index })),
        new Send("boom", { index: -1, log: [] }),
      ])
      .addEdge("held", END)
      .addEdge("boom", END)
      .compile();

    const error = await rejectionOf(graph.invoke({ index: 0 }));

    expect(error.code).toBe("TASK_FAILED");
    expect(error.details.failures.map((f: { node: string }) => f.node)).toContain("boom");
    expect(seen).toMatchObject({ waiting: 20, aborted: 20 });
  });

  it("passes the caller's abort down two levels, to every inner run", async () => {
    const seen: { waiting: number; aborted: number; onWaiting?: () => void } = { waiting: 0, aborted: 0 };
    const controller = new AbortController();
    seen.onWaiting = () => {
      if (seen.waiting === 6) controller.abort(new Error("stop"));
    };
    const middle = new StateGraph(Held, { name: "middle" })
      .addNode("fan", () => ({}))
      .addNode("held", heldGraph(seen))
      .addEdge(START, "fan")
      .addConditionalEdges("fan", (s) => [0, 1, 2].map((i) => new Send("held", { index: s.index * 3 + i })))
      .addEdge("held", END)
      .compile();
    const graph = new StateGraph(Held)
      .addNode("plan", () => ({}))
      .addNode("middle", middle)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [0, 1].map((index) => new Send("middle", { index })))
      .addEdge("middle", END)
      .compile();

    const error = await rejectionOf(graph.invoke({ index: 0 }, { signal: controller.signal }));

    expect(error.code).toBe("ABORTED");
    expect(seen).toMatchObject({ waiting: 6, aborted: 6 });
  });

  it("cancels the inner run of a timed-out attempt and leaves its siblings running", async () => {
    const seen = { waiting: 0, aborted: 0 };
    const Pair = z.object({ log: appendList(z.string()) });
    const quick = new StateGraph(Pair, { name: "quick" })
      .addNode("later", async () => {
        await sleep(60);
        return { log: "quick done" };
      })
      .addEdge(START, "later")
      .addEdge("later", END)
      .compile();
    const graph = new StateGraph(Held)
      .addNode("held", heldGraph(seen), { timeoutMs: 20, onError: () => ({ log: "timed out" }) })
      .addNode("quick", quick)
      .addEdge(START, "held")
      .addEdge(START, "quick")
      .addEdge("held", END)
      .addEdge("quick", END)
      .compile();

    const final = await graph.invoke({ index: 0 });

    expect(seen).toMatchObject({ waiting: 1, aborted: 1 });
    expect(final.log).toEqual(["timed out", "quick done"]);
  });
});

describe("nested subgraphs", () => {
  it("runs a subgraph inside a subgraph", async () => {
    const calls: string[] = [];
    const Team = z.object({ topic: z.string(), notes: appendList(z.string()) });
    const team = new StateGraph(Team, { name: "team" })
      .addNode("research", researchGraph(calls))
      .addNode("review", (s) => ({ notes: `reviewed ${s.notes.length}` }))
      .addEdge(START, "research")
      .addEdge("research", "review")
      .addEdge("review", END)
      .compile();
    const graph = new StateGraph(Team).addNode("team", team).addEdge(START, "team").addEdge("team", END).compile();

    expect(await graph.invoke({ topic: "t" })).toEqual({ topic: "t", notes: ["found t", "read t", "reviewed 2"] });
    expect(calls).toEqual(["search t", "read t"]);
  });
});

describe("events of inner runs", () => {
  it("appear in the outer stream with their path, in order; the outer run's own events have none", async () => {
    const Team = z.object({ topic: z.string(), notes: appendList(z.string()) });
    const team = new StateGraph(Team, { name: "team" })
      .addNode("research", researchGraph())
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile();
    const graph = new StateGraph(z.object({ topics: z.array(z.string()), notes: appendList(z.string()) }))
      .addNode("plan", () => ({}))
      .addNode("team", team)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.topics.map((topic) => new Send("team", { topic })))
      .addEdge("team", END)
      .compile();

    const { events, error } = await collect(graph.stream({ topics: ["a", "b"] }));
    expect(error).toBeUndefined();

    const show = (event: RunEvent) => `${event.type} ${(event.path ?? []).join(" > ")}`.trim();
    const ofSend = (index: number) => events.filter((event) => event.path?.[0] === `team#${index}`).map(show);
    expect(ofSend(1)).toEqual([
      "step:start team#1",
      "task:start team#1 > research",
      "step:start team#1 > research",
      "task:start team#1 > research > search",
      "task:end team#1 > research > search",
      "step:end team#1 > research",
      "step:start team#1 > research",
      "task:start team#1 > research > read",
      "task:end team#1 > research > read",
      "step:end team#1 > research",
      "task:end team#1 > research",
      "step:end team#1",
    ]);
    const outer = events
      .filter((event) => event.path === undefined)
      .map((event) => `${event.type} ${"node" in event ? event.node : ""}`.trim());
    expect(outer).toEqual([
      "run:start",
      "step:start",
      "task:start plan",
      "task:end plan",
      "step:end",
      "step:start",
      "task:start team",
      "task:start team",
      "task:end team",
      "task:end team",
      "step:end",
      "run:end",
    ]);
    // Each inner run's events come between its outer task's start and end.
    const start = events.findIndex((event) => event.type === "task:start" && event.path === undefined && event.sendIndex === 1);
    const end = events.findIndex((event) => event.type === "task:end" && event.path === undefined && event.sendIndex === 1);
    const inner = events.flatMap((event, i) => (event.path?.[0] === "team#1" ? [i] : []));
    expect(Math.min(...inner)).toBeGreaterThan(start);
    expect(Math.max(...inner)).toBeLessThan(end);
  });

  it("are timed on the outer run's clock, at every depth: inside their outer task's start and end", async () => {
    const slowResearch = new StateGraph(Research, { name: "research" })
      .addNode("search", async () => {
        await sleep(15);
        return { notes: "found" };
      })
      .addEdge(START, "search")
      .addEdge("search", END)
      .compile();
    const team = new StateGraph(Research, { name: "team" })
      .addNode("research", slowResearch)
      .addEdge(START, "research")
      .addEdge("research", END)
      .compile();
    const graph = new StateGraph(Research)
      .addNode("wait", async () => {
        await sleep(40);
        return {};
      })
      .addNode("team", team)
      .addEdge(START, "wait")
      .addEdge("wait", "team")
      .addEdge("team", END)
      .compile();

    const { events } = await collect(graph.stream({ topic: "a" }));
    const at = (type: string, path: string | undefined) =>
      events.find(
        (event) =>
          event.type === type && event.path?.join(">") === path && (path !== undefined || ("node" in event && event.node === "team")),
      )!.at;
    const outerStart = at("task:start", undefined);
    const outerEnd = at("task:end", undefined);
    // A 40 ms timer may fire up to a millisecond early by `performance.now()`.
    expect(outerStart).toBeGreaterThanOrEqual(39);
    // Levels one and two: each inside the task that holds it, all on the outer clock (to within
    // the few microseconds between reading two clocks).
    const middleStart = at("task:start", "team>research");
    const middleEnd = at("task:end", "team>research");
    const leafStart = at("task:start", "team>research>search");
    const leafEnd = at("task:end", "team>research>search");
    const within = 0.5;
    expect(middleStart).toBeGreaterThanOrEqual(outerStart - within);
    expect(leafStart).toBeGreaterThanOrEqual(middleStart - within);
    expect(leafEnd - leafStart).toBeGreaterThanOrEqual(10);
    expect(leafEnd).toBeLessThanOrEqual(middleEnd + within);
    expect(middleEnd).toBeLessThanOrEqual(outerEnd + within);
  });
});

describe("node options on a subgraph node", () => {
  const Slow = z.object({ topic: z.string(), notes: appendList(z.string()) });

  it("times out the whole inner run and aborts it through its signal", async () => {
    let aborted = false;
    const slow = new StateGraph(Slow, { name: "slow" })
      .addNode("wait", async (_s, ctx) => {
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            resolve();
          });
        });
        return {};
      })
      .addEdge(START, "wait")
      .addEdge("wait", END)
      .compile();
    const graph = new StateGraph(Slow).addNode("slow", slow, { timeoutMs: 30 }).addEdge(START, "slow").addEdge("slow", END).compile();

    const error = await rejectionOf(graph.invoke({ topic: "t" }));

    expect(error.code).toBe("TASK_FAILED");
    expect(error.details.failures[0]).toMatchObject({ node: "slow", timedOut: true });
    await sleep(5);
    expect(aborted).toBe(true);
  });

  it("runs the subgraph again on retry", async () => {
    let attempts = 0;
    const flaky = new StateGraph(Slow, { name: "flaky" })
      .addNode("call", () => {
        attempts++;
        if (attempts === 1) throw new Error("503");
        return { notes: `attempt ${attempts}` };
      })
      .addEdge(START, "call")
      .addEdge("call", END)
      .compile();
    const graph = new StateGraph(Slow)
      .addNode("flaky", flaky, { retry: { maxAttempts: 2, backoff: { initialMs: 0 } } })
      .addEdge(START, "flaky")
      .addEdge("flaky", END)
      .compile();

    expect((await graph.invoke({ topic: "t" })).notes).toEqual(["attempt 2"]);
    expect(attempts).toBe(2);
  });

  it("gives a failed inner run to onError, which turns it into an update", async () => {
    const failing = new StateGraph(Slow, { name: "failing" })
      .addNode("call", () => {
        throw new Error("down");
      })
      .addEdge(START, "call")
      .addEdge("call", END)
      .compile();
    const graph = new StateGraph(Slow)
      .addNode("failing", failing, { onError: (error) => ({ notes: `recovered: ${(error as GraphError).code}` }) })
      .addEdge(START, "failing")
      .addEdge("failing", END)
      .compile();

    const result = await graph.run({ topic: "t" });

    expect(result.state.notes).toEqual(["recovered: TASK_FAILED"]);
    expect(result.failures).toMatchObject([{ node: "failing", policy: "handler" }]);
  });

  it("fails the outer task with the inner failure when an inner node throws a value that is not an Error", async () => {
    const throwing = new StateGraph(Slow, { name: "throwing" })
      .addNode("call", () => {
        throw "a plain string";
      })
      .addEdge(START, "call")
      .addEdge("call", END)
      .compile();
    const graph = new StateGraph(Slow).addNode("outer", throwing).addEdge(START, "outer").addEdge("outer", END).compile();

    const error = await rejectionOf(graph.invoke({ topic: "t" }));

    expect(error).toBeInstanceOf(GraphError);
    expect(error.code).toBe("TASK_FAILED");
    expect(error.details.failures[0].node).toBe("outer");
    const inner = error.details.failures[0].error as GraphError;
    expect(inner.code).toBe("TASK_FAILED");
    expect(inner.details).toMatchObject({ failures: [{ node: "call", error: "a plain string" }] });
  });
});

describe("Command.PARENT", () => {
  const Ticket = z.object({ text: z.string(), notes: appendList(z.string()) });
  const Desk = z.object({ text: z.string(), notes: appendList(z.string()), escalated: z.boolean().default(false) });

  function triage(target: string, update: Record<string, unknown> = { escalated: true }) {
    let after = 0;
    const graph = new StateGraph(Ticket, { name: "triage" })
      .addNode("read", () => ({ notes: "read" }))
      .addNode("decide", (s) =>
        s.text.includes("refund") ? new Command({ graph: Command.PARENT, goto: target, update }) : { notes: "answered" },
      )
      .addNode("after", () => {
        after++;
        return { notes: "after" };
      })
      .addEdge(START, "read")
      .addEdge("read", "decide")
      .addEdge("decide", "after")
      .addEdge("after", END)
      .compile();
    return { graph, after: () => after };
  }

  function desk(inner: ReturnType<typeof triage>["graph"]) {
    return new StateGraph(Desk)
      .addNode("triage", inner, { ends: ["escalate"] })
      .addNode("escalate", () => ({ notes: "escalated" }))
      .addNode("close", () => ({ notes: "closed" }))
      .addEdge(START, "triage")
      .addEdge("triage", "close")
      .addEdge("escalate", END)
      .addEdge("close", END)
      .compile();
  }

  it("ends the inner run and routes and updates in the parent", async () => {
    const inner = triage("escalate");
    const final = await desk(inner.graph).invoke({ text: "refund please" });
    // The inner run's write before the Command ("read") is not the parent's: only the Command's update is.
    expect(final).toEqual({ text: "refund please", notes: ["escalated", "closed"], escalated: true });
    expect(inner.after()).toBe(0);
  });

  it("leaves an ordinary result to the shared keys", async () => {
    const final = await desk(triage("escalate").graph).invoke({ text: "hello" });
    expect(final).toEqual({ text: "hello", notes: ["read", "answered", "after", "closed"], escalated: false });
  });

  it("checks the update against the parent's state, naming the subgraph node", async () => {
    const error = await rejectionOf(desk(triage("escalate", { nope: 1 }).graph).invoke({ text: "refund" }));
    expect(error.code).toBe("TASK_FAILED");
    const cause = error.details.failures[0];
    expect(cause.node).toBe("triage");
    expect((cause.error as GraphError).code).toBe("INVALID_UPDATE");
    expect((cause.error as GraphError).message).toContain("nope");
  });

  it("refuses a goto that is not a node of the parent, naming it", async () => {
    const error = await rejectionOf(desk(triage("nowhere").graph).invoke({ text: "refund" }));
    const cause = error.details.failures[0];
    expect(cause.node).toBe("triage");
    expect((cause.error as GraphError).code).toBe("UNKNOWN_NODE");
    expect((cause.error as GraphError).message).toContain("nowhere");
  });

  it("is an INVALID_ROUTE naming the node in a graph that runs as no subgraph", async () => {
    const error = await rejectionOf(triage("escalate").graph.invoke({ text: "refund" }));
    expect(error.code).toBe("INVALID_ROUTE");
    expect(error.details).toMatchObject({ node: "decide", graph: "triage" });
  });
});

describe("graph input and output schemas", () => {
  const State = z.object({ question: z.string(), draft: z.string().optional(), answer: z.string().optional() });
  const Input = z.object({ question: z.string().min(3) });
  const Output = z.object({ answer: z.string().optional() });
  const answerer = () =>
    new StateGraph(State, { name: "answerer", input: Input, output: Output })
      .addNode("draft", (s) => ({ draft: `draft of ${s.question}` }))
      .addNode("answer", (s) => ({ answer: s.draft!.toUpperCase() }))
      .addEdge(START, "draft")
      .addEdge("draft", "answer")
      .addEdge("answer", END)
      .compile();

  it("returns only the output keys from invoke and run", async () => {
    const graph = answerer();
    expect(await graph.invoke({ question: "why?" })).toEqual({ answer: "DRAFT OF WHY?" });
    const result = await graph.run({ question: "why?" });
    expect(result.state).toEqual({ answer: "DRAFT OF WHY?" });
  });

  it("refuses an input key that is not in the input schema, naming it", async () => {
    // @ts-expect-error `draft` is not an input key
    const error = await rejectionOf(answerer().invoke({ question: "why?", draft: "mine" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details).toMatchObject({ key: "draft" });
  });

  it("refuses an input value the input schema rejects, naming the key", async () => {
    const error = await rejectionOf(answerer().invoke({ question: "x" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details).toMatchObject({ key: "question" });
  });

  it("refuses an input or output schema with a key the state does not have", () => {
    const error = (() => {
      try {
        new StateGraph(State, { output: z.object({ nope: z.string() }) });
      } catch (thrown) {
        return thrown;
      }
    })() as GraphError;
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.details).toMatchObject({ key: "nope", schema: "output" });
  });

  it("as a subgraph, reads only its input keys and writes back only its output keys", async () => {
    const Parent = z.object({ question: z.string(), draft: z.string(), answer: z.string().optional() });
    const graph = new StateGraph(Parent).addNode("answerer", answerer()).addEdge(START, "answerer").addEdge("answerer", END).compile();
    // The parent's `draft` is neither read (not an input key) nor overwritten (not an output key).
    expect(await graph.invoke({ question: "how?", draft: "parent's" })).toEqual({
      question: "how?",
      draft: "parent's",
      answer: "DRAFT OF HOW?",
    });
  });
});

describe("the inner run's checkpointer", () => {
  it("is the parent's: an inner graph compiled with a checkpointer of its own keeps nothing there", async () => {
    const own = new MemoryCheckpointer();
    const parents = new MemoryCheckpointer();
    const Team = z.object({ topic: z.string(), notes: appendList(z.string()) });
    const inner = new StateGraph(Team, { name: "inner" })
      .addNode("ask", (s, ctx) => ({ notes: ctx.interrupt<string>(`about ${s.topic}?`) }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: own });
    const graph = new StateGraph(Team)
      .addNode("inner", inner)
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ checkpointer: parents });

    const paused = await graph.run({ topic: "t" }, { threadId: "own" });
    expect(paused.status).toBe("interrupted");
    const done = await graph.run(new Command({ resume: "yes" }), { threadId: "own" });
    expect(done.state.notes).toEqual(["yes"]);
    expect(await own.expiredLeases()).toEqual([]);
    expect(await own.list("own")).toEqual([]);
  });

  it("is none when the parent has none: an interrupt inside is then an error, as in any run without a thread", async () => {
    const Team = z.object({ topic: z.string() });
    const inner = new StateGraph(Team, { name: "inner" })
      .addNode("ask", (_s, ctx) => ({ topic: ctx.interrupt<string>("?") }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const graph = new StateGraph(Team).addNode("inner", inner).addEdge(START, "inner").addEdge("inner", END).compile();

    const error = await rejectionOf(graph.invoke({ topic: "t" }));
    const cause = error.details.failures[0].error as GraphError;
    expect(cause.code).toBe("TASK_FAILED");
    expect((cause.details as { failures: { error: GraphError }[] }).failures[0]!.error.code).toBe("INVALID_OPTION");
  });
});

describe("what an inner run does once", () => {
  it("checks a Send worker's input against the inner input schema once per inner run", async () => {
    let checks = 0;
    const Inner = z.object({ topic: z.string(), notes: appendList(z.string()) });
    const inner = new StateGraph(Inner, {
      name: "inner",
      input: z.object({
        topic: z.string().refine(() => {
          checks++;
          return true;
        }),
      }),
    })
      .addNode("search", (s) => ({ notes: `found ${s.topic}` }))
      .addEdge(START, "search")
      .addEdge("search", END)
      .compile();
    const Outer = z.object({ notes: appendList(z.string()) });
    const graph = new StateGraph(Outer)
      .addNode("plan", () => ({}))
      .addNode("research", inner)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => ["a", "b", "c"].map((topic) => new Send("research", { topic })))
      .addEdge("research", END)
      .compile();

    expect((await graph.invoke({ notes: [] })).notes).toEqual(["found a", "found b", "found c"]);
    expect(checks).toBe(3);
  });
});

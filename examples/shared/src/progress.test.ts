import { END, RateLimit, Send, START, StateGraph, appendList } from "@weft/core";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { runWithProgress, timingSummary } from "./run.js";

const collect = (isTTY = false) => {
  let text = "";
  return { out: { isTTY, columns: 80, write: (chunk: string) => (text += chunk) }, text: () => text };
};

/** The lines printed, without their timestamps. */
const printedLines = (text: string): string[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^ {2}\[ *\d+\.\d\ds\] /, ""));

const State = z.object({ items: z.array(z.string()), done: appendList(z.string()) });
const graph = new StateGraph(State, { name: "demo" })
  .addNode(
    "work",
    ({ item }, ctx) => {
      if (item === "flaky" && ctx.attempt === 1) throw new Error("503 overloaded");
      if (item === "broken") throw new Error("boom");
      return { done: item };
    },
    {
      input: z.object({ item: z.string() }),
      concurrency: 1,
      retry: { maxAttempts: 2, backoff: { initialMs: 1, jitter: false }, retryOn: (e) => (e as Error).message.startsWith("503") },
      onError: "continue",
    },
  )
  .addConditionalEdges(START, (s) => s.items.map((item) => new Send("work", { item })))
  .addEdge("work", END)
  .compile();

describe("runWithProgress", () => {
  it("prints one line per change when the output is not a terminal: queued, started, retried, done, failed", async () => {
    const printed = collect();
    const outcome = await runWithProgress(
      graph,
      { items: ["flaky", "ok", "broken"] },
      { progress: { out: printed.out }, label: (task, state) => `work #${task.sendIndex} (${state?.items[task.sendIndex!]})` },
    );
    expect(outcome.status).toBe("done");
    expect(outcome.state?.done).toEqual(["flaky", "ok"]);
    const lines = printedLines(printed.text());
    expect(lines).toEqual([
      "▶  work #0 (flaky) started",
      "↻  work #0 (flaky) attempt 1 failed (503 overloaded); retrying in 0.00s",
      "⏳ work #1 (ok) queued (waiting for a free slot)",
      "⏳ work #2 (broken) queued (waiting for a free slot)",
      "▶  work #0 (flaky) attempt 2 started",
      expect.stringMatching(/^✅ work #0 \(flaky\) done in \d\.\d\ds after 2 attempts$/),
      "▶  work #1 (ok) started",
      expect.stringMatching(/^✅ work #1 \(ok\) done in/),
      "▶  work #2 (broken) started",
      expect.stringMatching(/^❌ work #2 \(broken\) failed after \d\.\d\ds: boom$/),
    ]);
    expect(outcome.progress.views().map((task) => task.status)).toEqual(["done", "done", "failed"]);
    expect(timingSummary(outcome)).toMatch(/^Finished in \d+\.\d\ds: 3 tasks in 1 steps, /);
  });

  it("shows time waiting for a rate limit's turn apart from running, and sums each task's waits", async () => {
    const limited = new StateGraph(State, { name: "limited" })
      .addNode("work", ({ item }) => ({ done: item }), {
        input: z.object({ item: z.string() }),
        rateLimit: new RateLimit({ key: "api", requests: { limit: 1, intervalMs: 150 } }),
      })
      .addConditionalEdges(START, (s) => s.items.map((item) => new Send("work", { item })))
      .addEdge("work", END)
      .compile();
    const printed = collect();
    // On fake timers and a fake performance clock, the clock of rate limits and of the events,
    // the second task's turn comes exactly 150 ms after the first's, however busy the machine.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const running = runWithProgress(limited, { items: ["a", "b"] }, { progress: { out: printed.out } });
    const outcome = await vi
      .runAllTimersAsync()
      .then(() => running)
      .finally(() => vi.useRealTimers());
    expect(outcome.status).toBe("done");
    const lines = printedLines(printed.text());
    expect(lines).toEqual([
      "▶  work #0 started",
      expect.stringMatching(/^✅ work #0 done in \d\.\d\ds$/),
      "⏸  work #1 waiting for its turn at rate limit api",
      "▶  work #1 started",
      expect.stringMatching(/^✅ work #1 done in \d\.\d\ds; waited \d\.\d\ds for rate limits$/),
    ]);
    const [, second] = outcome.progress.views();
    expect(second!.rateWaitMs).toBe(150);
    expect(second!.slotWaitMs).toBe(0);
  });

  it("redraws its lines in place on a terminal", async () => {
    const printed = collect(true);
    await runWithProgress(graph, { items: ["ok", "ok"] }, { progress: { out: printed.out } });
    const text = printed.text();
    expect(text).toContain("\x1b[2F"); // back up over the two task lines
    const last = text.slice(text.lastIndexOf("\x1b[2F"));
    expect(last).toMatch(/✅ work #0 +\d\.\d\ds\n.*✅ work #1 +\d\.\d\ds\n$/);
  });

  describe("on a subgraph", () => {
    // Each inner node streams two words as openai.delta events, as a streaming model node does.
    const say = (words: string) => (_s: unknown, ctx: { emit: (data: unknown) => void }) => {
      for (const word of words.split(" ")) ctx.emit({ type: "openai.delta", text: `${word} `, model: "m", attempt: 1 });
      return {};
    };
    const Writer = z.object({ topic: z.string(), done: appendList(z.string()) });
    const writer = new StateGraph(Writer, { name: "writer" })
      .addNode("draft", say("first draft"))
      .addNode("revise", (s: z.output<typeof Writer>, ctx) => ({ ...say("the revision")(s, ctx), done: s.topic }))
      .addEdge(START, "draft")
      .addEdge("draft", "revise")
      .addEdge("revise", END)
      .compile();
    const Outer = z.object({ topics: z.array(z.string()), done: appendList(z.string()) });
    const outer = new StateGraph(Outer, { name: "outer" })
      .addNode("plan", () => ({}))
      .addNode("write", writer, { concurrency: 1 })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.topics.map((topic) => new Send("write", { topic })), ["write"])
      .addEdge("write", END)
      .compile();
    // The state before the writers' step is the outer one: inner steps do not replace it.
    const label = (task: { node: string; sendIndex: number | undefined }, state: z.output<typeof Outer>) =>
      task.node === "write" ? `write ${state.topics[task.sendIndex!]}` : undefined;

    it("logs each inner task's changes under the name of the task it runs in", async () => {
      const printed = collect();
      const outcome = await runWithProgress(outer, { topics: ["tides", "winds"] }, { progress: { out: printed.out }, label });
      expect(outcome.status).toBe("done");
      expect(outcome.state?.done).toEqual(["tides", "winds"]);
      expect(printedLines(printed.text())).toEqual([
        "▶  plan started",
        expect.stringMatching(/^✅ plan done in/),
        "▶  write tides started",
        "⏳ write winds queued (waiting for a free slot)",
        "▶  write tides › draft started",
        expect.stringMatching(/^✅ write tides › draft done in \d\.\d\ds$/),
        "▶  write tides › revise started",
        expect.stringMatching(/^✅ write tides › revise done in \d\.\d\ds$/),
        expect.stringMatching(/^✅ write tides done in \d\.\d\ds$/),
        "▶  write winds started",
        "▶  write winds › draft started",
        expect.stringMatching(/^✅ write winds › draft done in/),
        "▶  write winds › revise started",
        expect.stringMatching(/^✅ write winds › revise done in/),
        expect.stringMatching(/^✅ write winds done in \d\.\d\ds; waited/),
      ]);
      // Inner tasks are views under their outer task, with the words they streamed; the outer
      // task counts the words of its inner node that streamed last.
      expect(outcome.progress.views().map((task) => [task.taskId, task.label, task.parent, task.status, task.streamed])).toEqual([
        ["1:0", "plan", undefined, "done", ""],
        ["2:0", "write tides", undefined, "done", "the revision "],
        ["2:1", "write winds", undefined, "done", "the revision "],
        ["2:0/1:0", "draft", "2:0", "done", "first draft "],
        ["2:0/2:0", "revise", "2:0", "done", "the revision "],
        ["2:1/1:0", "draft", "2:1", "done", "first draft "],
        ["2:1/2:0", "revise", "2:1", "done", "the revision "],
      ]);
      // The summary counts the run's own tasks.
      expect(timingSummary(outcome)).toMatch(/: 3 tasks in 2 steps, /);
    });

    it("draws inner tasks indented under their outer task on a terminal, two levels deep", async () => {
      const team = new StateGraph(Writer, { name: "team" })
        .addNode("brief", () => ({}))
        .addNode("write", writer)
        .addEdge(START, "brief")
        .addEdge("brief", "write")
        .addEdge("write", END)
        .compile();
      const teams = new StateGraph(Outer, { name: "teams" })
        .addNode("team", team)
        .addConditionalEdges(START, (s) => s.topics.map((topic) => new Send("team", { topic })), ["team"])
        .addEdge("team", END)
        .compile();
      const printed = collect(true);
      await runWithProgress(teams, { topics: ["tides", "winds"] }, { progress: { out: printed.out } });
      const text = printed.text();
      const last = text
        .slice(text.lastIndexOf("\x1b[10F"))
        .split("\n")
        .filter(Boolean)
        .map((line) =>
          line
            .replaceAll("\x1b[10F", "")
            .replaceAll("\x1b[2K", "")
            .replace(/ +\d\.\d\ds.*$/, ""),
        );
      expect(last).toEqual([
        "  ✅ team #0",
        "  ✅   brief",
        "  ✅   write",
        "  ✅     draft",
        "  ✅     revise",
        "  ✅ team #1",
        "  ✅   brief",
        "  ✅   write",
        "  ✅     draft",
        "  ✅     revise",
      ]);
    });
  });

  it("returns the error of a failed run with the events so far", async () => {
    const failing = new StateGraph(z.object({ x: z.number().default(0) }))
      .addNode("boom", () => {
        throw new Error("nope");
      })
      .addEdge(START, "boom")
      .addEdge("boom", END)
      .compile();
    const outcome = await runWithProgress(failing, {}, { progress: { out: collect().out } });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("TASK_FAILED");
    expect(outcome.events.at(-1)?.type).toBe("run:error");
  });
});

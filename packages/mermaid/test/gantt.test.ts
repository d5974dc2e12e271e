import { END, RateLimit, START, Send, StateGraph, appendList, type RunEvent } from "@weft/core";
import { parseRunRecord, recordRun, serializeRunEvent, stringifyRunRecord, toMermaidGantt, type RecordedRunEvent } from "@weft/core/draw";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ganttValid } from "./draw.js";
import { oneStep, ref, scriptedRun, subgraphRun } from "./events.js";
import { graph as report, input as reportInput } from "./fixtures/report.js";
import { NASTY_NAMES } from "./nasty.js";
import { graph as teams, input as teamsInput } from "./fixtures/teams.js";

describe("toMermaidGantt", () => {
  it("draws one bar per attempt, grouped by step, with failures, retries, queueing and cancellation marked", async () => {
    expect(await ganttValid(scriptedRun(), { title: "scripted run" })).toMatchInlineSnapshot(`
      "gantt
        title scripted run
        dateFormat x
        axisFormat %-S.%L s
        todayMarker off
        section Step 1
        plan :0, 3
        section Step 2
        worker #0 :4, 40
        worker #1 (attempt 1 timed out, retried) :active, 4, 10
        worker #1 (attempt 2) :15, 50
        worker #2 (queued) :done, 4, 40
        worker #2 (failed, handled) :crit, 40, 60
        worker #3 (cancelled) :crit, done, 4, 45
        fetch#58; news (failed) :crit, 4, 45
        slow (unfinished) :crit, 5, 62
      "
    `);
  });

  it("draws a task's wait for its slot and its wait for a rate limit's turn as two grey bars before it runs", async () => {
    // Fake timers and a fake performance clock (the clock of run events and rate limits), so the
    // times are exact however busy the machine is: each ask takes 10 ms; ask #1 waits for the
    // slot until ask #0 ends at 10, then for its turn until ask #0's request stops counting one
    // interval after its answer, at 110.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const limited = new StateGraph(z.object({ done: appendList(z.number()) }))
        .addNode("ask", async ({ i }) => new Promise<{ done: number }>((resolve) => setTimeout(() => resolve({ done: i }), 10)), {
          input: z.object({ i: z.number() }),
          concurrency: 1,
          rateLimit: new RateLimit({ key: "api", requests: { limit: 1, intervalMs: 100 } }),
        })
        .addConditionalEdges(START, () => [0, 1].map((i) => new Send("ask", { i })))
        .addEdge("ask", END)
        .compile();
      const events: RunEvent[] = [];
      let ended = false;
      const run = (async () => {
        for await (const event of limited.stream({})) events.push(event as RunEvent);
      })().finally(() => {
        ended = true;
      });
      // The fake clock is moved on until the run has ended: a run's first timer may be set only
      // after work that waits on no timer (loading the engine's modules on a graph's first run).
      while (!ended) {
        await vi.runAllTimersAsync();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await run;
      vi.useRealTimers();

      const bars = (await ganttValid(events))
        .split("\n")
        .filter((line) => line.includes("ask #"))
        .map((line) => line.trim());
      // Waiting for the slot, then for the turn, then running: each bar ends where the next begins.
      expect(bars).toEqual(["ask #0 :0, 10", "ask #1 (queued) :done, 0, 10", "ask #1 (rate limited) :done, 10, 110", "ask #1 :110, 120"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("draws a live run of the report graph: the plan, one numbered bar per Send, the synthesis", async () => {
    const events: RunEvent[] = [];
    for await (const event of report.stream(reportInput)) events.push(event);
    const text = await ganttValid(events);
    const bars = text
      .split("\n")
      .filter((line) => /^ {2}\S.* :/.test(line))
      .map((line) => line.trim().replace(/ :.*$/, ""));
    expect(bars).toEqual(["plan", "write_section #0", "write_section #1", "write_section #2", "synthesize"]);
    expect(text).toContain("  section Step 2\n  write_section #0 :");
    const [start, end] = /write_section #2 :(\d+), (\d+)/.exec(text)!.slice(1).map(Number);
    expect(end! - start!).toBeGreaterThanOrEqual(5);
  });

  it("escapes task names that mermaid would read as statements, comments or task data", async () => {
    const nodes = [...NASTY_NAMES, "section 2", "2024-01-01 report", "title", "a:b;c#d%e"];
    const text = await ganttValid(oneStep(nodes), { title: "title: #1; 100%" });
    expect(text.split("\n").filter((line) => line.includes(" :"))).toHaveLength(nodes.length);
    expect(text).toContain("  #115;ection 2 :");
    expect(text).toContain("  a#58;b#59;c#35;d#37;e :");
  });

  it("ends an interrupted task with an 'interrupted' bar and draws breakpoints as milestones", async () => {
    const ask = ref(1, 0, "ask_human");
    const review = ref(2, 0, "review");
    const events: RecordedRunEvent[] = [
      { type: "step:start", step: 1, tasks: [ask], at: 0 },
      { type: "task:start", attempt: 1, ...ask, at: 1 },
      { type: "interrupt", interrupt: { id: "i1", value: "approve?", kind: "node", ...ask }, ...ask, at: 9 },
      { type: "interrupt", interrupt: { id: "i2", value: undefined, kind: "before", ...review }, ...review, at: 10 },
    ];
    expect(await ganttValid(events)).toMatchInlineSnapshot(`
      "gantt
        dateFormat x
        axisFormat %-S.%L s
        todayMarker off
        section Step 1
        ask_human (interrupted) :done, 1, 9
        section Step 2
        review (breakpoint before) :milestone, 10, 11
      "
    `);
  });

  it("picks a coarser time axis for long runs, or the one given", () => {
    const long: RecordedRunEvent[] = [{ type: "run:start", input: {}, at: 90_000 }];
    expect(toMermaidGantt(long)).toContain("axisFormat %M:%S\n");
    expect(toMermaidGantt(long, { axisFormat: "%Ss" })).toContain("axisFormat %Ss\n");
  });

  it("names tasks as the caller's label says, escaped, and keeps the default where it gives none", async () => {
    const text = await ganttValid(scriptedRun(), {
      label: (task) => (task.node === "worker" ? ["Security", "Style: #1", "Performance", "Docs"][task.sendIndex ?? 0] : undefined),
    });
    expect(text).toContain("  Security :4, 40\n");
    expect(text).toContain("  Style#58; #35;1 (attempt 1 timed out, retried) :active, 4, 10\n");
    expect(text).toContain("  Performance (queued) :done, 4, 40\n");
    expect(text).toContain("  plan :0, 3\n");
    expect(text).not.toContain("worker #");
  });

  it("leaves out queued bars when asked", async () => {
    expect(await ganttValid(scriptedRun(), { showQueued: false })).not.toContain("(queued)");
  });
});

describe("toMermaidGantt on subgraphs", () => {
  it("follows a step with a section per subgraph task holding its inner bars, two levels deep", async () => {
    expect(await ganttValid(subgraphRun())).toMatchInlineSnapshot(`
      "gantt
        dateFormat x
        axisFormat %-S.%L s
        todayMarker off
        section Step 1
        plan :1, 3
        section Step 2
        team #0 :5, 28
        team #1 (queued) :done, 5, 28
        team #1 :28, 52
        section team #0
        brief :6, 10
        research :11, 27
        section team #0 › research
        search :12, 26
        section team #1
        brief :30, 34
        research :35, 51
        section team #1 › research
        search (attempt 1 failed, retried) :active, 36, 40
        search (attempt 2) :42, 50
      "
    `);
  });

  it("names inner tasks as the caller's label says, given their path and a task id unique in the run", async () => {
    const seen: string[] = [];
    const text = await ganttValid(subgraphRun(), {
      label: (task, path) => {
        seen.push(`${task.taskId} ${task.node} ${path?.join(">") ?? "-"}`);
        if (task.node === "team") return ["Red team", "Blue: team"][task.sendIndex ?? 0];
        return path === undefined ? undefined : `${task.node} (${path[0]})`;
      },
    });
    expect(seen).toEqual([
      "1:0 plan -",
      "2:0 team -",
      "2:1 team -",
      "2:0/1:0 brief team#0",
      "2:0/2:0 research team#0",
      "2:0/2:0/1:0 search team#0>research",
      "2:1/1:0 brief team#1",
      "2:1/2:0 research team#1",
      "2:1/2:0/1:0 search team#1>research",
    ]);
    expect(text).toContain(
      "  section Blue#58; team › research (team#35;1)\n  search (team#35;1) (attempt 1 failed, retried) :active, 36, 40\n",
    );
  });

  it("draws a live run of Sends to a subgraph: every inner bar within its outer bar, in its section", async () => {
    const events: RunEvent[] = [];
    for await (const event of teams.stream(teamsInput)) events.push(event);
    const text = await ganttValid(events);
    const lines = text.split("\n");
    const sections = lines.filter((line) => line.startsWith("  section")).map((line) => line.slice("  section ".length));
    expect(sections).toEqual([
      "Step 1",
      "Step 2",
      "team #0",
      "team #0 › research",
      "team #1",
      "team #1 › research",
      "team #2",
      "team #2 › research",
      "Step 3",
    ]);
    /** The span of the bar named `label` in the section that starts at line `from` (the chart's first section by default). */
    const span = (label: string, from = lines.findIndex((l) => l.startsWith("  section"))): [number, number] => {
      const next = lines.findIndex((l, i) => i > from && l.startsWith("  section"));
      const line = lines.slice(from + 1, next === -1 ? undefined : next).find((l) => l.startsWith(`  ${label} :`));
      expect(line, `a "${label}" bar in the section at line ${from} of\n${text}`).toBeDefined();
      return /(\d+), (\d+)$/.exec(line!)!.slice(1).map(Number) as [number, number];
    };
    for (const i of [0, 1, 2]) {
      const [start, end] = span(`team #${i}`, lines.indexOf("  section Step 2"));
      const inner = lines.indexOf(`  section team #${i}`);
      for (const bar of ["brief", "research"]) {
        const [s, e] = span(bar, inner);
        expect(s, `${bar} of team #${i} starts within it in\n${text}`).toBeGreaterThanOrEqual(start - 1);
        expect(e, `${bar} of team #${i} ends within it in\n${text}`).toBeLessThanOrEqual(end + 1);
      }
      const [rs, re] = span("research", inner);
      const deeper = lines.indexOf(`  section team #${i} › research`);
      for (const bar of ["search", "read"]) {
        const [s, e] = span(bar, deeper);
        expect(s, `${bar} of team #${i} › research starts within it in\n${text}`).toBeGreaterThanOrEqual(rs - 1);
        expect(e, `${bar} of team #${i} › research ends within it in\n${text}`).toBeLessThanOrEqual(re + 1);
      }
    }
  });

  it("leaves out inner events whose outer task is not in the events", async () => {
    // A record cut down to team #1's outer events: team #0's inner events have no task to go under.
    const events = subgraphRun()
      .filter((event) => event.path !== undefined || !("node" in event) || event.node !== "team" || event.sendIndex === 1)
      .map((event) =>
        event.type === "step:start" && event.path === undefined ? { ...event, tasks: event.tasks.filter((t) => t.sendIndex !== 0) } : event,
      );
    const text = await ganttValid(events);
    expect(text).not.toContain("team #0");
    expect(text).toContain("  section team #1\n  brief :30, 34\n  research :35, 51\n  section team #1 › research\n");
    expect(text.match(/ brief :/g)).toHaveLength(1);
  });
});

describe("run records", () => {
  it("round-trip through JSON Lines to the same timeline", async () => {
    const events = await recordRun(report.stream(reportInput));
    const text = stringifyRunRecord(events);
    expect(text.trimEnd().split("\n")).toHaveLength(events.length);
    const parsed = parseRunRecord(text);
    expect(parsed).toEqual(events);
    expect(await ganttValid(parsed)).toBe(toMermaidGantt(events));
    expect(parseRunRecord(JSON.stringify(events))).toEqual(events);
  });

  it("keep subgraph events' paths, and their timeline", async () => {
    const events = await recordRun(teams.stream(teamsInput));
    const parsed = parseRunRecord(stringifyRunRecord(events));
    expect(parsed.filter((event) => event.path !== undefined).length).toBeGreaterThan(20);
    expect(await ganttValid(parsed)).toBe(toMermaidGantt(events));
    expect(toMermaidGantt(parsed)).toContain("  section team #2 › research\n  search :");
  });

  it("record a failed run up to its run:error, with errors as { name, message, code }", async () => {
    const State = z.object({ x: z.number() });
    const graph = new StateGraph(State)
      .addNode("explode", () => {
        throw new RangeError("out of range");
      })
      .addEdge(START, "explode")
      .addEdge("explode", END)
      .compile();
    const events = await recordRun(graph.stream({ x: 1 }));
    const taskError = events.find((event) => event.type === "task:error");
    expect(taskError?.type === "task:error" && taskError.error).toEqual({ name: "RangeError", message: "out of range" });
    const last = events.at(-1);
    expect(last?.type).toBe("run:error");
    expect(last?.type === "run:error" && last.error).toMatchObject({ name: "GraphError", code: "TASK_FAILED" });
    expect(await ganttValid(events)).toContain("explode (failed) :crit, ");
  });

  it("serialize what JSON cannot hold: bigints, Maps, Sets, cycles", () => {
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const event = {
      type: "custom",
      data: { big: 10n, map: new Map([["a", 1]]), set: new Set([1, 2]), cycle },
      ...ref(1, 0, "a"),
      at: 1,
    } as const;
    expect(serializeRunEvent(event)).toEqual({
      type: "custom",
      data: { big: "10", map: { a: 1 }, set: [1, 2], cycle: { name: "loop", self: "[Circular]" } },
      taskId: "1:0",
      node: "a",
      step: 1,
      at: 1,
    });
  });

  it("name the line that is not a run event", () => {
    expect(() => parseRunRecord('{"type":"run:start","at":0}\n\n{"type":"oops"}\n')).toThrow(/line 3 is not a run event/);
    expect(() => parseRunRecord('{"type":"run:start","at":0}\nnot json\n')).toThrow(/Line 2 of the run record is not JSON/);
  });
});

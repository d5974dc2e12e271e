import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOpenAIRunEvent } from "@weft/openai";
import { lastUserText, startTestServer, type RecordedRequest } from "@weft/openai/testing";
import { checkGuide, drawPictures, memoryOutput } from "@weft/example-shared";
import { afterAll, describe, expect, it } from "vitest";
import { reportGraph } from "./graph.js";
import { runReport } from "./main.js";

const dir = await mkdtemp(join(tmpdir(), "weft-report-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const TITLES = [
  "Why parallelism matters",
  "Sectioning and voting",
  "Fan-out and fan-in",
  "Failures, timeouts and rate limits",
  "Choosing an aggregation strategy",
];

describe("the report demo", () => {
  it("plans five sections, writes them all, and writes report.md with the sections in plan order", async () => {
    const printed = memoryOutput();
    const reportPath = join(dir, "report.md");
    const run = await runReport({ mode: "offline", latencyScale: 0.02, reportPath, out: printed, tty: false });

    expect(run.state.sections.map((s) => s.title)).toEqual(TITLES);
    expect(run.state.drafts.map((d) => d.title)).toEqual(TITLES);
    const file = await readFile(reportPath, "utf8");
    expect(file.startsWith(`${run.state.report}\n`)).toBe(true);
    expect(file.split("\n")[0]).toBe("# Parallel Execution in LLM Agents: A Practical Guide");
    const headings = file.split("\n").filter((line) => line.startsWith("## "));
    expect(headings).toEqual(TITLES.map((title, i) => `## ${i + 1}. ${title}`));
    // The introduction comes right after the title, before the first section.
    expect(file.indexOf("Large language model agents are slow")).toBeLessThan(file.indexOf("## 1."));

    expect(printed.text()).toContain("✅ write #4 · Choosing an aggregation strategy done in");
    expect(printed.text()).toContain("📄 Parallel Execution in LLM Agents: A Practical Guide");
    expect(printed.text()).toMatch(/Finished in \d+\.\d\ds: 7 tasks in 3 steps/);
  });

  it("runs each section through draft, critique and revise, in order, inside its own Send", async () => {
    const run = await runReport({ mode: "offline", latencyScale: 0.02, reportPath: false, out: memoryOutput(), tty: false });
    const { events } = run.outcome;

    // The inner tasks of each writer, as the outer stream shows them: under `write#i`, in order.
    for (const i of TITLES.keys()) {
      const inner = events.filter((e) => e.type === "task:end" && e.path?.[0] === `write#${i}`).map((e) => e.path);
      expect(inner).toEqual([
        [`write#${i}`, "draft"],
        [`write#${i}`, "critique"],
        [`write#${i}`, "revise"],
      ]);
      // Every inner event comes between the start and the end of its outer task.
      const start = events.findIndex((e) => e.type === "task:start" && e.path === undefined && e.node === "write" && e.sendIndex === i);
      const end = events.findIndex((e) => e.type === "task:end" && e.path === undefined && e.node === "write" && e.sendIndex === i);
      const all = events.flatMap((e, at) => (e.path?.[0] === `write#${i}` ? [at] : []));
      expect(Math.min(...all)).toBeGreaterThan(start);
      expect(Math.max(...all)).toBeLessThan(end);
    }
    // The streamed text of the inner model nodes is on the outer stream too, with its path.
    const streamedBy = new Set(events.flatMap((e) => (e.type === "custom" && isOpenAIRunEvent(e, "openai.delta") ? [e.path?.[1]] : [])));
    expect(streamedBy).toEqual(new Set(["draft", "revise"]));

    // What the model saw: each section's critique reads its draft, and its revision reads both.
    for (const title of TITLES) {
      const calls = run.requests.filter((r) => lastUserText(r).includes(`Section: ${title}\n`));
      const kinds = calls.map((r) => String(r.body.messages[0]?.content).split(" ").slice(0, 2).join(" "));
      expect(kinds).toEqual(["You write", "You review", "You revise"]);
      const [draft, critique, revision] = calls;
      expect(draft!.respondedAt!).toBeLessThanOrEqual(critique!.receivedAt);
      expect(critique!.respondedAt!).toBeLessThanOrEqual(revision!.receivedAt);
      expect(lastUserText(revision!)).toContain("\n\nReview:\n- ");
    }
    // The report holds the revisions (two paragraphs), not the first drafts (one).
    expect(run.state.drafts.every((d) => d.text.split("\n\n").length === 2)).toBe(true);

    // The progress display shows each writer's inner tasks under it, and the pictures draw them:
    // the writer graph inside the `write` box, each writer's bars in a section named as its line.
    const lines = run.outcome.progress.views().filter((t) => t.parent === "2:3");
    expect(lines.map((t) => [t.label, t.status])).toEqual([
      ["draft", "done"],
      ["critique", "done"],
      ["revise", "done"],
    ]);
    const pictures = join(dir, "pictures");
    await drawPictures(pictures, [{ name: "report", graph: run.graph, events: run.outcome.events, labels: run.outcome.progress.views() }], {
      render: false,
    });
    const diagram = await readFile(join(pictures, "report-graph.mmd"), "utf8");
    expect(diagram).toContain(
      '  subgraph n1 ["write"]\n    n1___start__(["START"])\n    n1_n0["draft"]\n    n1_n1["critique"]\n    n1_n2["revise"]',
    );
    expect(diagram).toContain('n0 ==>|"Send"| n1');
    const timeline = await readFile(join(pictures, "report-timeline.mmd"), "utf8");
    expect(timeline).toMatch(
      /\n {2}section write #35;3 · Failures, timeouts and rate limits\n {2}draft :\d+, \d+\n {2}critique :\d+, \d+\n {2}revise :\d+, \d+\n/,
    );
    expect(timeline.match(/^ {2}section /gm)).toHaveLength(3 + TITLES.length);
  });

  it("runs at most three writers at once and queues the other two", async () => {
    const run = await runReport({ mode: "offline", latencyScale: 0.02, reportPath: false, out: memoryOutput(), tty: false });
    // A writer runs from its draft request to the end of its revision.
    const writers = TITLES.map((title) => {
      const calls = run.requests.filter((r) => lastUserText(r).includes(`Section: ${title}\n`));
      return { from: Math.min(...calls.map((r) => r.receivedAt)), to: Math.max(...calls.map((r) => r.respondedAt ?? Infinity)) };
    });
    const peak = Math.max(...writers.map((w) => writers.filter((o) => o.from <= w.from && o.to > w.from).length));
    expect(peak).toBe(3);
    const queued = run.outcome.events.filter((e) => e.type === "task:queued");
    expect(queued.map((e) => [e.path, "sendIndex" in e && e.sendIndex])).toEqual([
      [undefined, 3],
      [undefined, 4],
    ]);
  });

  it("writes a report on any topic offline, from the generic script", async () => {
    const run = await runReport({
      mode: "offline",
      topic: "Vector databases",
      latencyScale: 0.01,
      reportPath: false,
      out: memoryOutput(),
      tty: false,
    });
    expect(run.state.title).toBe("Vector databases: An Overview");
    expect(run.state.drafts).toHaveLength(4);
    expect(run.state.report).toContain("## 2. How Vector databases works");
  });
});

describe("reportGraph", () => {
  it("keeps the sections in plan order when the last writer finishes first", async () => {
    const sections = ["A", "B", "C"].map((title) => ({ title, brief: `about ${title}` }));
    const system = (r: RecordedRequest, start: string) => String(r.body.messages[0]?.content).startsWith(start);
    const of = (r: RecordedRequest, title: string) => lastUserText(r).includes(`Section: ${title}\n`);
    const server = await startTestServer({
      replies: [
        { match: (r) => r.body.response_format?.json_schema?.name === "plan", json: { title: "T", sections } },
        ...sections.flatMap((s, i) => [
          { match: (r: RecordedRequest) => system(r, "You write") && of(r, s.title), text: `draft of ${s.title}` },
          { match: (r: RecordedRequest) => system(r, "You review") && of(r, s.title), text: `review of ${s.title}` },
          // A's revision is the slowest and C's the fastest: the writers finish in reverse order.
          {
            match: (r: RecordedRequest) => system(r, "You revise") && of(r, s.title),
            text: `text of ${s.title}`,
            latencyMs: [150, 80, 10][i],
          },
        ]),
        { match: "Report: T", text: "intro" },
      ],
    });
    try {
      const graph = reportGraph({ client: server.client(), model: "m" });
      const state = await graph.invoke({ topic: "anything" });
      const revision = (title: string) => server.requests.find((r) => system(r, "You revise") && of(r, title))!;
      expect(revision("C").respondedAt!).toBeLessThan(revision("B").respondedAt!);
      expect(revision("B").respondedAt!).toBeLessThan(revision("A").respondedAt!);
      // Each revision was asked with its own section's draft and review.
      for (const { title } of sections) {
        expect(lastUserText(revision(title))).toContain(`Draft:\ndraft of ${title}\n\nReview:\nreview of ${title}`);
      }
      expect(state.report).toBe("# T\n\nintro\n\n## 1. A\n\ntext of A\n\n## 2. B\n\ntext of B\n\n## 3. C\n\ntext of C");
      // The writers' own keys (draft, critique) stay inside them: the report gets only the sections.
      expect(Object.keys(state).sort()).toEqual(["drafts", "intro", "report", "sections", "title", "topic"]);
    } finally {
      await server.close();
    }
  });
});

describe("docs/guides/report.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("report");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});

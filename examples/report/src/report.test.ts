import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastUserText, startTestServer } from "@weft/openai/testing";
import { checkGuide, memoryOutput } from "@weft/example-shared";
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

  it("runs at most three writers at once and queues the other two", async () => {
    const run = await runReport({ mode: "offline", latencyScale: 0.02, reportPath: false, out: memoryOutput(), tty: false });
    const writers = run.requests.filter((r) => /^Section: /m.test(lastUserText(r)));
    expect(writers).toHaveLength(5);
    const peak = Math.max(
      ...writers.map((w) => writers.filter((o) => o.receivedAt <= w.receivedAt && (o.respondedAt ?? Infinity) > w.receivedAt).length),
    );
    expect(peak).toBe(3);
    expect(run.outcome.events.filter((e) => e.type === "task:queued").map((e) => "sendIndex" in e && e.sendIndex)).toEqual([3, 4]);
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
    const server = await startTestServer({
      replies: [
        { match: (r) => r.body.response_format?.json_schema?.name === "plan", json: { title: "T", sections } },
        // A is the slowest and C the fastest: they finish in reverse order.
        ...sections.map((s, i) => ({ match: `Section: ${s.title}`, text: `text of ${s.title}`, latencyMs: [150, 80, 10][i] })),
        { match: "Report: T", text: "intro" },
      ],
    });
    try {
      const graph = reportGraph({ client: server.client(), model: "m" });
      const state = await graph.invoke({ topic: "anything" });
      const done = (title: string) => server.requests.find((r) => lastUserText(r).includes(`Section: ${title}`))!.respondedAt!;
      expect(done("C")).toBeLessThan(done("B"));
      expect(done("B")).toBeLessThan(done("A"));
      expect(state.report).toBe("# T\n\nintro\n\n## 1. A\n\ntext of A\n\n## 2. B\n\ntext of B\n\n## 3. C\n\ntext of C");
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

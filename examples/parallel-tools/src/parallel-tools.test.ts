import { toMermaidGantt } from "@weft/core/draw";
import { checkGuide, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runParallelTools, withToolCalls } from "./main.js";

describe("the parallel-tools example", () => {
  it("runs the three weather calls of one model turn at once: all start before the first one ends", async () => {
    const printed = memoryOutput();
    const run = await runParallelTools({ mode: "offline", latencyScale: 0.05, out: printed, tty: false });
    expect(run.spans).toHaveLength(3);
    const firstEnd = Math.min(...run.spans.map((span) => span.end));
    for (const span of run.spans) expect(span.start).toBeLessThan(firstEnd);

    expect(run.state.messages.at(-1)?.content).toBe("Right now it's 12°C in London, 24°C in Tokyo and 15°C in Paris.");
    // The model's second turn got the three results in call order, whatever order they finished in.
    const toolMessages = run.requests[1]!.body.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(String(m.content)));
    expect(toolMessages).toEqual([
      { city: "London", temp_c: 12 },
      { city: "Tokyo", temp_c: 24 },
      { city: "Paris", temp_c: 15 },
    ]);

    const text = printed.text();
    expect(text).toMatch(/\nSequential: \d+\.\d\ds\nParallel: \d+\.\d\ds\n/);
    for (const city of ["London", "Tokyo", "Paris"]) expect(text).toContain(`✅ tools → get_weather(${city}) done in`);
    expect(text).toContain("✅ model · turn 2 done in");
  });

  it("draws each tool call as a bar of its own in the run's timeline", async () => {
    const run = await runParallelTools({ mode: "offline", latencyScale: 0.02, out: memoryOutput(), tty: false });
    const gantt = toMermaidGantt(withToolCalls(run.outcome.events));
    for (const i of [0, 1, 2]) expect(gantt).toMatch(new RegExp(`\\n  tools → get_weather #${i} :\\d+, \\d+\\n`));
  });
});

describe("docs/guides/parallel-tools.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("parallel-tools");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});

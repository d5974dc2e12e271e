import { checkGuide, memoryOutput } from "@weft/example-shared";
import { describe, expect, it } from "vitest";
import { runBriefing } from "./main.js";

describe("the briefing example", () => {
  it("prints the seed's briefing, exactly", async () => {
    const printed = memoryOutput();
    const { state } = await runBriefing({ latencyScale: 0.02, out: printed, tty: false });
    expect(state.finalResponse).toBe(
      "Here's your briefing:\n" +
        "🌤 Weather for query: morning briefing — 18°C, Sunny\n" +
        "📰 News for query: morning briefing — 3 articles found\n" +
        "📅 Calendar for query: morning briefing — 2 events today",
    );
    expect(printed.text()).toContain(`\n${state.finalResponse}\n`);
  });

  it("fetches the three sources at once and aggregates once, after all three", async () => {
    const { outcome } = await runBriefing({ latencyScale: 0.02, out: memoryOutput(), tty: false });
    const tasks = outcome.progress.views();
    const fetchers = tasks.filter((task) => task.node !== "aggregate");
    expect(fetchers.map((task) => task.node)).toEqual(["weather", "news", "calendar"]);
    const firstEnd = Math.min(...fetchers.map((task) => task.endedAt!));
    for (const task of fetchers) expect(task.startedAt!).toBeLessThan(firstEnd);
    const aggregate = tasks.filter((task) => task.node === "aggregate");
    expect(aggregate).toHaveLength(1);
    expect(aggregate[0]!.startedAt!).toBeGreaterThanOrEqual(Math.max(...fetchers.map((task) => task.endedAt!)));
  });
});

describe("docs/guides/briefing.md", () => {
  it("quotes the example's code as it is", async () => {
    const { quotes, drifted } = await checkGuide("briefing");
    expect(quotes).toBeGreaterThan(0);
    expect(drifted).toEqual([]);
  });
});

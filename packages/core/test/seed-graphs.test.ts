import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, Send, START, StateGraph } from "../src/index.js";
import { formatVote, majorityVote } from "../src/aggregate.js";

describe("the seed's graphs", () => {
  it("morning briefing: three fetchers fan out from START and fan in to the aggregator", async () => {
    const State = z.object({
      query: z.string(),
      weatherResult: z.string().optional(),
      newsResult: z.string().optional(),
      calendarResult: z.string().optional(),
      finalResponse: z.string().optional(),
    });
    const ran: string[] = [];
    const graph = new StateGraph(State, { name: "briefing" })
      .addNode("weather", (s) => ({ weatherResult: `Weather for query: ${s.query} — 18°C, Sunny` }))
      .addNode("news", (s) => ({ newsResult: `News for query: ${s.query} — 3 articles found` }))
      .addNode("calendar", (s) => ({ calendarResult: `Calendar for query: ${s.query} — 2 events today` }))
      .addNode("aggregate", (s) => {
        ran.push("aggregate");
        return {
          finalResponse: `Here's your briefing:\n🌤 ${s.weatherResult}\n📰 ${s.newsResult}\n📅 ${s.calendarResult}`,
        };
      })
      .addEdge(START, "weather")
      .addEdge(START, "news")
      .addEdge(START, "calendar")
      .addEdge("weather", "aggregate")
      .addEdge("news", "aggregate")
      .addEdge("calendar", "aggregate")
      .addEdge("aggregate", END)
      .compile();

    const result = await graph.invoke({ query: "morning briefing" });

    expect(result.finalResponse).toBe(
      "Here's your briefing:\n" +
        "🌤 Weather for query: morning briefing — 18°C, Sunny\n" +
        "📰 News for query: morning briefing — 3 articles found\n" +
        "📅 Calendar for query: morning briefing — 2 events today",
    );
    expect(ran).toEqual(["aggregate"]);
  });

  it("orchestrator-worker report: one Send per planned section, appended in plan order", async () => {
    const State = z.object({
      topic: z.string(),
      sections: z.array(z.string()).default([]),
      results: appendList(z.string()),
      finalReport: z.string().optional(),
    });
    const Worker = z.object({ section: z.string() });
    const graph = new StateGraph(State, { name: "report" })
      .addNode("plan", (s) => ({
        sections: [`Introduction to ${s.topic}`, `Core concepts of ${s.topic}`, `Practical applications of ${s.topic}`],
      }))
      .addNode(
        "write_section",
        async ({ section }) => {
          // Later sections finish first: the order must still follow the plan.
          await new Promise((resolve) => setTimeout(resolve, 30 - section.length / 2));
          return { results: [`## ${section}\nContent about ${section}...`] };
        },
        { input: Worker },
      )
      .addNode("synthesize", (s) => ({ finalReport: `# Report: ${s.topic}\n\n${s.results.join("\n\n")}` }))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write_section", { section })), ["write_section"])
      .addEdge("write_section", "synthesize")
      .addEdge("synthesize", END)
      .compile();

    const result = await graph.invoke({ topic: "AI Agents" });

    expect(result.finalReport).toBe(
      "# Report: AI Agents\n\n" +
        "## Introduction to AI Agents\nContent about Introduction to AI Agents...\n\n" +
        "## Core concepts of AI Agents\nContent about Core concepts of AI Agents...\n\n" +
        "## Practical applications of AI Agents\nContent about Practical applications of AI Agents...",
    );
  });

  it("voting: five judges classify in parallel and the majority wins with its confidence", async () => {
    const labels = ["positive", "positive", "negative", "positive", "positive"] as const;
    const State = z.object({
      text: z.string(),
      votes: appendList(z.string()),
      verdict: z.string().optional(),
    });
    const Judge = z.object({ judge: z.number().int(), text: z.string() });
    const graph = new StateGraph(State, { name: "voting" })
      .addNode(
        "judge",
        async ({ judge }) => {
          await new Promise((resolve) => setTimeout(resolve, (5 - judge) * 5));
          return { votes: labels[judge] };
        },
        { input: Judge },
      )
      .addNode("tally", (s) => ({ verdict: formatVote(majorityVote(s.votes)) }))
      .addConditionalEdges(START, (s) => labels.map((_, judge) => new Send("judge", { judge, text: s.text })), ["judge"])
      .addEdge("judge", "tally")
      .addEdge("tally", END)
      .compile();

    const result = await graph.invoke({ text: "I love this library" });

    expect(result.votes).toEqual([...labels]);
    expect(result.verdict).toBe("positive (confidence: 80%)");
  });
});

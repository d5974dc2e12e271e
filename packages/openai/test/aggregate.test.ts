import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { judgeNode, judgePanel, sendToJudges, synthesisNode, tallyVotes, verdictSchema } from "../src/index.js";
import { lastUserText } from "../src/testing/index.js";
import { collect, finalState, useTestServer } from "./helpers.js";

const startServer = useTestServer();

describe("LLM-as-judge voting", () => {
  it("five judges vote concurrently and the panel reports positive (confidence: 80%)", async () => {
    const labels = ["positive", "positive", "negative", "positive", "positive"] as const;
    const server = await startServer({
      // Judge i answers label i; later judges answer first, the tally still follows Send order.
      replies: labels.map((label, judge) => ({
        match: `Judge ${judge}:`,
        json: { reason: `judge ${judge} says ${label}`, label },
        latencyMs: (5 - judge) * 5,
      })),
    });
    const panel = judgePanel({
      client: server.client(),
      model: "gpt-4o-mini",
      labels: ["positive", "negative"],
      judges: 5,
      instructions: (judge) => `Judge ${judge}: classify the sentiment of the text.`,
    }).compile();

    const result = await panel.invoke({ text: "I love this library" });

    expect(result.summary).toBe("positive (confidence: 80%)");
    expect(result.winner).toBe("positive");
    expect(result.confidence).toBe(0.8);
    expect(result.verdicts.map((v) => v.label)).toEqual([...labels]);
    expect(server.requests).toHaveLength(5);
    expect(server.requests[0]!.body.response_format?.json_schema?.name).toBe("verdict");
    expect(lastUserText(server.requests[0]!)).toContain("I love this library");
  });

  it("a judge that answers out of its labels is asked again by the panel's retry", async () => {
    const server = await startServer({
      replies: [{ json: { reason: "unsure", label: "neutral" } }, { json: { reason: "ok", label: "negative" }, times: Infinity }],
    });
    const panel = judgePanel({
      client: server.client(),
      model: "gpt-4o-mini",
      labels: ["positive", "negative"],
      judges: 1,
      instructions: "Classify.",
    }).compile();

    const result = await panel.invoke({ text: "meh" });

    expect(result.summary).toBe("negative (confidence: 100%)");
    expect(server.requests).toHaveLength(2);
  });

  it("judgeNode, sendToJudges and tallyVotes compose in a graph of your own", async () => {
    const server = await startServer({
      handler: (request) => ({ json: { reason: "r", label: request.body.model === "judge-b" ? "no" : "yes" } }),
    });
    const State = z.object({ claim: z.string(), votes: appendList(z.enum(["yes", "no"])), verdict: z.string().optional() });
    const Judge = z.object({ model: z.string(), claim: z.string() });
    const graph = new StateGraph(State)
      .addNode(
        "judge",
        judgeNode({
          client: server.client(),
          model: (input: z.output<typeof Judge>) => input.model,
          labels: ["yes", "no"],
          messages: (input) => [{ role: "user", content: `Is this true? ${input.claim}` }],
          output: (verdict) => ({ votes: verdict.label }),
        }),
        { input: Judge },
      )
      .addNode("tally", (s) => ({ verdict: tallyVotes(s.votes).summary }))
      .addConditionalEdges(
        START,
        (s) => sendToJudges("judge", 3, (i) => ({ model: ["judge-a", "judge-b", "judge-c"][i]!, claim: s.claim })),
        ["judge"],
      )
      .addEdge("judge", "tally")
      .addEdge("tally", END)
      .compile();

    const result = await graph.invoke({ claim: "Weft is typed" });

    expect(result.votes).toEqual(["yes", "no", "yes"]);
    expect(result.verdict).toBe("yes (confidence: 67%)");
    expect(server.requests.map((r) => r.body.model).sort()).toEqual(["judge-a", "judge-b", "judge-c"]);
  });

  it("tallyVotes takes labels or verdicts and breaks ties by first vote", () => {
    expect(tallyVotes(["no", "yes", "yes", "no"]).winner).toBe("no");
    expect(
      tallyVotes([
        { label: "a", reason: "" },
        { label: "b", reason: "" },
        { label: "b", reason: "" },
      ]).summary,
    ).toBe("b (confidence: 67%)");
    expect(verdictSchema(["a", "b"]).parse({ reason: "x", label: "a" })).toEqual({ reason: "x", label: "a" });
  });
});

describe("LLM synthesis", () => {
  it("the seed's orchestrator-worker report, fanned in by a synthesis node", async () => {
    const server = await startServer({
      replies: [{ match: /^Query: AI Agents/, text: "AI agents plan, act and learn: a synthesis.", chunkDelayMs: 1 }],
      handler: (request) => ({ text: `Section on ${lastUserText(request).replace("Write about ", "")}` }),
    });
    const State = z.object({
      topic: z.string(),
      sections: z.array(z.string()).default([]),
      results: appendList(z.string()),
      finalReport: z.string().optional(),
    });
    const client = server.client();
    const graph = new StateGraph(State)
      .addNode("plan", (s) => ({
        sections: [`Introduction to ${s.topic}`, `Core concepts of ${s.topic}`, `Practical applications of ${s.topic}`],
      }))
      .addNode(
        "write_section",
        async ({ section }) => {
          const completion = await client.chat.completions.create({
            model: "gpt-4o-mini",
            messages: [{ role: "user", content: `Write about ${section}` }],
          });
          return { results: `## ${section}\n${completion.choices[0]!.message.content}` };
        },
        { input: z.object({ section: z.string() }) },
      )
      .addNode(
        "synthesize",
        synthesisNode({
          client,
          model: "gpt-4o-mini",
          stream: true,
          query: (s: z.output<typeof State>) => s.topic,
          results: (s) => s.results,
          output: (text) => ({ finalReport: text }),
        }),
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write_section", { section })), ["write_section"])
      .addEdge("write_section", "synthesize")
      .addEdge("synthesize", END)
      .compile();
    const { events } = await collect(graph.stream({ topic: "AI Agents" }));

    expect(finalState<z.output<typeof State>>(events).finalReport).toBe("AI agents plan, act and learn: a synthesis.");
    const synthesis = server.requests.find((r) => r.body.stream === true)!;
    expect(synthesis.body.messages).toEqual([
      { role: "system", content: "Synthesize the following results into a coherent response." },
      {
        role: "user",
        content:
          "Query: AI Agents\n\nResults:\n" +
          "## Introduction to AI Agents\nSection on Introduction to AI Agents\n---\n" +
          "## Core concepts of AI Agents\nSection on Core concepts of AI Agents\n---\n" +
          "## Practical applications of AI Agents\nSection on Practical applications of AI Agents",
      },
    ]);
  });
});

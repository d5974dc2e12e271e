import { END, isGraphError, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import type OpenAI from "openai";
import { z } from "zod";
import { isModelError, isOpenAIRunEvent, modelNode, sumUsage } from "../src/index.js";
import { collect, finalState, useTestServer } from "./helpers.js";

const Sentiment = z.object({ label: z.enum(["positive", "negative"]), score: z.number().min(0).max(1) });
const State = z.object({
  text: z.string(),
  label: z.enum(["positive", "negative"]).optional(),
  score: z.number().optional(),
});

const startServer = useTestServer();

function classifier(client: OpenAI, maxAttempts = 1) {
  return new StateGraph(State, { name: "classify" })
    .addNode(
      "classify",
      modelNode({
        client,
        model: "gpt-4o-mini",
        messages: (s: z.output<typeof State>) => [
          { role: "system", content: "Classify the sentiment." },
          { role: "user", content: s.text },
        ],
        schema: Sentiment,
        schemaName: "sentiment",
        output: (answer) => ({ label: answer.parsed.label, score: answer.parsed.score }),
      }),
      { retry: { maxAttempts, backoff: { initialMs: 1, jitter: false } } },
    )
    .addEdge(START, "classify")
    .addEdge("classify", END)
    .compile();
}

describe("structured output", () => {
  it("sends the zod schema as response_format json_schema and returns the validated answer", async () => {
    const server = await startServer({ replies: [{ json: { label: "positive", score: 0.9 } }] });

    const result = await classifier(server.client()).invoke({ text: "I love this library" });

    expect(result).toEqual({ text: "I love this library", label: "positive", score: 0.9 });
    const body = server.requests[0]!.body;
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.messages).toEqual([
      { role: "system", content: "Classify the sentiment." },
      { role: "user", content: "I love this library" },
    ]);
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "sentiment",
        strict: true,
        schema: {
          type: "object",
          properties: {
            label: { type: "string", enum: ["positive", "negative"] },
            score: { type: "number", minimum: 0, maximum: 1 },
          },
          required: ["label", "score"],
          additionalProperties: false,
        },
      },
    });
  });

  it("a malformed JSON answer fails the node with a ModelError carrying the raw text", async () => {
    const server = await startServer({ replies: [{ text: '{"label": "positive", "score": ' }] });

    const error = await classifier(server.client())
      .invoke({ text: "I love this library" })
      .catch((e: unknown) => e);

    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    const cause = (error as Error).cause;
    expect(isModelError(cause)).toBe(true);
    expect(cause).toMatchObject({ code: "INVALID_JSON", raw: '{"label": "positive", "score": ' });
  });

  it("an answer that is JSON but breaks the schema is a SCHEMA_MISMATCH with the raw text", async () => {
    const server = await startServer({ replies: [{ json: { label: "meh", score: 2 } }] });

    const error = await classifier(server.client())
      .invoke({ text: "so-so" })
      .catch((e: unknown) => e);

    const cause = (error as Error).cause;
    expect(cause).toMatchObject({ code: "SCHEMA_MISMATCH", raw: '{"label":"meh","score":2}' });
    expect((cause as Error).message).toContain("label");
  });

  it("the node's retry policy asks again after a malformed answer and succeeds on the second", async () => {
    const server = await startServer({
      replies: [{ text: "Sure! The sentiment is positive." }, { json: { label: "positive", score: 0.8 } }],
    });
    const { events } = await collect(classifier(server.client(), 2).stream({ text: "I love this library" }));

    const retries = events.filter((e) => e.type === "task:retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, error: { code: "INVALID_JSON", raw: "Sure! The sentiment is positive." } });
    expect(finalState(events)).toMatchObject({ label: "positive", score: 0.8 });
    expect(server.requests).toHaveLength(2);
  });

  it("reports token usage per attempt as custom events tagged with the task", async () => {
    const server = await startServer({
      replies: [
        { text: "not json", usage: { prompt_tokens: 11, completion_tokens: 2 } },
        { json: { label: "negative", score: 0.1 }, usage: { prompt_tokens: 11, completion_tokens: 7 } },
      ],
    });
    const { events } = await collect(classifier(server.client(), 2).stream({ text: "meh" }));

    const usage = events.filter((e) => isOpenAIRunEvent(e, "openai.usage"));
    expect(usage.map((e) => [e.taskId, e.node, e.data.attempt, e.data.totalTokens])).toEqual([
      ["1:0", "classify", 1, 13],
      ["1:0", "classify", 2, 18],
    ]);
    expect(sumUsage(events).total).toEqual({ promptTokens: 22, completionTokens: 9, totalTokens: 31 });
  });
});

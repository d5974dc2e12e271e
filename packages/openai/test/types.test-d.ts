import { END, START, StateGraph, type RunEvent } from "@weft/core";
import type OpenAI from "openai";
import type { ChatCompletionToolMessageParam } from "openai/resources/chat/completions";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  agentGraph,
  AgentState,
  callModel,
  isOpenAIRunEvent,
  judgeNode,
  messageList,
  modelNode,
  tool,
  toolNode,
  type ModelAnswer,
  type Tool,
} from "../src/index.js";

declare const client: OpenAI;
const State = z.object({ text: z.string(), label: z.enum(["positive", "negative"]).optional() });
type S = z.output<typeof State>;

describe("modelNode types", () => {
  it("types answer.parsed from the schema, and the node fits addNode", () => {
    new StateGraph(State).addNode(
      "classify",
      modelNode({
        client,
        model: "gpt-4o-mini",
        messages: (s: S) => [{ role: "user", content: s.text }],
        schema: z.object({ label: z.enum(["positive", "negative"]) }),
        output: (answer, s) => {
          expectTypeOf(answer.parsed).toEqualTypeOf<{ label: "positive" | "negative" }>();
          expectTypeOf(s).toEqualTypeOf<S>();
          return { label: answer.parsed.label };
        },
      }),
    );
  });

  it("without a schema, parsed is undefined", () => {
    modelNode({
      client,
      model: "m",
      messages: () => [],
      output: (answer) => {
        expectTypeOf(answer.parsed).toEqualTypeOf<undefined>();
        expectTypeOf(answer.text).toEqualTypeOf<string>();
        return {};
      },
    });
  });

  it("an update with no key of the state does not fit the graph", () => {
    new StateGraph(State).addNode(
      "classify",
      // @ts-expect-error "labl" is not a key of the state
      modelNode({ client, model: "m", messages: (s: S) => [{ role: "user", content: s.text }], output: () => ({ labl: "x" }) }),
    );
  });

  it("callModel returns a typed answer", async () => {
    const answer = await callModel({ client, model: "m", messages: [], schema: z.object({ n: z.number() }) });
    expectTypeOf(answer).toEqualTypeOf<ModelAnswer<{ n: number }>>();
  });
});

describe("tool types", () => {
  it("types execute's arguments from the zod parameters; specific tools fit a Tool list", () => {
    const add = tool({
      name: "add",
      parameters: z.object({ a: z.number(), b: z.number().default(1) }),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ a: number; b: number }>();
        return args.a + args.b;
      },
    });
    expectTypeOf(add).toExtend<Tool>();
    const tools: readonly Tool[] = [add];
    expectTypeOf(tools).toExtend<readonly Tool[]>();
  });

  it("the default tool node reads and writes `messages`", () => {
    const node = toolNode({ tools: [] });
    expectTypeOf(node).returns.resolves.toEqualTypeOf<{ messages: ChatCompletionToolMessageParam[] }>();
    new StateGraph(z.object({ messages: messageList() })).addNode("tools", node);
  });
});

describe("agent types", () => {
  it("the agent builder knows its nodes, so a misspelled one fails to compile", () => {
    const builder = agentGraph({ client, model: "m", tools: [], state: AgentState.extend({ user: z.string() }) });
    builder.addNode("greet", (s) => {
      expectTypeOf(s.user).toEqualTypeOf<string>();
      return { user: s.user };
    });
    // @ts-expect-error "modle" is not a node
    builder.addEdge("modle", END);
    builder.addEdge(START, "tools");
  });
});

describe("judge and event types", () => {
  it("a verdict's label is one of the labels", () => {
    judgeNode({
      client,
      model: "m",
      labels: ["yes", "no"],
      messages: (input: { claim: string }) => [{ role: "user", content: input.claim }],
      output: (verdict) => {
        expectTypeOf(verdict.label).toEqualTypeOf<"yes" | "no">();
        return {};
      },
    });
  });

  it("isOpenAIRunEvent narrows a run event to its payload", () => {
    const event = {} as RunEvent<S, "classify">;
    if (isOpenAIRunEvent(event, "openai.delta")) {
      expectTypeOf(event.data.text).toEqualTypeOf<string>();
      expectTypeOf(event.taskId).toEqualTypeOf<string>();
    }
  });
});

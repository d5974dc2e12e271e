import { Command, END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AgentState, callModel, messageList, tool, toolNode } from "../src/index.js";
import { useTestServer } from "./helpers.js";

const startServer = useTestServer();

describe("model calls and tool calls are steps of their task", () => {
  it("an agent node that made two model calls and then asked a human calls the model no more on the resume", async () => {
    const server = await startServer({ replies: [{ text: "draft" }, { text: "polished" }, { text: "sent" }] });
    const client = server.client();
    const State = z.object({ messages: messageList(), approved: z.string().default("") });
    const agent = new StateGraph(State)
      .addNode("agent", async (state, ctx) => {
        const draft = await callModel({ client, model: "m", messages: [...state.messages, { role: "user", content: "draft it" }] }, ctx);
        const polished = await callModel({ client, model: "m", messages: [draft.message, { role: "user", content: "polish it" }] }, ctx);
        const approved = ctx.interrupt<string>({ review: polished.text });
        const sent = await callModel({ client, model: "m", messages: [polished.message, { role: "user", content: approved }] }, ctx);
        return { messages: [draft.message, polished.message, sent.message], approved };
      })
      .addEdge(START, "agent")
      .addEdge("agent", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const paused = await agent.run({ messages: [{ role: "user", content: "write to Ann" }] }, { threadId: "ann" });
    expect(paused.interrupts.map((interrupt) => interrupt.value)).toEqual([{ review: "polished" }]);
    expect(server.requests).toHaveLength(2);

    const done = await agent.invoke(new Command({ resume: "send it" }), { threadId: "ann" });
    // One new request: the call after the interrupt. The two before it were answered from the thread.
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]!.body.messages.at(-1)).toEqual({ role: "user", content: "send it" });
    expect(done.messages.map((message) => message.content)).toEqual(["write to Ann", "draft", "polished", "sent"]);
    expect(done.approved).toBe("send it");
  });

  it("the prebuilt agent's tool node runs a tool that returned once, when the node is retried", async () => {
    const server = await startServer({ replies: [{ toolCalls: [{ name: "search", arguments: { q: "weft" } }] }, { text: "found it" }] });
    let searches = 0;
    const search = tool({
      name: "search",
      parameters: z.object({ q: z.string() }),
      execute: ({ q }) => {
        searches++;
        return { hits: [`${q} docs`] };
      },
    });
    let outputs = 0;
    const tools = toolNode({
      tools: [search],
      calls: (state: { messages: z.output<typeof AgentState>["messages"] }) => {
        const last = state.messages.at(-1);
        return last?.role === "assistant" ? (last.tool_calls ?? []) : [];
      },
      output: (results) => {
        if (outputs++ === 0) throw new Error("the first output is lost");
        return { messages: results.map((result) => result.message) };
      },
    });
    const client = server.client();
    const graph = new StateGraph(AgentState)
      .addNode("model", async (state, ctx) => ({
        messages: (await callModel({ client, model: "m", messages: state.messages, tools: [search] }, ctx)).message,
      }))
      .addNode("tools", tools, { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } })
      .addEdge(START, "model")
      .addConditionalEdges("model", (state) => (state.messages.length > 2 ? END : "tools"), ["tools", END])
      .addEdge("tools", "model")
      .compile({ checkpointer: new MemoryCheckpointer() });

    const { messages } = await graph.invoke({ messages: [{ role: "user", content: "find weft" }] }, { threadId: "search" });
    expect(outputs).toBe(2);
    expect(searches).toBe(1);
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[2]!.content).toBe('{"hits":["weft docs"]}');
    expect(server.requests).toHaveLength(2);
  });
});

import { APIError, APIUserAbortError, InternalServerError, RateLimitError } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./index.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "test-model",
  messages: [{ role: "user" as const, content }],
  ...extra,
});

async function post(body: unknown): Promise<Response> {
  return fetch(`${server!.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("test server", () => {
  it("answers as JSON with content-type application/json, and records the request", async () => {
    server = await startTestServer({ replies: [{ text: "Hello there" }] });
    const before = performance.timeOrigin + performance.now();

    const response = await post(ask("Hi"));

    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.json();
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "test-model",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    await server.idle();
    const [request] = server.requests;
    expect(request).toMatchObject({ index: 0, method: "POST", path: "/v1/chat/completions", aborted: false, status: 200 });
    expect(request!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(request!.respondedAt).toBeGreaterThanOrEqual(request!.receivedAt);
  });

  it("streams SSE chunks: role, text pieces, finish reason, then usage with empty choices, then [DONE]", async () => {
    server = await startTestServer({ replies: [{ text: "one two", chunks: ["one ", "two"] }] });

    const response = await post(ask("Count", { stream: true, stream_options: { include_usage: true } }));

    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = (await response.text()).split("\n\n").filter((e) => e !== "");
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, "")));
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "" },
      { content: "one " },
      { content: "two" },
      {},
      null,
    ]);
    expect(chunks[3].choices[0].finish_reason).toBe("stop");
    expect(chunks[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
  });

  it("sends several tool calls in one message, with arguments as JSON or as given", async () => {
    server = await startTestServer({
      replies: [
        {
          toolCalls: [
            { name: "a", arguments: { x: 1 } },
            { name: "b", arguments: '{"broken": ', id: "call_b" },
          ],
        },
      ],
    });

    const completion = await server.client().chat.completions.create(ask("Go"));

    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: "call_0", type: "function", function: { name: "a", arguments: '{"x":1}' } },
      { id: "call_b", type: "function", function: { name: "b", arguments: '{"broken": ' } },
    ]);
  });

  it("fails with HTTP 429 and 500 as the OpenAI client expects", async () => {
    server = await startTestServer({ replies: [{ status: 429, error: "Slow down" }, { status: 500 }] });
    const client = server.client();

    const first = await client.chat.completions.create(ask("1")).catch((e: unknown) => e);
    const second = await client.chat.completions.create(ask("2")).catch((e: unknown) => e);

    expect(first).toBeInstanceOf(RateLimitError);
    expect(first).toMatchObject({ status: 429, message: expect.stringContaining("Slow down") });
    expect(second).toBeInstanceOf(InternalServerError);
  });

  it("can send a malformed body", async () => {
    server = await startTestServer({ replies: [{ status: 200, body: '{"id": "chatcmpl-1", "choi' }] });

    const error = await server
      .client()
      .chat.completions.create(ask("Hi"))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(APIError);
  });

  it("picks replies by matcher (last user message, RegExp or function) and in order, and reports what matched nothing", async () => {
    server = await startTestServer({
      replies: [
        { match: "weather", text: "sunny" },
        { match: /^bye/i, text: "goodbye", times: 2 },
        { match: (r) => r.body.model === "special", text: "special" },
        { text: "anything" },
      ],
    });
    const client = server.client();
    const text = async (content: string, model = "test-model") =>
      (await client.chat.completions.create({ ...ask(content), model })).choices[0]!.message.content;

    expect(await text("Bye now")).toBe("goodbye");
    expect(await text("how is the weather?")).toBe("sunny");
    expect(await text("BYE")).toBe("goodbye");
    expect(await text("hello", "special")).toBe("special");
    expect(await text("hello")).toBe("anything");
    const error = await text("bye").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, message: expect.stringContaining("No scripted reply matches request #5") });
    expect(server.unmatched.map((r) => r.index)).toEqual([5]);
    expect(server.pending()).toEqual([]);
  });

  it("falls back to a handler, and accepts replies added later", async () => {
    server = await startTestServer({ handler: (r) => ({ json: { echo: r.body.messages.length } }) });
    server.reply({ text: "queued" });
    const client = server.client();

    const first = await client.chat.completions.create(ask("a"));
    const second = await client.chat.completions.create(ask("b"));

    expect(first.choices[0]!.message.content).toBe("queued");
    expect(second.choices[0]!.message.content).toBe('{"echo":1}');
  });

  it("waits the reply's latency, cut short when the client aborts", async () => {
    server = await startTestServer({ replies: [{ text: "slow", latencyMs: 30_000 }] });
    const controller = new AbortController();

    const pending = server
      .client()
      .chat.completions.create(ask("Hi"), { signal: controller.signal })
      .catch((e: unknown) => e);
    await server.waitForRequests(1);
    controller.abort();

    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await server.idle();
    expect(server.requests[0]).toMatchObject({ aborted: true, respondedAt: undefined });
  });

  it("answers 404 on other routes", async () => {
    server = await startTestServer();

    const response = await fetch(`${server.baseURL}/models`);

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
  });
});

import type { ChatRequestBody, Reply, ReplyTiming, ScriptedToolCall } from "./types.js";

/** A successful reply resolved to what goes on the wire. */
export interface Answer {
  readonly content: string | null;
  readonly refusal: string | null;
  readonly toolCalls: readonly { id: string; name: string; arguments: string }[];
  readonly finishReason: string;
  readonly usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  readonly timing: ReplyTiming;
}

/** True for a reply that is an HTTP failure or a raw body. */
export function isHttpReply(reply: Reply): reply is Extract<Reply, { status: number }> {
  return "status" in reply;
}

/** Resolves a successful reply: content, tool calls with ids, finish reason and usage. */
export function toAnswer(reply: Exclude<Reply, { status: number }>, body: ChatRequestBody, callCounter: () => number): Answer {
  let content: string | null = null;
  let refusal: string | null = null;
  let toolCalls: Answer["toolCalls"] = [];
  if ("json" in reply) content = JSON.stringify(reply.json);
  else if ("refusal" in reply) refusal = reply.refusal;
  else if ("toolCalls" in reply) {
    content = reply.text ?? null;
    toolCalls = reply.toolCalls.map((call: ScriptedToolCall) => ({
      id: call.id ?? `call_${callCounter()}`,
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
    }));
  } else content = reply.text;
  const prompt = reply.usage?.prompt_tokens ?? words(JSON.stringify(body.messages.map((m) => m.content ?? "")));
  const completion =
    reply.usage?.completion_tokens ?? words([content ?? "", refusal ?? "", ...toolCalls.map((c) => c.arguments)].join(" "));
  return {
    content,
    refusal,
    toolCalls,
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    timing: reply,
  };
}

/** A whole `chat.completion` object. */
export function completionBody(answer: Answer, id: string, model: string): unknown {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: answer.content,
          refusal: answer.refusal,
          ...(answer.toolCalls.length > 0
            ? {
                tool_calls: answer.toolCalls.map((call) => ({
                  id: call.id,
                  type: "function",
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: answer.usage,
  };
}

/**
 * The `chat.completion.chunk` objects of a streamed answer: the role, the text in pieces, each
 * tool call (id and name, then its arguments in two pieces), the finish reason, and — when the
 * request asked for it — a last chunk with the usage and no choices.
 */
export function streamChunks(answer: Answer, id: string, model: string, includeUsage: boolean): unknown[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: unknown, finish: string | null = null, extra: object = {}) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  });
  const chunks: unknown[] = [chunk({ role: "assistant", content: "" })];
  if (answer.content !== null && answer.content !== "") {
    for (const piece of answer.timing.chunks ?? splitWords(answer.content)) chunks.push(chunk({ content: piece }));
  }
  if (answer.refusal !== null) chunks.push(chunk({ refusal: answer.refusal }));
  answer.toolCalls.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
    const half = Math.ceil(call.arguments.length / 2);
    for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (piece !== "") chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, answer.finishReason));
  if (includeUsage) {
    chunks.push({ id, object: "chat.completion.chunk", created, model, choices: [], usage: answer.usage });
  }
  return chunks;
}

/** `"a b  c"` → `["a ", "b  ", "c"]`: pieces that join back to the text. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}

import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageFunctionToolCall } from "openai/resources/chat/completions";
import type { TokenUsage } from "../events/events.js";

/** The parts of an answer that the helpers use, whether it came streamed or whole. */
export interface RawAnswer {
  readonly id: string;
  readonly model: string;
  readonly hasChoice: boolean;
  readonly text: string;
  readonly refusal: string | undefined;
  readonly toolCalls: ChatCompletionMessageFunctionToolCall[];
  readonly finishReason: string | null;
  readonly usage: TokenUsage | undefined;
}

/** Reads a whole (non-streamed) completion. */
export function fromCompletion(completion: ChatCompletion): RawAnswer {
  const choice = completion.choices?.[0];
  const message = choice?.message;
  return {
    id: completion.id,
    model: completion.model,
    hasChoice: choice !== undefined,
    text: message?.content ?? "",
    refusal: message?.refusal ?? undefined,
    toolCalls: (message?.tool_calls ?? []).filter((call): call is ChatCompletionMessageFunctionToolCall => call.type === "function"),
    finishReason: choice?.finish_reason ?? null,
    usage: toUsage(completion.usage),
  };
}

/**
 * Folds a stream of chunks into one answer. Tool call pieces are joined by their `index`;
 * the usage arrives in a last chunk with no choices.
 */
export class ChunkAccumulator {
  #id = "";
  #model = "";
  #hasChoice = false;
  #text = "";
  #refusal: string | undefined;
  #calls: { id: string; name: string; arguments: string }[] = [];
  #finishReason: string | null = null;
  #usage: TokenUsage | undefined;

  /** Adds a chunk; returns its new answer text, if any. */
  add(chunk: ChatCompletionChunk): string | undefined {
    this.#id ||= chunk.id;
    this.#model ||= chunk.model;
    if (chunk.usage) this.#usage = toUsage(chunk.usage);
    const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
    if (choice === undefined) return undefined;
    this.#hasChoice = true;
    const delta = choice.delta ?? {};
    if (delta.refusal) this.#refusal = (this.#refusal ?? "") + delta.refusal;
    for (const piece of delta.tool_calls ?? []) {
      const call = (this.#calls[piece.index] ??= { id: "", name: "", arguments: "" });
      if (piece.id) call.id = piece.id;
      if (piece.function?.name && call.name === "") call.name = piece.function.name;
      if (piece.function?.arguments) call.arguments += piece.function.arguments;
    }
    if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    if (delta.content) {
      this.#text += delta.content;
      return delta.content;
    }
    return undefined;
  }

  result(): RawAnswer {
    return {
      id: this.#id,
      model: this.#model,
      hasChoice: this.#hasChoice,
      text: this.#text,
      refusal: this.#refusal,
      toolCalls: this.#calls
        .filter((call) => call !== undefined)
        .map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
      finishReason: this.#finishReason,
      usage: this.#usage,
    };
  }
}

function toUsage(usage: ChatCompletion["usage"] | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    totalTokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
  };
}

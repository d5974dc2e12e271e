import type { ChatCompletionCreateParams } from "openai/resources/chat/completions";

/**
 * What a model call is expected to use, checked against the run's budgets before the call
 * starts (and held back while it runs, so calls at once cannot together overspend).
 *
 * @example
 * ```ts
 * const estimate: ModelEstimate = { inputTokens: 1200, outputTokens: 400 };
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export interface ModelEstimate {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/** Characters per token of English text, as OpenAI's tokenizer guidance puts it: a rough measure. */
const CHARS_PER_TOKEN = 4;

/**
 * The default estimate of a request: its messages' text at about four characters a token,
 * and at most `max_completion_tokens` (or `max_tokens`) of answer — none when neither is set,
 * since the answer's length is then unknown.
 *
 * @example
 * ```ts
 * estimateRequest({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Three facts about tides." }], max_completion_tokens: 200 });
 * // { inputTokens: 6, outputTokens: 200 }
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export function estimateRequest(body: ChatCompletionCreateParams): ModelEstimate {
  let chars = 0;
  for (const message of body.messages) {
    const content = (message as { content?: unknown }).content;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = (part as { text?: unknown }).text;
        if (typeof text === "string") chars += text.length;
      }
    }
  }
  const request = body as { max_completion_tokens?: unknown; max_tokens?: unknown };
  const cap = request.max_completion_tokens ?? request.max_tokens;
  return { inputTokens: Math.ceil(chars / CHARS_PER_TOKEN), outputTokens: typeof cap === "number" && cap > 0 ? cap : 0 };
}

/** The tokens an estimate counts for at a rate limit's token limit: its input and its answer. */
export function tokensOf(estimate: ModelEstimate): number {
  return (estimate.inputTokens ?? 0) + (estimate.outputTokens ?? 0);
}

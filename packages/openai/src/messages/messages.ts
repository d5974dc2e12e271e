import { appendList } from "@weft/core";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import { z } from "zod";

const roles = new Set(["developer", "system", "user", "assistant", "tool", "function"]);

/**
 * A zod schema for one OpenAI chat message param (`{ role, content, … }`). It checks the role
 * only; the API checks the rest.
 *
 * @example
 * ```ts
 * const State = z.object({ last: ChatMessage.optional() });
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export const ChatMessage = z.custom<ChatCompletionMessageParam>(
  (value) =>
    typeof value === "object" && value !== null && !Array.isArray(value) && roles.has((value as { role?: unknown }).role as string),
  { message: "Expected an OpenAI chat message: an object with a role (system, user, assistant, tool…)." },
);

/**
 * A state key holding the conversation: an append list of chat messages. A node returns one
 * message or an array of them, and they are appended in task order.
 *
 * @example
 * ```ts
 * const State = z.object({ messages: messageList(), question: z.string() });
 * // a node returns { messages: { role: "user", content: "Hi" } }
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function messageList() {
  return appendList(ChatMessage);
}

/**
 * The function tool calls of a message: empty unless it is an assistant message that called tools.
 *
 * @example
 * ```ts
 * const calls = toolCallsOf(state.messages.at(-1));
 * ```
 */
export function toolCallsOf(message: ChatCompletionMessageParam | undefined): ChatCompletionMessageFunctionToolCall[] {
  if (message?.role !== "assistant") return [];
  return (message.tool_calls ?? []).filter((call): call is ChatCompletionMessageFunctionToolCall => call.type === "function");
}

/**
 * The last assistant message of a conversation, if any.
 *
 * @example
 * ```ts
 * const answer = lastAssistant(state.messages)?.content;
 * ```
 */
export function lastAssistant(messages: readonly ChatCompletionMessageParam[]): ChatCompletionAssistantMessageParam | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === "assistant") return message;
  }
  return undefined;
}

/**
 * The text of a message's content, whether it is a string or an array of text parts.
 *
 * @example
 * ```ts
 * textOf({ role: "user", content: [{ type: "text", text: "Hi" }] }); // "Hi"
 * ```
 */
export function textOf(message: ChatCompletionMessageParam | undefined): string {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { type?: string; text?: string }) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

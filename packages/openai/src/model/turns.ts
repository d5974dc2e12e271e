import type { RateLimit, RateTicket } from "@weft/core";
import type { ChatCompletionCreateParams } from "openai/resources/chat/completions";
import { estimateRequest } from "./estimate.js";

/** The rate limits of one call, as given: one, several, or none. */
export type RateLimits = RateLimit | readonly RateLimit[] | undefined;

/**
 * A rough count of the tokens a request will use, for token limits before the answer tells:
 * the budgets' estimate of the request (its messages' text at about four characters a token,
 * plus the completion it allows). The turn is corrected with the real usage once the answer arrives.
 */
export function estimateTokens(body: ChatCompletionCreateParams): number {
  const { inputTokens = 0, outputTokens = 0 } = estimateRequest(body);
  return inputTokens + outputTokens;
}

/** Waits for a turn at each limit, in order; on an abort, gives back the turns already taken. */
export async function takeTurns(limits: RateLimits, tokens: number, signal: AbortSignal | undefined): Promise<RateTicket[]> {
  if (limits === undefined) return [];
  const tickets: RateTicket[] = [];
  try {
    for (const limit of Array.isArray(limits) ? limits : [limits as RateLimit]) {
      tickets.push(await limit.acquire({ tokens, ...(signal === undefined ? {} : { signal }) }));
    }
  } catch (error) {
    for (const ticket of tickets) ticket.settle(undefined);
    throw error;
  }
  return tickets;
}

/** After a failed call: a 429 pauses every limit's key for what the server asked. */
export async function pauseAfter(limits: RateLimits, error: unknown): Promise<void> {
  if (limits === undefined) return;
  await Promise.all((Array.isArray(limits) ? limits : [limits as RateLimit]).map((limit) => limit.pauseAfter(error)));
}

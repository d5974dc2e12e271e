import type { RateLimit, RateTicket } from "@weft/core";

/** The rate limits of one call, as given: one, several, or none. */
export type RateLimits = RateLimit | readonly RateLimit[] | undefined;

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

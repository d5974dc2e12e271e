/** An HTTP client error that no retry can fix: the endpoint refused the request as it is. */
export interface Refusal {
  readonly status: number;
  readonly message: string;
}

/** Client errors that are worth another attempt (request timeout, conflict, rate limit). */
const TRANSIENT = new Set([408, 409, 429]);

/**
 * The model endpoint's refusal behind an error, if there is one: a 4xx other than 408, 409 and
 * 429 on the error itself, its `cause`, or the errors of a failed run's tasks.
 *
 * @example
 * ```ts
 * const refusal = refusalOf(error); // { status: 401, message: "Incorrect API key provided" }
 * ```
 */
export function refusalOf(error: unknown, seen = new Set<unknown>()): Refusal | undefined {
  if (typeof error !== "object" || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const { status, message, cause, details } = error as {
    status?: unknown;
    message?: unknown;
    cause?: unknown;
    details?: { failures?: unknown };
  };
  if (typeof status === "number" && status >= 400 && status < 500 && !TRANSIENT.has(status)) {
    return { status, message: typeof message === "string" ? message : "" };
  }
  const failures = Array.isArray(details?.failures) ? (details.failures as { error?: unknown }[]) : [];
  for (const candidate of [cause, ...failures.map((failure) => failure?.error)]) {
    const found = refusalOf(candidate, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * One paragraph for a person: what the endpoint said and what to change. The hint depends on
 * the status: the key (401, 403), the model or the base URL (404), else the request.
 *
 * @example
 * ```ts
 * console.error(explainRefusal({ status: 401, message: "401 Incorrect API key provided" }));
 * ```
 */
export function explainRefusal(refusal: Refusal): string {
  const said = refusal.message.replace(/\s+/g, " ").trim() || "no message";
  const hint =
    refusal.status === 401 || refusal.status === 403
      ? "Check OPENAI_API_KEY (and OPENAI_BASE_URL, if you set it), or unset OPENAI_API_KEY to run the example offline against its local test server."
      : refusal.status === 404
        ? "Check WEFT_MODEL: the endpoint does not serve that model (or OPENAI_BASE_URL points to the wrong place); unset OPENAI_API_KEY to run the example offline."
        : "The request itself was refused; unset OPENAI_API_KEY to run the example offline against its local test server.";
  return `The model endpoint refused the request (HTTP ${refusal.status}: ${said}). ${hint} A refused request is not retried: it would be refused again.`;
}

import { describe, expect, it } from "vitest";
import { GraphError } from "../errors.js";
import { isRetryable, retryAfterMs, retryDelay } from "./retry.js";

const httpError = (status: number, headers?: Record<string, string> | Headers) =>
  Object.assign(new Error(`${status} status code`), { status, headers });

describe("the default retryOn", () => {
  it("does not retry a 4xx other than 408, 409 and 429", () => {
    for (const status of [400, 401, 403, 404, 422]) expect(isRetryable(httpError(status)), String(status)).toBe(false);
    for (const status of [408, 409, 429, 500, 502, 503]) expect(isRetryable(httpError(status)), String(status)).toBe(true);
    expect(isRetryable({ statusCode: 401 })).toBe(false);
  });

  it("retries errors with no HTTP status or a status that is not a number", () => {
    expect(isRetryable(new Error("socket hang up"))).toBe(true);
    expect(isRetryable({ status: "401" })).toBe(true);
    expect(isRetryable(null)).toBe(true);
    expect(isRetryable("boom")).toBe(true);
  });

  it("still refuses Weft's validation errors and aborts", () => {
    expect(isRetryable(new GraphError("INVALID_UPDATE", "bad"))).toBe(false);
    expect(isRetryable(Object.assign(new Error("stop"), { name: "AbortError" }))).toBe(false);
  });
});

describe("retry-after", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads seconds, an HTTP date and retry-after-ms, from Headers or a plain object", () => {
    expect(retryAfterMs(httpError(429, { "retry-after": "3" }), now)).toBe(3000);
    expect(retryAfterMs(httpError(429, { "Retry-After": "1.5" }), now)).toBe(1500);
    expect(retryAfterMs(httpError(429, new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" })), now)).toBe(7000);
    expect(retryAfterMs(httpError(503, { "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs({ response: { headers: new Headers({ "retry-after": "2" }) } }, now)).toBe(2000);
  });

  it("ignores a missing, past or unreadable value", () => {
    expect(retryAfterMs(httpError(429), now)).toBeUndefined();
    expect(retryAfterMs(httpError(429, { "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(httpError(429, { "retry-after": "-1" }), now)).toBeUndefined();
    expect(retryAfterMs(httpError(429, { "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("waits at least what the server asked, even beyond the backoff's maximum", () => {
    const backoff = { initialMs: 100, maxMs: 1000, jitter: false };
    expect(retryDelay({ backoff, attempt: 1, error: httpError(429, { "retry-after": "5" }), now })).toBe(5000);
    expect(retryDelay({ backoff, attempt: 1, error: httpError(429, { "retry-after": "0" }), now })).toBe(100);
    expect(retryDelay({ backoff, attempt: 1, error: new Error("x"), now })).toBe(100);
  });
});

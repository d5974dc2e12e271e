import { describe, expect, it } from "vitest";
import { isGraphError } from "../errors.js";
import { checkOptions, type RuleTable } from "./rules.js";
import { optionObject, wholeAtLeast1 } from "./values.js";

const RULES: RuleTable = {
  limit: wholeAtLeast1,
  inner: optionObject({ count: { ...wholeAtLeast1, required: true } }),
  probe: { expected: "an object whose x is 1", accepts: (value) => (value as { x?: unknown }).x === 1 },
};

function messageOf(given: unknown): string {
  try {
    checkOptions(given, RULES, { scope: "node", node: "n" });
  } catch (error) {
    if (isGraphError(error) && error.code === "INVALID_OPTION") return error.message;
    throw error;
  }
  return "accepted";
}

describe("checkOptions", () => {
  it("accepts what every rule accepts, and absent options", () => {
    expect(messageOf({ limit: 2, inner: { count: 1 } })).toBe("accepted");
    expect(messageOf({})).toBe("accepted");
  });

  it("names an unknown option with its path and the closest known one", () => {
    expect(messageOf({ limt: 2 })).toBe('Node "n": unknown option "limt". Did you mean "limit"?');
    expect(messageOf({ inner: { count: 1, cont: 2 } })).toBe('Node "n": unknown option "inner.cont". Did you mean "count"?');
  });

  it("names a wrong value with its path, what the option takes and what it got", () => {
    expect(messageOf({ limit: 1.5 })).toBe('Node "n": limit must be a whole number ≥ 1, got 1.5.');
    expect(messageOf({ inner: {} })).toBe('Node "n": inner.count must be a whole number ≥ 1, got undefined.');
    expect(messageOf({ inner: [] })).toBe('Node "n": inner must be an object, got [].');
    expect(messageOf(7)).toBe('Node "n": options must be an object, got 7.');
  });

  it("reads only own keys, and refuses a value its rule cannot inspect", () => {
    expect(messageOf(Object.assign(Object.create(null), { limit: 1 }))).toBe("accepted");
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(messageOf({ probe: proxy })).toBe('Node "n": probe must be an object whose x is 1, got an object.');
  });
});

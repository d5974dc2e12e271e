import { describe, expect, it } from "vitest";
import { describeThrown, isAbortError, isArray, isPlainObject, kindOf, showValue } from "./describe.js";

const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

describe("describeThrown", () => {
  it("gives an Error's message, a string as it is, other primitives as String gives them", () => {
    expect(describeThrown(new TypeError("bad"))).toBe("bad");
    expect(describeThrown("plain")).toBe("plain");
    expect(describeThrown(42)).toBe("42");
    expect(describeThrown(Symbol("s"))).toBe("Symbol(s)");
    expect(describeThrown(null)).toBe("null");
    expect(describeThrown({ toString: () => "custom" })).toBe("custom");
  });

  it("never throws, whatever the value", () => {
    const throwingMessage = Object.defineProperty(new Error(), "message", {
      get: () => {
        throw new Error("no");
      },
    });
    const throwingText = {
      toString: () => {
        throw new Error("no");
      },
    };
    expect(describeThrown(Object.create(null))).toBe("a thrown object that cannot be shown as text");
    expect(describeThrown(throwingText)).toBe("a thrown object that cannot be shown as text");
    expect(describeThrown(throwingMessage)).toBe("a thrown object that cannot be shown as text");
    expect(describeThrown(revoked())).toBe("a thrown object that cannot be shown as text");
  });
});

describe("kindOf and the safe checks", () => {
  class Client {}
  it("names what a value is", () => {
    expect([null, [], {}, new Map(), new Set(), new Date(0), new Client(), 1, "x", undefined, () => 1].map(kindOf)).toEqual([
      "null",
      "an array",
      "an object",
      "a Map",
      "a Set",
      "a Date",
      "a Client instance",
      "a number",
      "a string",
      "undefined",
      "a function",
    ]);
    expect(kindOf(Object.create(null))).toBe("an object");
    expect(kindOf(revoked())).toBe("an object that cannot be inspected");
  });

  it("answers for a revoked Proxy instead of throwing", () => {
    expect(isPlainObject(revoked())).toBe(false);
    expect(isArray(revoked())).toBe(false);
    expect(isAbortError(revoked())).toBe(false);
    expect(showValue(revoked())).toBe("an object");
  });

  it("takes only objects with no prototype or Object.prototype as plain", () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(Object.create({}))).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
    expect(isPlainObject([])).toBe(false);
  });
});

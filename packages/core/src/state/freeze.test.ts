import { describe, expect, it } from "vitest";
import { deepFreeze } from "./freeze.js";

describe("deepFreeze", () => {
  it("freezes plain objects and arrays all the way down and returns the same value", () => {
    const value = { list: [{ a: 1 }], nested: { deep: { x: [1, 2] } } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.list[0])).toBe(true);
    expect(Object.isFrozen(value.nested.deep.x)).toBe(true);
    expect(() => (value.nested.deep.x as number[]).push(3)).toThrow(TypeError);
  });

  it("makes a Map's and a Set's mutators throw, through immer", () => {
    const value = { index: new Map([["a", { n: 1 }]]), tags: new Set(["x"]) };
    deepFreeze(value);
    expect(() => value.index.set("b", { n: 2 })).toThrow();
    expect(() => value.tags.add("y")).toThrow();
    expect(Object.isFrozen(value.index.get("a"))).toBe(true);
  });

  it("leaves primitives alone", () => {
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });
});

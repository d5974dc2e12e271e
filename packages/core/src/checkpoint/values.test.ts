import { describe, expect, it } from "vitest";
import { Send } from "../index.js";
import { decodeValue, encodeValue } from "../adapter.js";

const roundTrip = (value: unknown): unknown => decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));

describe("tagged values", () => {
  it("carry what JSON cannot: undefined, -0, NaN, ±Infinity, bigint, Date, Map, Set, Send", () => {
    const value = {
      missing: undefined,
      numbers: [-0, Number.NaN, Infinity, -Infinity],
      big: 2n ** 70n,
      when: new Date("2026-11-25T12:00:00Z"),
      index: new Map<unknown, unknown>([[1n, new Set(["a"])]]),
      next: new Send("write", { section: "intro" }),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.numbers[0], -0)).toBe(true);
    expect(back.next).toBeInstanceOf(Send);
  });

  it("carry a Send's budget, so a Send made on a worker keeps it on the driver", () => {
    const back = roundTrip(new Send("research", { topic: "tides" }, { budget: { tokens: 500, costUsd: 0.1 } })) as Send;
    expect(back).toBeInstanceOf(Send);
    expect(back.options).toEqual({ budget: { tokens: 500, costUsd: 0.1 } });
    expect((roundTrip(new Send("write", {})) as Send).options).toBeUndefined();
  });

  it("refuse a Send whose stored budget is out of range with the Send's INVALID_OPTION", () => {
    const wire = { $weft: "send", v: ["research", {}, { budget: { tokens: -1 } }] };
    expect(() => decodeValue(wire)).toThrow('Send to "research": option budget.tokens must be a whole number ≥ 0, got -1.');
  });

  it("keep a plain object with a $weft key of its own apart from the tags", () => {
    expect(roundTrip({ $weft: "date", v: "not a date" })).toEqual({ $weft: "date", v: "not a date" });
  });

  it("keep a key named __proto__ as a key, never as the decoded object's prototype", () => {
    const value = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<string, unknown>;
    const back = roundTrip(value) as Record<string, unknown>;

    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.admin).toBeUndefined();
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
    expect(back).toEqual(value);
    // A hostile payload read from storage does not become a prototype either.
    const hostile = decodeValue(JSON.parse('{"$weft": "object", "v": {"__proto__": {"admin": true}}}')) as Record<string, unknown>;
    expect(hostile.admin).toBeUndefined();
  });

  it("refuse functions, class instances and cycles, naming the path", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeValue({ fn: () => 1 })).toThrow(/^value\.fn is a function, which cannot be stored or sent/);
    expect(() => encodeValue([new (class Socket {})()], { reason: "a checkpoint cannot store" })).toThrow(
      /^value\[0\] is a Socket instance, which a checkpoint cannot store/,
    );
    expect(() => encodeValue(cycle)).toThrow(/^value\.self is a reference to one of its own containers/);
  });

  it("never call code named by the data: an unknown tag is an error", () => {
    expect(() => decodeValue({ $weft: "function", v: "process.exit()" })).toThrow(/Unknown value tag "function"/);
  });
});

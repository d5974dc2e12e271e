import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isGraphError, Send } from "@weft/core";
import { decode, encode } from "./codec.js";

/** What a value looks like after a trip through Redis: encode, JSON text, decode. */
const roundTrip = (value: unknown): unknown => decode(JSON.parse(JSON.stringify(encode(value))));

describe("the wire codec", () => {
  it("carries the values JSON cannot: undefined, NaN, ±Infinity, -0, bigint, Date, Map, Set", () => {
    const value = {
      missing: undefined,
      list: [undefined, NaN, Infinity, -Infinity, -0, 0],
      big: 12345678901234567890n,
      at: new Date("2026-01-02T03:04:05.678Z"),
      map: new Map<unknown, unknown>([
        ["a", 1],
        [2n, new Set([new Date(0)])],
      ]),
      set: new Set(["x", undefined]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect("missing" in back).toBe(true);
    expect(Object.is(back.list[4], -0)).toBe(true);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.map.get(2n)).toEqual(new Set([new Date(0)]));
  });

  it("carries Sends, with their input, as Send instances", () => {
    const back = roundTrip({ goto: ["next", new Send("write", { title: "a", at: new Date(1) })] }) as { goto: unknown[] };
    expect(back.goto[0]).toBe("next");
    expect(back.goto[1]).toBeInstanceOf(Send);
    expect(back.goto[1]).toEqual(new Send("write", { title: "a", at: new Date(1) }));
  });

  it("keeps a plain object that has a $weft key of its own apart from the tags", () => {
    const value = { $weft: "date", v: "not a date" };
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip([{ $weft: "send", v: ["x", 1] }])).toEqual([{ $weft: "send", v: ["x", 1] }]);
  });

  it("refuses functions, symbols, class instances and cycles, naming the path", () => {
    class Point {
      x = 1;
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    const cases: [unknown, string][] = [
      [{ f: () => 1 }, "value.f is a function"],
      [{ list: [1, Symbol("s")] }, "value.list[1] is a symbol"],
      [{ p: new Point() }, "value.p is a Point instance"],
      [cyclic, "value.self.back is a reference to one of its own containers"],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        encode(value);
      } catch (e) {
        error = e;
      }
      expect(isGraphError(error) && error.code).toBe("INVALID_UPDATE");
      expect((error as Error).message).toContain(message);
    }
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { n: 1 };
    expect(roundTrip({ a: shared, b: [shared, shared] })).toEqual({ a: { n: 1 }, b: [{ n: 1 }, { n: 1 }] });
  });

  it("names the error code and path it is given", () => {
    expect(() => encode({ x: () => 1 }, { path: 'input of "write"', code: "INVALID_INPUT" })).toThrow(/input of "write"\.x is a function/);
  });

  it("refuses unknown tags instead of guessing", () => {
    expect(() => decode({ $weft: "regexp", v: "a+" })).toThrow(/Unknown value tag "regexp"/);
  });

  it("round-trips any JSON-like value with Weft's extra types (property)", () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object"), tie("map"), tie("set")),
      array: fc.array(tie("node"), { maxLength: 4 }),
      object: fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
      map: fc.array(fc.tuple(leaf, tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
      set: fc.array(leaf, { maxLength: 3 }).map((items) => new Set(items)),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
    );
  });
});

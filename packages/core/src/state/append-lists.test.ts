import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Write } from "../records/write.js";
import { LOG_MIN_LENGTH, logOf } from "./append-lists.js";
import { appendList } from "./channels.js";
import { StateTable } from "./table.js";

const table = new StateTable(z.object({ items: appendList(z.number()), counter: z.number() }));
const write = (values: Record<string, unknown>, writer = "step"): Write => table.parseUpdate(values, writer);
const long = Array.from({ length: LOG_MIN_LENGTH }, (_, i) => -1 - i);

describe("append lists", () => {
  it("parse a batch item by item with the item schema, and take anything else as one item or refuse it", () => {
    const trimmed = new StateTable(
      z.object({ words: appendList(z.string().trim()), pairs: appendList(z.tuple([z.number(), z.number()])) }),
    );
    const values = (update: Record<string, unknown>) => trimmed.parseUpdate(update, "w").values;
    // Each item goes through the item schema's transform; the batch is a new array.
    const batch = [" a ", "b "];
    const parsed = values({ words: batch }).words as string[];
    expect(parsed).toEqual(["a", "b"]);
    expect(parsed).not.toBe(batch);
    expect(values({ words: " one " }).words).toEqual(["one"]);
    expect(values({ words: [] }).words).toEqual([]);
    // A hole reads as undefined, which the item schema refuses, as the list schema did.
    const holey = new Array<string>(3);
    holey[0] = "a";
    holey[2] = "c";
    expect(() => values({ words: holey })).toThrow(expect.objectContaining({ code: "INVALID_UPDATE" }));
    // An item that is itself a list: a list of items, or one item when it is not one.
    expect(values({ pairs: [[1, 2]] }).pairs).toEqual([[1, 2]]);
    expect(values({ pairs: [3, 4] }).pairs).toEqual([[3, 4]]);
    for (const bad of [["a", 1], 1, null, { 0: "a", length: 1 }]) {
      expect(() => values({ words: bad })).toThrow(
        expect.objectContaining({ code: "INVALID_UPDATE", details: expect.objectContaining({ key: "words" }) }),
      );
    }
  });

  it("share one store between steps: appending to a long list copies nothing after the first step", () => {
    let state = table.initial({ items: long, counter: 0 });
    state = table.commit(state, [write({ items: 0, counter: 1 })], 1);
    const store = logOf(state, "items")!.store;
    const seen = [state];
    for (let step = 2; step <= 50; step++) {
      state = table.commit(state, [write({ items: step - 1, counter: step })], step);
      expect(logOf(state, "items")!.store).toBe(store);
      seen.push(state);
    }
    // Every state still reads its own items, frozen, however far the store grew since.
    seen.forEach((earlier, i) => {
      const items = earlier.items as readonly number[];
      expect(items.length).toBe(LOG_MIN_LENGTH + i + 1);
      expect(items.at(-1)).toBe(i);
      expect(Object.isFrozen(items)).toBe(true);
    });
    expect(Object.isFrozen(state)).toBe(true);
    expect(state.items).toBe(state.items);
  });

  it("copies the store when an older state appends (a fork), and neither sees the other's items", () => {
    const base = table.commit(table.initial({ items: long, counter: 0 }), [write({ items: 0 })], 1);
    const left = table.commit(base, [write({ items: 1 })], 2);
    const right = table.commit(base, [write({ items: 2 })], 2);
    expect(logOf(right, "items")!.store).not.toBe(logOf(left, "items")!.store);
    expect((left.items as number[]).slice(-2)).toEqual([0, 1]);
    expect((right.items as number[]).slice(-2)).toEqual([0, 2]);
    expect((base.items as number[]).at(-1)).toBe(0);
    // The same items appended twice from one state (a router's view, then the step's commit) share the store.
    const again = table.commit(base, [write({ items: 1 })], 2);
    expect(logOf(again, "items")!.store).toBe(logOf(left, "items")!.store);
    expect(again.items).toEqual(left.items);
  });

  it("keeps the state a plain object: keys in order, spread, JSON and structuredClone see the list", () => {
    const state = table.commit(table.initial({ items: long, counter: 0 }), [write({ items: [7, 8], counter: 1 })], 1);
    expect(Object.keys(state)).toEqual(["items", "counter"]);
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    const copy = { ...state } as { items: number[]; counter: number };
    expect(copy.items.slice(-2)).toEqual([7, 8]);
    expect(JSON.parse(JSON.stringify(state)).items.length).toBe(LOG_MIN_LENGTH + 2);
    expect(structuredClone(state)).toEqual({ items: [...long, 7, 8], counter: 1 });
    expect(() => (state.items as number[]).push(9)).toThrow(TypeError);
  });

  it("leaves short lists as plain frozen arrays, copied on append", () => {
    const state = table.commit(table.initial({ counter: 0 }), [write({ items: [1, 2] })], 1);
    expect(logOf(state, "items")).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(state, "items")!.value).toEqual([1, 2]);
  });

  it("copies when a step adds at least as many items as the list holds (a fan-out filling it), then appends in place", () => {
    const batch = Array.from({ length: LOG_MIN_LENGTH + 100 }, (_, i) => write({ items: i }, `worker#${i}`));
    const filled = table.commit(table.initial({ counter: 0 }), batch, 1);
    expect(logOf(filled, "items")).toBeUndefined();
    expect((filled.items as number[]).length).toBe(LOG_MIN_LENGTH + 100);
    const next = table.commit(filled, [write({ items: -1 })], 2);
    expect(logOf(next, "items")).toBeDefined();
    expect((next.items as number[]).at(-1)).toBe(-1);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isGraphError } from "../errors.js";
import type { Write } from "../records/write.js";
import { appendList, reducer } from "./channels.js";
import { StateTable } from "./table.js";

const table = new StateTable(
  z.object({
    title: z.string().optional(),
    total: reducer(z.number(), (sum, n: number) => sum + n, 0),
    notes: appendList(z.string()),
  }),
);
const write = (writer: string, values: Record<string, unknown>): Write => table.parseUpdate(values, writer);

describe("StateTable.commit", () => {
  it("folds a step's writes in the order given, whatever the keys", () => {
    const state = table.initial({});
    const next = table.commit(state, [write("b", { notes: ["b1", "b2"], total: 2 }), write("a", { notes: "a1", total: 3 })], 1);
    expect(next).toEqual({ total: 5, notes: ["b1", "b2", "a1"] });
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next.notes)).toBe(true);
  });

  it("returns the same state object when the step wrote nothing", () => {
    const state = table.initial({ title: "t" });
    expect(table.commit(state, [], 1)).toBe(state);
    expect(table.commit(state, [write("a", {})], 1)).toBe(state);
  });

  it("refuses two writes to a last-value key and leaves the state as it was", () => {
    const state = table.initial({ title: "t" });
    let error: unknown;
    try {
      table.commit(state, [write("a", { title: "x" }), write("b", { title: "y" })], 4);
    } catch (caught) {
      error = caught;
    }
    expect(isGraphError(error) && error.code).toBe("CONCURRENT_UPDATE");
    expect((error as { details: unknown }).details).toEqual({ key: "title", writers: ["a", "b"], step: 4 });
    expect(state).toEqual({ title: "t", total: 0, notes: [] });
  });

  it("names, among writes to other keys, the writers of the key at fault", () => {
    const state = table.initial({ title: "t" });
    const caught = (writes: Write[]): unknown => {
      try {
        table.commit(state, writes, 2);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const collided = caught([write("a", { notes: "n" }), write("b", { title: "x" }), write("c", { total: 1 }), write("d", { title: "y" })]);
    expect((collided as { details: unknown }).details).toEqual({ key: "title", writers: ["b", "d"], step: 2 });
    const capped = new StateTable(
      z.object({ log: appendList(z.number()), total: reducer(z.number().max(5), (sum, n: number) => sum + n, 0) }),
    );
    let error: unknown;
    try {
      const writes = [capped.parseUpdate({ log: 1 }, "a"), capped.parseUpdate({ total: 2 }, "b"), capped.parseUpdate({ log: 2 }, "c")];
      capped.commit(capped.initial({}), [...writes, capped.parseUpdate({ total: 4 }, "d")], 3);
    } catch (thrown) {
      error = thrown;
    }
    // The fold passes the cap at the second write to "total": its writer, "d", is named.
    expect(error).toMatchObject({ code: "INVALID_UPDATE", details: { key: "total", writer: "d", step: 3 } });
  });

  it("lets an overwrite replace a reducer key's value instead of folding it", () => {
    const state = table.initial({ total: 4 });
    const overwrite = table.parseUpdate({ total: 10 }, "recipe", new Set(["total"]));
    expect(table.commit(state, [overwrite], 1).total).toBe(10);
  });

  it("does not share the appended list with the state it started from", () => {
    const state = table.initial({ notes: ["x"] });
    const next = table.commit(state, [write("a", { notes: "y" })], 1);
    expect(state.notes).toEqual(["x"]);
    expect(next.notes).toEqual(["x", "y"]);
  });

  it("appends a step's batches in task order, whatever the list held", () => {
    for (const held of [[], ["x"], Array.from({ length: 600 }, (_, i) => `x${i}`)]) {
      const state = table.initial({ notes: held });
      const next = table.commit(state, [write("a", { notes: ["a1", "a2"] }), write("b", { notes: [] }), write("c", { notes: "c1" })], 1);
      expect(next.notes).toEqual([...held, "a1", "a2", "c1"]);
      expect(Object.isFrozen(next.notes)).toBe(true);
      expect(state.notes).toEqual(held);
    }
  });

  it("lets a lone overwrite replace an append list, and refuses it beside another write to the list", () => {
    const state = table.initial({ notes: ["x"] });
    const replace = table.parseUpdate({ notes: ["y", "z"] }, "recipe", new Set(["notes"]));
    expect(table.commit(state, [replace], 1).notes).toEqual(["y", "z"]);
    // Even beside a write that appends nothing: it is a write to the list all the same.
    for (const appended of [["a1", "a2"], []]) {
      let error: unknown;
      try {
        table.commit(state, [write("a", { notes: appended }), replace], 2);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: "CONCURRENT_UPDATE", details: { key: "notes", writers: ["a", "recipe"], step: 2 } });
    }
  });
});

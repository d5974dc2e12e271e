import { describe, expectTypeOf, it } from "vitest";
import { type approvalGraph, chainGraph } from "../../test/graphs.js";
import { createClient, type ServerRunEvent } from "./index.js";

const chain = chainGraph();
const client = createClient<typeof chain>({ url: "http://127.0.0.1:1", graph: "chain" });

describe("createClient types", () => {
  it("types a run's input from the graph's state schema", () => {
    void client.start("t", { input: { n: 1 } });
    void client.start("t", { input: { n: 1, log: "a" } });
    // @ts-expect-error n must be a number
    void client.start("t", { input: { n: "1" } });
    // @ts-expect-error n is required
    void client.start("t", { input: {} });
    // @ts-expect-error input and resume do not go together
    void client.start("t", { input: { n: 1 }, resume: true });
    void client.start("t", { resume: { approved: true } });
    void client.start("t", { checkpointId: "c" });
    void client.start("t", { command: { goto: ["b"] } });
    // @ts-expect-error "z" is not a node
    void client.start("t", { command: { goto: ["z"] } });
  });

  it("types the state and the events", async () => {
    const state = await client.getState("t");
    expectTypeOf(state.values).toEqualTypeOf<{ n: number; log: string[] }>();
    expectTypeOf(state.next[0]!.node).toEqualTypeOf<"a" | "b" | "c">();
    for await (const event of client.events("r")) {
      expectTypeOf(event.id).toEqualTypeOf<number>();
      if (event.type === "task:end") expectTypeOf(event.node).toEqualTypeOf<"a" | "b" | "c">();
      if (event.type === "run:end") expectTypeOf(event.state).toEqualTypeOf<{ n: number; log: string[] }>();
      if (event.type === "run:error") expectTypeOf(event.error.code).toEqualTypeOf<string | undefined>();
    }
    expectTypeOf<ServerRunEvent<ReturnType<typeof approvalGraph>>["type"]>().toEqualTypeOf<import("@weft/core").RunEventType>();
  });

  it("types updates and asNode", () => {
    void client.updateState("t", { n: 2 }, { asNode: "a" });
    // @ts-expect-error "q" is not a key of the state
    void client.updateState("t", { q: 2 });
    // @ts-expect-error "z" is not a node
    void client.updateState("t", { n: 2 }, { asNode: "z" });
  });
});

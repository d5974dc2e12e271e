import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "../src/index.js";
import { rejectionOf } from "./helpers.js";

const State = z.object({ log: appendList(z.string()) });

/** one → two → three; `two` fails while `down` is set, leaving the thread mid-run. */
function graphOn(checkpointer: MemoryCheckpointer, ran: string[], down: { value: boolean }) {
  const node = (name: string) => () => {
    ran.push(name);
    if (name === "two" && down.value) throw new Error("the process died here");
    return { log: name };
  };
  return new StateGraph(State)
    .addNode("one", node("one"))
    .addNode("two", node("two"))
    .addNode("three", node("three"))
    .addEdge(START, "one")
    .addEdge("one", "two")
    .addEdge("two", "three")
    .addEdge("three", END)
    .compile({ checkpointer });
}

/** A thread left mid-run with an expired lease, as a process that died mid-run leaves it. */
async function orphan(checkpointer: MemoryCheckpointer, threadId: string) {
  const ran: string[] = [];
  const down = { value: true };
  await rejectionOf(graphOn(checkpointer, ran, down).invoke({ log: "start" }, { threadId }));
  await checkpointer.acquireLease({ threadId, owner: "dead-process", ttlMs: 1 });
  while (!(await checkpointer.expiredLeases()).some((lease) => lease.threadId === threadId))
    await new Promise((resolve) => setTimeout(resolve, 2));
  down.value = false;
}

describe("graph.recover()", () => {
  it("finishes every thread whose lease expired mid-run, from its last checkpoint", async () => {
    const store = new MemoryCheckpointer();
    await orphan(store, "a");
    await orphan(store, "b");
    const ran: string[] = [];
    const graph = graphOn(store, ran, { value: false });
    const recovered = await graph.recover();
    expect(recovered.map((entry) => [entry.threadId, entry.status])).toEqual([
      ["a", "recovered"],
      ["b", "recovered"],
    ]);
    expect(ran).toEqual(["two", "three", "two", "three"]);
    for (const threadId of ["a", "b"]) expect((await graph.getState(threadId))!.values.log).toEqual(["start", "one", "two", "three"]);
    expect(await store.expiredLeases()).toEqual([]);
    expect(await graph.recover()).toEqual([]);
  });

  it("two racing recoverers finish a thread once", async () => {
    const store = new MemoryCheckpointer();
    await orphan(store, "t");
    const ran: string[] = [];
    const first = graphOn(store, ran, { value: false });
    const second = graphOn(store, ran, { value: false });
    const [a, b] = await Promise.all([first.recover(), second.recover()]);
    const entries = [...a, ...b];
    expect(entries.filter((entry) => entry.status === "recovered" && entry.result.steps > 0)).toHaveLength(1);
    expect(ran).toEqual(["two", "three"]);
    const history = await first.getHistory("t");
    history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
  });

  it("leaves a thread another run took meanwhile to it, whatever the graph's ifBusy default", async () => {
    const store = new MemoryCheckpointer();
    await orphan(store, "t");
    // Another recoverer takes the thread between this one's listing and its taking it.
    const racing = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (key !== "expiredLeases") return typeof value === "function" ? (value as () => unknown).bind(target) : value;
        return async () => {
          const expired = await target.expiredLeases();
          await target.acquireLease({ threadId: "t", owner: "other-recoverer", ttlMs: 60_000 });
          return expired;
        };
      },
    });
    const ran: string[] = [];
    const graph = new StateGraph(State)
      .addNode("one", () => {
        ran.push("one");
        return {};
      })
      .addEdge(START, "one")
      .addEdge("one", END)
      .compile({ checkpointer: racing, defaults: { ifBusy: "enqueue" } });
    expect(await graph.recover()).toEqual([{ threadId: "t", status: "busy" }]);
    expect(ran).toEqual([]);
  });

  it("reports a thread whose resumed run fails, and leaves it resumable", async () => {
    const store = new MemoryCheckpointer();
    await orphan(store, "t");
    const ran: string[] = [];
    const down = { value: true };
    const graph = graphOn(store, ran, down);
    const [entry] = await graph.recover();
    expect(entry).toMatchObject({ threadId: "t", status: "failed", error: { code: "TASK_FAILED" } });
    down.value = false;
    expect((await graph.invoke(null, { threadId: "t" })).log).toEqual(["start", "one", "two", "three"]);
  });

  it("checks its options: unknown keys, a bad limit, run options it sets itself", async () => {
    const graph = graphOn(new MemoryCheckpointer(), [], { value: false });
    expect(await rejectionOf(graph.recover({ limt: 1 } as never))).toMatchObject({ code: "INVALID_OPTION", details: { option: "limt" } });
    expect(await rejectionOf(graph.recover({ limit: 0 }))).toMatchObject({ code: "INVALID_OPTION", details: { option: "limit" } });
    expect(await rejectionOf(graph.recover({ run: { threadId: "x" } as never }))).toMatchObject({ code: "INVALID_OPTION" });
    expect(await rejectionOf(graph.recover({ run: { timeoutMs: -1 } }))).toMatchObject({
      code: "INVALID_OPTION",
      details: { option: "timeoutMs" },
    });
  });
});

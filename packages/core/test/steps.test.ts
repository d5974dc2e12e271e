import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Command, END, isGraphError, MemoryCheckpointer, Send, START, StateGraph, type NodeContext } from "../src/index.js";
import { rejectionOf } from "./helpers.js";

const State = z.object({ log: z.array(z.string()).default([]), out: z.string().default("") });

/** Counts calls of each step's function, by a label. */
function counter() {
  const calls = new Map<string, number>();
  return {
    calls,
    hit(label: string): void {
      calls.set(label, (calls.get(label) ?? 0) + 1);
    },
  };
}

describe("ctx.step", () => {
  it("returns what its function returned, and runs concurrent steps of one node each once with their own identity", async () => {
    const count = counter();
    const seen: string[] = [];
    const graph = new StateGraph(State)
      .addNode(
        "work",
        async (_s, ctx) => {
          const [a, b, c] = await Promise.all([
            ctx.step("fetch", async () => {
              count.hit("fetch#0");
              await new Promise((resolve) => setTimeout(resolve, 20));
              return "a";
            }),
            ctx.step("fetch", () => {
              count.hit("fetch#1");
              return "b";
            }),
            ctx.step("other", async () => {
              count.hit("other#0");
              await new Promise((resolve) => setTimeout(resolve, 5));
              return "c";
            }),
          ]);
          seen.push(`${a}${b}${c}`);
          if (ctx.attempt === 1) throw new Error("flaky");
          return { out: `${a}${b}${c}` };
        },
        { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    const state = await graph.invoke({});
    expect(state.out).toBe("abc");
    expect(seen).toEqual(["abc", "abc"]);
    expect(Object.fromEntries(count.calls)).toEqual({ "fetch#0": 1, "fetch#1": 1, "other#0": 1 });
  });

  it("runs a step that threw again on the retry, and reuses the steps that finished before it", async () => {
    const count = counter();
    const graph = new StateGraph(State)
      .addNode(
        "work",
        async (_s, ctx) => {
          const first = await ctx.step("first", () => {
            count.hit("first");
            return 1;
          });
          const second = await ctx.step("second", () => {
            count.hit("second");
            if (ctx.attempt < 3) throw new Error(`down on attempt ${ctx.attempt}`);
            return 2;
          });
          return { out: `${first}+${second}` };
        },
        { retry: { maxAttempts: 3, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    expect((await graph.invoke({})).out).toBe("1+2");
    expect(Object.fromEntries(count.calls)).toEqual({ first: 1, second: 3 });
  });

  it("counts calls of one name in a loop: each call is its own step, in call order", async () => {
    const checkpointer = new MemoryCheckpointer();
    const count = counter();
    const graph = new StateGraph(State)
      .addNode("loop", async (_s, ctx) => {
        const parts: string[] = [];
        for (let i = 0; i < 4; i++) {
          parts.push(
            await ctx.step("turn", ({ occurrence }) => {
              count.hit(`turn#${occurrence}`);
              return `t${i}=${occurrence}`;
            }),
          );
        }
        const answer = ctx.interrupt<string>("go on?");
        return { out: `${parts.join(",")}:${answer}` };
      })
      .addEdge(START, "loop")
      .addEdge("loop", END)
      .compile({ checkpointer });
    const first = await graph.run({}, { threadId: "loop" });
    expect(first.status).toBe("interrupted");
    const done = await graph.invoke(new Command({ resume: "yes" }), { threadId: "loop" });
    expect(done.out).toBe("t0=0,t1=1,t2=2,t3=3:yes");
    expect(Object.fromEntries(count.calls)).toEqual({ "turn#0": 1, "turn#1": 1, "turn#2": 1, "turn#3": 1 });
  });

  it("refuses a value a checkpoint cannot store with INVALID_STEP naming the node, the step and the path", async () => {
    class Handle {
      readonly fd = 3;
    }
    const graph = new StateGraph(State)
      .addNode("open", async (_s, ctx) => {
        await ctx.step("handle", () => ({ files: [new Handle()] }));
        return { out: "opened" };
      })
      .addEdge(START, "open")
      .addEdge("open", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const error = await rejectionOf(graph.invoke({}, { threadId: "bad" }));
    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    const cause = error.details.failures[0].error;
    expect(isGraphError(cause) && cause.code).toBe("INVALID_STEP");
    expect(cause.details).toMatchObject({ node: "open", name: "handle", occurrence: 0, path: "result.files[0]" });
    expect(cause.message).toContain('Step "handle"');
    expect(cause.message).toContain('node "open"');
    expect(cause.message).toContain("result.files[0] is a Handle instance");
  });

  it("refuses a step without a name or a function, naming the node", async () => {
    const errors: unknown[] = [];
    const graph = new StateGraph(State)
      .addNode("careless", async (_s, ctx) => {
        for (const call of [
          () => ctx.step("", () => 1),
          () => ctx.step(42 as unknown as string, () => 1),
          () => ctx.step("x", undefined as unknown as () => number),
        ]) {
          errors.push(await rejectionOf(call()));
        }
        return {};
      })
      .addEdge(START, "careless")
      .addEdge("careless", END)
      .compile();
    await graph.invoke({});
    expect(errors.map((error) => isGraphError(error) && error.code)).toEqual(["INVALID_STEP", "INVALID_STEP", "INVALID_STEP"]);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'Node "careless" called ctx.step with an empty string as the step\'s name: give each step a non-empty string name.',
      'Node "careless" called ctx.step with a number as the step\'s name: give each step a non-empty string name.',
      'Step "x" of node "careless" was given undefined where its function belongs: call ctx.step(name, fn).',
    ]);
  });
});

describe("ctx.idempotencyKey", () => {
  it("is the same for every attempt and resume of a task, differs between tasks, and each step has its own", async () => {
    const keys: Record<string, string[]> = {};
    const note = (label: string, key: string): void => void (keys[label] ??= []).push(key);
    const Item = z.object({ i: z.number() });
    const graph = new StateGraph(State)
      .addNode("fan", () => ({}))
      .addNode(
        "pay",
        async ({ i }, ctx: NodeContext) => {
          note(`task${i}`, ctx.idempotencyKey);
          await ctx.step("charge", ({ idempotencyKey }) => note(`charge${i}`, idempotencyKey));
          if (ctx.attempt === 1) throw new Error("flaky");
          ctx.interrupt("confirm?");
          return { log: [`paid ${i}`] };
        },
        { input: Item, retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "fan")
      .addConditionalEdges("fan", () => [new Send("pay", { i: 0 }), new Send("pay", { i: 1 })])
      .addEdge("pay", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const paused = await graph.run({}, { threadId: "keys" });
    const first = paused.interrupts.find((interrupt) => interrupt.sendIndex === 0)!;
    await graph.run(new Command({ resume: { [first.id]: "ok" } }), { threadId: "keys" });
    // Two attempts, then two more on the resume of task 0 (task 1 stays interrupted and does not run).
    expect(keys.task0).toHaveLength(4);
    expect(new Set(keys.task0).size).toBe(1);
    expect(new Set(keys.task1).size).toBe(1);
    expect(keys.task0![0]).not.toBe(keys.task1![0]);
    expect(keys.charge0).toHaveLength(1);
    expect(keys.charge0![0]).not.toBe(keys.task0![0]);
    expect(keys.task0![0]).toMatch(/^weft-[0-9a-f]{40}$/);
  });
});

describe("ctx.step and the thread's lease", () => {
  /**
   * A run whose node takes step "early", then waits until the run learns that another owner
   * took its thread (inside the step "slow", or outside any step), then calls step "next".
   */
  async function losingRun(waitInStep: boolean) {
    const store = new MemoryCheckpointer();
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const ran: string[] = [];
    const untilLost = async (signal: AbortSignal): Promise<string> => {
      enter();
      while (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 5));
      return "late";
    };
    const graph = new StateGraph(State)
      .addNode("work", async (_s, ctx) => {
        await ctx.step("early", () => ran.push("early"));
        if (waitInStep) await ctx.step("slow", ({ signal }) => untilLost(signal));
        else await untilLost(ctx.signal);
        await ctx.step("next", () => ran.push("next"));
        return { out: "done" };
      })
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile({ checkpointer: store });
    const running = graph.invoke({}, { threadId: "t", leaseTtlMs: 300 });
    await entered;
    const { lease } = await store.acquireLease({ threadId: "t", owner: "probe", ttlMs: 1 });
    await store.releaseLease({ threadId: "t", owner: lease.owner });
    expect((await store.acquireLease({ threadId: "t", owner: "intruder", ttlMs: 60_000 })).acquired).toBe(true);
    const error = await rejectionOf(running);
    const checkpointId = (await store.get("t"))!.checkpointId;
    const saved = (await store.getStepResults("t", checkpointId, "1:0")).map((row) => row.stepKey);
    return { error, ran, saved };
  }

  it("a step that finishes after the run lost its thread's lease is not saved", async () => {
    const { error, ran, saved } = await losingRun(true);
    expect(error).toMatchObject({ code: "LEASE_LOST" });
    expect(ran).toEqual(["early"]);
    expect(saved).toEqual(["early#0"]);
  });

  it("a run that lost its thread's lease starts no new step", async () => {
    const { error, ran, saved } = await losingRun(false);
    expect(error).toMatchObject({ code: "LEASE_LOST" });
    expect(ran).toEqual(["early"]);
    expect(saved).toEqual(["early#0"]);
  });
});

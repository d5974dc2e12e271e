import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, MemoryCheckpointer, type NodeContext, Send, START, StateGraph } from "../../src/index.js";

const State = z.object({ topic: z.string(), notes: appendList(z.string()) });

/**
 * Three levels: `desk` runs `team`, which runs `research` (search → ask → write). Every node
 * counts its calls, so a test can tell which ran again after a resume.
 */
function levels() {
  const calls: Record<string, number> = {};
  const count = (name: string): void => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const research = new StateGraph(State, { name: "research" })
    .addNode("search", (s) => {
      count("search");
      return { notes: `found ${s.topic}` };
    })
    .addNode("ask", (s, ctx) => {
      count("ask");
      return { notes: `answer ${ctx.interrupt<string>(`keep ${s.topic}?`)}` };
    })
    .addNode("write", () => {
      count("write");
      return { notes: "written" };
    })
    .addEdge(START, "search")
    .addEdge("search", "ask")
    .addEdge("ask", "write")
    .addEdge("write", END)
    .compile();
  const team = new StateGraph(State, { name: "team" })
    .addNode("brief", () => {
      count("brief");
      return { notes: "briefed" };
    })
    .addNode("research", research)
    .addEdge(START, "brief")
    .addEdge("brief", "research")
    .addEdge("research", END)
    .compile();
  return { calls, team };
}

describe("an interrupt inside a subgraph", () => {
  it("surfaces two levels deep with its path and a stable id, and resumes there without running any finished inner task again", async () => {
    const { calls, team } = levels();
    const checkpointer = new MemoryCheckpointer();
    const desk = new StateGraph(State).addNode("team", team).addEdge(START, "team").addEdge("team", END).compile({ checkpointer });

    const paused = await desk.run({ topic: "tides" }, { threadId: "deep" });

    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toHaveLength(1);
    const [interrupt] = paused.interrupts;
    expect(interrupt).toMatchObject({ node: "team", value: "keep tides?", kind: "node", path: ["team", "research", "ask"] });
    expect(calls).toEqual({ brief: 1, search: 1, ask: 1 });

    // Loaded again, the thread shows the same interrupt, id and path included.
    const state = await desk.getState("deep");
    expect(state?.interrupts).toEqual([interrupt]);
    expect(state?.next).toMatchObject([{ node: "team" }]);
    // A run without an answer leaves it waiting, running nothing.
    const again = await desk.run(null, { threadId: "deep" });
    expect(again.interrupts).toEqual([interrupt]);
    expect(calls).toEqual({ brief: 1, search: 1, ask: 1 });

    const done = await desk.run(new Command({ resume: { [interrupt!.id]: "yes" } }), { threadId: "deep" });

    expect(done.status).toBe("done");
    expect(done.state.notes).toEqual(["briefed", "found tides", "answer yes", "written"]);
    // `ask` runs again to receive its answer, as any interrupted node does; nothing before it does.
    expect(calls).toEqual({ brief: 1, search: 1, ask: 2, write: 1 });
  });

  it("asks again inside the subgraph when the resumed inner run pauses on its next interrupt", async () => {
    const checkpointer = new MemoryCheckpointer();
    let asked = 0;
    const twice = new StateGraph(State, { name: "twice" })
      .addNode("first", (_s, ctx) => {
        asked++;
        return { notes: ctx.interrupt<string>("first?") };
      })
      .addNode("second", (_s, ctx) => ({ notes: ctx.interrupt<string>("second?") }))
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile();
    const graph = new StateGraph(State).addNode("twice", twice).addEdge(START, "twice").addEdge("twice", END).compile({ checkpointer });

    const one = await graph.run({ topic: "t" }, { threadId: "twice" });
    expect(one.interrupts).toMatchObject([{ value: "first?", path: ["twice", "first"] }]);
    const two = await graph.run(new Command({ resume: "a" }), { threadId: "twice" });
    expect(two.interrupts).toMatchObject([{ value: "second?", path: ["twice", "second"] }]);
    expect(two.interrupts[0]!.id).not.toBe(one.interrupts[0]!.id);
    const done = await graph.run(new Command({ resume: "b" }), { threadId: "twice" });

    expect(done.state.notes).toEqual(["a", "b"]);
    expect(asked).toBe(2);
  });

  it("resumes two paused sibling subgraphs one at a time, never running again the one that finished", async () => {
    const { calls, team } = levels();
    const checkpointer = new MemoryCheckpointer();
    const desk = new StateGraph(z.object({ topics: z.array(z.string()), notes: appendList(z.string()) }))
      .addNode("plan", () => ({}))
      .addNode("team", team)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.topics.map((topic) => new Send("team", { topic })))
      .addEdge("team", END)
      .compile({ checkpointer });

    const paused = await desk.run({ topics: ["a", "b"] }, { threadId: "siblings" });

    expect(paused.interrupts.map((interrupt) => [interrupt.value, interrupt.path])).toEqual([
      ["keep a?", ["team#0", "research", "ask"]],
      ["keep b?", ["team#1", "research", "ask"]],
    ]);
    const [first, second] = paused.interrupts;

    const half = await desk.run(new Command({ resume: { [second!.id]: "no" } }), { threadId: "siblings" });
    expect(half.status).toBe("interrupted");
    expect(half.interrupts).toEqual([first]);
    expect(calls).toEqual({ brief: 2, search: 2, ask: 3, write: 1 });

    const done = await desk.run(new Command({ resume: { [first!.id]: "yes" } }), { threadId: "siblings" });

    expect(done.state.notes).toEqual(["briefed", "found a", "answer yes", "written", "briefed", "found b", "answer no", "written"]);
    // Send #1 finished in the run before: its result is the step's, it does not run again.
    expect(calls).toEqual({ brief: 2, search: 2, ask: 4, write: 2 });
  });

  it("answers both paused siblings in one resume", async () => {
    const { calls, team } = levels();
    const desk = new StateGraph(z.object({ topics: z.array(z.string()), notes: appendList(z.string()) }))
      .addNode("plan", () => ({}))
      .addNode("team", team)
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => s.topics.map((topic) => new Send("team", { topic })))
      .addEdge("team", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const paused = await desk.run({ topics: ["a", "b"] }, { threadId: "both" });
    const answers = Object.fromEntries(paused.interrupts.map((interrupt, i) => [interrupt.id, `answer ${i}`]));
    const done = await desk.run(new Command({ resume: answers }), { threadId: "both" });

    expect(done.state.notes.filter((note) => note.startsWith("answer"))).toEqual(["answer answer 0", "answer answer 1"]);
    expect(calls).toEqual({ brief: 2, search: 2, ask: 4, write: 2 });
  });
});

describe("inner threads", () => {
  it("live in the outer thread's store under its id, and deleteThread removes them with it", async () => {
    const { team } = levels();
    const checkpointer = new MemoryCheckpointer();
    const threads = new Set<string>();
    const put = checkpointer.put.bind(checkpointer);
    checkpointer.put = (row, options) => {
      threads.add(row.threadId);
      return put(row, options);
    };
    const exists = async (threadId: string) => (await checkpointer.get(threadId)) !== undefined;
    const desk = new StateGraph(State).addNode("team", team).addEdge(START, "team").addEdge("team", END).compile({ checkpointer });
    await desk.run({ topic: "t" }, { threadId: "gone" });
    const other = await desk.run({ topic: "u" }, { threadId: "kept" });
    await desk.run(new Command({ resume: "ok" }), { threadId: "gone" });

    const inner = [...threads].filter((id) => id.startsWith("gone/"));
    // One for `team`, one for `research` inside it.
    expect(inner).toHaveLength(2);
    expect(inner.every((id) => id.startsWith("gone/team/"))).toBe(true);

    await desk.deleteThread("gone");

    for (const id of [...threads].filter((id) => id.startsWith("gone"))) expect(await exists(id)).toBe(false);
    const kept = [...threads].filter((id) => id.startsWith("kept"));
    expect(kept).toHaveLength(3);
    for (const id of kept) expect(await exists(id)).toBe(true);
    expect((await desk.getState("kept"))?.interrupts).toEqual(other.interrupts);
  });
});

/** Waits until the clock has passed `wakeAt`. */
async function until(wakeAt: number | undefined): Promise<void> {
  expect(wakeAt).toBeTypeOf("number");
  while (Date.now() <= wakeAt!) await new Promise((resolve) => setTimeout(resolve, Math.max(1, wakeAt! - Date.now() + 1)));
}

describe("a durable wait inside a subgraph", () => {
  /** `desk` runs `inner` (search → wait → write), whose `wait` node is given; nodes count their calls. */
  function waitingDesk(waitNode: (s: z.infer<typeof State>, ctx: NodeContext) => Promise<{ notes: string }> | { notes: string }) {
    const calls: Record<string, number> = {};
    const count = (name: string): void => {
      calls[name] = (calls[name] ?? 0) + 1;
    };
    const inner = new StateGraph(State, { name: "inner" })
      .addNode("search", () => {
        count("search");
        return { notes: "found" };
      })
      .addNode("wait", (s, ctx) => {
        count("wait");
        return waitNode(s, ctx);
      })
      .addNode("write", () => {
        count("write");
        return { notes: "written" };
      })
      .addEdge(START, "search")
      .addEdge("search", "wait")
      .addEdge("wait", "write")
      .addEdge("write", END)
      .compile();
    const desk = new StateGraph(State)
      .addNode("inner", inner)
      .addEdge(START, "inner")
      .addEdge("inner", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    return { calls, desk };
  }

  it("pauses the outer run as waiting for a long inner sleep, and recover() wakes it into the subgraph when due", async () => {
    const { calls, desk } = waitingDesk(async (_s, ctx) => {
      await ctx.sleep(200);
      return { notes: "slept" };
    });

    const paused = await desk.run({ topic: "t", notes: [] }, { threadId: "nap", inProcessSleepMs: 10 });

    expect(paused.status).toBe("waiting");
    expect(paused.interrupts).toEqual([expect.objectContaining({ kind: "sleep", value: 200, wakeAt: expect.any(Number) })]);
    expect(await desk.recover()).toEqual([]);
    await until(paused.interrupts[0]!.wakeAt);
    const [entry] = await desk.recover();
    expect(entry!.status === "recovered" && entry!.result.status).toBe("done");
    expect((await desk.getState("nap"))!.values.notes).toEqual(["found", "slept", "written"]);
    expect(calls).toEqual({ search: 1, wait: 2, write: 1 });
    expect(await desk.recover()).toEqual([]);
  });

  it("resumes an inner interrupt with a timeout on its default once due, through recover()", async () => {
    const { calls, desk } = waitingDesk((_s, ctx) => ({
      notes: `answer ${ctx.interrupt<string>("keep?", { timeoutMs: 200, default: "none" })}`,
    }));

    const paused = await desk.run({ topic: "t", notes: [] }, { threadId: "ask" });

    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts[0]).toMatchObject({ value: "keep?", default: "none", path: ["inner", "wait"] });
    expect(await desk.recover()).toEqual([]);
    await until(paused.interrupts[0]!.wakeAt);
    const [entry] = await desk.recover();
    expect(entry!.status === "recovered" && entry!.result.status).toBe("done");
    expect((await desk.getState("ask"))!.values.notes).toEqual(["found", "answer none", "written"]);
    expect(calls).toEqual({ search: 1, wait: 2, write: 1 });
  });
});

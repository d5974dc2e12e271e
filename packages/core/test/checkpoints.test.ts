import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHash } from "node:crypto";
import { appendList, Command, END, MemoryCheckpointer, reducer, Send, START, StateGraph } from "../src/index.js";
import type { CheckpointRow } from "../src/adapter.js";
import { rejectionOf, sleep } from "./helpers.js";

const State = z.object({ topic: z.string(), results: appendList(z.string()), report: z.string().optional() });
const Section = z.object({ i: z.number() });

/** An orchestrator-worker graph whose workers log every run and may be told to fail. */
function reportGraph(checkpointer = new MemoryCheckpointer(), failing = new Set<number>(), ran: number[] = []) {
  const graph = new StateGraph(State, { name: "report" })
    .addNode("plan", () => ({}))
    .addNode(
      "write",
      async ({ i }) => {
        ran.push(i);
        if (failing.has(i)) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          throw new Error(`writer ${i} is down`);
        }
        return { results: `section ${i}` };
      },
      { input: Section },
    )
    .addNode("assemble", (s) => ({ report: s.results.join(" | ") }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => [0, 1, 2, 3].map((i) => new Send("write", { i })))
    .addEdge("write", "assemble")
    .addEdge("assemble", END)
    .compile({ checkpointer });
  return { graph, checkpointer, failing, ran };
}

describe("durable runs", () => {
  it("resumes a failed step running only the tasks that did not finish", async () => {
    const { graph, failing, ran } = reportGraph(undefined, new Set([2]));
    const error = await rejectionOf(graph.invoke({ topic: "AI" }, { threadId: "t1" }));
    expect(error.code).toBe("TASK_FAILED");
    const paused = await graph.getState("t1");
    expect(paused?.finished.map((task) => task.sendIndex)).toEqual([0, 1, 3]);
    expect(paused?.failures).toMatchObject([{ node: "write", sendIndex: 2, error: { message: "writer 2 is down" } }]);

    failing.clear();
    ran.length = 0;
    const final = await graph.invoke(null, { threadId: "t1" });
    expect(ran).toEqual([2]);
    expect(final.report).toBe("section 0 | section 1 | section 2 | section 3");
  });

  it("refuses the second of two concurrent runs on one thread instead of losing its input", async () => {
    const Chat = z.object({ msgs: appendList(z.string()) });
    const graph = new StateGraph(Chat)
      .addNode("reply", async () => ({}))
      .addEdge(START, "reply")
      .addEdge("reply", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ msgs: "first" }, { threadId: "chat" });
    const [m1, m2] = await Promise.allSettled([
      graph.invoke({ msgs: "m1" }, { threadId: "chat" }),
      graph.invoke({ msgs: "m2" }, { threadId: "chat" }),
    ]);
    const won = [m1, m2].filter((result) => result.status === "fulfilled");
    const lost = [m1, m2].flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toMatchObject([{ code: "THREAD_BUSY", details: { threadId: "chat" } }]);
    const winner = m1.status === "fulfilled" ? "m1" : "m2";
    expect((await graph.getState("chat"))?.values.msgs).toEqual(["first", winner]);
    // No fork: each checkpoint continues from the one put before it.
    const history = await graph.getHistory("chat");
    history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
  });

  it("starts a new run on a finished thread's state when given new input", async () => {
    const { graph } = reportGraph();
    await graph.invoke({ topic: "AI" }, { threadId: "t2" });
    const second = await graph.invoke({ topic: "ML" }, { threadId: "t2" });
    expect(second.topic).toBe("ML");
    expect(second.results).toHaveLength(8);
  });

  it("refuses a threadId without a checkpointer, and resuming a thread that does not exist", async () => {
    const plain = new StateGraph(State)
      .addNode("a", () => ({}))
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile();
    expect(await rejectionOf(plain.invoke({ topic: "x" }, { threadId: "t" }))).toMatchObject({ code: "INVALID_OPTION" });
    const { graph } = reportGraph();
    expect(await rejectionOf(graph.invoke(null, { threadId: "nobody" }))).toMatchObject({ code: "UNKNOWN_THREAD" });
  });

  it("stores each step's writes, not the whole state: bytes grow with the writes", async () => {
    const Loop = z.object({ items: appendList(z.number()), n: z.number() });
    const checkpointer = new MemoryCheckpointer();
    const graph = new StateGraph(Loop)
      .addNode("tick", (s) => ({ items: s.n, n: s.n + 1 }))
      .addEdge(START, "tick")
      .addConditionalEdges("tick", (s) => (s.n < 30 ? "tick" : END))
      .compile({ checkpointer, snapshotEvery: 1000 });
    const big = Array.from({ length: 5000 }, (_, i) => i);
    await graph.invoke({ items: big, n: 0 }, { threadId: "loop", maxSteps: 100 });
    const rows = await checkpointer.list("loop");
    const sizes = rows.reverse().map((row) => row.data.length);
    const snapshots = rows.filter((row) => row.data.includes('"snapshot":{')).length;
    // The first checkpoint holds the 5000-item snapshot; later ones hold one item each, plus an
    // occasional snapshot once the writes since the last one add up to its size.
    expect(sizes[0]).toBeGreaterThan(20_000);
    expect(Math.max(...sizes.slice(1))).toBeLessThan(2_000);
    expect(snapshots).toBe(1);
    const state = await graph.getState("loop");
    expect(state?.values.items).toHaveLength(5030);
    expect(state?.values.items.at(-1)).toBe(29);
  });
});

describe("interrupts", () => {
  const Review = z.object({ draft: z.string(), verdicts: appendList(z.string()) });
  const Reviewer = z.object({ who: z.string() });

  function reviewGraph(runs: string[] = []) {
    return new StateGraph(Review)
      .addNode(
        "review",
        ({ who }, ctx) => {
          runs.push(who);
          if (who === "bot") return { verdicts: "bot: ok" };
          const answer = ctx.interrupt<string>({ question: `Does ${who} approve?` });
          return { verdicts: `${who}: ${answer}` };
        },
        { input: Reviewer },
      )
      .addConditionalEdges(START, () => ["alice", "bot", "carol"].map((who) => new Send("review", { who })))
      .addEdge("review", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
  }

  it("pauses a single interrupt and resumes it with an answer", async () => {
    const graph = new StateGraph(Review)
      .addNode("approve", (s, ctx) => ({ verdicts: `${s.draft}: ${ctx.interrupt<string>("approve?")}` }))
      .addEdge(START, "approve")
      .addEdge("approve", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const paused = await graph.run({ draft: "v1" }, { threadId: "one" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toMatchObject([{ node: "approve", value: "approve?", kind: "node" }]);
    const done = await graph.run(new Command({ resume: "yes" }), { threadId: "one" });
    expect(done.status).toBe("done");
    expect(done.state.verdicts).toEqual(["v1: yes"]);
  });

  it("pauses a node that caught its own interrupt and returned an update, and commits nothing of it", async () => {
    let calls = 0;
    const graph = new StateGraph(Review)
      .addNode("approve", (s, ctx) => {
        calls++;
        try {
          return { verdicts: `${s.draft}: ${ctx.interrupt<string>("approve?")}` };
        } catch {
          return { verdicts: "guessed: yes" };
        }
      })
      .addEdge(START, "approve")
      .addEdge("approve", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const paused = await graph.run({ draft: "v1" }, { threadId: "caught" });

    expect(paused.status).toBe("interrupted");
    expect(paused.state.verdicts).toEqual([]);
    const done = await graph.run(new Command({ resume: "no" }), { threadId: "caught" });
    expect(done.state.verdicts).toEqual(["v1: no"]);
    expect(calls).toBe(2);
  });

  it("pauses several parallel interrupts, resumes a subset, and never re-runs finished siblings", async () => {
    const runs: string[] = [];
    const graph = reviewGraph(runs);
    const paused = await graph.run({ draft: "v1" }, { threadId: "many" });
    expect(paused.interrupts.map((i) => [i.sendIndex, i.value])).toEqual([
      [0, { question: "Does alice approve?" }],
      [2, { question: "Does carol approve?" }],
    ]);
    const [alice, carol] = paused.interrupts;
    const again = await graph.getState("many");
    expect(again?.interrupts.map((i) => i.id)).toEqual([alice!.id, carol!.id]);

    runs.length = 0;
    const half = await graph.run(new Command({ resume: { [carol!.id]: "approved" } }), { threadId: "many" });
    expect(runs).toEqual(["carol"]);
    expect(half.status).toBe("interrupted");
    expect(half.interrupts.map((i) => i.id)).toEqual([alice!.id]);

    runs.length = 0;
    const done = await graph.run(new Command({ resume: { [alice!.id]: "approved too" } }), { threadId: "many" });
    expect(runs).toEqual(["alice"]);
    expect(done.state.verdicts).toEqual(["alice: approved too", "bot: ok", "carol: approved"]);
  });

  it("refuses an ambiguous or unknown resume with INVALID_RESUME", async () => {
    const graph = reviewGraph();
    await graph.run({ draft: "v1" }, { threadId: "ambiguous" });
    expect(await rejectionOf(graph.run(new Command({ resume: "yes" }), { threadId: "ambiguous" }))).toMatchObject({
      code: "INVALID_RESUME",
    });
    const unknown = await rejectionOf(
      graph.run(new Command({ resume: { "000001-0123456789ab:1:0:0": "yes" } }), { threadId: "ambiguous" }),
    );
    expect(unknown).toMatchObject({ code: "INVALID_RESUME" });
    expect(unknown.message).toMatch(/^Thread "ambiguous" has no pending interrupt "000001-0123456789ab:1:0:0"; pending: /);
  });

  it("needs a thread to interrupt", async () => {
    const graph = new StateGraph(Review)
      .addNode("approve", (_, ctx) => ({ verdicts: ctx.interrupt<string>("approve?") }))
      .addEdge(START, "approve")
      .addEdge("approve", END)
      .compile();
    const error = await rejectionOf(graph.invoke({ draft: "v1" }));
    expect(error.cause).toMatchObject({ code: "INVALID_OPTION" });
  });

  it("stops at interruptBefore and interruptAfter breakpoints and continues on resume", async () => {
    const Steps = z.object({ log: appendList(z.string()) });
    const graph = new StateGraph(Steps)
      .addSequence({ draft: () => ({ log: "draft" }), publish: () => ({ log: "publish" }), notify: () => ({ log: "notify" }) })
      .addEdge(START, "draft")
      .addEdge("notify", END)
      .compile({ checkpointer: new MemoryCheckpointer(), interruptBefore: ["publish"], interruptAfter: ["publish"] });
    const first = await graph.run({}, { threadId: "bp" });
    expect(first).toMatchObject({ status: "interrupted", state: { log: ["draft"] }, interrupts: [{ kind: "before", node: "publish" }] });
    const second = await graph.run(null, { threadId: "bp" });
    expect(second).toMatchObject({ status: "interrupted", state: { log: ["draft", "publish"] }, interrupts: [{ kind: "after" }] });
    const third = await graph.run(null, { threadId: "bp" });
    expect(third).toMatchObject({ status: "done", state: { log: ["draft", "publish", "notify"] } });
  });
});

describe("history, updateState and forks", () => {
  const Counter = z.object({ n: z.number(), log: appendList(z.string()) });
  const build = () =>
    new StateGraph(Counter)
      .addNode("double", (s) => ({ n: s.n * 2, log: `double→${s.n * 2}` }))
      .addNode("inc", (s) => ({ n: s.n + 1, log: `inc→${s.n + 1}` }))
      .addEdge(START, "double")
      .addEdge("double", "inc")
      .addEdge("inc", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

  it("lists every checkpoint newest first with its state and next tasks", async () => {
    const graph = build();
    await graph.invoke({ n: 1 }, { threadId: "h" });
    const history = await graph.getHistory("h");
    expect(history.map((s) => [s.source, s.step, s.values.n, s.next.map((t) => t.node)])).toEqual([
      ["step", 2, 3, []],
      ["step", 1, 2, ["inc"]],
      ["input", 0, 1, ["double"]],
    ]);
    expect(history[0]!.parentId).toBe(history[1]!.checkpointId);
  });

  it("updates a thread's state through the reducers, as a node when asked", async () => {
    const graph = build();
    await graph.invoke({ n: 1 }, { threadId: "u" });
    await graph.updateState("u", { n: 10, log: "manual" });
    expect((await graph.getState("u"))?.values).toEqual({ n: 10, log: ["double→2", "inc→3", "manual"] });

    await graph.updateState("u", { n: 5 }, { asNode: "double" });
    const state = await graph.getState("u");
    expect(state?.next.map((t) => t.node)).toEqual(["inc"]);
    expect((await graph.invoke(null, { threadId: "u" })).n).toBe(6);
  });

  it("forks from an earlier checkpoint without touching the original branch", async () => {
    const graph = build();
    await graph.invoke({ n: 1 }, { threadId: "f" });
    const [, afterDouble] = await graph.getHistory("f");
    const forkId = await graph.updateState("f", { n: 100 }, { checkpointId: afterDouble!.checkpointId });
    const forked = await graph.invoke(null, { threadId: "f", checkpointId: forkId });
    expect(forked.n).toBe(101);
    const original = await graph.getState("f", { checkpointId: (await graph.getHistory("f")).at(-1)!.checkpointId });
    expect(original?.values.n).toBe(1);
    const again = await graph.invoke(null, { threadId: "f", checkpointId: afterDouble!.checkpointId });
    expect(again.n).toBe(3);
  });
});

describe("compile options", () => {
  const builder = new StateGraph(z.object({ n: z.number() }))
    .addNode("a", (s) => ({ n: s.n + 1 }))
    .addEdge(START, "a")
    .addEdge("a", END);
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "a misspelt option",
      { checkpointr: new MemoryCheckpointer() },
      '"checkpointr" is not an option of compile(). Did you mean "checkpointer"?',
    ],
    [
      "a checkpointer without its methods",
      { checkpointer: { get: async () => undefined } },
      "compile() option checkpointer must be a Checkpointer (it lacks put, list, putTaskResult, getTaskResults, putStepResult, getStepResults, deleteThread, acquireLease, renewLease, releaseLease, requestLease, expiredLeases, now, setWakeup and dueWakeups), got an object.",
    ],
    [
      "an executor without runAttempt",
      { executor: {} },
      "compile() option executor must be an Executor (an object with a runAttempt method), got an object.",
    ],
    [
      "a breakpoint list given as one string",
      { interruptBefore: "a" },
      'compile() option interruptBefore must be an array of node names, got "a".',
    ],
    [
      "an empty integrity key",
      { integrityKey: "" },
      'compile() option integrityKey must be a non-empty string (the HMAC key that signs checkpoints), got "".',
    ],
    [
      "an integrity key that is not a string",
      { integrityKey: 123 },
      "compile() option integrityKey must be a non-empty string (the HMAC key that signs checkpoints), got 123.",
    ],
    ["snapshotEvery: 0", { snapshotEvery: 0 }, "compile() option snapshotEvery must be a whole number ≥ 1, got 0."],
  ];
  for (const [what, options, message] of cases) {
    it(`rejects ${what} with INVALID_OPTION at compile time`, () => {
      const compile = (): unknown => builder.compile(options as never);

      expect(compile).toThrow(message);
      expect(() => compile()).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    });
  }
});

describe("the stored format", () => {
  const Tiny = z.object({ when: z.date(), tags: z.set(z.string()), count: z.bigint() });
  const tiny = (checkpointer: MemoryCheckpointer, integrityKey?: string) =>
    new StateGraph(Tiny, { name: "tiny" })
      .addNode("touch", (s) => ({ count: s.count + 1n }))
      .addEdge(START, "touch")
      .addEdge("touch", END)
      .compile({ checkpointer, integrityKey });

  it("round-trips dates, sets and bigints", async () => {
    const checkpointer = new MemoryCheckpointer();
    const graph = tiny(checkpointer);
    await graph.invoke({ when: new Date("2026-01-02T03:04:05Z"), tags: new Set(["a"]), count: 41n }, { threadId: "rt" });
    expect((await graph.getState("rt"))?.values).toEqual({ when: new Date("2026-01-02T03:04:05Z"), tags: new Set(["a"]), count: 42n });
  });

  it("rejects a tampered checkpoint, a foreign record and another graph's thread", async () => {
    const checkpointer = new MemoryCheckpointer();
    const graph = tiny(checkpointer);
    await graph.invoke({ when: new Date(0), tags: new Set(), count: 1n }, { threadId: "x" });
    const row = (await checkpointer.get("x"))!;

    const tampered = new MemoryCheckpointer();
    await tampered.put({ ...row, data: row.data.replace('"v":"2"', '"v":"9"') }, { head: null });
    expect(await rejectionOf(tiny(tampered).getState("x"))).toMatchObject({ code: "INVALID_CHECKPOINT" });

    const foreign = new MemoryCheckpointer();
    await foreign.put({ ...row, data: '{"v":1,"channel_values":{}}' }, { head: null });
    const foreignError = await rejectionOf(tiny(foreign).getState("x"));
    expect(foreignError.message).toMatch(/is not a Weft checkpoint record/);

    const other = new StateGraph(z.object({ n: z.number() }), { name: "other" })
      .addNode("a", () => ({}))
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile({ checkpointer });
    expect((await rejectionOf(other.getState("x"))).message).toMatch(/written by graph "tiny"/);
  });

  it("refuses a replayed value that a reducer without an update schema turned into the wrong type", async () => {
    const Sum = z.object({ pad: z.string(), total: reducer(z.number(), (sum, n: number) => sum + n, 0) });
    const sumGraph = (checkpointer: MemoryCheckpointer) =>
      new StateGraph(Sum)
        .addNode("add", () => ({ total: 2 }))
        .addEdge(START, "add")
        .addEdge("add", END)
        .compile({ checkpointer });
    const checkpointer = new MemoryCheckpointer();
    const graph = sumGraph(checkpointer);
    // A big first snapshot, so the last checkpoint stores its write rather than a snapshot.
    await graph.invoke({ pad: "x".repeat(5000) }, { threadId: "sum" });
    const [first, last] = (await checkpointer.list("sum")).reverse() as [CheckpointRow, CheckpointRow];
    expect(last.data).toContain('"snapshot":null');
    const [header, json] = last.data.split("\n") as [string, string];
    const changed = json.replace('"total":2', '"total":"2"');
    const digest = `sha256=${createHash("sha256").update(changed).digest("hex")}`;
    const tampered = new MemoryCheckpointer();
    await tampered.put(first, { head: null });
    await tampered.put({ ...last, data: `${header.replace(/sha256=[0-9a-f]{64}/, digest)}\n${changed}` }, { head: first.checkpointId });
    const error = await rejectionOf(sumGraph(tampered).getState("sum"));
    expect(error).toMatchObject({ code: "INVALID_CHECKPOINT", details: { key: "total" } });
    expect(error.message).toMatch(/invalid value of state key "total"/);
  });

  it("refuses a saved task result whose Send input its node no longer accepts", async () => {
    const Jobs = z.object({ done: appendList(z.number()) });
    const checkpointer = new MemoryCheckpointer();
    let failing = true;
    const graph = new StateGraph(Jobs)
      .addNode("fanOut", () => ({}))
      .addNode("flaky", async () => {
        // Fails once fanOut's result, with its Sends, is saved.
        const latest = await checkpointer.get("jobs");
        while (failing && (await checkpointer.getTaskResults("jobs", latest!.checkpointId)).length === 0) await sleep(2);
        if (failing) throw new Error("flaky is down");
        return {};
      })
      .addNode("work", ({ i }) => ({ done: i }), { input: z.object({ i: z.number() }) })
      .addEdge(START, "fanOut")
      .addEdge(START, "flaky")
      .addConditionalEdges("fanOut", () => [new Send("work", { i: 1 })])
      .addEdge("flaky", END)
      .addEdge("work", END)
      .compile({ checkpointer });
    expect(await rejectionOf(graph.invoke({}, { threadId: "jobs" }))).toMatchObject({ code: "TASK_FAILED" });
    failing = false;
    const latest = (await checkpointer.get("jobs"))!;
    const [saved] = await checkpointer.getTaskResults("jobs", latest.checkpointId);
    expect(saved!.data).toContain('"sends":[{"node":"work","input":{"i":1}}]');
    const [header, json] = saved!.data.split("\n") as [string, string];
    const changed = json.replace('"input":{"i":1}', '"input":{"i":"one"}');
    const digest = `sha256=${createHash("sha256").update(changed).digest("hex")}`;
    await checkpointer.putTaskResult({ ...saved!, data: `${header.replace(/sha256=[0-9a-f]{64}/, digest)}\n${changed}` });
    const error = await rejectionOf(graph.invoke(null, { threadId: "jobs" }));
    expect(error).toMatchObject({ code: "INVALID_CHECKPOINT", details: { node: "work" } });
    expect(error.message).toMatch(
      /^Task result "1:0" of checkpoint .* holds a Send to "work" whose input does not match the node's input schema: i: /,
    );
    await checkpointer.putTaskResult(saved!);
    expect((await graph.invoke(null, { threadId: "jobs" })).done).toEqual([1]);
  });

  it("signs records with an integrity key and refuses them without it", async () => {
    const checkpointer = new MemoryCheckpointer();
    await tiny(checkpointer, "secret").invoke({ when: new Date(0), tags: new Set(), count: 1n }, { threadId: "s" });
    expect((await tiny(checkpointer, "secret").getState("s"))?.values.count).toBe(2n);
    expect((await rejectionOf(tiny(checkpointer).getState("s"))).message).toMatch(/signed, but no integrity key/);
    expect((await rejectionOf(tiny(checkpointer, "wrong").getState("s"))).message).toMatch(/changed or corrupted/);
  });

  it("refuses to store a value that is not plain data, naming where it is", async () => {
    const Holder = z.object({ thing: z.any() });
    const graph = new StateGraph(Holder)
      .addNode("put", () => ({ thing: { nested: new (class Socket {})() } }))
      .addEdge(START, "put")
      .addEdge("put", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const error = await rejectionOf(graph.invoke({ thing: 1 }, { threadId: "bad" }));
    expect(error).toMatchObject({ code: "INVALID_UPDATE", details: { node: "put", key: "thing" } });
    expect(error.message).toMatch(/^Node "put" wrote a value a checkpoint cannot store: thing\.nested is a Socket instance/);
  });
});

describe("resume answers", () => {
  it("takes an object whose keys are not interrupt ids as the one answer to the one interrupt", async () => {
    const Plan = z.object({ slots: z.record(z.string(), z.string()).optional() });
    const graph = new StateGraph(Plan)
      .addNode("ask", (_, ctx) => ({ slots: ctx.interrupt<Record<string, string>>("when?") }))
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    await graph.run({}, { threadId: "lunch" });
    const done = await graph.run(new Command({ resume: { "12:30": "lunch" } }), { threadId: "lunch" });
    expect(done.state.slots).toEqual({ "12:30": "lunch" });
  });

  it("does not retry interrupt() without a checkpointer: it is a wrong option, not a flaky one", async () => {
    let runs = 0;
    const graph = new StateGraph(z.object({ a: z.string().optional() }))
      .addNode(
        "ask",
        (_, ctx) => {
          runs++;
          return { a: ctx.interrupt<string>("?") };
        },
        { retry: { maxAttempts: 3, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    await rejectionOf(graph.invoke({}));
    expect(runs).toBe(1);
  });
});

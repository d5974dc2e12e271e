import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, MemoryCheckpointer, reducer, Send, START, StateGraph } from "../src/index.js";
import { collect, rejectionOf, sleep } from "./helpers.js";

const Log = z.object({ log: appendList(z.string()) });

describe("superstep scheduling", () => {
  it("commits edge-triggered writes in declaration order, whatever order they finish in", async () => {
    const graph = new StateGraph(Log)
      .addNode("slow", async () => {
        await sleep(30);
        return { log: "slow" };
      })
      .addNode("fast", () => ({ log: "fast" }))
      .addNode("medium", async () => {
        await sleep(10);
        return { log: "medium" };
      })
      .addEdge(START, "medium")
      .addEdge(START, "fast")
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .addEdge("fast", END)
      .addEdge("medium", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["slow", "fast", "medium"]);
  });

  it("runs edge-triggered tasks before Sends, and Sends in emission order", async () => {
    const Item = z.object({ i: z.number() });
    const graph = new StateGraph(Log)
      .addNode("start", () => ({ log: "start" }))
      .addNode("audit", () => ({ log: "audit" }))
      .addNode(
        "worker",
        async ({ i }) => {
          await sleep((5 - i) * 4);
          return { log: `worker ${i}` };
        },
        { input: Item },
      )
      .addEdge(START, "start")
      .addConditionalEdges("start", () => [new Send("worker", { i: 0 }), "audit", ...[1, 2, 3, 4].map((i) => new Send("worker", { i }))])
      .addEdge("audit", END)
      .addEdge("worker", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["start", "audit", "worker 0", "worker 1", "worker 2", "worker 3", "worker 4"]);
  });

  it("shows every task of a step the same frozen snapshot", async () => {
    const State = z.object({ items: z.array(z.string()), seen: appendList(z.number()) });
    const graph = new StateGraph(State)
      .addNode("mutator", (s) => {
        (s.items as string[]).push("sneaky");
        return {};
      })
      .addNode("reader", (s) => ({ seen: s.items.length }))
      .addEdge(START, "mutator")
      .addEdge(START, "reader")
      .addEdge("mutator", END)
      .addEdge("reader", END)
      .compile();

    const error = await rejectionOf(graph.invoke({ items: ["a"] }));
    expect(error.code).toBe("TASK_FAILED");
    expect(error.message).toMatch(/"mutator".*(read only|not extensible|Cannot add property)/);
  });

  it("hands out updates frozen, and commits what the node returned even if it changes its own list later", async () => {
    const State = z.object({ found: appendList(z.object({ title: z.string() })), note: z.object({ text: z.string() }).optional() });
    const search = () => ({ found: [{ title: "a" }, { title: "b" }], note: { text: "two hits" } });
    const failing = async () => {
      await sleep(5);
      throw new Error("boom");
    };
    const build = (other: () => Promise<{}>) =>
      new StateGraph(State)
        .addNode("search", search)
        .addNode("other", other)
        .addEdge(START, "search")
        .addEdge(START, "other")
        .addEdge("search", END)
        .addEdge("other", END)
        .compile();

    const { events } = await collect(build(async () => ({})).stream({}));
    const [update] = events.flatMap((event) => (event.type === "task:end" && event.node === "search" ? [event.update as any] : []));
    for (const value of [update, update.found, update.found[0], update.note]) expect(Object.isFrozen(value)).toBe(true);

    const error = await rejectionOf(build(failing).invoke({}));
    const finished = error.details.finished[0].update;
    for (const value of [finished, finished.found, finished.found[1]]) expect(Object.isFrozen(value)).toBe(true);

    const late = new StateGraph(State)
      .addNode("search", async () => {
        const list = [{ title: "a" }];
        setTimeout(() => list.push({ title: "late" }), 1);
        return { found: list };
      })
      .addNode("after", () => sleep(10).then(() => ({})))
      .addEdge(START, "search")
      .addEdge("search", "after")
      .addEdge("after", END)
      .compile();
    expect((await late.invoke({})).found).toEqual([{ title: "a" }]);
  });

  it("awaits a node that returns a thenable which is not a Promise, on first attempts and retries", async () => {
    // A minimal PromiseLike that settles on a timer: only `then`, no catch/finally.
    const later = <T>(settle: () => T): PromiseLike<T> => ({
      then: (onValue, onError) =>
        new Promise<T>((resolve, reject) =>
          setTimeout(() => {
            try {
              resolve(settle());
            } catch (error) {
              reject(error);
            }
          }, 1),
        ).then(onValue, onError) as never,
    });
    const tries = new Map<number, number>();
    const graph = new StateGraph(Log)
      .addNode(
        "worker",
        ({ i }: { i: number }) => {
          tries.set(i, (tries.get(i) ?? 0) + 1);
          return later(() => {
            if (i === 1 && tries.get(i) === 1) throw new Error("flaky");
            return { log: `worker ${i}` };
          });
        },
        { input: z.object({ i: z.number() }), retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      )
      .addConditionalEdges(START, () => [0, 1, 2].map((i) => new Send("worker", { i })), ["worker"])
      .addEdge("worker", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["worker 0", "worker 1", "worker 2"]);
    expect(tries.get(1)).toBe(2);
  });

  it("runs a node triggered by several edges in one step once", async () => {
    let runs = 0;
    const graph = new StateGraph(Log)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => ({ log: "b" }))
      .addNode("c", () => {
        runs++;
        return { log: "c" };
      })
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", "c")
      .addEdge("b", "c")
      .addEdge("c", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["a", "b", "c"]);
    expect(runs).toBe(1);
  });

  it("makes a join wait for branches of different lengths", async () => {
    const graph = new StateGraph(Log)
      .addNode("short", () => ({ log: "short" }))
      .addNode("long1", () => ({ log: "long1" }))
      .addNode("long2", () => ({ log: "long2" }))
      .addNode("join", () => ({ log: "join" }))
      .addEdge(START, "short")
      .addEdge(START, "long1")
      .addEdge("long1", "long2")
      .addEdge(["short", "long2"], "join")
      .addEdge("join", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["short", "long1", "long2", "join"]);
  });

  it("runs a deferred node only after every pending task, Sends included", async () => {
    const Item = z.object({ i: z.number() });
    const graph = new StateGraph(Log)
      .addNode("fan", () => ({ log: "fan" }))
      .addNode("summary", (s) => ({ log: `summary of ${s.log.length}` }), { defer: true })
      .addNode(
        "worker",
        ({ i }) => (i < 2 ? new Command({ update: { log: `w${i}` }, goto: new Send("worker", { i: i + 1 }) }) : { log: `w${i}` }),
        {
          input: Item,
          ends: ["worker"],
        },
      )
      .addEdge(START, "fan")
      .addConditionalEdges("fan", () => [new Send("worker", { i: 0 }), "summary"])
      .addEdge("worker", "summary")
      .addEdge("summary", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["fan", "w0", "w1", "w2", "summary of 4"]);
  });

  it("holds Sends to a deferred node until nothing else is left, then runs them in emission order", async () => {
    const Item = z.object({ i: z.number() });
    const graph = new StateGraph(Log)
      .addNode("fan", () => ({ log: "fan" }))
      .addNode("collect", ({ i }) => ({ log: `c${i}` }), { input: Item, defer: true })
      .addNode(
        "worker",
        ({ i }) => (i < 2 ? new Command({ update: { log: `w${i}` }, goto: new Send("worker", { i: i + 1 }) }) : { log: `w${i}` }),
        {
          input: Item,
          ends: ["worker"],
        },
      )
      .addEdge(START, "fan")
      .addConditionalEdges("fan", () => [new Send("collect", { i: 0 }), new Send("worker", { i: 0 }), new Send("collect", { i: 1 })])
      .addEdge("worker", END)
      .addEdge("collect", END)
      .compile();

    expect((await graph.invoke({})).log).toEqual(["fan", "w0", "w1", "w2", "c0", "c1"]);
  });
});

describe("updates", () => {
  it("folds reducer writes with the reducer, from the initial value", async () => {
    const State = z.object({ total: reducer(z.number(), (sum, n: number) => sum + n, 100) });
    const graph = new StateGraph(State)
      .addNode("a", () => ({ total: 1 }))
      .addNode("b", () => ({ total: 2 }))
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", END)
      .addEdge("b", END)
      .compile();
    expect(await graph.invoke({})).toEqual({ total: 103 });
    expect(await graph.invoke({ total: 10 })).toEqual({ total: 113 });
  });

  it("names the key, the writer and the step when a reducer throws, and commits nothing of the step", async () => {
    const capped = (sum: number, n: number): number => {
      if (n > 5) throw new RangeError(`${n} is over the cap`);
      return sum + n;
    };
    const State = z.object({ total: reducer(z.number(), capped, 0), seen: appendList(z.string()) });
    const graph = new StateGraph(State)
      .addNode("a", () => ({ total: 3, seen: "a" }))
      .addNode("b", () => ({ total: 9, seen: "b" }))
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", END)
      .addEdge("b", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

    const error = await rejectionOf(graph.invoke({}, { threadId: "capped" }));

    // The step's state is as before it, and both tasks' results are kept for a resume.
    const paused = await graph.getState("capped");
    expect(paused?.values).toEqual({ total: 0, seen: [] });
    expect(paused?.finished.map((task) => task.node)).toEqual(["a", "b"]);
    expect(error.code).toBe("INVALID_UPDATE");
    expect(error.message).toBe('The reducer of key "total" threw on the update from "b" in step 1: 9 is over the cap');
    expect(error.details).toEqual({ key: "total", writer: "b", step: 1, problem: "9 is over the cap" });
    expect(error.cause).toBeInstanceOf(RangeError);
    const input = await rejectionOf(graph.invoke({ total: 7 }));
    expect(input.message).toBe('The reducer of key "total" threw on the run input: 7 is over the cap');
    expect(input.code).toBe("INVALID_INPUT");
  });

  it("refuses two writes to a last-value key in one step, naming the key and both nodes", async () => {
    const State = z.object({ summary: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("a", () => ({ summary: "from a" }))
      .addNode("b", () => ({ summary: "from b" }))
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", END)
      .addEdge("b", END)
      .compile();

    const { events, error } = await collect(graph.stream({}));
    expect(error).toMatchObject({ code: "CONCURRENT_UPDATE", details: { key: "summary", writers: ["a", "b"], step: 1 } });
    expect((error as Error).message).toBe(
      'Key "summary" got 2 updates in step 1 (from "a" and "b") but has no reducer: give it a reducer or write it from one node.',
    );
    expect(events.some((event) => event.type === "step:end")).toBe(false);
  });

  it("accepts nothing, an update object, a Command and an immer recipe from nodes", async () => {
    const State = z.object({ count: z.number(), tags: z.array(z.string()), note: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("nothing", () => undefined)
      .addNode("object", (s) => ({ count: s.count + 1 }))
      .addNode("recipe", () => (draft) => {
        draft.tags.push("recipe");
      })
      .addNode("command", () => new Command({ update: { note: "by command" }, goto: END }), { ends: [END] })
      .addSequence({ first: () => ({}) })
      .addEdge(START, "nothing")
      .addEdge("nothing", "object")
      .addEdge("object", "recipe")
      .addEdge("recipe", "command")
      .addEdge("first", END)
      .addEdge(START, "first")
      .compile();

    expect(await graph.invoke({ count: 0, tags: ["a"] })).toEqual({ count: 1, tags: ["a", "recipe"], note: "by command" });
  });

  it("refuses a recipe from a Send worker, which has no state to draft", async () => {
    const State = z.object({ tags: z.array(z.string()) });
    const graph = new StateGraph(State)
      .addNode("tag", () => (draft) => void draft.tags.push("x"), { input: z.object({ i: z.number() }) })
      .addConditionalEdges(START, () => new Send("tag", { i: 1 }))
      .addEdge("tag", END)
      .compile();
    const error = await rejectionOf(graph.invoke({ tags: [] }));
    expect(error.cause).toMatchObject({ code: "INVALID_UPDATE", details: { node: "tag" } });
    expect(error.cause.message).toMatch(/^Node "tag" returned a recipe, which drafts the state, but its tasks receive their own input/);
  });

  it("recognises Sends and Commands made by another copy of Weft", async () => {
    const foreignSend = { node: "b", input: { i: 2 }, [Symbol.for("weft.Send")]: true };
    const foreignCommand = { update: { log: "a" }, goto: [foreignSend], resume: undefined, [Symbol.for("weft.Command")]: true };
    const graph = new StateGraph(Log)
      .addNode("a", () => foreignCommand as never, { ends: ["b"] })
      .addNode("b", ({ i }) => ({ log: `b${i}` }), { input: z.object({ i: z.number() }) })
      .addEdge(START, "a")
      .addEdge("b", END)
      .compile();
    expect((await graph.invoke({})).log).toEqual(["a", "b2"]);
  });

  it("names the node and the key of an update the state does not have", async () => {
    const State = z.object({ summary: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("writer", () => ({ sumary: "typo" }) as never)
      .addEdge(START, "writer")
      .addEdge("writer", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(error.code).toBe("TASK_FAILED");
    expect(error.cause).toMatchObject({ code: "INVALID_UPDATE", details: { key: "sumary", writer: "writer" } });
    expect(error.cause.message).toBe('Node "writer" wrote key "sumary", which is not in the state. Did you mean "summary"?');
  });

  it("names the node, the key and the field of a value its schema rejects", async () => {
    const State = z.object({ score: z.number().int().max(10).optional() });
    const graph = new StateGraph(State)
      .addNode("judge", () => ({ score: 11 }))
      .addEdge(START, "judge")
      .addEdge("judge", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(error.cause.message).toMatch(/^Node "judge" wrote an invalid value to key "score": .*10/);
  });

  it("names a Send by its node and index when its update is invalid or collides", async () => {
    const State = z.object({ score: z.number().max(10).optional(), scores: appendList(z.number().max(10)) });
    const graph = (write: (i: number) => Record<string, number>) =>
      new StateGraph(State)
        .addNode("judge", ({ i }: { i: number }) => write(i), { input: z.object({ i: z.number() }) })
        .addConditionalEdges(START, () => [0, 1, 2].map((i) => new Send("judge", { i })), ["judge"])
        .addEdge("judge", END)
        .compile();

    const invalid = await rejectionOf(graph((i) => ({ scores: i * 10 })).invoke({}));
    expect(invalid.cause).toMatchObject({ code: "INVALID_UPDATE", details: { key: "scores", writer: "judge#2" } });
    expect(invalid.cause.message).toMatch(/^Node "judge#2" wrote an invalid value to key "scores"/);
    const unknown = await rejectionOf(graph((i) => ({ [`score${i}`]: i })).invoke({}));
    expect(unknown.cause.message).toBe('Node "judge#0" wrote key "score0", which is not in the state. Did you mean "score"?');
    const collided = await rejectionOf(graph((i) => ({ score: i })).invoke({}));
    expect(collided).toMatchObject({ code: "CONCURRENT_UPDATE", details: { key: "score", writers: ["judge#0", "judge#1", "judge#2"] } });
  });

  it("rejects invalid run input, naming the field", async () => {
    const State = z.object({ topic: z.string() });
    const graph = new StateGraph(State)
      .addNode("a", () => undefined)
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile();
    const error = await rejectionOf(graph.invoke({} as never));
    expect(error).toMatchObject({ code: "INVALID_INPUT", details: { fields: ["topic"] } });
    expect(error.message).toMatch(/^Run input is invalid: topic: /);
  });
});

describe("routing", () => {
  it("runs a Send's node with exactly the Send's input", async () => {
    const Item = z.object({ id: z.number(), tags: z.array(z.string()) });
    const received: unknown[] = [];
    const graph = new StateGraph(Log)
      .addNode(
        "w",
        (input) => {
          received.push(input);
          return {};
        },
        { input: Item },
      )
      .addConditionalEdges(START, () => [new Send("w", { id: 7, tags: ["x"] })])
      .addEdge("w", END)
      .compile();
    await graph.invoke({});
    expect(received).toEqual([{ id: 7, tags: ["x"] }]);
  });

  it("fails with UNKNOWN_NODE when a router returns a name that is not a node", async () => {
    const graph = new StateGraph(Log)
      .addNode("a", () => ({ log: "a" }))
      .addNode("b", () => ({ log: "b" }))
      .addEdge(START, "a")
      .addConditionalEdges("a", () => "bb" as never)
      .addEdge("b", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(error.cause).toMatchObject({ code: "UNKNOWN_NODE" });
    expect(error.cause.message).toBe('Router of "a" returned "bb", which is not a node. Did you mean "b"?');
  });

  it("rejects a Send whose input does not match the worker's schema, naming both nodes", async () => {
    const graph = new StateGraph(Log)
      .addNode("w", () => ({}), { input: z.object({ section: z.string() }) })
      .addNode("plan", () => ({}))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => new Send("w", { section: 3 } as never))
      .addEdge("w", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(error.cause).toMatchObject({ code: "INVALID_INPUT", details: { node: "w", from: "plan" } });
  });

  it("lets a router see the step snapshot plus its source's own update", async () => {
    const State = z.object({ n: z.number(), other: z.number().default(0), path: appendList(z.string()) });
    const graph = new StateGraph(State)
      .addNode("inc", (s) => ({ n: s.n + 1, path: "inc" }))
      .addNode("other", () => ({ other: 1 }))
      .addNode("big", () => ({ path: "big" }))
      .addEdge(START, "inc")
      .addEdge(START, "other")
      .addConditionalEdges("inc", (s) => (s.n > 1 && s.other === 0 ? "big" : END), ["big", END])
      .addEdge("other", END)
      .addEdge("big", END)
      .compile();
    expect((await graph.invoke({ n: 1 })).path).toEqual(["inc", "big"]);
  });

  it("maps router results through a path map", async () => {
    const State = z.object({ mood: z.string(), said: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("cheer", () => ({ said: "yay" }))
      .addNode("comfort", () => ({ said: "there there" }))
      .addConditionalEdges(START, (s) => (s.mood === "happy" ? "good" : "bad"), { good: "cheer", bad: "comfort" })
      .addEdge("cheer", END)
      .addEdge("comfort", END)
      .compile();
    expect((await graph.invoke({ mood: "sad" })).said).toBe("there there");
  });

  it("stops a loop at maxSteps and names the nodes of the loop", async () => {
    const State = z.object({ n: z.number() });
    const graph = new StateGraph(State)
      .addNode("ping", (s) => ({ n: s.n + 1 }))
      .addNode("pong", (s) => ({ n: s.n + 1 }))
      .addEdge(START, "ping")
      .addEdge("ping", "pong")
      .addConditionalEdges("pong", (s) => (s.n < 1000 ? "ping" : END))
      .compile();
    const error = await rejectionOf(graph.invoke({ n: 0 }, { maxSteps: 10 }));
    expect(error).toMatchObject({ code: "STEP_LIMIT", details: { maxSteps: 10, loop: ["pong", "ping"], next: ["ping"] } });
    expect(await graph.invoke({ n: 990 }, { maxSteps: 10 })).toEqual({ n: 1000 });
  });
});

describe("streaming and cancellation", () => {
  it("streams run, step, task and custom events in order, each task with its duration", async () => {
    const graph = new StateGraph(Log)
      .addNode("a", async (_, ctx) => {
        ctx.emit({ progress: 0.5 });
        await sleep(5);
        return { log: "a" };
      })
      .addEdge(START, "a")
      .addEdge("a", END)
      .compile();
    const { events } = await collect(graph.stream({}));
    expect(events.map((event) => event.type)).toEqual([
      "run:start",
      "step:start",
      "task:start",
      "custom",
      "task:end",
      "step:end",
      "run:end",
    ]);
    const custom = events.find((event) => event.type === "custom");
    expect(custom).toMatchObject({ node: "a", step: 1, taskId: "1:0", data: { progress: 0.5 } });
    const end = events.find((event) => event.type === "task:end");
    expect(end).toMatchObject({ node: "a", update: { log: ["a"] }, attempts: 1 });
    expect(end?.type === "task:end" && end.durationMs).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: "run:end", state: { log: ["a"] }, steps: 1 });
  });

  it("gives a Send task's payload with each of its task:start events, and none for a task that reads the state", async () => {
    let tries = 0;
    const graph = new StateGraph(Log)
      .addNode("plan", () => ({}))
      .addNode(
        "write",
        ({ topic }) => {
          if (topic === "b" && ++tries === 1) throw new Error("flaky");
          return { log: topic };
        },
        { input: z.object({ topic: z.string() }), retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [new Send("write", { topic: "a" }), new Send("write", { topic: "b" })], ["write"])
      .addEdge("write", END)
      .compile();
    const { events } = await collect(graph.stream({}));
    const starts = events.filter((event) => event.type === "task:start");
    expect(starts.map((event) => [event.node, event.sendIndex, event.attempt, event.input])).toEqual([
      ["plan", undefined, 1, undefined],
      ["write", 0, 1, { topic: "a" }],
      ["write", 1, 1, { topic: "b" }],
      ["write", 1, 2, { topic: "b" }],
    ]);
    expect("input" in starts[0]!).toBe(false);
  });

  it("cancels a run through opts.signal: running tasks see their signal fire", async () => {
    let sawAbort = false;
    const graph = new StateGraph(Log)
      .addNode("slow", async (_, ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
        sawAbort = true;
        return { log: "late" };
      })
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .compile();
    const controller = new AbortController();
    const run = graph.invoke({}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user pressed stop")), 10);
    const error = await rejectionOf(run);
    expect(error).toMatchObject({ code: "ABORTED", message: "The run was cancelled." });
    expect(sawAbort).toBe(true);
  });

  it("cancels the run when the stream's consumer stops early", async () => {
    let aborted = false;
    const graph = new StateGraph(Log)
      .addNode("slow", async (_, ctx) => {
        ctx.signal.addEventListener("abort", () => (aborted = true));
        await sleep(50);
        return {};
      })
      .addEdge(START, "slow")
      .addEdge("slow", END)
      .compile();
    for await (const event of graph.stream({})) if (event.type === "task:start") break;
    await sleep(5);
    expect(aborted).toBe(true);
  });
});

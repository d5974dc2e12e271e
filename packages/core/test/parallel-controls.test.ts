import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, ConcurrencyLimit, END, GraphError, Send, START, StateGraph, type RunEvent, type RunOptions } from "../src/index.js";
import { collect, rejectionOf, sleep } from "./helpers.js";
import { fanOut, Item, State } from "./fan-out.js";

describe("timeouts", () => {
  it("times out a slow branch while its sibling finishes, and reports which one", async () => {
    const graph = new StateGraph(State)
      .addNode("fast", async () => ({ results: "fast" }))
      .addNode(
        "slow",
        async (_, ctx) => {
          await sleep(1000);
          return ctx.signal.aborted ? {} : { results: "slow" };
        },
        { timeoutMs: 20, onError: "continue" },
      )
      .addEdge(START, "fast")
      .addEdge(START, "slow")
      .addEdge("fast", END)
      .addEdge("slow", END)
      .compile();

    const result = await graph.run({});
    expect(result.state.results).toEqual(["fast"]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ node: "slow", timedOut: true, attempts: 1, policy: "continue" });
    expect(result.failures[0]!.error).toMatchObject({ code: "TIMEOUT" });
  });

  it("fails the run with TIMEOUT as the cause when the node's policy is fail", async () => {
    const graph = fanOut(
      async () => {
        await sleep(1000);
        return { results: "never" };
      },
      { timeoutMs: 15 },
      1,
    );
    const error = await rejectionOf(graph.invoke({}));
    expect(error.code).toBe("TASK_FAILED");
    expect(error.cause).toMatchObject({ code: "TIMEOUT" });
    expect(error.message).toBe(
      'Node "worker" (Send #0) failed in step 1 (attempt 1, timed out): Node "worker" timed out after 15 ms in step 1 (Send #0) (attempt 1).',
    );
  });

  it("stops the whole run at the run's timeoutMs", async () => {
    const graph = fanOut(async (_, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      return { results: "never" };
    });
    const error = await rejectionOf(graph.invoke({}, { timeoutMs: 20 }));
    expect(error.code).toBe("RUN_TIMEOUT");
  });
});

describe("retries", () => {
  it("retries until the 3rd attempt succeeds and reports each retry", async () => {
    const attempts: number[] = [];
    const graph = fanOut(
      async (_, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
        return { results: `ok on ${ctx.attempt}` };
      },
      { retry: { maxAttempts: 3, backoff: { initialMs: 1, jitter: false } } },
      1,
    );
    const { events, error } = await collect(graph.stream({}));
    expect(error).toBeUndefined();
    expect(attempts).toEqual([1, 2, 3]);
    const retries = events.filter((event) => event.type === "task:retry");
    expect(retries.map((event) => [event.attempt, (event.error as Error).message, event.delayMs])).toEqual([
      [1, "flaky 1", 1],
      [2, "flaky 2", 2],
    ]);
    expect(events.find((event) => event.type === "task:end")).toMatchObject({ attempts: 3 });
    expect(events.at(-1)).toMatchObject({ type: "run:end", state: { results: ["ok on 3"] } });
  });

  it("gives up after maxAttempts and names the attempt in the error", async () => {
    let calls = 0;
    const graph = fanOut(
      async () => {
        calls++;
        throw new Error("API timeout");
      },
      { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      1,
    );
    const error = await rejectionOf(graph.invoke({}));
    expect(calls).toBe(2);
    expect(error.message).toBe('Node "worker" (Send #0) failed in step 1 (attempt 2): API timeout');
    expect(error.details.failures[0]).toMatchObject({ node: "worker", sendIndex: 0, attempts: 2, step: 1 });
  });

  it("does not retry errors that retryOn rejects", async () => {
    let calls = 0;
    const graph = fanOut(
      async () => {
        calls++;
        throw new TypeError("bug");
      },
      { retry: { maxAttempts: 5, retryOn: (error) => !(error instanceof TypeError) } },
      1,
    );
    await rejectionOf(graph.invoke({}));
    expect(calls).toBe(1);
  });

  it("fails the task with the error of a retryOn that throws, and keeps its siblings' work", async () => {
    const graph = fanOut(
      async ({ i }) => {
        if (i === 1) throw new Error("boom");
        return { results: `r${i}` };
      },
      {
        retry: {
          maxAttempts: 3,
          retryOn: () => {
            throw new Error("retryOn is broken");
          },
        },
        onError: "continue",
      },
      3,
    );

    const result = await graph.run({});

    expect(result.state.results).toEqual(["r0", "r2"]);
    expect(result.failures).toMatchObject([{ node: "worker", sendIndex: 1, attempts: 1, error: { message: "retryOn is broken" } }]);
  });
});

describe("concurrency caps", () => {
  it("never runs more than `concurrency` tasks of a node at once, and keeps Send order", async () => {
    let inFlight = 0;
    let peak = 0;
    const graph = fanOut(
      async ({ i }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep((10 - i) % 4);
        inFlight--;
        return { results: `r${i}` };
      },
      { concurrency: 2 },
      10,
    );
    const { events } = await collect(graph.stream({}));
    expect(peak).toBe(2);
    expect(events.filter((event) => event.type === "task:queued")).toHaveLength(8);
    expect(events.at(-1)).toMatchObject({ state: { results: Array.from({ length: 10 }, (_, i) => `r${i}`) } });
  });

  it("caps the whole run with maxConcurrency, serving waiting tasks in order", async () => {
    const started: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const graph = fanOut(
      async ({ i }) => {
        started.push(i);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(2);
        inFlight--;
        return { results: `r${i}` };
      },
      {},
      12,
    );
    const state = await graph.invoke({}, { maxConcurrency: 3 });
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(state.results).toHaveLength(12);
  });

  it("lets waiting tasks wait without an abort listener each: the step's signal keeps a few", async () => {
    let mostListeners = 0;
    const graph = fanOut(
      async (_, ctx) => {
        mostListeners = Math.max(mostListeners, getEventListeners(ctx.signal, "abort").length);
        await sleep(0);
        return { results: "r" };
      },
      { concurrency: 2 },
      500,
    );
    const state = await graph.invoke({}, { maxConcurrency: 3 });
    expect(state.results).toHaveLength(500);
    // Two caps and 498 waiting tasks: a listener per waiting task would make hundreds.
    expect(mostListeners).toBeLessThan(5);
    // A hang guard: five hundred tasks, each a timer apart, take seconds on a busy machine.
  }, 30_000);

  it("hands freed slots to synchronous tasks in a loop, not a recursion, however many wait", async () => {
    const count = 50_000;
    const graph = fanOut(
      (({ i }: { i: number }) => (i === 0 ? sleep(1).then(() => ({ results: "0" })) : { results: String(i) })) as never,
      { concurrency: 1 },
      count,
    );
    const state = await graph.invoke({});
    expect(state.results).toHaveLength(count);
    expect(state.results[count - 1]).toBe(String(count - 1));
    // A hang guard: fifty thousand tasks take seconds on a busy machine.
  }, 30_000);

  it("serves two caps in order: a node's slot first, then the run's", async () => {
    const started: string[] = [];
    const State2 = z.object({ results: appendList(z.string()) });
    const work =
      (name: string) =>
      async ({ i }: { i: number }) => {
        started.push(`${name}${i}`);
        await sleep(1);
        return { results: `${name}${i}` };
      };
    const graph = new StateGraph(State2)
      .addNode("a", work("a"), { input: Item, concurrency: 1 })
      .addNode("b", work("b"), { input: Item })
      .addConditionalEdges(START, () => [0, 1, 2].flatMap((i) => [new Send("a", { i }), new Send("b", { i })]))
      .addEdge("a", END)
      .addEdge("b", END)
      .compile();
    const state = await graph.invoke({}, { maxConcurrency: 2 });
    expect(state.results).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
    // a0 and b0 take the run's two slots. a1 gets a's slot when a0 ends, then waits for a run
    // slot behind b2, which asked for one first; a2 waits for a's slot until a1 ends.
    expect(started).toEqual(["a0", "b0", "b1", "b2", "a1", "a2"]);
  });
});

describe("a ConcurrencyLimit shared across runs and nodes", () => {
  /** Counts tasks in flight across everything that calls it. */
  function tracker() {
    const seen = { inFlight: 0, peak: 0 };
    const work = async (label: string, ms: number): Promise<string> => {
      seen.peak = Math.max(seen.peak, ++seen.inFlight);
      await sleep(ms);
      seen.inFlight--;
      return label;
    };
    return { seen, work };
  }

  it("caps two runs of one graph together, each run's results still in Send order", async () => {
    const modelCalls = new ConcurrencyLimit(2);
    const { seen, work } = tracker();
    const graph = fanOut(async ({ i }) => ({ results: await work(`r${i}`, 3) }), { concurrency: modelCalls }, 6);

    const [first, second] = await Promise.all([collect(graph.stream({})), collect(graph.stream({}))]);

    expect(seen.peak).toBe(2);
    const queued = [first, second].flatMap(({ events }) => events.filter((event) => event.type === "task:queued"));
    expect(queued.length).toBeGreaterThanOrEqual(10);
    for (const { events } of [first, second]) {
      expect(events.at(-1)).toMatchObject({ type: "run:end", state: { results: ["r0", "r1", "r2", "r3", "r4", "r5"] } });
    }
    expect([modelCalls.running, modelCalls.waiting]).toEqual([0, 0]);
  });

  it("caps different nodes of different graphs together", async () => {
    const modelCalls = new ConcurrencyLimit(3);
    const { seen, work } = tracker();
    const summaries = fanOut(async ({ i }) => ({ results: await work(`s${i}`, 2) }), { concurrency: modelCalls }, 5);
    const reviews = new StateGraph(State)
      .addNode("review", async ({ i }) => ({ results: await work(`v${i}`, 2) }), { input: Item, concurrency: modelCalls })
      .addNode("summarize", async () => ({ summary: await work("all", 2) }), { concurrency: modelCalls })
      .addConditionalEdges(START, () => Array.from({ length: 5 }, (_, i) => new Send("review", { i })))
      .addEdge("review", "summarize")
      .addEdge("summarize", END)
      .compile();

    const [a, b] = await Promise.all([summaries.invoke({}), reviews.invoke({})]);

    expect(seen.peak).toBe(3);
    expect(a.results).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(b).toMatchObject({ results: ["v0", "v1", "v2", "v3", "v4"], summary: "all" });
  });

  it("lets a number cap each run on its own: two runs at once get that many each", async () => {
    const { seen, work } = tracker();
    const graph = fanOut(async ({ i }) => ({ results: await work(`r${i}`, 3) }), { concurrency: 2 }, 6);

    await Promise.all([graph.invoke({}), graph.invoke({})]);

    expect(seen.peak).toBe(4);
  });

  it("takes the waiting tasks of a cancelled run out of the queue, and frees every slot", async () => {
    const modelCalls = new ConcurrencyLimit(1);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const graph = fanOut(
      async ({ i }) => {
        await gate;
        return { results: `r${i}` };
      },
      { concurrency: modelCalls },
      4,
    );
    const cancel = new AbortController();

    const cancelled = rejectionOf(graph.invoke({}, { signal: cancel.signal }));
    const other = graph.invoke({});
    while (modelCalls.waiting < 7) await sleep(1);
    cancel.abort();

    expect(modelCalls.waiting).toBe(4);
    open();
    expect((await cancelled).code).toBe("ABORTED");
    expect((await other).results).toEqual(["r0", "r1", "r2", "r3"]);
    expect([modelCalls.running, modelCalls.waiting]).toEqual([0, 0]);
  });

  it("needs a whole number of slots", () => {
    expect(() => new ConcurrencyLimit(0)).toThrow("ConcurrencyLimit: limit must be a whole number ≥ 1, got 0.");
    expect(() => new ConcurrencyLimit(1.5)).toThrow(GraphError);
  });
});

describe("run options are checked before anything runs", () => {
  const invalid: [string, Record<string, unknown>, string][] = [
    [
      "maxConcurrency: 0, which would leave every task waiting",
      { maxConcurrency: 0 },
      "Run option maxConcurrency must be a whole number ≥ 1, got 0.",
    ],
    ["a negative maxConcurrency", { maxConcurrency: -1 }, "Run option maxConcurrency must be a whole number ≥ 1, got -1."],
    ["a fractional maxConcurrency", { maxConcurrency: 1.5 }, "Run option maxConcurrency must be a whole number ≥ 1, got 1.5."],
    ["a maxConcurrency given as a string", { maxConcurrency: "2" }, 'Run option maxConcurrency must be a whole number ≥ 1, got "2".'],
    ["maxSteps: 0", { maxSteps: 0 }, "Run option maxSteps must be a whole number ≥ 1, got 0."],
    ["a run timeoutMs of 0", { timeoutMs: 0 }, "Run option timeoutMs must be a finite number of milliseconds > 0, got 0."],
    ["a NaN timeoutMs", { timeoutMs: Number.NaN }, "Run option timeoutMs must be a finite number of milliseconds > 0, got NaN."],
    [
      "a negative settleTimeoutMs",
      { settleTimeoutMs: -1 },
      "Run option settleTimeoutMs must be a finite number of milliseconds ≥ 0, got -1.",
    ],
    ["an empty threadId", { threadId: "" }, 'Run option threadId must be a non-empty string, got "".'],
    ["a threadId that is not a string", { threadId: 7 }, "Run option threadId must be a non-empty string, got 7."],
    ["a signal that is not an AbortSignal", { signal: { aborted: "no" } }, "Run option signal must be an AbortSignal, got an object."],
    [
      "an executor without runAttempt",
      { executor: {} },
      "Run option executor must be an Executor (an object with a runAttempt method), got an object.",
    ],
    [
      "a checkpointId without its threadId",
      { checkpointId: "000001-abc" },
      "Run option checkpointId names a checkpoint of a thread: give the threadId too.",
    ],
    [
      "an unknown ifBusy policy",
      { ifBusy: "wait" },
      'Run option ifBusy must be one of "reject", "enqueue", "interrupt", "rollback", got "wait".',
    ],
    [
      "an ifBusy that is not a string",
      { ifBusy: 1 },
      'Run option ifBusy must be one of "reject", "enqueue", "interrupt", "rollback", got 1.',
    ],
    ["a storeTimeoutMs of 0", { storeTimeoutMs: 0 }, "Run option storeTimeoutMs must be a finite number of milliseconds > 0, got 0."],
    [
      "an infinite storeTimeoutMs",
      { storeTimeoutMs: Infinity },
      "Run option storeTimeoutMs must be a finite number of milliseconds > 0, got Infinity.",
    ],
    ["a fractional leaseTtlMs", { leaseTtlMs: 0.5 }, "Run option leaseTtlMs must be a whole number ≥ 1, got 0.5."],
  ];
  for (const [what, options, message] of invalid) {
    it(`rejects ${what} with INVALID_OPTION, and runs no node`, async () => {
      let calls = 0;
      const graph = fanOut(async ({ i }) => {
        calls++;
        return { results: `r${i}` };
      });

      // As plain JavaScript would pass them: the types alone do not stop a 0 or a NaN.
      const error = await rejectionOf(graph.invoke({}, options as RunOptions));

      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toBe(message);
      expect(error.details).toMatchObject({ option: Object.keys(options)[0] });
      expect(calls).toBe(0);
    });
  }

  it("rejects them from stream too, before any event", async () => {
    const graph = fanOut(async ({ i }) => ({ results: `r${i}` }));

    const { events, error } = await collect(graph.stream({}, { maxConcurrency: 0 }));

    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "INVALID_OPTION" });
  });

  it("rejects an unknown run option, with LangGraph.js's name mapped to Weft's", async () => {
    const graph = fanOut(async ({ i }) => ({ results: `r${i}` }));

    const recursion = await rejectionOf(graph.invoke({}, { recursionLimit: 100 } as RunOptions));
    const typo = await rejectionOf(graph.invoke({}, { maxConcurency: 2 } as RunOptions));

    expect(recursion.message).toBe(`"recursionLimit" is not a run option. LangGraph.js's recursionLimit is Weft's maxSteps.`);
    expect(typo.message).toBe('"maxConcurency" is not a run option. Did you mean "maxConcurrency"?');
    expect((await rejectionOf(graph.invoke({}, { constructor: 1 } as RunOptions))).message).toBe('"constructor" is not a run option.');
    expect(typo.code).toBe("INVALID_OPTION");
  });

  it("checks a graph's default run options when it is compiled", () => {
    const builder = new StateGraph(State)
      .addNode("a", () => ({}))
      .addEdge(START, "a")
      .addEdge("a", END);

    expect(() => builder.compile({ defaults: { maxConcurrency: 0 } })).toThrow(
      "Run option maxConcurrency must be a whole number ≥ 1, got 0.",
    );
  });

  it("accepts the smallest valid values: settleTimeoutMs 0, maxSteps 1, maxConcurrency 1", async () => {
    const graph = fanOut(async ({ i }) => ({ results: `r${i}` }));

    await expect(graph.invoke({}, { settleTimeoutMs: 0, maxSteps: 1, maxConcurrency: 1, timeoutMs: 1000 })).resolves.toMatchObject({
      results: ["r0", "r1", "r2"],
    });
  });
});

describe("failure policies", () => {
  it("fail-fast: the first failure aborts a slow sibling through its signal and fails the run", async () => {
    let siblingAborted = false;
    const graph = new StateGraph(State)
      .addNode("broken", async () => {
        await sleep(5);
        throw new Error("boom");
      })
      .addNode("slow", async (_, ctx) => {
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            siblingAborted = true;
            resolve();
          });
        });
        return {};
      })
      .addNode("done", async () => ({ results: "done" }))
      .addEdge(START, "broken")
      .addEdge(START, "slow")
      .addEdge(START, "done")
      .addEdge("broken", END)
      .addEdge("slow", END)
      .addEdge("done", END)
      .compile();

    const { events, error } = await collect(graph.stream({}));
    expect(siblingAborted).toBe(true);
    expect(error).toMatchObject({ code: "TASK_FAILED", details: { step: 1 } });
    expect((error as Error).message).toBe('Node "broken" failed in step 1 (attempt 1): boom');
    // The finished sibling's work is not thrown away: it is in the error for a resume.
    expect((error as { details: { finished: unknown[] } }).details.finished).toEqual([
      { taskId: "1:2", node: "done", step: 1, sendIndex: undefined, update: { results: ["done"] } },
    ]);
    expect(events.filter((event) => event.type === "task:cancelled").map((event) => event.node)).toEqual(["slow"]);
  });

  for (const failure of ["synchronously", "after an await"] as const) {
    it(`fail-fast: a sibling that ignores its signal is given settleTimeoutMs, then left behind (failure ${failure})`, async () => {
      const graph = new StateGraph(State)
        .addNode("stuck", () => new Promise<{ results: string }>(() => {}))
        .addNode(
          "broken",
          failure === "synchronously"
            ? () => {
                throw new Error("boom");
              }
            : async () => {
                await sleep(5);
                throw new Error("boom");
              },
        )
        .addEdge(START, "stuck")
        .addEdge(START, "broken")
        .addEdge("stuck", END)
        .addEdge("broken", END)
        .compile();

      const { events, error } = await collect(graph.stream({}, { settleTimeoutMs: 20 }));
      expect(error).toMatchObject({ code: "TASK_FAILED", message: 'Node "broken" failed in step 1 (attempt 1): boom' });
      // The stuck task never ended; the run stopped waiting for it and says so.
      expect(
        events.filter((event) => "node" in event && event.type.startsWith("task:") && event.node === "stuck").map((event) => event.type),
      ).toEqual(["task:start", "task:cancelled"]);
    });
  }

  it("reports several failures of one step together, and not the siblings it cancelled", async () => {
    const graph = fanOut(
      async ({ i }, ctx) => {
        if (i === 3) {
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          throw new DOMException("The operation was aborted.", "AbortError");
        }
        await sleep(5);
        throw new Error(`bad ${i}`);
      },
      {},
      4,
    );
    const error = await rejectionOf(graph.invoke({}));
    expect(error.message).toBe(
      '3 tasks failed in step 1: "worker" (Send #0) (attempt 1): bad 0; "worker" (Send #1) (attempt 1): bad 1; "worker" (Send #2) (attempt 1): bad 2',
    );
    expect(error.details.failures.map((f: { sendIndex: number }) => f.sendIndex)).toEqual([0, 1, 2]);
  });

  it("starts every task of a step before a failure cancels the rest, even when nodes throw at once", async () => {
    const started: string[] = [];
    const State2 = z.object({ done: appendList(z.string()) });
    const graph = new StateGraph(State2)
      .addNode("a", () => {
        started.push("a");
        throw new Error("a broke");
      })
      .addNode("b", () => {
        started.push("b");
        throw new Error("b broke");
      })
      .addNode("c", () => {
        started.push("c");
        return { done: "c" };
      })
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge(START, "c")
      .addEdge("a", END)
      .addEdge("b", END)
      .addEdge("c", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(started).toEqual(["a", "b", "c"]);
    expect(error.message).toBe('2 tasks failed in step 1: "a" (attempt 1): a broke; "b" (attempt 1): b broke');
    expect(error.details.finished).toEqual([{ taskId: "1:2", node: "c", step: 1, sendIndex: undefined, update: { done: ["c"] } }]);
  });

  it("best-effort: 1/3 tasks failed, got 2 successful results", async () => {
    const graph = new StateGraph(State)
      .addNode(
        "task",
        async ({ i }) => {
          await sleep(5);
          if (i === 1) throw new Error("API timeout");
          return { results: `city ${i}` };
        },
        { input: Item, onError: "continue" },
      )
      .addNode("aggregate", (s) => ({ summary: `Got ${s.results.length} successful results` }))
      .addConditionalEdges(START, () => [0, 1, 2].map((i) => new Send("task", { i })))
      .addEdge("task", "aggregate")
      .addEdge("aggregate", END)
      .compile();

    const { events } = await collect(graph.stream({}));
    const end = events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
    const lines = [
      ...end.failures.map((f) => `Task ${f.sendIndex} failed: ${(f.error as Error).message}`),
      `${end.failures.length}/3 tasks failed`,
      end.state.summary,
    ];
    expect(lines).toEqual(["Task 1 failed: API timeout", "1/3 tasks failed", "Got 2 successful results"]);
    expect(end.state.results).toEqual(["city 0", "city 2"]);
    expect(events.filter((event) => event.type === "task:error")).toMatchObject([{ node: "task", sendIndex: 1, policy: "continue" }]);
  });

  it("a handler turns an error into a state value", async () => {
    const graph = fanOut(
      async ({ i }) => {
        if (i === 2) throw new Error("quota exceeded");
        return { results: `ok ${i}` };
      },
      { onError: (error, input) => ({ results: `failed ${input.i}: ${(error as Error).message}` }) },
    );
    const result = await graph.run({});
    expect(result.state.results).toEqual(["ok 0", "ok 1", "failed 2: quota exceeded"]);
    expect(result.failures).toMatchObject([{ node: "worker", sendIndex: 2, policy: "handler" }]);
  });
});

describe("mixed policies", () => {
  it("lists a best-effort sibling's failure in the fail-fast error's details too", async () => {
    const graph = new StateGraph(State)
      .addNode(
        "optional",
        async () => {
          throw new Error("optional source down");
        },
        { onError: "continue" },
      )
      .addNode("required", async () => {
        await sleep(5);
        throw new Error("required source down");
      })
      .addEdge(START, "optional")
      .addEdge(START, "required")
      .addEdge("optional", END)
      .addEdge("required", END)
      .compile();
    const error = await rejectionOf(graph.invoke({}));
    expect(error.message).toBe('Node "required" failed in step 1 (attempt 1): required source down');
    expect(error.details.failures.map((f: { node: string; policy: string }) => [f.node, f.policy])).toEqual([
      ["required", "fail"],
      ["optional", "continue"],
    ]);
  });
});

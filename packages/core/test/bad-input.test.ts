import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  appendList,
  END,
  GraphError,
  isGraphError,
  MemoryCheckpointer,
  reducer,
  Send,
  START,
  StateGraph,
  type RunOptions,
} from "../src/index.js";
import { rejectionOf } from "./helpers.js";

/** Plain JavaScript, where the types do not reach. */
const loose = <T>(value: unknown): T => value as T;

/** What a call threw, which must be a GraphError. */
function thrown(call: () => unknown): GraphError {
  try {
    call();
  } catch (error) {
    if (isGraphError(error)) return error;
    throw new Error(`expected a GraphError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the call to throw");
}

interface LooseGraph {
  invoke(input: unknown, options?: RunOptions): Promise<Record<string, any>>;
}

/** A graph START → a → END over `state`, typed loosely: these tests feed it what the types refuse. */
const oneNode = (state: z.ZodObject, fn: (state: never) => unknown): { compile(options?: unknown): LooseGraph } =>
  loose(new StateGraph(state).addNode("a", loose<never>(fn)).addEdge(START, "a").addEdge("a", END));

describe("a reducer always receives a real current value", () => {
  it("refuses at compile a reducer without an initial value, naming the key", () => {
    const State = z.object({ total: loose<(...args: unknown[]) => z.ZodNumber>(reducer)(z.number(), (a: number, b: number) => a + b) });
    const error = thrown(() => oneNode(State, () => ({ total: 1 })).compile());

    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.message).toContain('Key "total" of graph "graph" has a reducer without an initial value');
    expect(error.details).toEqual({ key: "total", graph: "graph" });
  });

  it("refuses at compile an initial value the key's schema rejects", () => {
    const State = z.object({ total: reducer(z.number(), (a, b: number) => a + b, loose<number>("zero")) });
    const error = thrown(() => oneNode(State, () => ({ total: 1 })).compile());

    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.message).toMatch(/^Key "total" of graph "graph" has a reducer whose initial value its schema rejects/);
  });

  it("checks an initial value made by a function when the run starts", async () => {
    const State = z.object({
      total: reducer(
        z.number(),
        (a, b: number) => a + b,
        () => loose<number>(undefined),
      ),
    });
    const error = await rejectionOf(
      oneNode(State, () => ({ total: 1 }))
        .compile()
        .invoke({}),
    );

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toMatch(/^The reducer of key "total" made an initial value its schema rejects/);
  });
});

describe("a reducer's result is validated against its key's schema", () => {
  const State = z.object({ total: reducer(z.number(), (a, b: number) => a + b, 0) });

  it("refuses a result outside the schema, naming the key and the writer, and stores nothing", async () => {
    const graph = oneNode(State, () => ({ total: "7" })).compile();
    const error = await rejectionOf(graph.invoke({}));

    expect(error.code).toBe("INVALID_UPDATE");
    expect(error.message).toMatch(/^The reducer of key "total" returned a value its schema rejects on the update from "a" in step 1: /);
    expect(error.details).toMatchObject({ key: "total", writer: "a", step: 1 });
  });

  it("refuses a run input that the reducer folds into a value outside the schema", async () => {
    const graph = oneNode(State, () => undefined).compile();
    const error = await rejectionOf(graph.invoke(loose({ total: "7" })));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toMatch(/^The reducer of key "total" returned a value its schema rejects on the run input: /);
    expect(await graph.invoke({ total: 7 })).toEqual({ total: 7 });
  });

  it("keeps an append list's items validated once each, as written", async () => {
    const List = z.object({ items: appendList(z.number()) });
    const graph = oneNode(List, () => ({ items: [1, 2] })).compile();
    expect(await graph.invoke({ items: 0 })).toEqual({ items: [0, 1, 2] });
    const error = await rejectionOf(
      oneNode(List, () => ({ items: ["x"] }))
        .compile()
        .invoke({}),
    );
    expect((error.cause as GraphError).message).toMatch(/^Node "a" wrote an invalid value to key "items"/);
  });
});

const hostile: [string, () => unknown][] = [
  ["an object without a prototype", () => Object.create(null)],
  [
    "an object whose toString throws",
    () => ({
      toString: () => {
        throw new Error("no text");
      },
    }),
  ],
  [
    "an Error whose message getter throws",
    () =>
      Object.defineProperty(new Error(), "message", {
        get: () => {
          throw new Error("no");
        },
      }),
  ],
  ["a Symbol", () => Symbol("bad")],
  [
    "a revoked Proxy",
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
  ],
];

describe("a reducer that throws anything keeps its key and writer", () => {
  for (const [what, make] of hostile) {
    it(`describes ${what} safely and keeps it as the cause`, async () => {
      const value = make();
      const State = z.object({
        n: reducer(
          z.number(),
          () => {
            throw value;
          },
          0,
        ),
      });
      const error = await rejectionOf(
        oneNode(State, () => ({ n: 1 }))
          .compile()
          .invoke({}),
      );

      const cause = error.code === "TASK_FAILED" ? (error.cause as GraphError) : error;
      expect(cause.code).toBe("INVALID_UPDATE");
      expect(cause.message).toMatch(/^The reducer of key "n" threw on the update from "a" in step 1: /);
      expect(cause.cause).toBe(value);
    });
  }
});

describe("builder input from plain JavaScript gets a typed error", () => {
  const State = z.object({ n: z.number() });

  it("refuses a state schema that is not a z.object()", () => {
    const error = thrown(() => new StateGraph(loose<never>(z.string())));
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.message).toMatch(/^The state of a StateGraph must be a z\.object\(\) schema, got a Zod/);
  });

  it("refuses null options and a name that is not a string", () => {
    expect(thrown(() => new StateGraph(State, loose(null))).message).toBe("new StateGraph() options must be an object, got null.");
    const named = thrown(() => new StateGraph(State, loose({ name: 42 })));
    expect(named.message).toBe("new StateGraph() option name must be a non-empty string, got 42.");
    expect(named.details).toMatchObject({ option: "name", value: 42 });
  });

  it("refuses router targets that are neither names nor a path map", () => {
    const builder = new StateGraph(State).addNode("a", () => undefined).addEdge(START, "a");
    for (const targets of [null, 42, ["b", 7], { go: 3 }]) {
      const error = thrown(() => builder.addConditionalEdges("a", () => END, loose(targets)));
      expect(error.code).toBe("INVALID_ROUTE");
      expect(error.message).toMatch(/^The targets of the router of "a" must be an array of node names or a path map/);
    }
  });

  it('reads only a path map\'s own keys: a router returning "toString" is not in it', async () => {
    const graph = new StateGraph(State)
      .addNode("a", () => undefined)
      .addNode("b", () => undefined)
      .addEdge(START, "a")
      .addConditionalEdges("a", () => loose<"next">("toString"), { next: "b", done: END })
      .addEdge("b", END)
      .compile();
    const error = await rejectionOf(graph.invoke({ n: 1 }));
    const cause = error.code === "TASK_FAILED" ? (error.cause as GraphError) : error;
    expect(cause.code).toBe("INVALID_ROUTE");
    expect(cause.message).toBe('Router of "a" returned "toString", which is not a key of its path map.');
  });

  it("refuses compile defaults that are not an object, naming the option", () => {
    const builder = new StateGraph(State)
      .addNode("a", () => undefined)
      .addEdge(START, "a")
      .addEdge("a", END);
    const error = thrown(() => builder.compile(loose({ defaults: "x" })));
    expect(error.message).toBe('compile() option defaults must be an object of run options, got "x".');
    expect(thrown(() => builder.compile(loose({ defaults: { maxSteps: 0 } }))).message).toBe(
      "Run option maxSteps must be a whole number ≥ 1, got 0.",
    );
    expect(thrown(() => builder.compile(loose("x"))).message).toBe('compile() options must be an object, got "x".');
  });
});

describe("option values that throw when inspected", () => {
  const revoked = (): unknown => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  it("are refused as the option's wrong value, naming the option", async () => {
    const State = z.object({ n: z.number() });
    for (const option of ["concurrency", "ends", "input", "retry"]) {
      const error = thrown(() => new StateGraph(State).addNode("a", () => undefined, loose<never>({ [option]: revoked() })));
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toMatch(new RegExp(`^Node "a": ${option} must be .*, got an object\\.$`));
    }
    const graph = oneNode(State, () => undefined).compile();
    for (const option of ["signal", "executor"]) {
      const error = await rejectionOf(graph.invoke({ n: 1 }, loose({ [option]: revoked() })));
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toMatch(new RegExp(`^Run option ${option} must be an? (AbortSignal|Executor)`));
    }
  });
});

describe("a signal-like object", () => {
  const graph = oneNode(z.object({ n: z.number() }), () => ({ n: 2 })).compile();
  const like = (extra: object) => ({ aborted: false, addEventListener: () => undefined, ...extra });

  it("without removeEventListener is refused before the run, not after it succeeded", async () => {
    const error = await rejectionOf(graph.invoke({ n: 1 }, { signal: loose(like({})) }));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toBe("Run option signal must be an AbortSignal, got an object.");
  });

  it("whose removeEventListener throws does not fail a finished run", async () => {
    const signal = like({
      removeEventListener: () => {
        throw new Error("gone");
      },
    });
    expect(await graph.invoke({ n: 1 }, { signal: loose(signal) })).toEqual({ n: 2 });
  });

  it("whose addEventListener throws is an INVALID_OPTION with the error as its cause", async () => {
    const boom = new Error("no listeners");
    const signal = like({
      addEventListener: () => {
        throw boom;
      },
      removeEventListener: () => undefined,
    });
    const error = await rejectionOf(graph.invoke({ n: 1 }, { signal: loose(signal) }));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.cause).toBe(boom);
  });
});

describe("values that cannot be state", () => {
  const State = z.object({ n: z.number().optional(), note: z.string().optional() });
  class Update {
    n = 1;
  }
  const refused: [string, () => unknown, string][] = [
    ["a Map", () => new Map([["n", 1]]), "a Map"],
    ["a Set", () => new Set([1]), "a Set"],
    ["a Date", () => new Date(0), "a Date"],
    ["a class instance", () => new Update(), "an Update instance"],
    ["an object with a prototype of its own", () => Object.create({ n: 1 }), "an object that inherits from another object"],
  ];
  for (const [what, make, kind] of refused) {
    it(`refuses ${what} returned as an update, naming the node`, async () => {
      const error = await rejectionOf(oneNode(State, make).compile().invoke({}));
      const cause = error.cause as GraphError;
      expect(cause.code).toBe("INVALID_UPDATE");
      expect(cause.message).toBe(`Node "a" returned ${kind}; a node returns an update object, a Command, a recipe function or nothing.`);
      expect(cause.details).toEqual({ node: "a", kind });
    });
  }

  it("refuses a Map given as the run input", async () => {
    const error = await rejectionOf(
      oneNode(State, () => undefined)
        .compile()
        .invoke(loose(new Map())),
    );
    expect(error.message).toBe("Run input must be an object of state keys, got a Map.");
  });

  it("reads only own keys: an enumerable key on Object.prototype is no part of an update", async () => {
    const graph = oneNode(State, () => ({ n: 1 })).compile();
    Object.defineProperty(Object.prototype, "injected", { value: "x", enumerable: true, configurable: true, writable: true });
    try {
      const state = await graph.invoke({});
      expect(state.n).toBe(1);
      expect(Object.hasOwn(state, "injected")).toBe(false);
    } finally {
      delete (Object.prototype as { injected?: unknown }).injected;
    }
  });

  it("lets the key's schema decide the values inside an update", async () => {
    const Loose = z.object({ index: z.map(z.string(), z.number()).optional() });
    const graph = oneNode(Loose, () => ({ index: new Map([["a", 1]]) })).compile();
    expect((await graph.invoke({})).index).toEqual(new Map([["a", 1]]));
  });
});

describe("GraphError details are typed by code", () => {
  it("narrows details when the code is checked", async () => {
    const error = await rejectionOf(
      oneNode(z.object({ n: z.number() }), () => {
        throw new Error("down");
      })
        .compile()
        .invoke({ n: 1 }),
    );
    if (!isGraphError(error) || error.code !== "TASK_FAILED") throw new Error("expected TASK_FAILED");
    // Type-checked: `failures` is known on TASK_FAILED's details.
    expect(error.details.failures.map((failure) => failure.node)).toEqual(["a"]);
    expect(error instanceof GraphError).toBe(true);
  });
});

describe("a node or router that throws anything keeps its node", () => {
  const State = z.object({ n: z.number() });
  for (const [what, make] of hostile) {
    for (const durable of [false, true]) {
      it(`names the node that threw ${what}${durable ? ", in a durable run" : ""}`, async () => {
        const value = make();
        const graph = oneNode(State, () => {
          throw value;
        }).compile(durable ? { checkpointer: new MemoryCheckpointer() } : {});
        const error = await rejectionOf(graph.invoke({ n: 1 }, durable ? { threadId: "t" } : {}));

        expect(error.code).toBe("TASK_FAILED");
        expect(error.message).toMatch(/^Node "a" failed in step 1 \(attempt 1\): /);
        expect(error.cause).toBe(value);
        expect(error.details.failures[0].error).toBe(value);
      });
    }

    it(`names the node whose router threw ${what}`, async () => {
      const value = make();
      const graph = new StateGraph(State)
        .addNode("a", () => undefined)
        .addEdge(START, "a")
        .addConditionalEdges("a", () => {
          throw value;
        }, [END])
        .compile();
      const error = await rejectionOf(graph.invoke({ n: 1 }));

      expect(error.code).toBe("TASK_FAILED");
      expect(error.message).toMatch(/^Node "a" failed in step 1/);
      expect(error.cause).toBe(value);
    });
  }
});

describe("run and thread calls from plain JavaScript get a typed error", () => {
  const graph = oneNode(z.object({ n: z.number() }), () => ({ n: 2 })).compile({ checkpointer: new MemoryCheckpointer() });

  it("stream() with a signal that is no AbortSignal fails its iteration with INVALID_OPTION", async () => {
    const stream = (graph as unknown as { stream: (input: unknown, options: unknown) => AsyncIterable<unknown> }).stream(
      { n: 1 },
      { signal: {} },
    );
    const error = await rejectionOf(
      (async () => {
        for await (const _ of stream);
      })(),
    );
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toBe("Run option signal must be an AbortSignal, got an object.");
  });

  it('run options that are not an object are refused as such, not read as keys "0", "1"', async () => {
    const error = await rejectionOf(graph.invoke({ n: 1 }, loose("ab")));
    expect(error.message).toBe('Run options must be an object, got "ab".');
  });

  it("getState, getHistory and updateState refuse a thread id that is not a non-empty string", async () => {
    const threads = graph as unknown as Record<"getState" | "getHistory" | "updateState", (...args: unknown[]) => Promise<unknown>>;
    for (const call of [() => threads.getState(42), () => threads.getHistory(null), () => threads.updateState({}, { n: 1 })]) {
      const error = await rejectionOf(call());
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toMatch(/^Run option threadId must be a non-empty string, got /);
    }
  });
});

describe("a durable run names what a checkpoint cannot store", () => {
  const State = z.object({ n: z.number().optional(), when: z.any().optional() });
  const sending = (payload: unknown) =>
    new StateGraph(State)
      .addNode("plan", () => undefined)
      .addNode("work", () => ({ n: 1 }), { input: z.object({}).passthrough() })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => new Send("work", loose(payload)))
      .addEdge("work", END)
      .compile({ checkpointer: new MemoryCheckpointer() });

  it("an unstorable Send payload names the sending node, the target and the path", async () => {
    const error = await rejectionOf(sending({ deep: { fn: () => 1 } }).invoke({}, { threadId: "s" }));
    expect(error.code).toBe("INVALID_UPDATE");
    expect(error.message).toMatch(/^Node "plan" sent "work" an input a checkpoint cannot store: input\.deep\.fn is a function/);
    expect(error.details).toMatchObject({ node: "plan", target: "work", path: "input.deep.fn" });
  });

  it("an Invalid Date in a Send payload or an update names the node and the path", async () => {
    const sent = await rejectionOf(sending({ at: new Date(Number.NaN) }).invoke({}, { threadId: "d" }));
    expect(sent.message).toMatch(/^Node "plan" sent "work" an input a checkpoint cannot store: input\.at is an Invalid Date/);
    const graph = oneNode(State, () => ({ when: new Date(Number.NaN) })).compile({ checkpointer: new MemoryCheckpointer() });
    const written = await rejectionOf(graph.invoke({}, { threadId: "w" }));
    expect(written.code).toBe("INVALID_UPDATE");
    expect(written.message).toMatch(/^Node "a" wrote a value a checkpoint cannot store: when is an Invalid Date/);
    expect(written.details).toMatchObject({ node: "a", key: "when" });
  });
});

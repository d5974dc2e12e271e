/**
 * Fuzzes the public API with wrong types, odd values and callbacks that throw anything: the
 * builder, compile and run options, node returns, reducers, routers, Send payloads and thrown
 * values. Every case must end, within a bound, in a valid state or a GraphError whose message
 * names the node, key or option at fault; never a raw TypeError or RangeError, a hang, an
 * unhandled rejection, or a state outside its schema.
 *
 * `pnpm test` runs a small fixed-seed sample. For a larger run with a fresh seed:
 *
 *     WEFT_FUZZ_RUNS=5000 pnpm --filter @weft/core exec vitest run test/bad-input.fuzz.test.ts
 *
 * (set WEFT_FUZZ_SEED too, to replay the seed a failure reports).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, isGraphError, MemoryCheckpointer, reducer, Send, START, StateGraph } from "../src/index.js";

const RUNS = Number(process.env.WEFT_FUZZ_RUNS ?? 500);
const SEED = Number(process.env.WEFT_FUZZ_SEED ?? (process.env.WEFT_FUZZ_RUNS === undefined ? 1414 : Date.now() % 1e9));
/** A case that has not settled by then hangs. Generous: the machine may be loaded. */
const CASE_BOUND_MS = 5_000;

class Opaque {
  readonly secret = 1;
}

/** Values nobody should throw or return, and do. */
const hostile = fc.constantFrom<() => unknown>(
  () => Object.create(null),
  () => ({
    toString: () => {
      throw new Error("no text");
    },
  }),
  () =>
    Object.defineProperty(new Error(), "message", {
      get: () => {
        throw new Error("no message");
      },
    }),
  () => Symbol("thrown"),
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  () => new Map([["n", 1]]),
  () => new Set([1]),
  () => new Date(Number.NaN),
  () => new Opaque(),
  () => Object.create({ n: 1 }),
  () => new RangeError("range"),
  () => undefined,
);

/**
 * A hostile value is made only when the case plays (fast-check cannot hold a revoked Proxy),
 * and made afresh each time, as a shrunk case replays.
 */
class Maker {
  readonly make: () => unknown;
  constructor(make: () => unknown) {
    this.make = make;
  }
}

/** The value itself, or what its {@link Maker} makes, also inside plain objects and arrays. */
function real(value: unknown, depth = 0): unknown {
  if (value instanceof Maker) return value.make();
  if (depth > 3 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => real(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out = Object.create(proto) as Record<string, unknown>;
  for (const key of Object.keys(value)) out[key] = real((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

const anyValue = fc.oneof(
  fc.anything(),
  hostile.map((make) => new Maker(make)),
  fc.constantFrom(Number.NaN, -1, 0, 1.5, 1e12, "", "x"),
);

const State = z.object({
  n: z.number().optional(),
  items: appendList(z.string()),
  total: reducer(z.number(), (a, b: number) => a + b, 0),
});
const Item = z.object({ x: z.number() });

/** One case: what the graph is built with and what each callback does. */
const cases = fc.record({
  graphOptions: fc.option(fc.oneof(fc.record({ name: anyValue }, { requiredKeys: [] }), anyValue), { nil: undefined, freq: 6 }),
  nodeName: fc.oneof({ arbitrary: fc.constant("a"), weight: 8 }, fc.constantFrom("", "__x", START, END, "b"), anyValue),
  nodeOptions: fc.option(
    fc.oneof(
      fc.record(
        {
          timeoutMs: anyValue,
          retry: fc.oneof(anyValue, fc.record({ maxAttempts: anyValue, backoff: anyValue, retryOn: anyValue }, { requiredKeys: [] })),
          concurrency: anyValue,
          onError: fc.oneof(anyValue, fc.constantFrom("fail", "continue", "contine")),
          defer: anyValue,
          ends: anyValue,
          retryPolicy: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    { nil: undefined, freq: 6 },
  ),
  targets: fc.option(fc.oneof(anyValue, fc.constant(["b", END]), fc.constant({ go: "b", stop: END })), { nil: undefined, freq: 4 }),
  compileOptions: fc.option(
    fc.oneof(
      fc.record(
        {
          defaults: fc.oneof(anyValue, fc.record({ maxSteps: anyValue }, { requiredKeys: [] })),
          snapshotEvery: anyValue,
          interruptBefore: anyValue,
          checkpointr: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    { nil: undefined, freq: 6 },
  ),
  runOptions: fc.option(
    fc.oneof(
      fc.record(
        {
          maxSteps: anyValue,
          maxConcurrency: anyValue,
          timeoutMs: anyValue,
          signal: anyValue,
          threadId: anyValue,
          recursionLimit: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    { nil: undefined, freq: 6 },
  ),
  durable: fc.boolean(),
  input: fc.oneof(
    { arbitrary: fc.constant({}), weight: 3 },
    fc.record({ n: anyValue, items: anyValue, total: anyValue }, { requiredKeys: [] }),
    anyValue,
  ),
  nodeReturns: fc.oneof(
    anyValue,
    fc.record({ n: anyValue, items: anyValue, total: anyValue, other: anyValue }, { requiredKeys: [] }),
    anyValue.map((update) => new Maker(() => new Command({ update: real(update) as never, goto: "b" }))),
  ),
  nodeThrows: fc.option(anyValue, { nil: undefined, freq: 3 }),
  reducerThrows: fc.option(anyValue, { nil: undefined, freq: 3 }),
  route: fc.oneof(
    fc.constantFrom<unknown>("b", END, "toString", "go", "stop", "nowhere", ["b", "b"]),
    anyValue,
    anyValue.map((payload) => new Maker(() => new Send("b", real(payload)))),
  ),
  routerThrows: fc.option(anyValue, { nil: undefined, freq: 4 }),
});

type Case = typeof cases extends fc.Arbitrary<infer C> ? C : never;

/** Names a message may use to point at the fault: nodes, keys, options, the graph's own words. */
function namesOf(c: Case): string[] {
  // "toString" is the key of a hostile object, made only when the case plays.
  const names = [
    '"toString"',
    '"a"',
    '"b"',
    '"n"',
    '"items"',
    '"total"',
    "node name",
    "Run input",
    "Run options",
    "compile() options",
    "new StateGraph() options",
  ];
  if (typeof c.nodeName === "string") names.push(`"${c.nodeName}"`);
  // A durable case runs with a threadId of its own.
  if (c.durable) names.push(" threadId ");
  const optionNames = (options: unknown, depth: number): void => {
    if (!isRecord(options) || depth > 2) return;
    for (const key of Object.keys(options)) {
      names.push(`"${key}"`, ` ${key} `, `.${key} `);
      optionNames(options[key], depth + 1);
    }
  };
  for (const options of [c.nodeOptions, c.compileOptions, c.runOptions, c.graphOptions]) optionNames(options, 0);
  return names;
}

/** Builds and runs one case; resolves with the run's state or rejects with what it threw. */
async function play(c: Case): Promise<unknown> {
  const Reduced = z.object({
    ...State.shape,
    total: reducer(
      z.number(),
      (a, b: number) => {
        if (c.reducerThrows !== undefined) throw real(c.reducerThrows);
        return a + b;
      },
      0,
    ),
  });
  let builder: any = new StateGraph(Reduced, real(c.graphOptions) as never);
  builder = builder.addNode(
    real(c.nodeName),
    () => {
      if (c.nodeThrows !== undefined) throw real(c.nodeThrows);
      return real(c.nodeReturns);
    },
    real(c.nodeOptions),
  );
  builder = builder.addNode("b", (input: { x: number }) => ({ n: input.x }), { input: Item });
  builder = builder.addEdge(START, c.nodeName).addEdge("b", END);
  builder = builder.addConditionalEdges(
    c.nodeName,
    () => {
      if (c.routerThrows !== undefined) throw real(c.routerThrows);
      return real(c.route);
    },
    real(c.targets),
  );
  const compiled = real(c.compileOptions);
  const compileOptions =
    c.durable && (compiled === undefined || isRecord(compiled)) ? { ...compiled, checkpointer: new MemoryCheckpointer() } : compiled;
  const graph = builder.compile(compileOptions);
  const run = real(c.runOptions);
  const runOptions = c.durable && (run === undefined || isRecord(run)) ? { threadId: "fuzz", ...run } : run;
  return graph.invoke(real(c.input), runOptions);
}

/** A plain object of options, which a durable case adds its checkpointer or thread to. */
function isRecord(value: unknown): value is Record<string, unknown> {
  try {
    if (typeof value !== "object" || value === null) return false;
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false; // a revoked Proxy
  }
}

function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: the case did not settle within ${CASE_BOUND_MS} ms`)), CASE_BOUND_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe("fuzzing the public API with bad input", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeAll(() => process.on("unhandledRejection", onUnhandled));
  afterAll(() => process.off("unhandledRejection", onUnhandled));

  it(
    "ends every case in a valid state or a GraphError naming the fault",
    async () => {
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          let state: unknown;
          let failure: unknown;
          try {
            state = await bounded(Promise.resolve().then(() => play(c)));
          } catch (error) {
            failure = error;
          }
          // Let a stray rejection surface before the case is judged.
          await new Promise((resolve) => setTimeout(resolve, 0));
          expect(unhandled, "unhandled rejections").toEqual([]);
          if (failure === undefined) {
            const parsed = State.safeParse(state);
            expect(parsed.success, `state outside its schema: ${parsed.error?.message}`).toBe(true);
            return;
          }
          expect(isGraphError(failure), `not a GraphError: ${String((failure as Error)?.stack ?? failure)}`).toBe(true);
          const message = (failure as Error).message;
          expect(message, `this message names no node, key or option: ${message}`).toSatisfy((text: string) =>
            namesOf(c).some((name) => text.includes(name)),
          );
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    Math.max(60_000, RUNS * 1_000),
  );
});

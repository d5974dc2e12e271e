import { describe, expect, it } from "vitest";
import { GraphError, isGraphError, Send } from "@weft/core";
import type { AttemptRequest, AttemptResult } from "@weft/core/adapter";
import {
  decodeProgress,
  decodeRequest,
  decodeReturn,
  encodeFailure,
  encodeProgress,
  encodeRequest,
  encodeResult,
  encodeUsage,
} from "./wire.js";

/** What BullMQ does to job data and return values: JSON text in Redis. */
const viaRedis = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const request: AttemptRequest = {
  taskId: "2:5",
  node: "write",
  step: 2,
  sendIndex: 4,
  graph: "report",
  attempt: 1,
  input: { title: "a", due: new Date(0), budget: 10n },
  resumes: [undefined, { ok: true }],
  interruptScope: undefined,
};

describe("the job messages", () => {
  it("carry an attempt request, undefined fields and rich inputs included", () => {
    expect(decodeRequest(viaRedis(encodeRequest(request)))).toEqual(request);
  });

  it("carry the trace headers of an attempt", () => {
    const traced: AttemptRequest = {
      ...request,
      trace: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "a=1" },
    };
    expect(decodeRequest(viaRedis(encodeRequest(traced))).trace).toEqual(traced.trace);
  });

  it("carry a returned result with its overwrite set and Sends", () => {
    const result: AttemptResult = {
      kind: "returned",
      result: { update: { tags: new Map([["a", 1n]]) }, overwrite: new Set(["tags"]), goto: ["b", new Send("c", { i: 1 })] },
    };
    const back = decodeReturn(viaRedis(encodeResult(result, "w1")));
    expect(back).toEqual(result);
    expect((back as Extract<AttemptResult, { kind: "returned" }>).result.goto[1]).toBeInstanceOf(Send);
  });

  it("carry an interrupt", () => {
    const result: AttemptResult = { kind: "interrupted", id: "c1:2:0:0", value: { question: "ok?", at: new Date(5) } };
    expect(decodeReturn(viaRedis(encodeResult(result, "w1")))).toEqual(result);
    // A timed interrupt keeps its wait and default; a sleep its flag and the answers before it.
    const timed: AttemptResult = { ...result, wait: { ms: 5000, default: { approved: false } }, resumes: ["yes", null] };
    expect(decodeReturn(viaRedis(encodeResult(timed, "w1")))).toStrictEqual(timed);
    const sleep: AttemptResult = {
      kind: "interrupted",
      id: "c1:2:0:1",
      value: 90_000,
      sleep: true,
      wait: { ms: 90_000, default: null },
      resumes: [null],
    };
    expect(decodeReturn(viaRedis(encodeResult(sleep, "w1")))).toStrictEqual(sleep);
  });

  it("rebuild a GraphError with its code, details, stack and cause", () => {
    const cause = new TypeError("bad input");
    const error = new GraphError("INVALID_INPUT", "input rejected", { cause, details: { node: "write", at: new Date(0) } });
    let thrown: unknown;
    try {
      decodeReturn(viaRedis(encodeFailure(error, "w1")));
    } catch (e) {
      thrown = e;
    }
    expect(isGraphError(thrown)).toBe(true);
    const rebuilt = thrown as GraphError;
    expect(rebuilt.code).toBe("INVALID_INPUT");
    expect(rebuilt.message).toBe("input rejected");
    expect(rebuilt.details).toEqual({ node: "write", at: new Date(0) });
    expect(rebuilt.stack).toBe(error.stack);
    expect(rebuilt.cause).toMatchObject({ name: "TypeError", message: "bad input" });
  });

  it("rebuild other errors with their name and own properties, and AbortErrors as AbortErrors", () => {
    const http = Object.assign(new Error("rate limited"), { status: 429, headers: { "retry-after": "1" }, code: "E429" });
    expect(() => decodeReturn(viaRedis(encodeFailure(http, "w1")))).toThrow(
      expect.objectContaining({ name: "Error", message: "rate limited", status: 429, headers: { "retry-after": "1" }, code: "E429" }),
    );
    const abort = new DOMException("stopped", "AbortError");
    expect(() => decodeReturn(viaRedis(encodeFailure(abort, "w1")))).toThrow(expect.objectContaining({ name: "AbortError" }));
  });

  it("carry thrown non-errors as errors that say so", () => {
    expect(() => decodeReturn(viaRedis(encodeFailure("plain string", "w1")))).toThrow("plain string");
    expect(() => decodeReturn(viaRedis(encodeFailure(42, "w1")))).toThrow("A non-Error value was thrown: 42");
  });

  it("skip error properties that cannot be encoded rather than failing", () => {
    const error = Object.assign(new Error("x"), { socket: { write: () => 1 } });
    expect(() => decodeReturn(viaRedis(encodeFailure(error, "w1")))).toThrow(expect.objectContaining({ message: "x" }));
  });

  it("carry custom events, and ignore progress that is not Weft's", () => {
    expect(decodeProgress(viaRedis(encodeProgress({ at: new Date(3) })))).toEqual({ data: { at: new Date(3) } });
    expect(decodeProgress(viaRedis(encodeUsage({ model: "m", inputTokens: 3, outputTokens: 4 })))).toEqual({
      usage: { model: "m", inputTokens: 3, outputTokens: 4 },
    });
    expect(decodeProgress(50)).toBeUndefined();
    expect(decodeProgress({ percent: 50 })).toBeUndefined();
  });

  it("name the path of a result that cannot be sent", () => {
    class Socket {}
    const result: AttemptResult = { kind: "returned", result: { update: { client: new Socket() }, overwrite: undefined, goto: [] } };
    expect(() => encodeResult(result, "w1")).toThrow("update.client is a Socket instance, which cannot be sent");
  });

  it("refuse a message of another format version, saying what to do", () => {
    expect(() => decodeRequest({ weft: 2, request: {} })).toThrow(/format 2.*run the same @weft\/bullmq version/);
    expect(() => decodeReturn({ result: {} })).toThrow(/format undefined/);
  });
});

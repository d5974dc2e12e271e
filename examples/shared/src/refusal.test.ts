import { describe, expect, it } from "vitest";
import { explainRefusal, refusalOf } from "./refusal.js";

const http = (status: number, message = `${status} refused`) => Object.assign(new Error(message), { status });

describe("a refused model call", () => {
  it("is found on the error, its cause, or a failed run's tasks, and only for 4xx other than 408, 409, 429", () => {
    expect(refusalOf(http(401))).toEqual({ status: 401, message: "401 refused" });
    expect(refusalOf(new Error("wrapped", { cause: http(404) }))?.status).toBe(404);
    // A failed run's error, as GraphError TASK_FAILED carries it: the tasks' failures in its details.
    const failed = Object.assign(new Error("The run failed"), { details: { failures: [{ error: new Error("x") }, { error: http(403) }] } });
    expect(refusalOf(failed)?.status).toBe(403);
    for (const status of [408, 409, 429, 500, 503]) expect(refusalOf(http(status))).toBeUndefined();
    expect(refusalOf(new Error("no status"))).toBeUndefined();
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(refusalOf(loop)).toBeUndefined();
  });

  it("is explained in one paragraph that says what to change", () => {
    const key = explainRefusal({ status: 401, message: "401 Incorrect API key\n provided" });
    expect(key).toBe(
      "The model endpoint refused the request (HTTP 401: 401 Incorrect API key provided). Check OPENAI_API_KEY (and OPENAI_BASE_URL, if you set it), " +
        "or unset OPENAI_API_KEY to run the example offline against its local test server. A refused request is not retried: it would be refused again.",
    );
    expect(explainRefusal({ status: 404, message: "404 The model `gpt-9` does not exist" })).toContain("Check WEFT_MODEL");
    expect(explainRefusal({ status: 400, message: "" })).toContain("(HTTP 400: no message)");
  });
});

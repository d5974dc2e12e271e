import { afterEach, describe, expect, it, vi } from "vitest";
import { runStepScope } from "./step-log.js";

const crypto = process.getBuiltinModule("node:crypto");
const task = { taskId: "1:0", node: "n", step: 1, sendIndex: undefined };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the step scope of a run without a thread", () => {
  it("makes its random run id only when a task first asks for an identity", () => {
    const uuid = vi.spyOn(crypto, "randomUUID");
    const scope = runStepScope();
    expect(uuid).not.toHaveBeenCalled();
    const first = scope.identity(task);
    expect(scope.identity(task)).toBe(first);
    expect(scope.identity({ ...task, taskId: "1:1" })).not.toBe(first);
    expect(uuid).toHaveBeenCalledTimes(1);
    // Another run names the same task differently.
    expect(runStepScope().identity(task)).not.toBe(first);
  });
});

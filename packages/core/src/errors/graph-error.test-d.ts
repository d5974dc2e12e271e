import { describe, expectTypeOf, it } from "vitest";
import type { TaskFailure } from "../records/task-ref.js";
import { GraphError, isGraphError } from "./graph-error.js";

describe("GraphError details are typed by code", () => {
  it("narrows details when isGraphError and the code are checked", () => {
    const error: unknown = undefined;
    if (isGraphError(error) && error.code === "TASK_FAILED") {
      expectTypeOf(error.details.failures).toEqualTypeOf<readonly TaskFailure[]>();
    }
    if (isGraphError(error) && error.code === "CONCURRENT_UPDATE") {
      expectTypeOf(error.details.writers).toEqualTypeOf<readonly string[]>();
      // @ts-expect-error: a CONCURRENT_UPDATE has no failures
      void error.details.failures.length;
    }
  });

  it("narrows after instanceof too", () => {
    const error: unknown = undefined;
    if (error instanceof GraphError && error.code === "STEP_LIMIT") {
      expectTypeOf(error.details.maxSteps).toEqualTypeOf<number>();
    }
  });
});

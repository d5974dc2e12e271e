import { z } from "zod";
import { GraphError, graphError, isGraphError } from "../errors.js";

/**
 * The record of one finished `ctx.step`: the step's name and the value its function returned.
 * The record's place (thread, checkpoint, task, step key) is signed with it, so a step result
 * moved to another task or step is refused like any other record.
 */
const buildStepResultSchema = () => z.object({ name: z.string(), value: z.unknown() });

/** A step result's body, as stored. */
export type StepResultBody = z.infer<ReturnType<typeof buildStepResultSchema>>;

let stepResultSchema: ReturnType<typeof buildStepResultSchema> | undefined;

/** Checks a stored step result's body; the schema is built on first use, not when the package is imported. */
export function parseStepResult(body: unknown): ReturnType<ReturnType<typeof buildStepResultSchema>["safeParse"]> {
  stepResultSchema ??= buildStepResultSchema();
  return stepResultSchema.safeParse(body);
}

/** A step of a task as the store keys it: which call of which name, in one task. */
export interface StepPlace {
  readonly node: string;
  readonly name: string;
  /** Which call of `name` in the task it is, from 0. */
  readonly occurrence: number;
}

/**
 * The error of a step result that could not be encoded: `INVALID_STEP` naming the node, the
 * step and the path inside the value the step's function returned. Other errors pass through.
 */
export function unstorableStep(error: unknown, step: StepPlace): unknown {
  const path = isGraphError(error) ? error.details.path : undefined;
  if (typeof path !== "string" || !path.startsWith("value.value")) return error;
  const where = `result${path.slice("value.value".length)}`;
  const problem = (error as Error).message.replace(path, where);
  return graphError("INVALID_STEP", "unstorable", { ...step, path: where, problem }, error);
}

/** A stored step result whose body is not a step result's. */
export function malformedStep(where: string, error: z.ZodError): GraphError {
  return new GraphError("INVALID_CHECKPOINT", `${where} does not have the structure of a Weft step result: ${error.issues[0]?.message}`, {
    cause: error,
    details: { where },
  });
}

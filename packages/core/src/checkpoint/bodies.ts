import { z } from "zod";

/**
 * The shapes of stored records (format version 2), checked when a record is read back. Built
 * on first use rather than at import: zod schemas cost time to build, and a program that never
 * loads a checkpoint should not pay for them.
 */

const writeSchema = () =>
  z.object({
    writer: z.string(),
    values: z.record(z.string(), z.unknown()),
    overwrite: z.array(z.string()).optional(),
  });

const amount = () => z.number().finite().min(0);
const spentSchema = () => z.object({ tokens: amount(), costUsd: amount() });
const limitSchema = () => z.object({ tokens: amount().optional(), costUsd: amount().optional() });
/** The Send budgets a task runs under, innermost first. */
const scopesSchema = () => z.array(limitSchema().extend({ id: z.string() })).optional();

const errorSchema = () => z.object({ name: z.string(), message: z.string(), code: z.string().optional() });

function buildCheckpointSchema() {
  return z.object({
    graph: z.string(),
    /** The thread's write sequence number: its head's plus one (1 for its first checkpoint). */
    seq: z.number().int().min(1),
    createdAt: z.string(),
    source: z.enum(["input", "step", "update"]),
    step: z.number().int().min(0),
    writes: z.array(writeSchema()),
    snapshot: z.record(z.string(), z.unknown()).nullable(),
    next: z.array(
      z.object({ node: z.string(), sendIndex: z.number().int().optional(), input: z.unknown().optional(), budget: scopesSchema() }),
    ),
    planner: z.object({
      joins: z.array(z.array(z.string())),
      deferredNodes: z.array(z.string()),
      deferredSends: z.array(z.object({ node: z.string(), input: z.unknown(), budget: scopesSchema() })),
    }),
    /** What the run spent by this checkpoint and its limit; absent when it had neither. */
    budget: z
      .object({
        limit: limitSchema().nullable(),
        spent: spentSchema(),
        scopes: z.record(z.string(), spentSchema()),
        prices: z.record(z.string(), z.object({ inputPerMillion: amount(), outputPerMillion: amount() })).optional(),
      })
      .optional(),
    since: z.object({ steps: z.number().int(), bytes: z.number().int() }),
    snapshotBytes: z.number().int(),
    /**
     * The checkpoint that planned this checkpoint's next step, when it is an earlier one: a
     * resume that wrote an update keeps the step's tasks, and their identity, from there.
     */
    tasksOf: z.string().optional(),
  });
}

function buildTaskResultSchema() {
  return z.discriminatedUnion("status", [
    z.object({
      status: z.literal("done"),
      write: writeSchema().nullable(),
      triggers: z.array(z.string()),
      sends: z.array(z.object({ node: z.string(), input: z.unknown(), budget: scopesSchema() })),
      recovered: z.object({ error: errorSchema(), attempts: z.number(), timedOut: z.boolean() }).nullable(),
      usage: spentSchema().optional(),
    }),
    z.object({
      status: z.literal("interrupted"),
      interrupt: z.object({
        id: z.string(),
        value: z.unknown(),
        kind: z.enum(["node", "before", "after", "sleep"]),
        wakeAt: z.number().int().min(0).optional(),
        default: z.unknown().optional(),
        path: z.array(z.string()).optional(),
      }),
      resumes: z.array(z.unknown()),
      usage: spentSchema().optional(),
    }),
    z.object({
      status: z.literal("failed"),
      error: errorSchema(),
      attempts: z.number().int(),
      timedOut: z.boolean(),
      usage: spentSchema().optional(),
    }),
  ]);
}

/** A stored write, as a checkpoint or task result holds it. */
export type WriteBody = z.infer<ReturnType<typeof writeSchema>>;

/** A checkpoint's content (format version 2). */
export type CheckpointBody = z.infer<ReturnType<typeof buildCheckpointSchema>>;

/** A saved task result (format version 2), as stored. */
export type TaskResultBody = z.infer<ReturnType<typeof buildTaskResultSchema>>;

/** An error as a task result keeps it: its name, message and code. */
export type SavedError = z.infer<ReturnType<typeof errorSchema>>;

let checkpointSchema: ReturnType<typeof buildCheckpointSchema> | undefined;
let taskResultSchema: ReturnType<typeof buildTaskResultSchema> | undefined;

/** Checks a decoded checkpoint body against its shape. */
export function parseCheckpointBody(body: unknown): z.ZodSafeParseResult<CheckpointBody> {
  checkpointSchema ??= buildCheckpointSchema();
  return checkpointSchema.safeParse(body);
}

/** Checks a decoded task result body against its shape. */
export function parseTaskResultBody(body: unknown): z.ZodSafeParseResult<TaskResultBody> {
  taskResultSchema ??= buildTaskResultSchema();
  return taskResultSchema.safeParse(body);
}

import { CHECKPOINTER_METHODS, type Checkpointer } from "../checkpoint/checkpointer.js";
import { isPlainObject } from "../errors.js";
import type { Executor } from "../records/attempt.js";
import type { RunOptions } from "../records/run.js";
import { checkOptions, type Rule } from "../options/rules.js";
import { RUN, RUN_RULES } from "../options/run-options.js";
import { nodeNames, wholeAtLeast1, withMethods } from "../options/values.js";

/** Options fixed at `compile()` time. */
export interface CompileOptions<TNodes extends string = string> {
  /** Defaults for every run of this graph; each run may override them. */
  readonly defaults?: Omit<RunOptions, "signal" | "threadId" | "checkpointId" | "executor">;
  /** Where runs with a `threadId` save their checkpoints. */
  readonly checkpointer?: Checkpointer;
  /** Pause a thread's run before any task of these nodes runs. */
  readonly interruptBefore?: readonly TNodes[];
  /** Pause a thread's run after a step in which these nodes ran. */
  readonly interruptAfter?: readonly TNodes[];
  /** Sign checkpoints with HMAC-SHA256 under this key; records changed without it are refused. */
  readonly integrityKey?: string;
  /**
   * Also take a full state snapshot after this many checkpoints without one. By default a
   * snapshot is taken when the checkpoints since the last one outweigh it four times (see the
   * checkpoints guide), which bounds both storage and what reading a checkpoint replays.
   */
  readonly snapshotEvery?: number;
  /** Where task attempts run; default: in this process. See `@weft/bullmq`. */
  readonly executor?: Executor;
}

/** The rules of `compile()`'s options, one per option of {@link CompileOptions}. */
const COMPILE_RULES = {
  // Checked as run options below, so that their messages name them so.
  defaults: { expected: "an object of run options", accepts: isPlainObject },
  checkpointer: withMethods("a Checkpointer", CHECKPOINTER_METHODS),
  interruptBefore: nodeNames,
  interruptAfter: nodeNames,
  integrityKey: {
    expected: "a non-empty string (the HMAC key that signs checkpoints)",
    accepts: (value) => typeof value === "string" && value.length > 0,
  },
  snapshotEvery: wholeAtLeast1,
  executor: RUN_RULES.executor,
} as const satisfies Record<keyof CompileOptions, Rule>;

/**
 * Checks `compile()`'s options as plain JavaScript may pass them: unknown keys (with a
 * did-you-mean), a checkpointer or executor that lacks its methods, breakpoint lists that are
 * not arrays of names, an empty or non-string integrity key, a `snapshotEvery` that is not a
 * whole number ≥ 1, run defaults that are not an object of run options. Each is an
 * `INVALID_OPTION` naming the option, at compile time rather than as a `TypeError` from the
 * first durable run.
 */
export function checkCompileOptions(options: unknown): void {
  checkOptions(options ?? {}, COMPILE_RULES, { scope: "compile" });
  const { defaults } = options as CompileOptions;
  if (defaults !== undefined) checkOptions(defaults, RUN_RULES, RUN);
}

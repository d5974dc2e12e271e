/**
 * The attribute names Weft's spans carry. Model and tool call spans also follow OpenTelemetry's
 * GenAI conventions (`gen_ai.*`), so trace backends that know those show them as such.
 *
 * @example
 * ```ts
 * const failed = spans.filter((span) => span.attributes[WeftAttributes.TIMED_OUT] === true);
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
export const WeftAttributes = {
  /** The graph's name (every Weft span). */
  GRAPH: "weft.graph",
  /** The run's thread, when it has one (run span). */
  THREAD_ID: "weft.thread_id",
  /** `"done"` or `"interrupted"` (run span, when the run ends). */
  RUN_STATUS: "weft.run.status",
  /** Supersteps the run took (run span). */
  RUN_STEPS: "weft.run.steps",
  /** Tasks that failed without failing the run (run and step spans). */
  FAILURES: "weft.failures",
  /** The superstep (step, task and worker spans). */
  STEP: "weft.step",
  /** Tasks planned for the step (step span). */
  STEP_TASKS: "weft.step.tasks",
  /** The node (task and worker spans). */
  NODE: "weft.node",
  /** The task's id in its run, `"<step>:<position>"` (task and worker spans). */
  TASK_ID: "weft.task.id",
  /** Which Send started the task, from 0; absent for tasks started by edges. */
  SEND_INDEX: "weft.task.send_index",
  /** The attempt, from 1 (task and worker spans). */
  ATTEMPT: "weft.task.attempt",
  /** How long the task waited for a concurrency slot before its first attempt, in ms. */
  QUEUED_MS: "weft.task.queued_ms",
  /** True on an attempt that failed and was retried. */
  RETRIED: "weft.task.retried",
  /** The wait before the next attempt, in ms (retried attempts). */
  RETRY_DELAY_MS: "weft.task.retry_delay_ms",
  /** True when the attempt failed by its node's `timeoutMs`. */
  TIMED_OUT: "weft.task.timed_out",
  /** What the node's `onError` made of the failure: `"fail"`, `"continue"` or `"handler"`. */
  ERROR_POLICY: "weft.task.error_policy",
  /** True when the attempt was cancelled (a sibling failed, or the run was aborted). */
  CANCELLED: "weft.task.cancelled",
  /** The interrupt's id, when the attempt paused the run with `ctx.interrupt`. */
  INTERRUPT_ID: "weft.task.interrupt_id",
  /** The error's code (`GraphError` codes, `ModelError` codes, a Node `code`), when it has one. */
  ERROR_CODE: "weft.error.code",
  /** The error's message. */
  ERROR_MESSAGE: "weft.error.message",
  /** OpenTelemetry's `error.type`: the error's code, else its class name. */
  ERROR_TYPE: "error.type",
  /** Tokens summed over the model calls of an attempt, or of one model call. */
  INPUT_TOKENS: "gen_ai.usage.input_tokens",
  OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  TOTAL_TOKENS: "weft.usage.total_tokens",
  /**
   * What is left of the tightest budget over the task after its latest usage report, in tokens
   * and in US dollars (task spans of runs with budgets; see `docs/concepts/budgets.md`).
   */
  BUDGET_REMAINING_TOKENS: "weft.budget.remaining_tokens",
  BUDGET_REMAINING_COST_USD: "weft.budget.remaining_cost_usd",
  /** `"chat"` on model call spans, `"execute_tool"` on tool call spans. */
  OPERATION: "gen_ai.operation.name",
  /** The model that answered (model call spans). */
  RESPONSE_MODEL: "gen_ai.response.model",
  /** The tool's name and call id (tool call spans). */
  TOOL_NAME: "gen_ai.tool.name",
  TOOL_CALL_ID: "gen_ai.tool.call.id",
  /** Position of the call in its assistant message (tool call spans). */
  TOOL_INDEX: "weft.tool.index",
} as const;

import type { ToolEvent, UsageEvent } from "@weft/openai";

/**
 * The `@weft/openai` custom events a trace turns into spans. They are read by shape (their
 * types are only used at compile time), so this package needs no run-time dependency on
 * `@weft/openai`, and a malformed event from elsewhere is ignored.
 */

/** An `openai.usage` event: one model call that finished. */
export type UsageData = UsageEvent;
/** An `openai.tool` event: a tool call started or ended. */
export type ToolData = ToolEvent;

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === "object" && data !== null;
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** True for a well-formed `openai.usage` event. */
export function isUsage(data: unknown): data is UsageData {
  return (
    isObject(data) &&
    data.type === "openai.usage" &&
    typeof data.model === "string" &&
    isCount(data.promptTokens) &&
    isCount(data.completionTokens) &&
    isCount(data.totalTokens) &&
    (data.durationMs === undefined || isCount(data.durationMs))
  );
}

/** True for a well-formed `openai.tool` event. */
export function isTool(data: unknown): data is ToolData {
  return (
    isObject(data) &&
    data.type === "openai.tool" &&
    (data.phase === "start" || data.phase === "end") &&
    typeof data.name === "string" &&
    typeof data.callId === "string" &&
    (data.durationMs === undefined || isCount(data.durationMs))
  );
}

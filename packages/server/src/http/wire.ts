import { serializeRunEvent } from "@weft/core/draw";

/**
 * Any value as plain JSON data by the rules of run records (`serializeRunEvent`): errors as
 * `{ name, message, code? }`, bigints as strings, Maps as objects, Sets as arrays, Dates as ISO
 * strings, cycles as `"[Circular]"`, functions dropped. States and checkpoints go out this way.
 */
export function toWire(value: unknown): unknown {
  // A custom event carries any data: its `data` comes back serialized by the same rules.
  const event = serializeRunEvent({ type: "custom", data: value, taskId: "", node: "", step: 0, sendIndex: undefined, at: 0 });
  return (event as { data?: unknown }).data ?? null;
}

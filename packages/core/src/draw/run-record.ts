import type { RunEvent } from "../stream/events.js";

/**
 * An error as a run record stores it.
 *
 * @example
 * ```ts
 * const stored: SerializedError = { name: "GraphError", message: "1 task failed", code: "TASK_FAILED" };
 * ```
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  /** The `GraphError` code, when the error had one. */
  readonly code?: string;
}

type Recorded<TEvent> = TEvent extends { readonly error: unknown } ? Omit<TEvent, "error"> & { readonly error: SerializedError } : TEvent;

/**
 * A {@link RunEvent} as stored in a run record: plain JSON, with every error reduced to
 * `{ name, message, code? }`.
 *
 * @example
 * ```ts
 * const events: RecordedRunEvent[] = parseRunRecord(text);
 * const failed = events.filter((event) => event.type === "task:error").map((event) => event.node);
 * ```
 */
export type RecordedRunEvent = Recorded<RunEvent<unknown, string>>;

/**
 * Turns a run event into plain JSON data: errors become `{ name, message, code? }`, bigints
 * become strings, Maps become objects, Sets become arrays, cycles become `"[Circular]"`.
 *
 * @example
 * ```ts
 * for await (const event of graph.stream(input)) log.write(JSON.stringify(serializeRunEvent(event)) + "\n");
 * ```
 * @see ../../../../docs/diagrams.md
 */
export function serializeRunEvent(event: RunEvent<unknown, string> | RecordedRunEvent): RecordedRunEvent {
  return jsonSafe(event, []) as RecordedRunEvent;
}

/**
 * Runs through a run's event stream and keeps every event, serialized. A failed run is
 * recorded too: its events end with `run:error`, and the error is not thrown.
 *
 * @example
 * ```ts
 * const events = await recordRun(graph.stream({ topic: "AI" }));
 * await writeFile("run.jsonl", stringifyRunRecord(events));
 * ```
 * @see ../../../../docs/diagrams.md
 */
export async function recordRun(events: AsyncIterable<RunEvent<unknown, string>>): Promise<RecordedRunEvent[]> {
  const recorded: RecordedRunEvent[] = [];
  try {
    for await (const event of events) recorded.push(serializeRunEvent(event));
  } catch (error) {
    if (!recorded.some((event) => event.type === "run:error")) throw error;
  }
  return recorded;
}

/**
 * Writes run events as a run record: JSON Lines, one serialized event per line.
 *
 * @example
 * ```ts
 * await writeFile("run.jsonl", stringifyRunRecord(await recordRun(graph.stream(input))));
 * ```
 * @see ../../../../docs/diagrams.md
 */
export function stringifyRunRecord(events: Iterable<RunEvent<unknown, string> | RecordedRunEvent>): string {
  let text = "";
  for (const event of events) text += `${JSON.stringify(serializeRunEvent(event))}\n`;
  return text;
}

/**
 * Reads a run record: JSON Lines of run events (blank lines ignored), or one JSON array of them.
 * Throws a `TypeError` naming the line of anything that is not a run event.
 *
 * @example
 * ```ts
 * const events = parseRunRecord(await readFile("run.jsonl", "utf8"));
 * console.log(toMermaidGantt(events));
 * ```
 * @see ../../../../docs/diagrams.md
 */
export function parseRunRecord(text: string): RecordedRunEvent[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed)) throw new TypeError("A run record that starts with [ must be a JSON array of run events.");
    return parsed.map((value, i) => checkEvent(value, `item ${i + 1}`));
  }
  const events: RecordedRunEvent[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TypeError(`Line ${i + 1} of the run record is not JSON: ${(error as Error).message}`);
    }
    events.push(checkEvent(value, `line ${i + 1}`));
  }
  return events;
}

function checkEvent(value: unknown, where: string): RecordedRunEvent {
  const event = value as { type?: unknown; at?: unknown } | null;
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.at !== "number") {
    throw new TypeError(`The run record's ${where} is not a run event: expected an object with a string "type" and a number "at".`);
  }
  return value as RecordedRunEvent;
}

function jsonSafe(value: unknown, ancestors: object[]): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.includes(value)) return "[Circular]";
  if (value instanceof Error) return serializeError(value);
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => jsonSafe(item, inner) ?? null);
  if (value instanceof Set) return [...value].map((item) => jsonSafe(item, inner) ?? null);
  if (value instanceof Date) return value.toISOString();
  const entries = value instanceof Map ? [...value].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(
    entries
      .filter(([, item]) => typeof item !== "function" && typeof item !== "symbol" && item !== undefined)
      .map(([key, item]) => [key, jsonSafe(item, inner)]),
  );
}

function serializeError(error: Error): SerializedError {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { name: error.name, message: error.message, code } : { name: error.name, message: error.message };
}

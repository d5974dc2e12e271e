import { Command, Send, type IfBusy } from "@weft/core";
import { ServerError } from "../errors.js";

/** A parsed request to start a run: what `graph.stream` gets. */
export interface RunRequest {
  /** The run input, a `Command`, or `null` to continue the thread where it stopped. */
  readonly input: Record<string, unknown> | Command | null;
  readonly checkpointId: string | undefined;
  readonly options: {
    readonly maxSteps?: number;
    readonly maxConcurrency?: number;
    readonly timeoutMs?: number;
    readonly ifBusy?: IfBusy;
  };
}

const RUN_KEYS = ["input", "resume", "command", "checkpointId", "maxSteps", "maxConcurrency", "timeoutMs", "ifBusy"] as const;
/** The engine's `ifBusy` choices. */
export const IF_BUSY: readonly IfBusy[] = ["reject", "enqueue", "interrupt", "rollback"];
const COMMAND_KEYS = ["resume", "update", "goto"] as const;

/**
 * Reads the JSON body of `POST …/runs`: `{ input }` starts a run, `{ resume }` answers the
 * thread's pending interrupt(s), `{ command: { resume, update, goto } }` is a full `Command`,
 * none of them continues the thread. Options: `checkpointId`, `maxSteps`, `maxConcurrency`,
 * `timeoutMs` (their values are checked by the engine), `ifBusy` (what to do when another run
 * holds the thread). Throws `INVALID_INPUT` naming the field.
 */
export function parseRunRequest(body: unknown): RunRequest {
  const fields = objectOf(body, "The request body");
  checkKeys(fields, RUN_KEYS, "The request body");
  const given = (["input", "resume", "command"] as const).filter((key) => key in fields);
  if (given.length > 1) {
    throw new ServerError(
      "INVALID_INPUT",
      `Give one of "input", "resume" and "command", not ${given.map((key) => `"${key}"`).join(" and ")}.`,
    );
  }
  let input: RunRequest["input"] = null;
  if ("input" in fields) input = objectOf(fields.input, 'Body field "input"');
  if ("resume" in fields) input = new Command({ resume: fields.resume });
  if ("command" in fields) input = parseCommand(fields.command);
  const checkpointId = fields.checkpointId;
  if (checkpointId !== undefined && (typeof checkpointId !== "string" || checkpointId === "")) {
    throw new ServerError("INVALID_INPUT", `Body field "checkpointId" must be a non-empty string, got ${JSON.stringify(checkpointId)}.`);
  }
  const options: { maxSteps?: number; maxConcurrency?: number; timeoutMs?: number; ifBusy?: IfBusy } = {};
  for (const key of ["maxSteps", "maxConcurrency", "timeoutMs"] as const) {
    if (!(key in fields)) continue;
    const value = fields[key];
    if (typeof value !== "number")
      throw new ServerError("INVALID_INPUT", `Body field "${key}" must be a number, got ${JSON.stringify(value)}.`);
    options[key] = value;
  }
  if ("ifBusy" in fields) options.ifBusy = checkIfBusy(fields.ifBusy, 'Body field "ifBusy"');
  return { input, checkpointId, options };
}

/** `value` as an `IfBusy`, or an `INVALID_INPUT` that names `what` and the choices. */
function checkIfBusy(value: unknown, what: string): IfBusy {
  if (typeof value === "string" && (IF_BUSY as readonly string[]).includes(value)) return value as IfBusy;
  throw new ServerError(
    "INVALID_INPUT",
    `${what} must be one of ${IF_BUSY.map((v) => `"${v}"`).join(", ")}, got ${JSON.stringify(value)}.`,
    {
      field: "ifBusy",
    },
  );
}

function parseCommand(value: unknown): Command {
  const fields = objectOf(value, 'Body field "command"');
  checkKeys(fields, COMMAND_KEYS, 'Body field "command"');
  const goto = fields.goto;
  if (goto === undefined) return new Command({ resume: fields.resume, update: fields.update });
  const targets = (Array.isArray(goto) ? goto : [goto]).map((target: unknown, i) => {
    if (typeof target === "string") return target;
    const send = objectOf(target, `command.goto[${i}]`);
    if (typeof send.node !== "string" || send.node === "") {
      throw new ServerError("INVALID_INPUT", `command.goto[${i}] must be a node name or { node, input }, got ${JSON.stringify(target)}.`);
    }
    return new Send(send.node, send.input);
  });
  return new Command({ resume: fields.resume, update: fields.update, goto: targets });
}

/** `value` as a plain JSON object, or an `INVALID_INPUT` that names `what`. */
export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ServerError(
      "INVALID_INPUT",
      `${what} must be a JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}.`,
    );
  }
  return value as Record<string, unknown>;
}

/** Throws `INVALID_INPUT` for a key that is not one of `allowed`. */
export function checkKeys(fields: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      throw new ServerError(
        "INVALID_INPUT",
        `${what} has an unknown field "${key}"; it takes ${allowed.map((name) => `"${name}"`).join(", ")}.`,
        {
          field: key,
        },
      );
    }
  }
}

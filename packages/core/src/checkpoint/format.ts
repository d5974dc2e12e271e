import { GraphError } from "../errors.js";
import { decodeValue, encodeValue } from "./values.js";
import { nodeCrypto } from "../lazy/builtins.js";

/**
 * Weft's checkpoint format, version 2. Every stored record is one string:
 *
 * ```text
 * weft/2 <kind> <sha256 or hmac-sha256>=<hex digest of the rest>
 * {"place":{…},"body":…}
 * ```
 *
 * `place` says where the record belongs: its thread, its checkpoint (and, for a checkpoint, its
 * parent; for a task result, its task; for a step result, its task and step key), and the
 * fingerprint of the graph that wrote it. The
 * digest covers place and body, and loading compares the place with the row the store
 * returned, so a record moved to another thread, checkpoint or task is refused.
 *
 * Values that JSON cannot carry are tagged objects `{"$weft": tag, "v": …}` (see
 * {@link encodeValue}): `undefined`, `date`, `bigint`, `map`, `set`, `send`, non-finite numbers
 * and -0, and plain objects that themselves have a `$weft` key (`object`). Decoding only ever
 * builds plain data from these tags: it never calls code named by the store. Functions, class
 * instances and cycles cannot be stored; encoding them is an error naming the path of the value.
 *
 * @see ../../../../docs/concepts/checkpoints.md
 */
export const FORMAT_VERSION = 2;

/** What a record holds: a checkpoint, one task's result, or one `ctx.step` result of a task. */
export type RecordKind = "checkpoint" | "task" | "step";

/** Signs records with HMAC-SHA256 when a key is given, so that a changed record is refused. */
export interface Integrity {
  readonly key?: string | Buffer;
}

/**
 * Where a record belongs, signed with it: the thread, the checkpoint (a task result's is the
 * checkpoint whose next step the task belongs to), the parent checkpoint (checkpoints; null for
 * a thread's first) or the task id (task and step results), the step key (step results), and
 * the writing graph's fingerprint.
 */
export interface RecordPlace {
  readonly thread: string;
  readonly checkpoint: string;
  readonly parent?: string | null;
  readonly task?: string;
  readonly step?: string;
  readonly fingerprint: string;
}

/** Turns a record into its stored string. */
export function encodeRecord(kind: RecordKind, place: RecordPlace, body: unknown, integrity: Integrity = {}): string {
  const json = JSON.stringify({ place, body: encodeValue(body, { reason: "a checkpoint cannot store" }) });
  return `weft/${FORMAT_VERSION} ${kind} ${digest(json, integrity)}\n${json}`;
}

/** A record read back: where it says it belongs, and its decoded body. */
export interface DecodedRecord {
  readonly place: RecordPlace;
  readonly body: unknown;
}

/**
 * Reads a stored string back, refusing foreign, older or newer, tampered or corrupt data. The
 * caller compares the returned place with where the row was found ({@link checkPlace}).
 */
export function decodeRecord(kind: RecordKind, data: string, where: string, integrity: Integrity = {}): DecodedRecord {
  const newline = data.indexOf("\n");
  const header = newline < 0 ? data.slice(0, 80) : data.slice(0, newline);
  const match = /^weft\/(\d+) (checkpoint|task|step) ((?:sha256|hmac-sha256)=[0-9a-f]{64})$/.exec(header);
  if (match === null) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} is not a Weft checkpoint record (header ${JSON.stringify(header)}).`, {
      details: { where },
    });
  }
  const [, version, foundKind, sum] = match;
  if (Number(version) !== FORMAT_VERSION) {
    const hint =
      Number(version) < FORMAT_VERSION
        ? " Finish or delete threads written by an older Weft with that version before upgrading."
        : " Upgrade Weft to read it.";
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${where} uses checkpoint format version ${version}; this Weft reads version ${FORMAT_VERSION}.${hint}`,
      { details: { where, version: Number(version) } },
    );
  }
  if (foundKind !== kind) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} holds a ${foundKind} record where a ${kind} record belongs.`, {
      details: { where },
    });
  }
  const json = data.slice(newline + 1);
  const expected = digest(json, integrity);
  if (sum !== expected) {
    const signed = sum!.startsWith("hmac");
    const reason =
      signed === (integrity.key !== undefined)
        ? "its content does not match its checksum: it was changed or corrupted"
        : signed
          ? "it is signed, but no integrity key was given to check it"
          : "it is not signed, but an integrity key was given";
    throw new GraphError("INVALID_CHECKPOINT", `${where} was refused: ${reason}.`, { details: { where } });
  }
  let parsed: { place?: unknown; body?: unknown };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch (error) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} could not be decoded: ${(error as Error).message}`, {
      cause: error,
      details: { where },
    });
  }
  const place = parsed?.place as Partial<Record<keyof RecordPlace, unknown>> | undefined;
  if (
    typeof place !== "object" ||
    place === null ||
    typeof place.thread !== "string" ||
    typeof place.checkpoint !== "string" ||
    typeof place.fingerprint !== "string"
  ) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} does not say which thread and checkpoint it belongs to.`, { details: { where } });
  }
  try {
    return { place: place as RecordPlace, body: decodeValue(parsed.body) };
  } catch (error) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} could not be decoded: ${(error as Error).message}`, {
      cause: error,
      details: { where },
    });
  }
}

/**
 * Refuses a record whose signed place is not where the store returned it: copied from another
 * thread, moved to another checkpoint or parent, or swapped with another task's result. The
 * graph fingerprint is compared by the caller, which knows how to name the graphs.
 */
export function checkPlace(where: string, found: RecordPlace, expected: Omit<RecordPlace, "fingerprint">): void {
  const fields: [keyof Omit<RecordPlace, "fingerprint">, string][] = [
    ["thread", "thread"],
    ["checkpoint", "checkpoint"],
    ["parent", "parent checkpoint"],
    ["task", "task"],
    ["step", "step"],
  ];
  for (const [field, name] of fields) {
    if (!(field in expected)) continue;
    const want = expected[field] ?? null;
    const got = found[field] ?? null;
    if (want !== got) {
      const show = (id: string | null): string => (id === null ? "none" : `"${id}"`);
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} was refused: it was written with ${name} ${show(got as string | null)}, not ${show(want as string | null)}. ` +
          `A record moved, copied or swapped to another place in the store is not accepted.`,
        { details: { where, field, expected: want, found: got } },
      );
    }
  }
}

function digest(json: string, integrity: Integrity): string {
  return integrity.key === undefined
    ? `sha256=${nodeCrypto().createHash("sha256").update(json).digest("hex")}`
    : `hmac-sha256=${nodeCrypto().createHmac("sha256", integrity.key).update(json).digest("hex")}`;
}

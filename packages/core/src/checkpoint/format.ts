import { createHash, createHmac } from "node:crypto";
import { GraphError } from "../errors.js";

/**
 * Weft's checkpoint format, version 1. Every stored record is one string:
 *
 * ```text
 * weft/1 <kind> <sha256 or hmac-sha256>=<hex digest of the body>
 * <body: JSON>
 * ```
 *
 * Values that JSON cannot carry are tagged objects `{"$weft": tag, "v": …}`: `undefined`,
 * `date`, `bigint`, `map`, `set`, non-finite numbers, and plain objects that themselves have a
 * `$weft` key (`object`). Decoding only ever builds plain data from these tags: it never calls
 * code named by the store. Functions and class instances cannot be stored; encoding them is an
 * error naming the path of the value.
 *
 * @see ../../../../docs/concepts/checkpoints.md
 */
export const FORMAT_VERSION = 1;

/** What a record holds: a checkpoint, or one task's result. */
export type RecordKind = "checkpoint" | "task";

/** Signs records with HMAC-SHA256 when a key is given, so that a changed record is refused. */
export interface Integrity {
  readonly key?: string | Buffer;
}

/** Turns a record into its stored string. */
export function encodeRecord(kind: RecordKind, body: unknown, integrity: Integrity = {}): string {
  const json = JSON.stringify(toJson(body, "value"));
  return `weft/${FORMAT_VERSION} ${kind} ${digest(json, integrity)}\n${json}`;
}

/** Reads a stored string back, refusing foreign, newer, tampered or corrupt data. */
export function decodeRecord(kind: RecordKind, data: string, where: string, integrity: Integrity = {}): unknown {
  const newline = data.indexOf("\n");
  const header = newline < 0 ? data.slice(0, 80) : data.slice(0, newline);
  const match = /^weft\/(\d+) (checkpoint|task) ((?:sha256|hmac-sha256)=[0-9a-f]{64})$/.exec(header);
  if (match === null) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} is not a Weft checkpoint record (header ${JSON.stringify(header)}).`, {
      details: { where },
    });
  }
  const [, version, foundKind, sum] = match;
  if (Number(version) !== FORMAT_VERSION) {
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${where} uses checkpoint format version ${version}; this Weft reads version ${FORMAT_VERSION}.`,
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
  try {
    return fromJson(JSON.parse(json));
  } catch (error) {
    throw new GraphError("INVALID_CHECKPOINT", `${where} could not be decoded: ${(error as Error).message}`, {
      cause: error,
      details: { where },
    });
  }
}

function digest(json: string, integrity: Integrity): string {
  return integrity.key === undefined
    ? `sha256=${createHash("sha256").update(json).digest("hex")}`
    : `hmac-sha256=${createHmac("sha256", integrity.key).update(json).digest("hex")}`;
}

const TAG = "$weft";

function toJson(value: unknown, path: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : { [TAG]: "number", v: String(value) };
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() };
    case "object":
      break;
    default:
      throw unstorable(path, typeof value);
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((item, i) => toJson(item, `${path}[${i}]`));
  if (value instanceof Date) return { [TAG]: "date", v: value.toISOString() };
  if (value instanceof Map) {
    return { [TAG]: "map", v: [...value].map(([k, v], i) => [toJson(k, `${path}<key ${i}>`), toJson(v, `${path}<value ${i}>`)]) };
  }
  if (value instanceof Set) return { [TAG]: "set", v: [...value].map((item, i) => toJson(item, `${path}<item ${i}>`)) };
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw unstorable(path, `a ${proto?.constructor?.name ?? "class"} instance`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = toJson(item, `${path}.${key}`);
  return TAG in out ? { [TAG]: "object", v: out } : out;
}

function fromJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(fromJson);
  const record = value as Record<string, unknown>;
  if (!(TAG in record)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = fromJson(item);
    return out;
  }
  const v = record.v;
  switch (record[TAG]) {
    case "undefined":
      return undefined;
    case "number":
      return Number(v);
    case "bigint":
      return BigInt(v as string);
    case "date":
      return new Date(v as string);
    case "map":
      return new Map((v as [unknown, unknown][]).map(([k, item]) => [fromJson(k), fromJson(item)]));
    case "set":
      return new Set((v as unknown[]).map(fromJson));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) out[key] = fromJson(item);
      return out;
    }
    default:
      throw new Error(`unknown value tag ${JSON.stringify(record[TAG])}`);
  }
}

function unstorable(path: string, what: string): GraphError {
  return new GraphError(
    "INVALID_UPDATE",
    `${path} is ${what}, which a checkpoint cannot store: keep plain data (objects, arrays, strings, numbers, booleans, null, Date, Map, Set, bigint) in the state.`,
    { details: { path } },
  );
}

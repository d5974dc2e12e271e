import { createHash, createHmac } from "node:crypto";
import { GraphError } from "../errors.js";
import { decodeValue, encodeValue } from "./values.js";

/**
 * Weft's checkpoint format, version 1. Every stored record is one string:
 *
 * ```text
 * weft/1 <kind> <sha256 or hmac-sha256>=<hex digest of the body>
 * <body: JSON>
 * ```
 *
 * Values that JSON cannot carry are tagged objects `{"$weft": tag, "v": …}` (see
 * {@link encodeValue}): `undefined`, `date`, `bigint`, `map`, `set`, `send`, non-finite numbers
 * and -0, and plain objects that themselves have a `$weft` key (`object`). Decoding only ever
 * builds plain data from these tags: it never calls code named by the store. Functions, class
 * instances and cycles cannot be stored; encoding them is an error naming the path of the value.
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
  const json = JSON.stringify(encodeValue(body, { reason: "a checkpoint cannot store" }));
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
    return decodeValue(JSON.parse(json));
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

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A path for a new database file in a fresh temp directory, and a function that deletes both. */
export function tempDatabase(): { readonly path: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "weft-sqlite-"));
  return { path: join(dir, "weft.db"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A committed state: a frozen plain object, shared by every task of a step. */
export type Snapshot = Readonly<Record<string, unknown>>;

/**
 * Who wrote an update: a task (its name is built only when an error or a checkpoint needs
 * it), or a name for writes from outside the graph's tasks (`"__input__"`).
 */
export type Writer = string | { readonly node: string; readonly sendIndex: number | undefined };

/** `"plan"` for an edge-triggered task, `"worker#3"` for the 4th Send to worker. */
export function writerName(writer: Writer): string {
  if (typeof writer === "string") return writer;
  return writer.sendIndex === undefined ? writer.node : `${writer.node}#${writer.sendIndex}`;
}

/** One task's validated update, ready to commit. */
export interface Write {
  /** Who wrote it; see {@link writerName} for how errors show it. */
  readonly writer: Writer;
  readonly values: Readonly<Record<string, unknown>>;
  /** Keys whose value replaces the current one instead of going through the reducer. */
  readonly overwrite?: ReadonlySet<string> | undefined;
}

import { graphError } from "../errors.js";
import type { TaskOutcome } from "../runtime/task.js";

/** The shape of an interrupt id: `<checkpoint id>:<step>:<position>:<call index>`. */
const INTERRUPT_ID = /^\d{6,}-[0-9a-f]{12}:\d+:\d+:\d+$/;

/**
 * Reads `Command({ resume })`: an object whose keys are all interrupt ids maps ids to answers;
 * anything else is the one answer to the one pending interrupt.
 */
export function resumeAnswers(resume: unknown, pending: readonly TaskOutcome[], threadId: string): Map<string, unknown> {
  const ids = pending.flatMap((outcome) => (outcome.status === "interrupted" ? [outcome.interrupt.id] : []));
  if (resume === undefined) return new Map();
  if (typeof resume === "object" && resume !== null && !Array.isArray(resume)) {
    const keys = Object.keys(resume);
    if (keys.length > 0 && keys.every((key) => INTERRUPT_ID.test(key))) {
      for (const key of keys) {
        if (!ids.includes(key)) {
          throw graphError("INVALID_RESUME", "notPending", { threadId, id: key, pending: ids });
        }
      }
      return new Map(Object.entries(resume));
    }
  }
  if (ids.length !== 1) {
    throw graphError("INVALID_RESUME", "ambiguous", { threadId, pending: ids });
  }
  return new Map([[ids[0]!, resume]]);
}

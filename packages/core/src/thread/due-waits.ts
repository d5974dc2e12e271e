import { graphError } from "../errors.js";
import type { TaskOutcome } from "../runtime/task.js";
import { resumeAnswers } from "./resume-answers.js";

/** Where a resume reads its answers: its thread and the checkpointer's clock. */
export interface ResumeClock {
  readonly threadId: string;
  now(): Promise<number>;
}

/**
 * The answers a resume gives its paused tasks, by interrupt id: those of its `Command`, and for
 * every timed wait whose wake-up time has passed by the checkpointer's clock, its own answer
 * (an interrupt's default, `null` for a sleep). An answer to an interrupt that timed out is
 * refused with `INVALID_RESUME`, so that one of the two is ever used. Sleeps take no answer.
 */
export async function resumeWith(resume: unknown, pending: readonly TaskOutcome[], clock: ResumeClock): Promise<Map<string, unknown>> {
  const waiting = pending.flatMap((outcome) => (outcome.status === "interrupted" ? [outcome.interrupt] : []));
  const answers = resumeAnswers(
    resume,
    pending.filter((outcome) => outcome.status === "interrupted" && outcome.interrupt.kind !== "sleep"),
    clock.threadId,
  );
  if (!waiting.some((interrupt) => interrupt.wakeAt !== undefined)) return answers;
  const now = await clock.now();
  for (const interrupt of waiting) {
    const { id, wakeAt } = interrupt;
    if (wakeAt === undefined || wakeAt > now) continue;
    if (answers.has(id)) {
      const ids = waiting.map((each) => each.id);
      throw graphError("INVALID_RESUME", "timedOut", { threadId: clock.threadId, id, wakeAt, pending: ids });
    }
    answers.set(id, interrupt.kind === "sleep" ? null : interrupt.default);
  }
  return answers;
}

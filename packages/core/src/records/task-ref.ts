/** Which task an event, failure or interrupt is about. */
export interface TaskRef<TNodes extends string = string> {
  /** Unique within the run: `"<step>:<position in step>"`. */
  readonly taskId: string;
  readonly node: TNodes;
  readonly step: number;
  /** Which Send to this node in this step started the task (0-based); undefined for edges. */
  readonly sendIndex: number | undefined;
}

/** Just the {@link TaskRef} fields of a task, interrupt or failure, for events and errors. */
export function taskRef<TNodes extends string>(task: TaskRef<TNodes>): TaskRef<TNodes> {
  return { taskId: task.taskId, node: task.node, step: task.step, sendIndex: task.sendIndex };
}

/** `" (Send #3)"` or the empty string. */
export function sendLabel(task: { readonly sendIndex: number | undefined }): string {
  return task.sendIndex === undefined ? "" : ` (Send #${task.sendIndex})`;
}

/** A task that failed after its last attempt. */
export interface TaskFailure<TNodes extends string = string> extends TaskRef<TNodes> {
  readonly error: unknown;
  readonly attempts: number;
  readonly timedOut: boolean;
  /** What the node's `onError` made of it. */
  readonly policy: "fail" | "continue" | "handler";
}

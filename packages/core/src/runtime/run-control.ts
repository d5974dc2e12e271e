import { GraphError, isGraphError } from "../errors.js";
import type { RunOptions } from "./loop.js";

/** The run's own cancellation: the caller's signal and the run timeout. */
export class RunControl {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onCallerAbort: () => void;

  readonly #options: RunOptions;

  constructor(options: RunOptions) {
    this.#options = options;
    const caller = options.signal;
    this.#onCallerAbort = () =>
      this.#controller.abort(new GraphError("ABORTED", "The run was cancelled.", { cause: caller?.reason }));
    if (caller?.aborted === true) this.#onCallerAbort();
    else caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () =>
          this.#controller.abort(
            new GraphError("RUN_TIMEOUT", `The run took longer than its timeoutMs of ${options.timeoutMs} ms.`),
          ),
        options.timeoutMs,
      );
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  throwIfAborted(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  /** The error a failed run rejects with: cancellation wins over what it caused. */
  explain(error: unknown): GraphError {
    if (this.#controller.signal.aborted) return this.#controller.signal.reason as GraphError;
    if (isGraphError(error)) return error;
    return new GraphError("TASK_FAILED", `The run failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#options.signal?.removeEventListener("abort", this.#onCallerAbort);
  }
}

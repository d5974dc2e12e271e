import { describeThrown, graphError, isGraphError, type GraphError } from "../errors.js";
import { invalidOption } from "../options/rules.js";
import { RUN } from "../options/run-options.js";
import type { Cancellable, Cancellation } from "./step.js";
import type { RunOptions } from "../records/run.js";

/** The run's own cancellation: the caller's signal and the run timeout. */
export class RunControl implements Cancellation {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onCallerAbort: () => void;
  /** The running step: steps run one at a time, so one slot is enough. */
  #step: Cancellable | undefined;

  readonly #options: RunOptions;

  constructor(options: RunOptions) {
    this.#options = options;
    const caller = options.signal;
    this.#onCallerAbort = () => this.#cancel(graphError("ABORTED", "cancelled", {}, caller?.reason));
    if (caller?.aborted === true) this.#onCallerAbort();
    else if (caller !== undefined) listen(caller, this.#onCallerAbort);
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => this.#cancel(graphError("RUN_TIMEOUT", "runTimeout", { timeoutMs })), timeoutMs);
    }
  }

  /**
   * Tells `step` when the run is cancelled (at once if it already is), until {@link unwatch}:
   * one field per step rather than a listener on an AbortSignal, whose adding and removing cost
   * tens of µs on the cold caches a step ends on after a long wait.
   */
  watch(step: Cancellable): void {
    if (this.#controller.signal.aborted) step.cancel(this.#controller.signal.reason);
    else this.#step = step;
  }

  unwatch(): void {
    this.#step = undefined;
  }

  /** Fires when the run is cancelled; its reason is the run's error (`ABORTED`, `RUN_TIMEOUT`, …). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Cancels the run with `reason`, the error it then rejects with; the first reason wins. */
  cancel(reason: GraphError): void {
    this.#cancel(reason);
  }

  #cancel(reason: GraphError): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#step?.cancel(reason);
  }

  throwIfAborted(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  /** The error a failed run rejects with: cancellation wins over what it caused. */
  explain(error: unknown): GraphError {
    if (this.#controller.signal.aborted) return this.#controller.signal.reason as GraphError;
    if (isGraphError(error)) return error;
    return graphError("TASK_FAILED", "engine", { failures: [], finished: [], problem: describeThrown(error) }, error);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    try {
      this.#options.signal?.removeEventListener("abort", this.#onCallerAbort);
    } catch {
      // A signal-like object whose removeEventListener throws must not fail a finished run.
    }
  }
}

/** Listens for the caller's abort; a signal-like object whose `addEventListener` throws is no signal. */
function listen(signal: AbortSignal, onAbort: () => void): void {
  try {
    signal.addEventListener("abort", onAbort, { once: true });
  } catch (error) {
    throw invalidOption(RUN, { option: "signal", value: signal, expected: "an AbortSignal (its addEventListener threw)", cause: error });
  }
}

import { describeThrown, graphError, isGraphError, type GraphError } from "../errors.js";
import { invalidOption } from "../options/rules.js";
import { RUN } from "../options/run-options.js";
import type { Cancellable, CancelSource } from "../records/cancel.js";
import type { Cancellation } from "./step.js";
import type { RunOptions } from "../records/run.js";

/**
 * The run's own cancellation: the caller's signal, the run timeout, and for the inner run of a
 * subgraph task, the outer step it is linked to.
 */
export class RunControl implements Cancellation {
  /** Made when {@link signal} is first read: an inner run without a thread never reads it. */
  #controller: AbortController | undefined;
  /** Set once the run is cancelled: the error it then rejects with. */
  #reason: GraphError | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onCallerAbort: (() => void) | undefined;
  /** The running step: steps run one at a time, so one slot is enough. */
  #step: Cancellable | undefined;
  readonly #options: RunOptions;
  readonly #outer: { readonly source: CancelSource; readonly link: Cancellable } | undefined;

  /** `outer`: for an inner run, what tells it that its outer task was cancelled. */
  constructor(options: RunOptions, outer?: CancelSource) {
    this.#options = options;
    const caller = options.signal;
    if (caller !== undefined) {
      this.#onCallerAbort = () => this.#cancel(graphError("ABORTED", "cancelled", {}, caller.reason));
      if (caller.aborted === true) this.#onCallerAbort();
      else listen(caller, this.#onCallerAbort);
    }
    if (outer !== undefined) {
      this.#outer = { source: outer, link: new OuterLink(this) };
      outer.link(this.#outer.link);
    }
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
    if (this.#reason !== undefined) step.cancel(this.#reason);
    else this.#step = step;
  }

  unwatch(): void {
    this.#step = undefined;
  }

  /** Fires when the run is cancelled; its reason is the run's error (`ABORTED`, `RUN_TIMEOUT`, …). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Cancels the run with `reason`, the error it then rejects with; the first reason wins. */
  cancel(reason: GraphError): void {
    this.#cancel(reason);
  }

  #cancel(reason: GraphError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#step?.cancel(reason);
  }

  throwIfAborted(): void {
    if (this.#reason !== undefined) throw this.#reason;
  }

  /** The error a failed run rejects with: cancellation wins over what it caused. */
  explain(error: unknown): GraphError {
    if (this.#reason !== undefined) return this.#reason;
    if (isGraphError(error)) return error;
    return graphError("TASK_FAILED", "engine", { failures: [], finished: [], problem: describeThrown(error) }, error);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    if (this.#outer !== undefined) this.#outer.source.unlink(this.#outer.link);
    if (this.#onCallerAbort === undefined) return;
    try {
      this.#options.signal?.removeEventListener("abort", this.#onCallerAbort);
    } catch {
      // A signal-like object whose removeEventListener throws must not fail a finished run.
    }
  }
}

/** How an outer task's cancellation reaches its inner run: as `ABORTED`, caused by the outer reason. */
class OuterLink implements Cancellable {
  readonly #run: RunControl;

  constructor(run: RunControl) {
    this.#run = run;
  }

  cancel(reason: unknown): void {
    this.#run.cancel(graphError("ABORTED", "cancelled", {}, reason));
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

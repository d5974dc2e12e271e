import type { Cancellable, CancelSource } from "../records/cancel.js";

/** A {@link CancelSource} that is cancelled once, with the first reason given. */
export class CancelScope implements CancelSource, Cancellable {
  #cancelled: { readonly reason: unknown } | undefined;
  #children: Set<Cancellable> | undefined;

  /** True once cancelled. */
  get cancelled(): boolean {
    return this.#cancelled !== undefined;
  }

  /** The reason it was cancelled with; undefined until then. */
  get reason(): unknown {
    return this.#cancelled?.reason;
  }

  cancel(reason: unknown): void {
    if (this.#cancelled !== undefined) return;
    this.#cancelled = { reason };
    const children = this.#children;
    this.#children = undefined;
    if (children !== undefined) for (const child of children) child.cancel(reason);
  }

  link(child: Cancellable): void {
    if (this.#cancelled !== undefined) child.cancel(this.#cancelled.reason);
    else (this.#children ??= new Set()).add(child);
  }

  unlink(child: Cancellable): void {
    this.#children?.delete(child);
  }
}

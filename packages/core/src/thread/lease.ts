import type { Checkpointer, LeaseRequest, ThreadLease } from "../checkpoint/checkpointer.js";
import { graphError, type GraphError } from "../errors.js";
import { bounded } from "../runtime/deadline.js";
import type { RunControl } from "../runtime/run-control.js";
import type { IfBusy } from "../records/run.js";
import { holdLocally, joinLine, tellHolder, waitForRelease } from "./local-threads.js";
import { nodeCrypto, nodeOs } from "../lazy/builtins.js";

/** How long a run's lease lasts unless renewed, by default. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

/** What taking a thread needs: the store (bounded by the run) and the one its line is kept by. */
export interface LeaseStores {
  /** The run's view of the checkpointer, every call bounded by the run. */
  readonly store: Checkpointer;
  /** The graph's checkpointer itself: runs of this process line up per checkpointer. */
  readonly raw: Checkpointer;
}

/** How a run takes its thread. */
export interface LeaseSettings {
  readonly threadId: string;
  readonly ttlMs: number;
  readonly ifBusy: IfBusy;
  /** True for the inner run of a subgraph task: its owner is marked, see {@link isInnerOwner}. */
  readonly inner?: boolean;
}

/** How the owner of an inner run's lease begins. */
const INNER_OWNER = "subgraph:";

/**
 * True when a lease is held by the inner run of a subgraph task. Recovery passes such a thread
 * by: its outer thread, whose run held both, is resumed instead and resumes it.
 */
export function isInnerOwner(owner: string): boolean {
  return owner.startsWith(INNER_OWNER);
}

/**
 * A run's hold on its thread: taken before the run reads the thread, renewed by a heartbeat
 * every `ttlMs / 3` while the run goes on, released when it ends. It hears what other runs ask
 * of it: an `"interrupt"` request ends the run at its next step boundary, a `"rollback"` request
 * cancels it. When a renewal finds the lease gone (it expired and another run took it), the run
 * may write nothing more: {@link RunLease.check} throws `LEASE_LOST`.
 */
export class RunLease {
  readonly owner: string;
  readonly #stores: LeaseStores;
  readonly #settings: LeaseSettings;
  readonly #run: RunControl;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #unhold: () => void;
  readonly #leave: () => void;
  #renewing: Promise<void> | undefined;
  #renewedAt = Date.now();
  #lost: GraphError | undefined;
  #request: LeaseRequest | undefined;

  private constructor(init: { stores: LeaseStores; settings: LeaseSettings; run: RunControl; owner: string; leave: () => void }) {
    this.owner = init.owner;
    this.#stores = init.stores;
    this.#settings = init.settings;
    this.#run = init.run;
    this.#leave = init.leave;
    this.#unhold = holdLocally(init.stores.raw, init.settings.threadId, this.#hear);
    this.#timer = setInterval(this.#beat, Math.max(1, Math.floor(init.settings.ttlMs / 3)));
    this.#timer.unref?.();
  }

  /**
   * Takes the thread's lease for a run, as its `ifBusy` policy says when another run holds it:
   * refuse with `THREAD_BUSY`, or wait for it (after asking the holder to stop, for
   * `"interrupt"` and `"rollback"`). Waiting ends with the run's timeout or signal.
   */
  static async take(stores: LeaseStores, settings: LeaseSettings, run: RunControl): Promise<RunLease> {
    const { store, raw } = stores;
    const { threadId, ttlMs, ifBusy } = settings;
    const owner = `${settings.inner === true ? INNER_OWNER : ""}${nodeOs().hostname()}:${process.pid}:${nodeCrypto().randomUUID()}`;
    const line = ifBusy === "reject" ? { turn: Promise.resolve(), leave: () => {} } : joinLine(raw, threadId);
    try {
      await bounded(line.turn, { timeoutMs: undefined, timeout: () => undefined, signal: run.signal });
      const first = await store.acquireLease({ threadId, owner, ttlMs });
      if (!first.acquired) {
        if (ifBusy === "reject") throw threadBusy(threadId, first.lease);
        if (ifBusy !== "enqueue") {
          await store.requestLease({ threadId, request: ifBusy });
          tellHolder(raw, threadId, ifBusy);
        }
        await waitForLease(stores, { threadId, owner, ttlMs, signal: run.signal });
      }
    } catch (error) {
      line.leave();
      throw error;
    }
    return new RunLease({ stores, settings, run, owner, leave: line.leave });
  }

  /** True when another run asked this one to stop at its next step boundary. */
  get stopRequested(): boolean {
    return this.#request === "interrupt";
  }

  /**
   * Throws `LEASE_LOST` when the run no longer holds the thread; called before every write.
   * A lease not renewed for two thirds of its time (the process was busy, say) is renewed
   * first, and one that could not be renewed before it expired counts as lost.
   */
  async confirm(): Promise<void> {
    const { ttlMs } = this.#settings;
    if (this.#lost === undefined && Date.now() - this.#renewedAt > (ttlMs * 2) / 3) await this.renew();
    if (this.#lost === undefined && Date.now() - this.#renewedAt > ttlMs) this.#lose("it could not be renewed before it expired");
    if (this.#lost !== undefined) throw this.#lost;
  }

  /** Stops the heartbeat and gives the thread back, waiting at most `waitMs` for the store. */
  async release(waitMs: number | undefined): Promise<void> {
    clearInterval(this.#timer);
    this.#unhold();
    try {
      const { threadId } = this.#settings;
      const released = this.#stores.raw.releaseLease({ threadId, owner: this.owner });
      // A store that stalls must not hold the run's end: the lease then expires by itself.
      await bounded(released, { timeoutMs: waitMs, timeout: () => undefined }).catch(() => {});
    } finally {
      this.#leave();
    }
  }

  readonly #hear = (request: LeaseRequest): void => {
    if (request === "rollback") {
      this.#run.cancel(graphError("ABORTED", "rolledBack", { threadId: this.#settings.threadId, reason: "rollback" }));
    }
    this.#request ??= request;
  };

  readonly #beat = (): void => {
    void this.renew();
  };

  /**
   * Renews the lease now and hears any request made of it. A run calls it at each step
   * boundary, so that a request made during a step is heard when that step ends.
   */
  async renew(): Promise<void> {
    if (this.#renewing !== undefined) return this.#renewing;
    if (this.#lost !== undefined) return;
    const { threadId, ttlMs } = this.#settings;
    this.#renewing = this.#stores.store.renewLease({ threadId, owner: this.owner, ttlMs }).then(
      ({ held, request }) => {
        this.#renewing = undefined;
        if (!held) return this.#lose("another run took it after it expired");
        this.#renewedAt = Date.now();
        if (request !== undefined) this.#hear(request);
      },
      () => {
        // A failed renewal is tried again on the next beat; confirm() notices an expiry.
        this.#renewing = undefined;
      },
    );
    return this.#renewing;
  }

  #lose(why: string): void {
    const { threadId } = this.#settings;
    this.#lost = graphError("LEASE_LOST", "lost", { threadId, owner: this.owner, problem: why });
    this.#run.cancel(this.#lost);
  }
}

/** Polls the lease until this run takes it, sooner when a holder in this process lets go. */
async function waitForLease(
  { store, raw }: LeaseStores,
  { threadId, owner, ttlMs, signal }: { threadId: string; owner: string; ttlMs: number; signal: AbortSignal },
): Promise<void> {
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    await waitForRelease(raw, { threadId, ms: delay, signal });
    if (signal.aborted) throw signal.reason;
    if ((await store.acquireLease({ threadId, owner, ttlMs })).acquired) return;
  }
}

function threadBusy(threadId: string, lease: ThreadLease): GraphError {
  return graphError("THREAD_BUSY", "held", { threadId, owner: lease.owner, expiresAt: lease.expiresAt });
}

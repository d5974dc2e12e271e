/**
 * Append lists (see `appendList`) as the engine holds them between steps: appending one item
 * to a list of any length costs the item, not the list.
 *
 * A list's value in a state is one version of an {@link AppendLog}: a store array that only the
 * engine holds, and the version's length. Versions of one list share their store: appending to
 * the newest version pushes onto it, and an older version keeps reading its own first `length`
 * items, which never change. A version that is not the newest copies the store once before it
 * appends (a fork), so no version ever sees another's items.
 *
 * Code outside the engine never sees a store. A state's list key is an accessor that hands out
 * a frozen array of the version's items, made the first time it is read and kept: a step that
 * does not read the list does not pay for it.
 */

/** The versions behind each state's list keys. (A WeakMap, not a hidden property: V8 adds those slowly.) */
const logsOf = new WeakMap<object, ListVersions>();

/**
 * The versions behind one state's list keys, by key. Each commit copies the set of the state
 * before it, so it is kept as small as a copy can be: a flat list of key, version, key,
 * version… (a state has a list key or two). A prototype-less object would be a dictionary in
 * V8, slow to make and to copy; a Map costs about a kilobyte per copy.
 */
export class ListVersions {
  private readonly entries: (string | AppendLog)[];

  constructor(entries: (string | AppendLog)[] = []) {
    this.entries = entries;
  }

  get size(): number {
    return this.entries.length / 2;
  }

  get(key: string): AppendLog | undefined {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 2) if (entries[i] === key) return entries[i + 1] as AppendLog;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, log: AppendLog): void {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] === key) {
        entries[i + 1] = log;
        return;
      }
    }
    entries.push(key, log);
  }

  delete(key: string): void {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] === key) {
        entries.splice(i, 2);
        return;
      }
    }
  }

  copy(): ListVersions {
    return new ListVersions(this.entries.slice());
  }
}

/**
 * Lists shorter than this are copied on append, as plain frozen arrays: below it a copy costs
 * less than the accessor a list behind a log needs. (So is a step that adds at least as many
 * items as the list holds: the copy costs no more than the append.)
 */
export const LOG_MIN_LENGTH = 512;

/** One version of a list: the first `length` items of `store`. */
export class AppendLog {
  /** Shared by every version of this list; never shown outside the engine. Frozen when it came from outside. */
  readonly store: readonly unknown[];
  readonly length: number;
  #view: readonly unknown[] | undefined;

  constructor(store: readonly unknown[], length: number, view?: readonly unknown[]) {
    this.store = store;
    this.length = length;
    this.#view = view;
  }

  /** A list the engine did not make (the run input, a loaded snapshot): read as it is, copied on its first append. */
  static of(list: readonly unknown[]): AppendLog {
    return new AppendLog(list, list.length, list);
  }

  /** The version's items as code outside the engine sees them: a frozen array, made once. */
  view(): readonly unknown[] {
    // A store the engine made is not frozen, so slice() takes V8's fast path.
    this.#view ??= Object.freeze(this.store.slice(0, this.length));
    return this.#view;
  }

  /**
   * The version after appending `batches` in order. Extends the shared store when this version
   * ends where the store does, or when the store already holds exactly these items past it (a
   * router's view of the same step appended them); copies it otherwise.
   */
  append(batches: readonly (readonly unknown[])[]): AppendLog {
    let added = 0;
    for (let i = 0; i < batches.length; i++) added += batches[i]!.length;
    if (added === 0) return this;
    const store = this.store;
    if (!Object.isFrozen(store) && this.#holds(batches)) {
      const owned = store as unknown[];
      let at = this.length;
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        for (let j = 0; j < batch.length; j++, at++) if (at >= owned.length) owned.push(batch[j]);
      }
      return new AppendLog(store, this.length + added);
    }
    // Spread, not slice(): V8 has no fast path for slicing a frozen array (70× slower at 10 000 items).
    const copy = this.length === store.length ? [...store] : store.slice(0, this.length);
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      for (let j = 0; j < batch.length; j++) copy.push(batch[j]);
    }
    return new AppendLog(copy, this.length + added);
  }

  /** Whether every item the store holds past this version is the one `batches` would put there. */
  #holds(batches: readonly (readonly unknown[])[]): boolean {
    const store = this.store;
    let at = this.length;
    for (let i = 0; i < batches.length && at < store.length; i++) {
      const batch = batches[i]!;
      for (let j = 0; j < batch.length && at < store.length; j++, at++) if (!Object.is(store[at], batch[j])) return false;
    }
    return true;
  }
}

/** The version behind list key `key` of `state`, or undefined when the key holds a plain array (or nothing). */
export function logOf(state: object, key: string): AppendLog | undefined {
  return logsOf.get(state)?.get(key);
}

/** A copy of the versions behind `state`'s list keys, for the state after it; undefined when it has none. */
export function copyLogs(state: object): ListVersions | undefined {
  return logsOf.get(state)?.copy();
}

/**
 * Builds a state from `values`, its keys in order, where each key in `logs` is a list: it
 * becomes an accessor to that version's frozen view. Frozen; the versions stay reachable
 * through {@link logOf} for the next commit.
 */
export function stateWith(values: Record<string, unknown>, logs: ListVersions | undefined): Readonly<Record<string, unknown>> {
  if (logs === undefined || logs.size === 0) return Object.freeze(values);
  // Built key by key from an empty object, so that each accessor is a new key (V8 shares the
  // hidden class of states built alike) rather than a data key reconfigured (which it does not).
  const state: Record<string, unknown> = {};
  for (const key in values) {
    if (!logs.has(key)) state[key] = values[key];
    else Object.defineProperty(state, key, { get: getterOf(key), enumerable: true, configurable: false });
  }
  logsOf.set(state, logs);
  return Object.freeze(state);
}

/**
 * One getter per key name, shared by every state: states whose list keys are the same share
 * their hidden class in V8, and reading any of their keys stays fast.
 */
const NOTHING: readonly unknown[] = Object.freeze([]);

const getters = new Map<string, (this: object) => readonly unknown[]>();

function getterOf(key: string): (this: object) => readonly unknown[] {
  let getter = getters.get(key);
  if (getter === undefined) {
    getter = function (this: object) {
      // Called on another object (a getter taken off a state and called by hand): nothing to show.
      return logOf(this, key)?.view() ?? NOTHING;
    };
    getters.set(key, getter);
  }
  return getter;
}

import { ConcurrencyLimit } from "@weft/core";
import { weftSendsGraph, type WorkerUpdate } from "./sends.js";
import { pick, type Workload } from "./workload.js";

/**
 * Where a fan-out's cap is set: the run's `maxConcurrency`, the worker node's `concurrency` as a
 * number (a cap within each run), or a `ConcurrencyLimit` shared by every run given it.
 */
export type CapKind = "run" | "node" | "limit";

/** A cap of `size` tasks at once, set as `kind` says. */
export interface Cap {
  readonly kind: CapKind;
  readonly size: number;
}

const SUFFIX: Record<CapKind, string> = { run: "cap", node: "node", limit: "limit" };
const TITLE: Record<CapKind, string> = { run: "maxConcurrency", node: "node concurrency", limit: "a shared ConcurrencyLimit of" };

/**
 * `n` Sends whose worker ends after one await, on Weft, uncapped or behind a cap. The workers
 * barely wait, so the time is the engine's: with a cap it includes queueing every task beyond
 * it and handing each freed slot on, which must cost the same per task however many wait.
 */
export function cappedSends(n: number, cap?: Cap): Workload {
  const worker = async ({ i }: { i: number }): Promise<WorkerUpdate> => ({ items: [i] });
  const concurrency = cap?.kind === "node" ? cap.size : cap?.kind === "limit" ? new ConcurrencyLimit(cap.size) : undefined;
  const graph = weftSendsGraph(worker, { concurrency });
  const options = cap?.kind === "run" ? { maxConcurrency: cap.size } : {};
  return {
    id: cappedId(n, cap),
    title: `${n} async Sends, ${cap === undefined ? "no cap" : `${TITLE[cap.kind]} ${cap.size}`}`,
    weft: () => graph.invoke({ n }, options),
    project: pick("total"),
    expected: { total: n },
  };
}

/** The case id of {@link cappedSends}: `capped-sends/<n>`, then `/cap<size>`, `/node<size>` or `/limit<size>`. */
export function cappedId(n: number, cap?: Cap): string {
  return `capped-sends/${n}${cap === undefined ? "" : `/${SUFFIX[cap.kind]}${cap.size}`}`;
}

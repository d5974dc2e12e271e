import type { z } from "zod";
import type { AnyStateSchema } from "../state/types.js";
import type { ConcurrencyLimit } from "../controls/concurrency-limit.js";
import type { RateLimit } from "../controls/rate-limit.js";
import type { RetryPolicy } from "../controls/retry.js";

/** What a node does when its task fails (after retries). */
export type ErrorPolicy = "fail" | "continue" | ((error: unknown, input: unknown, ctx: unknown) => unknown);

/** A node as the runtime sees it. */
export interface NodeSpec {
  readonly name: string;
  /** Position in declaration order: the order of edge-triggered tasks in a step. */
  readonly index: number;
  readonly fn: (input: unknown, ctx: never) => unknown;
  readonly input: z.ZodType | undefined;
  readonly defer: boolean;
  readonly ends: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy | undefined;
  /** A cap within each run, or one shared with every node and run given the same limit. */
  readonly concurrency: number | ConcurrencyLimit | undefined;
  /** The rate limits each task passes before it runs (and each retry before it calls again). */
  readonly rateLimit: readonly RateLimit[];
  /** The tokens a task of this node is expected to use, for token limits; else the limit's estimate. */
  readonly estimateTokens: ((input: unknown) => number) | undefined;
  readonly onError: ErrorPolicy;
}

/** A conditional edge: `router` chooses the targets after `source` runs. */
export interface BranchSpec {
  readonly source: string;
  readonly router: (state: never, ctx: never) => unknown;
  /** Targets declared for drawing and validation, when given. */
  readonly targets: readonly string[] | undefined;
  /** Router results mapped to node names, when a path map was given. */
  readonly pathMap: Readonly<Record<string, string>> | undefined;
}

/** A join: `target` runs once every source has run since it last ran. */
export interface JoinSpec {
  readonly sources: readonly string[];
  readonly target: string;
}

/** A graph as plain data: what the builder produces and the runtime and drawing consume. */
export interface GraphIR {
  readonly name: string;
  readonly state: AnyStateSchema;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly joins: readonly JoinSpec[];
  readonly branches: readonly BranchSpec[];
}

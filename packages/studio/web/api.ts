import { createClient, type GraphClient, type RunInfo } from "@weft/server/client";

/** The graph names and starting inputs the studio serves. */
export interface StudioConfig {
  readonly graphs: readonly string[];
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** A served graph: its nodes and its diagram. */
export interface GraphInfo {
  readonly name: string;
  readonly nodes: readonly { readonly name: string; readonly sendTarget: boolean }[];
  readonly mermaid: string;
}

/** A checkpoint as the history lists it. */
export interface Checkpoint {
  readonly checkpointId: string;
  readonly parentId: string | undefined;
  readonly step: number;
  readonly source: "input" | "step" | "update";
  readonly createdAt: string;
  readonly values: Record<string, unknown>;
  readonly next: readonly { readonly node: string; readonly sendIndex?: number }[];
  readonly interrupts: readonly PendingInterrupt[];
}

export interface PendingInterrupt {
  readonly id: string;
  readonly node: string;
  readonly kind: string;
  readonly value: unknown;
}

const API = new URL("api", document.baseURI).href.replace(/\/$/, "");

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${API}${path}`);
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `${response.status}`);
  return body;
}

export const loadConfig = (): Promise<StudioConfig> => get("/studio");
export const loadGraph = (name: string): Promise<GraphInfo> => get(`/graphs/${encodeURIComponent(name)}`);

/** The typed client of `@weft/server`, for one graph (the page does not know its types). */
// biome-ignore lint/suspicious/noExplicitAny: the page talks to whichever graph the server serves.
export const clientFor = (graph: string): GraphClient<any> => createClient({ url: API, graph });

export type { RunInfo };

import type { GraphIR, NodeSpec } from "../graph/ir.js";
import type { Snapshot } from "../state/table.js";
import type { ParsedSend, RoutingTable } from "./route.js";
import type { Task, TaskOutcome } from "./task.js";

/** Where the run goes from START: what routing START produced. */
export interface StartOutcome {
  readonly status: "start";
  readonly triggers: readonly string[];
  readonly sends: readonly ParsedSend[];
}

/** One task of a frontier as data: a Send carries its input, an edge task reads the state. */
export interface FrontierTask {
  readonly node: string;
  readonly sendIndex?: number;
  readonly input?: unknown;
}

/** What the planner remembers between steps, as data (it is part of every checkpoint). */
export interface PlannerState {
  /** For each join, in declaration order, the sources that ran since its target last ran. */
  readonly joins: readonly (readonly string[])[];
  readonly deferredNodes: readonly string[];
  readonly deferredSends: readonly { readonly node: string; readonly input: unknown }[];
}

/** Chooses the tasks of the next step from what the last one did. */
export class Planner {
  readonly #joinsSeen: Set<string>[];
  readonly #deferredNodes: Set<string>;
  readonly #deferredSends: ParsedSend[];

  readonly #ir: GraphIR;
  readonly #routing: RoutingTable;

  constructor(ir: GraphIR, routing: RoutingTable, saved?: PlannerState) {
    this.#ir = ir;
    this.#routing = routing;
    this.#joinsSeen = ir.joins.map((_, i) => new Set(saved?.joins[i] ?? []));
    this.#deferredNodes = new Set(saved?.deferredNodes ?? []);
    this.#deferredSends = (saved?.deferredSends ?? []).map((send) => ({ node: this.#node(send.node), input: send.input }));
  }

  /**
   * Triggered nodes run in declaration order, then Sends in emission order. Deferred nodes
   * wait until nothing else is left to run.
   */
  next(state: Snapshot, step: number, outcomes: readonly (TaskOutcome | StartOutcome)[]): Task[] {
    const triggered = new Set<string>();
    const sends: ParsedSend[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === "cancelled" || outcome.status === "interrupted") continue;
      if (outcome.status === "failed") {
        // A failure kept by `onError: "continue"` still lets the flow go on along static
        // edges and joins, so an aggregator downstream runs with what succeeded.
        for (const target of this.#routing.edgesFrom.get(outcome.task.node) ?? []) triggered.add(target);
        this.#markJoins(outcome.task.node, triggered);
        continue;
      }
      for (const target of outcome.triggers) triggered.add(target);
      for (const send of outcome.sends) sends.push(send);
      if (outcome.status === "done") this.#markJoins(outcome.task.node, triggered);
    }
    const nodes: NodeSpec[] = [];
    for (const name of triggered) {
      const node = this.#ir.nodes.get(name);
      if (node === undefined) continue; // END
      if (node.defer) this.#deferredNodes.add(name);
      else nodes.push(node);
    }
    // Declaration order, whatever order the triggers came in.
    if (nodes.length > 1) nodes.sort((a, b) => a.index - b.index);
    const ready: ParsedSend[] = [];
    for (const send of sends) (send.node.defer ? this.#deferredSends : ready).push(send);
    if (nodes.length === 0 && ready.length === 0 && (this.#deferredNodes.size > 0 || this.#deferredSends.length > 0)) {
      for (const name of this.#deferredNodes) nodes.push(this.#ir.nodes.get(name)!);
      nodes.sort((a, b) => a.index - b.index);
      ready.push(...this.#deferredSends);
      this.#deferredNodes.clear();
      this.#deferredSends.length = 0;
    }
    const frontier: FrontierTask[] = nodes.map((node) => ({ node: node.name }));
    const sendCounts = new Map<string, number>();
    for (const send of ready) {
      const sendIndex = sendCounts.get(send.node.name) ?? 0;
      sendCounts.set(send.node.name, sendIndex + 1);
      frontier.push({ node: send.node.name, sendIndex, input: send.input });
    }
    return this.tasks(frontier, state, step);
  }

  /** Rebuilds the tasks of a step from their description. */
  tasks(frontier: readonly FrontierTask[], state: Snapshot, step: number): Task[] {
    return frontier.map((entry, position) => {
      const spec = this.#node(entry.node);
      const isSend = entry.sendIndex !== undefined;
      return {
        taskId: `${step}:${position}`,
        node: spec.name,
        step,
        sendIndex: entry.sendIndex,
        spec,
        input: isSend ? entry.input : this.#routing.edgeInput(spec, state),
      };
    });
  }

  /** The planner's memory as plain data. */
  save(): PlannerState {
    return {
      joins: this.#joinsSeen.map((seen) => [...seen]),
      deferredNodes: [...this.#deferredNodes],
      deferredSends: this.#deferredSends.map((send) => ({ node: send.node.name, input: send.input })),
    };
  }

  #node(name: string): NodeSpec {
    const node = this.#ir.nodes.get(name);
    if (node === undefined) throw new Error(`unknown node "${name}"`);
    return node;
  }

  #markJoins(node: string, triggered: Set<string>): void {
    this.#ir.joins.forEach((join, i) => {
      if (!join.sources.includes(node)) return;
      const seen = this.#joinsSeen[i]!;
      seen.add(node);
      if (seen.size === join.sources.length) {
        seen.clear();
        triggered.add(join.target);
      }
    });
  }
}

/** A task as frontier data. */
export function toFrontier(task: Task): FrontierTask {
  return task.sendIndex === undefined ? { node: task.node } : { node: task.node, sendIndex: task.sendIndex, input: task.input };
}

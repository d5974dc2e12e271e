import type { GraphIR, NodeSpec } from "../graph/ir.js";
import type { ScopeLimit } from "../records/budget.js";
import type { FrontierTask, PlannerState } from "../records/frontier.js";
import type { Snapshot } from "../records/write.js";
import type { ParsedSend, RoutingTable } from "./route.js";
import type { Task, TaskOutcome } from "./task.js";

const NO_SENDS: readonly ParsedSend[] = Object.freeze([]);

/** Where the run goes from START: what routing START produced. */
export interface StartOutcome {
  readonly status: "start";
  readonly triggers: readonly string[];
  readonly sends: readonly ParsedSend[];
}

/** Chooses the tasks of the next step from what the last one did. */
export class Planner {
  readonly #joinsSeen: Set<string>[];
  readonly #deferredNodes: Set<string>;
  readonly #deferredSends: ParsedSend[];

  readonly #ir: GraphIR;
  readonly #routing: RoutingTable;
  /** For each node that feeds joins, the positions of those joins in `ir.joins`. */
  readonly #joinsOf: ReadonlyMap<string, readonly number[]>;
  /** Whether any node is deferred: only then must Sends be sorted into ready and deferred. */
  readonly #hasDeferred: boolean;

  constructor(ir: GraphIR, routing: RoutingTable, saved?: PlannerState) {
    this.#ir = ir;
    this.#routing = routing;
    const shape = shapeOf(ir);
    this.#joinsOf = shape.joinsOf;
    this.#hasDeferred = shape.hasDeferred;
    this.#joinsSeen = ir.joins.map((_, i) => new Set(saved?.joins[i] ?? []));
    this.#deferredNodes = new Set(saved?.deferredNodes ?? []);
    this.#deferredSends = (saved?.deferredSends ?? []).map((send) => ({
      node: this.#node(send.node),
      input: send.input,
      budget: send.budget,
    }));
  }

  /**
   * Triggered nodes run in declaration order, then Sends in emission order. Deferred nodes
   * wait until nothing else is left to run.
   */
  next(state: Snapshot, step: number, outcomes: readonly (TaskOutcome | StartOutcome)[]): Task[] {
    // Indexed loops over the outcomes and Sends: this runs once per step over every task, often
    // before V8 has optimized it, and a for-of there allocates an iterator result per element.
    const triggered = new Set<string>();
    // A fan-out's Sends come from one task: its list is read as it is, and copied only when a
    // second task adds Sends of its own or the Sends run under budgets.
    let sends: readonly ParsedSend[] = NO_SENDS;
    let copied = false;
    // The tasks of a fan-out share their routes (see RoutingTable.route): each list is added once.
    let added: readonly string[] | undefined;
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.status === "cancelled" || outcome.status === "interrupted") continue;
      if (outcome.status === "failed") {
        // A failure kept by `onError: "continue"` still lets the flow go on along static
        // edges and joins, so an aggregator downstream runs with what succeeded.
        addAll(triggered, this.#routing.edgesFrom.get(outcome.task.node));
        this.#markJoins(outcome.task.node, triggered);
        continue;
      }
      if (outcome.triggers !== added) addAll(triggered, (added = outcome.triggers));
      const emitted = outcome.sends;
      const over = outcome.status === "done" ? outcome.task.budget : undefined;
      if (emitted.length > 0) {
        if (sends.length === 0 && over === undefined) sends = emitted;
        else {
          const list: ParsedSend[] = copied ? (sends as ParsedSend[]) : [...sends];
          for (let j = 0; j < emitted.length; j++) list.push(over === undefined ? emitted[j]! : underBudgets(emitted[j]!, over));
          sends = list;
          copied = true;
        }
      }
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
    let ready: readonly ParsedSend[] = sends;
    if (this.#hasDeferred) {
      const notDeferred: ParsedSend[] = [];
      ready = notDeferred;
      for (let i = 0; i < sends.length; i++) (sends[i]!.node.defer ? this.#deferredSends : notDeferred).push(sends[i]!);
    }
    if (nodes.length === 0 && ready.length === 0 && (this.#deferredNodes.size > 0 || this.#deferredSends.length > 0)) {
      for (const name of this.#deferredNodes) nodes.push(this.#ir.nodes.get(name)!);
      nodes.sort((a, b) => a.index - b.index);
      ready = [...this.#deferredSends];
      this.#deferredNodes.clear();
      this.#deferredSends.length = 0;
    }
    const tasks: Task[] = new Array(nodes.length + ready.length);
    for (let i = 0; i < nodes.length; i++) {
      const spec = nodes[i]!;
      tasks[i] = newTask(step, i, { node: spec, input: this.#routing.edgeInput(spec, state) }, undefined);
    }
    // The Sends to each node are numbered in order. A fan-out sends to one node many times in a
    // row: its count is kept in a local while the node stays the same, and in a map (made when
    // the Sends first change node) otherwise.
    let sendCounts: Map<string, number> | undefined;
    let counting: string | undefined;
    let count = 0;
    for (let i = 0; i < ready.length; i++) {
      const send = ready[i]!;
      const name = send.node.name;
      if (name !== counting) {
        if (counting !== undefined) (sendCounts ??= new Map()).set(counting, count);
        counting = name;
        count = sendCounts?.get(name) ?? 0;
      }
      tasks[nodes.length + i] = newTask(step, nodes.length + i, send, count++);
    }
    return tasks;
  }

  /** Rebuilds the tasks of a step from their description. */
  tasks(frontier: readonly FrontierTask[], state: Snapshot, step: number): Task[] {
    return frontier.map((entry, position) => {
      const spec = this.#node(entry.node);
      const isSend = entry.sendIndex !== undefined;
      const input = isSend ? entry.input : this.#routing.edgeInput(spec, state);
      return newTask(step, position, { node: spec, input, budget: entry.budget }, entry.sendIndex);
    });
  }

  /** The planner's memory as plain data. */
  save(): PlannerState {
    return {
      joins: this.#joinsSeen.map((seen) => [...seen]),
      deferredNodes: [...this.#deferredNodes],
      deferredSends: this.#deferredSends.map((send) =>
        send.budget === undefined
          ? { node: send.node.name, input: send.input }
          : { node: send.node.name, input: send.input, budget: send.budget },
      ),
    };
  }

  #node(name: string): NodeSpec {
    const node = this.#ir.nodes.get(name);
    if (node === undefined) throw new Error(`unknown node "${name}"`);
    return node;
  }

  #markJoins(node: string, triggered: Set<string>): void {
    if (this.#joinsOf.size === 0) return;
    const joins = this.#joinsOf.get(node);
    if (joins === undefined) return;
    for (let j = 0; j < joins.length; j++) {
      const i = joins[j]!;
      const join = this.#ir.joins[i]!;
      const seen = this.#joinsSeen[i]!;
      seen.add(node);
      if (seen.size === join.sources.length) {
        seen.clear();
        triggered.add(join.target);
      }
    }
  }
}

function addAll(set: Set<string>, items: readonly string[] | undefined): void {
  if (items === undefined) return;
  for (let i = 0; i < items.length; i++) set.add(items[i]!);
}

/** The task at `position` of `step` that runs `work.node` on `work.input`. */
function newTask(step: number, position: number, work: ParsedSend, sendIndex: number | undefined): Task {
  return new PlannedTask(step, position, work, sendIndex);
}

function taskId(step: number, position: number): string {
  return `${step}:${position}`;
}

/**
 * A task the planner made. Its id is built when first read: most tasks of a fan-out never have
 * theirs read (no events, no thread), and building a string per task costs more than the rest
 * of the record.
 */
class PlannedTask implements Task {
  readonly node: string;
  readonly step: number;
  readonly sendIndex: number | undefined;
  readonly spec: NodeSpec;
  readonly input: unknown;
  readonly budget: readonly ScopeLimit[] | undefined;
  readonly #position: number;
  #id: string | undefined;

  constructor(step: number, position: number, work: ParsedSend, sendIndex: number | undefined) {
    this.node = work.node.name;
    this.step = step;
    this.sendIndex = sendIndex;
    this.spec = work.node;
    this.input = work.input;
    this.#position = position;
    this.#id = undefined;
    const budget = work.budget;
    // A Send's own budget is named after the task it starts.
    this.budget = budget === undefined || budget[0]!.id !== "" ? budget : [{ ...budget[0]!, id: this.taskId }, ...budget.slice(1)];
  }

  get taskId(): string {
    return (this.#id ??= taskId(this.step, this.#position));
  }
}

/**
 * A Send from a task under `over` budgets: it runs under them too, inside its own if it has
 * one. A Send's budget thus covers every task its task causes through Sends, at any depth.
 */
function underBudgets(send: ParsedSend, over: readonly ScopeLimit[]): ParsedSend {
  const own = send.budget;
  return { node: send.node, input: send.input, budget: own === undefined ? over : [...own, ...over] };
}

/** A task as frontier data. */
export function toFrontier(task: Task): FrontierTask {
  const frontier: FrontierTask =
    task.sendIndex === undefined ? { node: task.node } : { node: task.node, sendIndex: task.sendIndex, input: task.input };
  return task.budget === undefined ? frontier : { ...frontier, budget: task.budget };
}

/** What a planner reads of a graph's shape, the same for every run of it. */
interface PlanShape {
  readonly joinsOf: ReadonlyMap<string, readonly number[]>;
  readonly hasDeferred: boolean;
}

/** Each graph's shape, worked out by its first run's planner; an IR never changes once compiled. */
const shapes = new WeakMap<GraphIR, PlanShape>();

function shapeOf(ir: GraphIR): PlanShape {
  let shape = shapes.get(ir);
  if (shape === undefined) {
    const joinsOf = new Map<string, number[]>();
    ir.joins.forEach((join, i) => {
      for (const source of new Set(join.sources)) joinsOf.set(source, [...(joinsOf.get(source) ?? []), i]);
    });
    shape = { joinsOf, hasDeferred: [...ir.nodes.values()].some((node) => node.defer) };
    shapes.set(ir, shape);
  }
  return shape;
}

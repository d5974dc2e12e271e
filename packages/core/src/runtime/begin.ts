import { START } from "../graph/constants.js";
import type { NodeSpec } from "../graph/ir.js";
import type { PlannerState } from "../records/frontier.js";
import type { Snapshot, Write } from "../records/write.js";
import { Planner } from "./planner.js";
import { NO_GOTO } from "./result.js";
import type { RoutingTable } from "./route.js";
import type { Task } from "./task.js";
import type { GraphIR } from "../graph/ir.js";

/** What planning a run's first step needs of the program. */
export interface PlanProgram {
  readonly ir: GraphIR;
  readonly routing: RoutingTable;
}

/**
 * What runs after a write from outside the graph's tasks: START's edges (a run's input), a
 * `Command`'s targets instead (a run's `Command({ goto })`), or what follows `node` as if the
 * node had made the write (`updateState(..., { asNode })`).
 */
export type After =
  | { readonly from: "start" }
  | { readonly from: "goto"; readonly goto: readonly unknown[] }
  | { readonly from: "node"; readonly node: NodeSpec; readonly write: Write };

/** A planner for a program, from its saved memory (a checkpoint's) or new. */
export function planner(program: PlanProgram, saved: PlannerState | undefined): Planner {
  return new Planner(program.ir, program.routing, saved);
}

/** The tasks of step `step + 1`, on `state`, after the write `after` describes. */
export async function plan(
  program: PlanProgram,
  { state, step, planner, after }: { readonly state: Snapshot; readonly step: number; readonly planner: Planner; readonly after: After },
): Promise<Task[]> {
  const { routing } = program;
  if (after.from === "node") {
    const spec = after.node;
    const routes = await routing.route(spec.name, NO_GOTO, state);
    const task = { taskId: "update", node: spec.name, step, sendIndex: undefined, spec, input: state };
    return planner.next(state, step + 1, [{ status: "done", task, write: after.write, ...routes }]);
  }
  const routes = after.from === "start" ? await routing.route(START, NO_GOTO, state) : routing.goto(after.goto, "the run input");
  return planner.next(state, step + 1, [{ status: "start", ...routes }]);
}

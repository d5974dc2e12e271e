import { describeThrown, showValue, suggest } from "./describe.js";
import type { GraphErrorCode, GraphErrorDetails, OptionScope } from "./details.js";

type D<C extends GraphErrorCode> = GraphErrorDetails<C>;
/** `details` of code `C` with the fields `K` present. */
type With<C extends GraphErrorCode, K extends keyof D<C>> = D<C> & { readonly [P in K]-?: NonNullable<D<C>[P]> };

const sendLabel = (sendIndex: number | undefined): string => (sendIndex === undefined ? "" : ` (Send #${sendIndex})`);
const who = (d: { readonly by?: "router" | "command" }, source: string | undefined): string =>
  `${d.by === "command" ? "Command" : "Router"} of "${source}"`;

/** How the start of an option's message names where the option was given. */
function optionOwner(d: D<"INVALID_OPTION">): string {
  const scopes: Record<OptionScope, string> = {
    node: `Node "${d.node}":`,
    compile: "compile() option",
    run: "Run option",
    graph: "new StateGraph() option",
    limit: "ConcurrencyLimit:",
    rateLimit: "RateLimit:",
    recover: "recover() option",
    send: `Send to "${d.node}": option`,
  };
  return scopes[d.scope ?? "run"];
}

const OPTIONS_OF: Record<OptionScope, (node: string | undefined) => string> = {
  node: (node) => `Node "${node}": options`,
  compile: () => "compile() options",
  run: () => "Run options",
  graph: () => "new StateGraph() options",
  limit: () => "ConcurrencyLimit options",
  rateLimit: () => "RateLimit options",
  recover: () => "recover() options",
  send: (node) => `Send to "${node}": options`,
};

const UNKNOWN_OPTION: Record<OptionScope, string> = {
  node: "",
  compile: "an option of compile()",
  run: "a run option",
  graph: "an option of new StateGraph()",
  limit: "an option of ConcurrencyLimit",
  rateLimit: "an option of RateLimit",
  recover: "an option of recover()",
  send: "an option of Send",
};

/**
 * Every message of every {@link GraphErrorCode}, by code and then by the situation that
 * raises it: the one place a message is worded. Each builder reads only the error's `details`,
 * so what a message says, a program can read too.
 */
export const MESSAGES = {
  UNKNOWN_NODE: {
    inGraph: (d: With<"UNKNOWN_NODE", "where" | "graph">) =>
      `${d.where} "${d.node}" is not a node of graph "${d.graph}".${suggest(d.suggestion)}`,
    option: (d: With<"UNKNOWN_NODE", "option">) => `${d.option} names "${d.node}", which is not a node.${suggest(d.suggestion)}`,
    send: (d: With<"UNKNOWN_NODE", "from">) => `"${d.from}" sent to "${d.node}", which is not a node.${suggest(d.suggestion)}`,
    route: (d: With<"UNKNOWN_NODE", "from">) => `${who(d, d.from)} returned "${d.node}", which is not a node.${suggest(d.suggestion)}`,
    emptyJoin: (d: D<"UNKNOWN_NODE">) => `A join into "${d.node}" needs at least one source.`,
  },
  INVALID_GRAPH: {
    stateNotAnObject: (d: With<"INVALID_GRAPH", "kind">) => `The state of a StateGraph must be a z.object() schema, got ${d.kind}.`,
    reducerWithoutInit: (d: With<"INVALID_GRAPH", "key" | "graph">) =>
      `Key "${d.key}" of graph "${d.graph}" has a reducer without an initial value: give reducer() its third argument, the value the key starts from.`,
    reducerSchema: (d: With<"INVALID_GRAPH", "kind">) => `reducer() takes the key's zod schema first, got ${d.kind}.`,
    reducerNotAFunction: (d: With<"INVALID_GRAPH", "key" | "graph">) =>
      `Key "${d.key}" of graph "${d.graph}" has a reducer that is not a function: give reducer() the function that folds an update into the value.`,
    reducerInitInvalid: (d: With<"INVALID_GRAPH", "key" | "graph" | "problem">) =>
      `Key "${d.key}" of graph "${d.graph}" has a reducer whose initial value its schema rejects: ${d.problem}`,
    sharedKeyType: (d: With<"INVALID_GRAPH", "node" | "key" | "graph" | "subgraph" | "problem">) =>
      `Subgraph node "${d.node}" of graph "${d.graph}" shares key "${d.key}" with graph "${d.subgraph}", but with another type (${d.problem}): give the node input and output mappings, or one type to the key.`,
    schemaKey: (d: With<"INVALID_GRAPH", "key" | "graph" | "schema">) =>
      `The ${d.schema} schema of graph "${d.graph}" has key "${d.key}", which is not in its state.`,
    schemaNotAnObject: (d: With<"INVALID_GRAPH", "kind" | "schema">) =>
      `The ${d.schema} schema of a StateGraph must be a z.object() schema, got ${d.kind}.`,
    subgraphStopped: (d: With<"INVALID_GRAPH", "node">) =>
      `The inner run of subgraph node "${d.node}" stopped without an interrupt: another run asked its thread to stop.`,
  },
  INVALID_NODE_NAME: {
    notAName: (d: D<"INVALID_NODE_NAME">) => `A node name must be a non-empty string, got ${showValue(d.value)}.`,
    reserved: (d: With<"INVALID_NODE_NAME", "node">) => `Node name "${d.node}" is reserved: names starting with "__" belong to Weft.`,
    taken: (d: With<"INVALID_NODE_NAME", "node" | "graph">) => `Node "${d.node}" is already in graph "${d.graph}".`,
    emptySequence: (_: D<"INVALID_NODE_NAME">) => "addSequence needs at least one node.",
  },
  INVALID_OPTION: {
    invalid: (d: With<"INVALID_OPTION", "option" | "expected" | "scope">) =>
      `${optionOwner(d)} ${d.option} must be ${d.expected}, got ${showValue(d.value)}.${suggest(d.suggestion)}`,
    unknown: (d: With<"INVALID_OPTION", "option" | "scope">) =>
      d.scope === "node"
        ? `Node "${d.node}": unknown option "${d.option}".${suggest(d.suggestion)}`
        : `"${d.option}" is not ${UNKNOWN_OPTION[d.scope]}.${d.hint ?? suggest(d.suggestion)}`,
    notAnObject: (d: With<"INVALID_OPTION", "scope">) => `${OPTIONS_OF[d.scope](d.node)} must be an object, got ${showValue(d.value)}.`,
    notAFunction: (d: With<"INVALID_OPTION", "node">) => `Node "${d.node}": its function must be a function, got ${showValue(d.value)}.`,
    noPrice: (d: With<"INVALID_OPTION", "node">) =>
      `Node "${d.node}" reported usage of ${d.value === undefined ? "an unnamed model" : `model ${showValue(d.value)}`} without its cost, ` +
      "and the run has a cost limit: add the model to budget.prices, or report costUsd.",
    checkpointWithoutThread: (_: D<"INVALID_OPTION">) => "Run option checkpointId names a checkpoint of a thread: give the threadId too.",
    noCheckpointer: (d: With<"INVALID_OPTION", "graph">) =>
      `${d.option === "threadId" ? "The run has a threadId but graph" : "Graph"} "${d.graph}" has no checkpointer: compile it with { checkpointer }.`,
    recoverChooses: (d: With<"INVALID_OPTION", "option">) =>
      `recover() chooses the resumed runs' ${d.option.replace(/^run\./, "")} itself: leave it out of options.run.`,
    callOption: (d: With<"INVALID_OPTION", "node" | "method" | "option" | "expected">) =>
      d.expected === "absent"
        ? `Node "${d.node}": ${d.method}() has no option "${d.option}"; it takes timeoutMs and default.`
        : `Node "${d.node}": ${d.method}() ${d.option === "options" ? "options" : `option ${d.option}`} must be ${d.expected}, got ${showValue(d.value)}.`,
    interruptWithoutCheckpointer: (d: With<"INVALID_OPTION", "node">) =>
      `Node "${d.node}" called interrupt(), which needs a checkpointer and a threadId to pause and resume the run.`,
  },
  UNREACHABLE_NODE: {
    unreachable: (d: D<"UNREACHABLE_NODE">) =>
      `Node "${d.node}" of graph "${d.graph}" cannot be reached from START: add an edge, a conditional edge target or a Command target (ends) that leads to it.`,
  },
  DEAD_END: {
    deadEnd: (d: D<"DEAD_END">) =>
      `Node "${d.node}" of graph "${d.graph}" has no way out: add addEdge("${d.node}", END), a conditional edge, or declare its Command targets with { ends: [...] }.`,
  },
  NO_ENTRY: {
    noEntry: (d: D<"NO_ENTRY">) => `Graph "${d.graph}" has no edge out of START: add addEdge(START, "<first node>").`,
  },
  CONCURRENT_UPDATE: {
    noReducer: (d: D<"CONCURRENT_UPDATE">) => `${concurrent(d)} but has no reducer: give it a reducer or write it from one node.`,
    recipeReplaced: (d: D<"CONCURRENT_UPDATE">) =>
      `${concurrent(d)} and a recipe replaced its whole value: return an update for this key instead of changing it in a recipe.`,
  },
  INVALID_UPDATE: {
    notAnUpdate: (d: With<"INVALID_UPDATE", "node" | "kind">) =>
      `Node "${d.node}" returned ${d.kind}; a node returns an update object, a Command, a recipe function or nothing.`,
    unknownKey: (d: With<"INVALID_UPDATE", "writer" | "key">) =>
      `Node "${d.writer}" wrote key "${d.key}", which is not in the state.${suggest(d.suggestion)}`,
    invalidValue: (d: With<"INVALID_UPDATE", "writer" | "key" | "problem">) =>
      `Node "${d.writer}" wrote an invalid value to key "${d.key}": ${d.problem}`,
    reducerThrew: (d: With<"INVALID_UPDATE", "writer" | "key" | "step" | "problem">) =>
      `The reducer of key "${d.key}" threw on the update from "${d.writer}" in step ${d.step}: ${d.problem}`,
    reducerResult: (d: With<"INVALID_UPDATE", "writer" | "key" | "step" | "problem">) =>
      `The reducer of key "${d.key}" returned a value its schema rejects on the update from "${d.writer}" in step ${d.step}: ${d.problem}`,
    recipeWithOwnInput: (d: With<"INVALID_UPDATE", "node">) =>
      `Node "${d.node}" returned a recipe, which drafts the state, but its tasks receive their own input (a Send or an input schema): return an update object instead.`,
    unstorable: (d: With<"INVALID_UPDATE", "node" | "problem">) => `Node "${d.node}" wrote a value a checkpoint cannot store: ${d.problem}`,
    unstorableInterrupt: (d: With<"INVALID_UPDATE", "node" | "path" | "problem">) =>
      `Node "${d.node}" called interrupt() with ${d.path.startsWith("default") ? "a default answer" : "a value"} a checkpoint cannot store: ${d.problem}`,
    unstorableSend: (d: With<"INVALID_UPDATE", "node" | "target" | "path" | "problem">) =>
      `Node "${d.node}" sent "${d.target}" an input a checkpoint cannot store: ${d.problem}`,
  },
  INVALID_INPUT: {
    notAnObject: (d: With<"INVALID_INPUT", "kind">) => `Run input must be an object of state keys, got ${d.kind}.`,
    invalid: (d: With<"INVALID_INPUT", "problem">) => `Run input is invalid: ${d.problem}`,
    unknownKey: (d: With<"INVALID_INPUT", "key">) => `Run input has key "${d.key}", which is not in the state.${suggest(d.suggestion)}`,
    invalidValue: (d: With<"INVALID_INPUT", "key" | "problem">) => `Run input has an invalid value to key "${d.key}": ${d.problem}`,
    reducerInit: (d: With<"INVALID_INPUT", "key" | "problem">) =>
      `The reducer of key "${d.key}" threw making its initial value: ${d.problem}`,
    reducerInitInvalid: (d: With<"INVALID_INPUT", "key" | "problem">) =>
      `The reducer of key "${d.key}" made an initial value its schema rejects: ${d.problem}`,
    reducerInput: (d: With<"INVALID_INPUT", "key" | "problem">) => `The reducer of key "${d.key}" threw on the run input: ${d.problem}`,
    reducerResult: (d: With<"INVALID_INPUT", "key" | "problem">) =>
      `The reducer of key "${d.key}" returned a value its schema rejects on the run input: ${d.problem}`,
    send: (d: With<"INVALID_INPUT", "node" | "from" | "problem">) => `"${d.from}" sent an invalid input to "${d.node}": ${d.problem}`,
    edgeInput: (d: With<"INVALID_INPUT", "node" | "problem">) =>
      `The state does not match the input schema of node "${d.node}": ${d.problem}`,
    notAnInputKey: (d: With<"INVALID_INPUT", "key">) =>
      `Run input has key "${d.key}", which is not in the graph's input schema.${suggest(d.suggestion)}`,
    resumeWithoutThread: (_: D<"INVALID_INPUT">) =>
      "Only a run with a threadId can be resumed: give the run input, or a threadId to resume.",
  },
  INVALID_ROUTE: {
    parentWithoutParent: (d: With<"INVALID_ROUTE", "node" | "graph">) =>
      `Node "${d.node}" returned a Command to the parent graph, but graph "${d.graph}" is not running as a subgraph node.`,
    addEdge: (d: D<"INVALID_ROUTE">) => {
      const [from, to] = d.value as readonly [unknown, unknown];
      return `addEdge takes a node name (or an array of them) and a node name, got ${showValue(from)} and ${showValue(to)}.`;
    },
    conditionalSource: (d: D<"INVALID_ROUTE">) => `addConditionalEdges takes a node name first, got ${showValue(d.value)}.`,
    routerNotAFunction: (d: With<"INVALID_ROUTE", "node">) => `The router of "${d.node}" must be a function, got ${showValue(d.value)}.`,
    targets: (d: With<"INVALID_ROUTE", "node">) =>
      `The targets of the router of "${d.node}" must be an array of node names or a path map (an object of node names), got ${showValue(d.value)}.`,
    sendWithoutNode: (d: D<"INVALID_ROUTE">) => `A Send needs the name of the node to run, got ${showValue(d.value)}.`,
    notARoute: (d: With<"INVALID_ROUTE", "node" | "kind">) => `${who(d, d.node)} returned ${d.kind}; expected a node name, END or a Send.`,
    notInPathMap: (d: With<"INVALID_ROUTE", "node" | "route">) =>
      `${who(d, d.node)} returned "${d.route}", which is not a key of its path map.${suggest(d.suggestion)}`,
    notDeclared: (d: With<"INVALID_ROUTE", "node" | "route" | "targets">) =>
      `${who(d, d.node)} returned "${d.route}", which is not among its declared targets (${d.targets.join(", ")}).`,
  },
  STEP_LIMIT: {
    stepLimit: (d: D<"STEP_LIMIT">) =>
      `The run reached maxSteps (${d.maxSteps}) with ${quoted(d.next)} still to run; the last steps ran ${quoted(d.loop)}. Is there a loop without an exit? Raise maxSteps if the run is just long.`,
  },
  TASK_FAILED: {
    step: (d: With<"TASK_FAILED", "step">) => {
      const fatal = d.failures.filter((failure) => failure.policy === "fail");
      const named = (failure: (typeof fatal)[number]): string => `"${failure.node}"${sendLabel(failure.sendIndex)}`;
      const reason = (failure: (typeof fatal)[number]): string =>
        `(attempt ${failure.attempts}${failure.timedOut ? ", timed out" : ""}): ${describeThrown(failure.error)}`;
      return fatal.length === 1
        ? `Node ${named(fatal[0]!)} failed in step ${d.step} ${reason(fatal[0]!)}`
        : `${fatal.length} tasks failed in step ${d.step}: ${fatal.map((failure) => `${named(failure)} ${reason(failure)}`).join("; ")}`;
    },
    engine: (d: With<"TASK_FAILED", "problem">) => `The run failed: ${d.problem}`,
  },
  TIMEOUT: {
    timeout: (d: D<"TIMEOUT">) =>
      `Node "${d.node}" timed out after ${d.timeoutMs} ms in step ${d.step}${sendLabel(d.sendIndex)} (attempt ${d.attempt}).`,
    router: (d: D<"TIMEOUT">) =>
      `The router of "${d.node}" did not answer within ${d.timeoutMs} ms (the node's timeoutMs) in step ${d.step}${sendLabel(d.sendIndex)}.`,
  },
  RUN_TIMEOUT: {
    runTimeout: (d: With<"RUN_TIMEOUT", "timeoutMs">) => `The run took longer than its timeoutMs of ${d.timeoutMs} ms.`,
  },
  ABORTED: {
    cancelled: (_: D<"ABORTED">) => "The run was cancelled.",
    siblingFailed: (d: With<"ABORTED", "node" | "step">) =>
      `Cancelled because "${d.node}"${sendLabel(d.sendIndex)} failed in step ${d.step}.`,
    rolledBack: (d: With<"ABORTED", "threadId">) =>
      `The run on thread "${d.threadId}" was cancelled by another run with ifBusy: "rollback"; its unfinished step was dropped.`,
    leftBehind: (d: With<"ABORTED", "node" | "settleTimeoutMs">) =>
      `Node "${d.node}"${sendLabel(d.sendIndex)} did not stop within ${d.settleTimeoutMs} ms of its step's cancellation and was left behind.`,
  },
  INVALID_CHECKPOINT: {
    invalidValue: (d: With<"INVALID_CHECKPOINT", "where" | "key" | "problem">) =>
      `${d.where} holds an invalid value of state key "${d.key}": ${d.problem}`,
  },
  UNKNOWN_THREAD: {
    nothingToUpdate: (d: D<"UNKNOWN_THREAD">) => `Thread "${d.threadId}" has no checkpoint to update.`,
    nothingToResume: (d: D<"UNKNOWN_THREAD">) => `Thread "${d.threadId}" has no checkpoint to resume: start it with input.`,
  },
  CHECKPOINT_CONFLICT: {
    headMoved: (d: D<"CHECKPOINT_CONFLICT">) =>
      `Thread "${d.threadId}" changed under this write: its latest checkpoint is ${checkpoint(d.actual)}, not ${checkpoint(d.expected)}. ` +
      "Another run saved a checkpoint first; nothing was written.",
  },
  INVALID_RESUME: {
    notPending: (d: With<"INVALID_RESUME", "id">) =>
      `Thread "${d.threadId}" has no pending interrupt "${d.id}"; pending: ${d.pending.length === 0 ? "none" : d.pending.join(", ")}.`,
    timedOut: (d: With<"INVALID_RESUME", "id" | "wakeAt">) =>
      `Thread "${d.threadId}": interrupt "${d.id}" timed out at ${new Date(d.wakeAt).toISOString()} and takes its default answer; ` +
      "the answer came too late and was not used.",
    ambiguous: (d: D<"INVALID_RESUME">) =>
      d.pending.length === 0
        ? `Thread "${d.threadId}" has no pending interrupt to answer.`
        : `Thread "${d.threadId}" has ${d.pending.length} pending interrupts (${d.pending.join(", ")}): resume with { [id]: answer }.`,
  },
  THREAD_BUSY: {
    held: (d: D<"THREAD_BUSY">) =>
      `Thread "${d.threadId}" is busy: run "${d.owner}" holds it (its lease runs until ${new Date(d.expiresAt).toISOString()}). ` +
      'Nothing was written. Run with ifBusy: "enqueue" to wait for it, or "interrupt" / "rollback" to stop it.',
  },
  LEASE_LOST: {
    lost: (d: D<"LEASE_LOST">) =>
      `The run lost its lease on thread "${d.threadId}" (${d.problem}): it stopped and wrote nothing more. Resume the thread to go on.`,
  },
  INVALID_STEP: {
    name: (d: With<"INVALID_STEP", "kind">) =>
      `Node "${d.node}" called ctx.step with ${d.kind} as the step's name: give each step a non-empty string name.`,
    fn: (d: With<"INVALID_STEP", "name" | "kind">) =>
      `Step "${d.name}" of node "${d.node}" was given ${d.kind} where its function belongs: call ctx.step(name, fn).`,
    unstorable: (d: With<"INVALID_STEP", "name" | "occurrence" | "problem">) =>
      `Step "${d.name}" (call ${d.occurrence + 1} of that name) of node "${d.node}" returned a value a checkpoint cannot store: ` +
      `${d.problem} Return plain data from a step.`,
  },
  BUDGET_EXCEEDED: {
    spent: (d: D<"BUDGET_EXCEEDED">) => {
      const whose = d.budget === "run" ? "the run's budget" : `the budget of Send task ${d.scopeId}`;
      const amount = (value: number): string => (d.limit === "tokens" ? `${value} tokens` : `$${value}`);
      const need = d.estimate > 0 ? `; the call needs an estimated ${amount(d.estimate)}` : "";
      return (
        `Node "${d.node}"${sendLabel(d.sendIndex)} in step ${d.step}${inside(d.path)} did not start a call: ${whose} of ${amount(d.max)} ` +
        `has ${amount(d.spent)} spent or reserved${need}. Give the run (or the Send) a bigger budget to go on.`
      );
    },
  },
  LIMIT_UNAVAILABLE: {
    stalled: (d: D<"LIMIT_UNAVAILABLE">) =>
      `The store of limit "${d.limit}" did not answer ${d.operation} within ${d.timeoutMs} ms: the task waiting for it fails ` +
      "rather than wait forever. Check the store (Redis) or raise the limit's storeTimeoutMs.",
    failed: (d: With<"LIMIT_UNAVAILABLE", "problem">) =>
      `The store of limit "${d.limit}" failed in ${d.operation}: ${d.problem}. The task waiting for it fails rather than wait forever.`,
  },
  STORE_TIMEOUT: {
    call: (d: D<"STORE_TIMEOUT">) =>
      `The checkpointer's ${d.operation}${d.threadId === undefined ? "" : ` for thread "${d.threadId}"`} did not answer within the run's ` +
      `storeTimeoutMs of ${d.storeTimeoutMs} ms; the thread keeps its last saved checkpoint.`,
  },
} satisfies { readonly [C in GraphErrorCode]: Readonly<Record<string, (details: never) => string>> };

function concurrent(d: D<"CONCURRENT_UPDATE">): string {
  return `Key "${d.key}" got ${d.writers.length} updates in step ${d.step} (from ${d.writers.map((w) => `"${w}"`).join(" and ")})`;
}

function checkpoint(id: string | null): string {
  return id === null ? "no checkpoint" : `"${id}"`;
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(", ");
}

/** `" (inside research#3 › team)"` for a task of a subgraph's inner run, or the empty string. */
function inside(path: readonly string[] | undefined): string {
  return path === undefined || path.length < 2 ? "" : ` (inside ${path.slice(0, -1).join(" › ")})`;
}

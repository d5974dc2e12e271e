import { END, GraphError, START, StateGraph, type NodeContext, type StateOf } from "@weft/core";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageParam,
  ChatCompletionToolMessageParam,
} from "openai/resources/chat/completions";
import { z } from "zod";
import { ModelError } from "../errors.js";
import { messageList, toolCallsOf } from "../messages/messages.js";
import { callModel } from "../model/call-model.js";
import type { ChatClient, ModelRequest } from "../model/types.js";
import { toolNode, type MessagesInput } from "../tools/tool-node.js";
import type { Tool } from "../tools/tool.js";

/**
 * The agent's state: the conversation as an append list of chat message params.
 *
 * @example
 * ```ts
 * const State = AgentState.extend({ userId: z.string() });
 * const agent = agentGraph({ client, model, tools, state: State });
 * ```
 */
export const AgentState = z.object({ messages: messageList() });

/**
 * A state schema an agent can run on: any object schema with an agent's `messages` key.
 *
 * @example
 * ```ts
 * const State: AgentStateSchema = AgentState.extend({ userId: z.string() });
 * ```
 */
export type AgentStateSchema = z.ZodObject<{ messages: ReturnType<typeof messageList> } & z.core.$ZodShape>;

/**
 * What {@link agentGraph} and {@link agentNodes} take.
 *
 * @example
 * ```ts
 * const options: AgentOptions = { client, model: "gpt-4o-mini", tools: [getWeather], maxTurns: 5 };
 * ```
 */
export interface AgentOptions<TState extends AgentStateSchema = typeof AgentState> {
  readonly client: ChatClient;
  readonly model: string;
  readonly tools: readonly Tool[];
  /** A system prompt sent before the conversation on every turn (not stored in the state). */
  readonly system?: string;
  /**
   * The most model calls per user message. The last one is made with `tool_choice: "none"`,
   * so the model has to answer; if it still calls tools, the node throws `MAX_TURNS`. Default 10.
   */
  readonly maxTurns?: number;
  /** Stream the model's answers as `openai.delta` events. */
  readonly stream?: boolean;
  /** Extra request parameters for the model. */
  readonly request?: ModelRequest;
  /** Default per-call tool timeout. */
  readonly toolTimeoutMs?: number;
  /** At most this many tool calls of one message at once. */
  readonly toolConcurrency?: number;
  /** A state schema with more keys than `messages` (extend {@link AgentState}). */
  readonly state?: TState;
  /** The graph's name. Default `"agent"`. */
  readonly name?: string;
}

/**
 * The node names of an agent graph.
 *
 * @example
 * ```ts
 * const builder: StateGraph<typeof AgentState, AgentNodes<typeof AgentState>> = agentGraph(options);
 * ```
 */
export type AgentNodes<TState extends AgentStateSchema> = {
  readonly nodes: { readonly model: StateOf<TState>; readonly tools: StateOf<TState> };
  readonly ends: never;
};

/**
 * The pieces of the agent loop, to assemble a loop of your own: the model node, the tool node
 * and the router that goes to `"tools"` while the last message calls tools.
 *
 * @example
 * ```ts
 * const { model, tools, route } = agentNodes({ client, model: "gpt-4o-mini", tools: [getWeather] });
 * new StateGraph(AgentState)
 *   .addNode("model", model)
 *   .addNode("tools", tools)
 *   .addNode("review", review)
 *   .addEdge(START, "model")
 *   .addConditionalEdges("model", (s) => (route(s) === "tools" ? "tools" : "review"), ["tools", "review"])
 *   .addEdge("tools", "model")
 *   .addEdge("review", END);
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function agentNodes(options: AgentOptions<AgentStateSchema>): {
  model: (state: MessagesInput, ctx: NodeContext) => Promise<{ messages: ChatCompletionAssistantMessageParam }>;
  tools: (state: MessagesInput, ctx: NodeContext) => Promise<{ messages: ChatCompletionToolMessageParam[] }>;
  route: (state: MessagesInput) => "tools" | END;
} {
  const maxTurns = options.maxTurns ?? 10;
  if (!(Number.isInteger(maxTurns) && maxTurns >= 1)) {
    throw new GraphError("INVALID_OPTION", `Agent maxTurns must be an integer ≥ 1, got ${maxTurns}.`);
  }
  const model = async (state: MessagesInput, ctx: NodeContext) => {
    const turn = turnsSinceUser(state.messages) + 1;
    const last = turn >= maxTurns;
    const messages: ChatCompletionMessageParam[] =
      options.system === undefined ? [...state.messages] : [{ role: "system", content: options.system }, ...state.messages];
    const answer = await callModel(
      {
        client: options.client,
        model: options.model,
        messages,
        tools: options.tools,
        ...(options.stream === undefined ? {} : { stream: options.stream }),
        ...(last || options.request !== undefined
          ? { request: { ...options.request, ...(last ? { tool_choice: "none" as const } : {}) } }
          : {}),
      },
      ctx,
    );
    if (last && answer.toolCalls.length > 0) {
      throw new ModelError(
        "MAX_TURNS",
        `Model "${options.model}" still called tools on turn ${turn} of maxTurns ${maxTurns}. Raise maxTurns or check the tools' answers.`,
        { details: { turn, maxTurns, toolCalls: answer.toolCalls.map((call) => call.function.name) } },
      );
    }
    return { messages: answer.message };
  };
  const tools = toolNode({
    tools: options.tools,
    ...(options.toolTimeoutMs === undefined ? {} : { timeoutMs: options.toolTimeoutMs }),
    ...(options.toolConcurrency === undefined ? {} : { concurrency: options.toolConcurrency }),
  });
  const route = (state: MessagesInput): "tools" | END => (toolCallsOf(state.messages.at(-1)).length > 0 ? "tools" : END);
  return { model, tools, route };
}

/**
 * The prebuilt agent loop as an ordinary builder: `model` → `tools` → `model` … until the model
 * answers without tool calls (or `maxTurns`). Draw it, add nodes to it, then `compile()` it.
 *
 * @example
 * ```ts
 * const agent = agentGraph({ client, model: "gpt-4o-mini", tools: [getWeather] }).compile();
 * const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Weather in Paris?" }] });
 * console.log(messages.at(-1)?.content);
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function agentGraph<TState extends AgentStateSchema = typeof AgentState>(
  options: AgentOptions<TState>,
): StateGraph<TState, AgentNodes<TState>> {
  const { model, tools, route } = agentNodes(options);
  // Inside, the graph is built on the base state; the signature states the caller's schema.
  const state = (options.state ?? AgentState) as typeof AgentState;
  const builder = new StateGraph(state, { name: options.name ?? "agent" })
    .addNode("model", model)
    .addNode("tools", tools)
    .addEdge(START, "model")
    .addConditionalEdges("model", route, ["tools", END])
    .addEdge("tools", "model");
  return builder as unknown as StateGraph<TState, AgentNodes<TState>>;
}

/** How many assistant messages follow the last user message: the turns taken so far. */
function turnsSinceUser(messages: readonly ChatCompletionMessageParam[]): number {
  let turns = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const role = messages[i]!.role;
    if (role === "user") break;
    if (role === "assistant") turns++;
  }
  return turns;
}

import type { RateLimit } from "@weft/core";
import { GraphError } from "@weft/core";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { z } from "zod";
import { toOpenAISchema } from "../schema/json-schema.js";

/**
 * What a tool's `execute` receives besides its arguments.
 *
 * @example
 * ```ts
 * const execute = async ({ url }: { url: string }, ctx: ToolContext) => (await fetch(url, { signal: ctx.signal })).text();
 * ```
 */
export interface ToolContext {
  /** Fires when the tool times out or the run is cancelled: pass it to `fetch` and the like. */
  readonly signal: AbortSignal;
  /** The id of the tool call being answered. */
  readonly callId: string;
  /** Position of the call in its assistant message. */
  readonly index: number;
  /** Sends a custom event to the run's stream, tagged with the tool node's task. */
  readonly emit: (data: unknown) => void;
}

/**
 * What {@link tool} takes.
 *
 * @example
 * ```ts
 * const spec: ToolSpec<typeof Params, number> = { name: "add", parameters: Params, execute: ({ a, b }) => a + b };
 * ```
 */
export interface ToolSpec<TParams extends z.ZodType, TResult> {
  /** The name the model calls: letters, digits, `_` and `-`, at most 64. */
  readonly name: string;
  /** What the tool does, for the model. */
  readonly description?: string;
  /** The arguments, as a zod object. Bad arguments become an error message for the model. */
  readonly parameters: TParams;
  /** Runs the tool; a string result is sent as is, anything else as JSON. */
  readonly execute: (args: z.output<TParams>, ctx: ToolContext) => TResult | Promise<TResult>;
  /** Give up on a call after this long; the model reads a timeout message. Overrides the tool node's. */
  readonly timeoutMs?: number;
  /**
   * Rate limits of the API the tool calls (`RateLimit` from `@weft/core`): each call waits its
   * turn before it runs, settled when it ends; a call that throws an HTTP 429 pauses the key.
   */
  readonly rateLimit?: RateLimit | readonly RateLimit[];
  /** OpenAI strict mode for the arguments. Default: on when the schema allows it (no optional fields). */
  readonly strict?: boolean;
}

/**
 * A tool the model can call: typed arguments, the OpenAI definition derived from the zod schema.
 * Method syntax on `execute` keeps a `Tool<Specific>` usable where any `Tool` is expected.
 *
 * @example
 * ```ts
 * const tools: readonly Tool[] = [getWeather, searchWeb];
 * console.log(tools.map((t) => t.definition.function.name));
 * ```
 */
export interface Tool<TParams extends z.ZodType = z.ZodType, TResult = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  readonly parameters: TParams;
  readonly timeoutMs: number | undefined;
  readonly rateLimit: RateLimit | readonly RateLimit[] | undefined;
  /** The definition sent in a request's `tools`. */
  readonly definition: ChatCompletionFunctionTool;
  execute(args: z.output<TParams>, ctx: ToolContext): TResult | Promise<TResult>;
}

const validName = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool with zod parameters. Its JSON Schema is computed once, here.
 *
 * @example
 * ```ts
 * const getWeather = tool({
 *   name: "get_weather",
 *   description: "Current temperature of a city",
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }, { signal }) => ({ city, tempC: await lookup(city, signal) }),
 * });
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function tool<TParams extends z.ZodType, TResult>(spec: ToolSpec<TParams, TResult>): Tool<TParams, TResult> {
  if (!validName.test(spec.name)) {
    throw new GraphError("INVALID_OPTION", `Tool name "${spec.name}" is not valid: use 1 to 64 letters, digits, "_" or "-".`, {
      details: { tool: spec.name },
    });
  }
  if (spec.timeoutMs !== undefined && !(spec.timeoutMs > 0)) {
    throw new GraphError("INVALID_OPTION", `Tool "${spec.name}": timeoutMs must be a positive number, got ${spec.timeoutMs}.`, {
      details: { tool: spec.name },
    });
  }
  const { schema, strict } = toOpenAISchema(spec.parameters);
  const definition: ChatCompletionFunctionTool = {
    type: "function",
    function: {
      name: spec.name,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      parameters: schema,
      strict: spec.strict ?? strict,
    },
  };
  return {
    name: spec.name,
    description: spec.description,
    parameters: spec.parameters,
    timeoutMs: spec.timeoutMs,
    rateLimit: spec.rateLimit,
    definition,
    execute: spec.execute,
  };
}

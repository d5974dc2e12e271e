import { z } from "zod";

/**
 * A zod schema as OpenAI takes it: JSON Schema, and whether strict mode can hold it.
 *
 * @example
 * ```ts
 * const { schema, strict }: OpenAISchema = toOpenAISchema(z.object({ city: z.string() }));
 * ```
 */
export interface OpenAISchema {
  readonly schema: Record<string, unknown>;
  /**
   * True when every object lists all of its properties as required and allows no others:
   * what OpenAI's strict mode (Structured Outputs) demands. Optional fields make it false.
   */
  readonly strict: boolean;
}

/**
 * Converts a zod schema to the JSON Schema OpenAI expects for tool parameters and
 * `response_format`. The input side is described (`io: "input"`), since that is what the
 * model writes and zod then parses; closed objects get `additionalProperties: false`.
 *
 * @example
 * ```ts
 * const { schema, strict } = toOpenAISchema(z.object({ city: z.string() }));
 * // schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false }
 * // strict: true
 * ```
 * @see ../../../../docs/guides/openai.md
 */
export function toOpenAISchema(schema: z.ZodType): OpenAISchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  let strict = true;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.type === "object") {
      const properties = Object.keys((record.properties as Record<string, unknown> | undefined) ?? {});
      const required = new Set((record.required as string[] | undefined) ?? []);
      if (!("additionalProperties" in record)) record.additionalProperties = false;
      if (record.additionalProperties !== false || properties.some((key) => !required.has(key))) strict = false;
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(json);
  return { schema: json, strict };
}

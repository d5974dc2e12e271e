import { z } from "zod";
import { ModelError } from "../errors.js";

/**
 * Parses a structured answer: JSON first, then the zod schema. Either failure is a
 * {@link ModelError} carrying the raw text, so a retry policy can ask again.
 *
 * @example
 * ```ts
 * const verdict = parseStructured(z.object({ label: z.string() }), '{"label":"positive"}');
 * ```
 */
export function parseStructured<TSchema extends z.ZodType>(
  schema: TSchema,
  raw: string,
  details: Record<string, unknown> = {},
): z.output<TSchema> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelError("INVALID_JSON", `The model's answer is not valid JSON (${reason}): ${preview(raw)}`, {
      raw,
      cause: error,
      details,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ModelError(
      "SCHEMA_MISMATCH",
      `The model's answer does not match the schema:\n${z.prettifyError(parsed.error)}\nAnswer: ${preview(raw)}`,
      { raw, cause: parsed.error, details: { ...details, issues: parsed.error.issues } },
    );
  }
  return parsed.data;
}

/** The start of a long text, for error messages. */
export function preview(text: string, max = 200): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} chars)`;
}

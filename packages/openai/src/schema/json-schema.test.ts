import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toOpenAISchema } from "./json-schema.js";

describe("toOpenAISchema", () => {
  it("closes every object and is strict when every property is required", () => {
    const { schema, strict } = toOpenAISchema(
      z.object({ city: z.string(), when: z.object({ day: z.string() }), tags: z.array(z.object({ t: z.string() })) }),
    );
    expect(strict).toBe(true);
    expect(schema).toEqual({
      type: "object",
      properties: {
        city: { type: "string" },
        when: { type: "object", properties: { day: { type: "string" } }, required: ["day"], additionalProperties: false },
        tags: {
          type: "array",
          items: { type: "object", properties: { t: { type: "string" } }, required: ["t"], additionalProperties: false },
        },
      },
      required: ["city", "when", "tags"],
      additionalProperties: false,
    });
  });

  it("is not strict with optional or defaulted fields, which the model may leave out", () => {
    expect(toOpenAISchema(z.object({ city: z.string().optional() })).strict).toBe(false);
    expect(toOpenAISchema(z.object({ units: z.string().default("C") })).strict).toBe(false);
  });

  it("is not strict with open objects (records, catchall)", () => {
    expect(toOpenAISchema(z.object({ scores: z.record(z.string(), z.number()) })).strict).toBe(false);
    expect(toOpenAISchema(z.object({ a: z.string() }).catchall(z.number())).strict).toBe(false);
  });

  it("describes nullable fields as required, which strict mode accepts", () => {
    const { schema, strict } = toOpenAISchema(z.object({ note: z.string().nullable() }));
    expect(strict).toBe(true);
    expect(schema).toMatchObject({ required: ["note"] });
  });
});

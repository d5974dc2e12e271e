import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseQuickly, quickParse, UNSURE } from "./quick-parse.js";

const values: unknown[] = [
  0,
  -1.5,
  42,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  "",
  "text",
  true,
  false,
  null,
  undefined,
  10n,
  Symbol("s"),
  [],
  [1],
  new Date(0),
  new Map(),
  () => 1,
  {},
  { i: 1 },
  { i: "1" },
  { i: Number.NaN },
  { i: 1, extra: "dropped" },
  { i: 1, name: "a", on: true },
  { name: "a", i: 2, on: false },
  { i: 1, name: "a" },
  { i: 1, name: "a", on: "yes" },
  Object.assign(Object.create({ i: 5 }) as object, { name: "a", on: true }),
  Object.assign(Object.create(null) as object, { i: 1, name: "b", on: false }),
  new Proxy({ name: "a", on: true }, { get: (target, key) => (key === "i" ? 1 : Reflect.get(target, key)) }),
];

const quick: [string, z.ZodType][] = [
  ["number", z.number()],
  ["string", z.string()],
  ["boolean", z.boolean()],
  ["object of leaves", z.object({ i: z.number() })],
  ["object of three leaves", z.object({ i: z.number(), name: z.string(), on: z.boolean() })],
  ["described", z.number().describe("a number")],
  ["an optional number", z.number().optional()],
  ["an optional string", z.optional(z.string())],
  ["an exact optional boolean", z.boolean().exactOptional()],
];

const slow: [string, z.ZodType][] = [
  ["a number with a check", z.number().int()],
  ["an int format", z.int()],
  ["a coerced number", z.coerce.number()],
  ["a string with a check", z.string().min(2)],
  ["an email", z.email()],
  ["a coerced boolean", z.coerce.boolean()],
  ["a refined number", z.number().refine((n) => n > 0)],
  ["a transformed number", z.number().transform((n) => n * 2)],
  ["an optional number with a check", z.number().int().optional()],
  [
    "a refined optional number",
    z
      .number()
      .optional()
      .refine((n) => n !== 0),
  ],
  ["an optional object", z.object({ i: z.number() }).optional()],
  ["a defaulted number", z.number().default(1)],
  ["a literal", z.literal(1)],
  ["an array", z.array(z.number())],
  ["a strict object", z.strictObject({ i: z.number() })],
  ["a loose object", z.looseObject({ i: z.number() })],
  ["an object with a catchall", z.object({ i: z.number() }).catchall(z.string())],
  ["an object with an optional key", z.object({ i: z.number(), name: z.string().optional() })],
  ["an object with a nested object", z.object({ at: z.object({ i: z.number() }) })],
  ["a refined object", z.object({ i: z.number() }).refine((o) => o.i > 0)],
  ["an object with a __proto__ key", z.object({ ["__proto__"]: z.number() })],
  ["a union", z.union([z.number(), z.string()])],
];

describe("quickParse", () => {
  it.each(quick)("answers as zod does for every value it is sure of: %s", (_, schema) => {
    expect(quickParse(schema)).toBeDefined();
    let sure = 0;
    for (const value of values) {
      const answer = parseQuickly(schema, value);
      const parsed = schema.safeParse(value);
      if (answer === UNSURE) continue;
      sure++;
      expect(parsed.success).toBe(true);
      expect(answer).toStrictEqual(parsed.data);
      // The same keys in the same order, and a new object where zod makes one.
      if (typeof answer === "object" && answer !== null) {
        expect(Object.keys(answer)).toEqual(Object.keys(parsed.data as object));
        expect(answer).not.toBe(value);
      } else {
        expect(Object.is(answer, parsed.data)).toBe(true);
      }
    }
    expect(sure).toBeGreaterThan(0);
  });

  it.each(quick)("leaves to zod every value zod refuses: %s", (_, schema) => {
    for (const value of values) {
      if (!schema.safeParse(value).success) expect(parseQuickly(schema, value)).toBe(UNSURE);
    }
  });

  it.each(slow)("has no quick parse for %s", (_, schema) => {
    expect(quickParse(schema)).toBeUndefined();
    for (const value of values) expect(parseQuickly(schema, value)).toBe(UNSURE);
  });

  it("has none for what is not a zod schema", () => {
    expect(quickParse({ safeParse: () => ({ success: true, data: 1 }) } as unknown as z.ZodType)).toBeUndefined();
  });

  it("drops the input's other keys and reads inherited ones, as zod does", () => {
    const schema = z.object({ i: z.number() });
    expect(parseQuickly(schema, { i: 1, extra: 2 })).toStrictEqual({ i: 1 });
    expect(parseQuickly(schema, Object.create({ i: 3 }))).toStrictEqual({ i: 3 });
    expect(schema.parse(Object.create({ i: 3 }))).toStrictEqual({ i: 3 });
  });

  it("refuses a key a proxy reads but does not have, which zod refuses", () => {
    const schema = z.object({ i: z.number() });
    const input = new Proxy({}, { get: () => 1, has: () => false });
    expect(schema.safeParse(input).success).toBe(false);
    expect(parseQuickly(schema, input)).toBe(UNSURE);
  });
});

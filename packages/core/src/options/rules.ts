import { closest, graphError, isPlainObject, type GraphError, type OptionScope } from "../errors.js";

/**
 * What one option accepts. Every option set is a table of these, keyed by the option's name
 * and checked by {@link checkOptions}, so that the names known to the types and the names
 * checked at run time are one list.
 */
export interface Rule {
  /** What the option takes, as a message says it: `"a whole number ≥ 1"`. */
  readonly expected: string | ((value: unknown) => string);
  /** Whether `value` is acceptable; `undefined` never reaches it unless the rule is `required`. */
  readonly accepts: (value: unknown) => boolean;
  /** The option must be given. */
  readonly required?: boolean;
  /** The option is an object of options of its own (a node's `retry`), checked with these rules. */
  readonly fields?: RuleTable;
  /** A nearby accepted value for a wrong one (`"continue"` for `"contine"`). */
  readonly suggest?: (value: unknown) => string | undefined;
}

/** The rules of one option set, by option name. */
export type RuleTable = Readonly<Record<string, Rule>>;

/** Whose options are being checked, as the error names them. */
export interface OptionOwner {
  readonly scope: OptionScope;
  /** The node, for a node's options. */
  readonly node?: string;
  /** Notes for unknown options, by name (LangGraph.js's names for Weft's options). */
  readonly hints?: Readonly<Record<string, string>>;
}

/**
 * Checks `given` against `rules`: every own key must be an option of the table, every value
 * must be accepted by its rule, and a nested option set is checked with its own table. Throws
 * the first problem as an `INVALID_OPTION` naming the option (`retry.backoff.factor`), its
 * owner and the value. Only own keys are read: an inherited property is no option.
 */
export function checkOptions(given: unknown, rules: RuleTable, owner: OptionOwner, prefix = ""): void {
  if (!isPlainObject(given)) {
    if (prefix !== "") throw invalidOption(owner, { option: prefix.slice(0, -1), value: given, expected: "an object" });
    throw graphError("INVALID_OPTION", "notAnObject", { scope: owner.scope, node: owner.node, value: given });
  }
  for (const key of Object.keys(given)) {
    if (Object.hasOwn(rules, key)) continue;
    const hint = owner.hints !== undefined && Object.hasOwn(owner.hints, key) ? owner.hints[key] : undefined;
    throw graphError("INVALID_OPTION", "unknown", {
      scope: owner.scope,
      node: owner.node,
      option: `${prefix}${key}`,
      hint,
      suggestion: hint === undefined ? closest(key, Object.keys(rules)) : undefined,
    });
  }
  for (const [key, rule] of Object.entries(rules)) {
    const value = Object.hasOwn(given, key) ? given[key] : undefined;
    if (value === undefined && rule.required !== true) continue;
    if (!accepted(rule, value)) {
      const expected = typeof rule.expected === "function" ? rule.expected(value) : rule.expected;
      throw invalidOption(owner, { option: `${prefix}${key}`, value, expected, suggestion: rule.suggest?.(value) });
    }
    if (rule.fields !== undefined) checkOptions(value, rule.fields, owner, `${prefix}${key}.`);
  }
}

/** Whether `rule` accepts `value`; a value that throws when looked at (a revoked Proxy) is not accepted. */
function accepted(rule: Rule, value: unknown): boolean {
  try {
    return rule.accepts(value);
  } catch {
    return false;
  }
}

/** An option's value, and what the option takes instead. */
export interface OptionProblem {
  readonly option: string;
  readonly value: unknown;
  readonly expected: string;
  readonly suggestion?: string | undefined;
  readonly cause?: unknown;
}

/** The one `INVALID_OPTION` for a value an option cannot take: `Run option maxSteps must be …, got 0.` */
export function invalidOption(owner: OptionOwner, problem: OptionProblem): GraphError<"INVALID_OPTION"> {
  const { option, value, expected, suggestion, cause } = problem;
  return graphError("INVALID_OPTION", "invalid", { scope: owner.scope, node: owner.node, option, value, expected, suggestion }, cause);
}

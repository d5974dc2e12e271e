/**
 * Mermaid text escaping. Mermaid reads `#name;` and `#123;` as entity codes and turns them into
 * HTML entities when it renders, so every character that could end a quoted string, start a
 * markdown string, open an entity, or be read as HTML is written as an entity code.
 */
const FLOWCHART_ENTITIES: Readonly<Record<string, string>> = {
  '"': "#quot;",
  "#": "#35;",
  "&": "#amp;",
  "<": "#lt;",
  ">": "#gt;",
  "`": "#96;",
  "\\": "#92;",
};

/** `"text"` with the characters mermaid would misread written as entity codes. */
export function quoted(text: string): string {
  const escaped = text.replace(/["#&<>`\\]/g, (char) => FLOWCHART_ENTITIES[char]!).replace(/\r\n?|\n/g, "<br>");
  return `"${escaped.replace(/[\t\v\f]/g, " ")}"`;
}

/** Gantt lines that start with these words are statements, not tasks. */
const GANTT_KEYWORD =
  /^(?:gantt|section|title|dateFormat|axisFormat|tickInterval|includes|excludes|todayMarker|weekday|weekend|inclusiveEndDates|topAxis|accTitle|accDescr|click|call|href|\d{4}-\d\d-\d\d)/i;

/**
 * A gantt task name: no `:` (it starts the task data), `;`, `#` or `%` (comments), no line
 * breaks, and no leading keyword (its first character becomes an entity code).
 */
export function ganttText(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const escaped = flat.replace(/[:;#%&<>]/g, (char) => `#${char.charCodeAt(0)};`);
  if (escaped.length === 0) return "#32;";
  return GANTT_KEYWORD.test(escaped)
    ? `#${escaped.codePointAt(0)};${escaped.slice(String.fromCodePoint(escaped.codePointAt(0)!).length)}`
    : escaped;
}

/** Column alignment: numbers read best right-aligned. */
export type Align = "left" | "right";

/**
 * A Markdown table with padded columns, readable in a terminal and pasteable into docs as is.
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((header, c) => Math.max(header.length, ...rows.map((row) => (row[c] ?? "").length)));
  const pad = (text: string, c: number): string => (align[c] === "right" ? text.padStart(widths[c]!) : text.padEnd(widths[c]!));
  const line = (cells: readonly string[]): string => `| ${headers.map((_, c) => pad(cells[c] ?? "", c)).join(" | ")} |`;
  const rule = `|${widths.map((width, c) => (align[c] === "right" ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** Milliseconds with three significant digits, switching to µs and s where they read better. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "–";
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms >= 10_000) return `${(ms / 1000).toPrecision(3)} s`;
  return `${ms >= 1000 ? Math.round(ms) : ms.toPrecision(3)} ms`;
}

/** `52.3×`, for how many times faster one engine is. */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${ratio >= 100 ? Math.round(ratio) : ratio.toPrecision(3)}×`;
}

/** `+4.2%` */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return "–";
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
}

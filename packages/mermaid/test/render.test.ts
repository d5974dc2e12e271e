import { recordRun, toMermaid } from "@weft/core/draw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRenderer, isRenderError, renderMermaid, type Renderer } from "../src/index.js";
import { chromiumForTests } from "./chromium.js";
import { drawValid, ganttValid } from "./draw.js";
import { oneStep } from "./events.js";
import briefing from "./fixtures/briefing.js";
import { graph as report } from "./fixtures/report.js";
import research, { input as researchInput } from "./fixtures/research.js";
import support from "./fixtures/support.js";
import { voting } from "./fixtures/voting.js";
import { NASTY_DEFERRED, NASTY_KEYS, NASTY_NAMES, NASTY_WORKER, nastyGraph } from "./nasty.js";
import { flowchartLabels, parseSvg, pngSize, viewBoxSize } from "./svg.js";

const chromium = chromiumForTests();

describe.skipIf(chromium === undefined)("rendering on one warm Chromium page", () => {
  let renderer: Renderer;
  beforeAll(async () => {
    renderer = await createRenderer({ executablePath: chromium });
  });
  afterAll(async () => {
    await renderer?.close();
  });

  it("renders a graph to SVG that is well-formed XML and shows every node and edge label", async () => {
    const svg = await renderer.render(await drawValid(report), { format: "svg" });
    const labels = flowchartLabels(parseSvg(svg));
    expect(labels).toEqual(expect.arrayContaining(["START", "plan", "write_section", "synthesize", "END", "Send"]));
  });

  it("renders a graph to a PNG at the diagram's own size times the scale", async () => {
    const text = await drawValid(support);
    const box = viewBoxSize(parseSvg(await renderer.render(text, { format: "svg" })));
    const { width, height } = pngSize(await renderer.render(text, { format: "png", scale: 2 }));
    expect(Math.abs(width - 2 * box.width)).toBeLessThanOrEqual(4);
    expect(Math.abs(height - 2 * box.height)).toBeLessThanOrEqual(4);
  });

  it("lays out each diagram at the same width, whatever size the previous PNG had", async () => {
    const timeline = await ganttValid(await recordRun(research.stream(researchInput)), { title: "research" });
    const first = pngSize(await renderer.render(timeline, { format: "png" }));
    await renderer.render(await drawValid(briefing), { format: "png" });
    const again = pngSize(await renderer.render(timeline, { format: "png" }));
    expect(again).toEqual(first);
  });

  it("shows nasty names exactly as written: keywords, quotes, brackets, markup, entities, unicode", async () => {
    const svg = await renderer.render(await drawValid(nastyGraph()), { format: "svg" });
    const labels = flowchartLabels(parseSvg(svg));
    for (const name of [...NASTY_NAMES, NASTY_WORKER, NASTY_DEFERRED, ...NASTY_KEYS]) expect(labels).toContain(name);
    expect(svg).not.toContain("<b>bold</b>");
  });

  it("renders a run timeline with sections per step and failed, retried and queued bars marked", async () => {
    const text = await ganttValid(await recordRun(research.stream(researchInput)), { title: "research" });
    const svg = await renderer.render(text, { format: "svg" });
    const root = parseSvg(svg);
    const texts = [...root.querySelectorAll("text")].map((node) => (node.textContent ?? "").trim());
    expect(texts).toEqual(
      expect.arrayContaining([
        "research",
        "Step 1",
        "Step 2",
        "plan",
        "search #1 (attempt 1 failed, retried)",
        "search #4 (attempt 2 failed, continued)",
        "synthesize",
      ]),
    );
    expect(texts.some((t) => t.endsWith("(queued)"))).toBe(true);
    // The axis reads in seconds from the run's start: "0.050 s", not "00.050 s".
    const ticks = [...root.querySelectorAll(".tick text")].map((node) => (node.textContent ?? "").trim());
    expect(ticks.length).toBeGreaterThan(1);
    for (const tick of ticks) expect(tick).toMatch(/^(0|[1-9]\d?)\.\d{3} s$/);
    const classes = [...root.querySelectorAll("rect")].map((rect) => rect.getAttribute("class") ?? "");
    expect(classes.some((c) => /\bcrit\d/.test(c))).toBe(true);
    expect(classes.some((c) => /\bactive\d/.test(c))).toBe(true);
    expect(pngSize(await renderer.render(text, { format: "png" })).width).toBeGreaterThan(200);
  });

  it("shows nasty task names in a timeline exactly as written", async () => {
    const nodes = [...NASTY_NAMES, "section 2", "title", "a:b;c#d%e"];
    const svg = await renderer.render(await ganttValid(oneStep(nodes)), { format: "svg" });
    const texts = [...parseSvg(svg).querySelectorAll("text")].map((node) => (node.textContent ?? "").trim());
    expect(texts).toEqual(expect.arrayContaining(nodes));
  });

  it("renders diagrams asked for at once one after the other, each with its own labels", async () => {
    const graphs = [briefing, report, voting, support];
    const svgs = await Promise.all(graphs.map((graph) => renderer.render(toMermaid(graph), { format: "svg" })));
    const firstNodes = ["weather", "plan", "judge", "read_ticket"];
    for (const [i, svg] of svgs.entries()) expect(flowchartLabels(parseSvg(svg))).toContain(firstNodes[i]);
  });

  it("rejects invalid mermaid text with INVALID_DIAGRAM and keeps working", async () => {
    const error = await renderer.render("flowchart TD\n  a -->", { format: "svg" }).catch((e: unknown) => e);
    expect(isRenderError(error) && error.code).toBe("INVALID_DIAGRAM");
    expect(flowchartLabels(parseSvg(await renderer.render("flowchart LR\n  a --> b", { format: "svg" })))).toEqual(["a", "b"]);
  });

  // Last of this block: it closes the shared renderer (afterAll closes it once more).
  it("once closed, rejects renders with RENDERER_CLOSED, and closing twice is fine", async () => {
    await renderer.close();
    await renderer.close();
    const error = await renderer.render("flowchart LR\n  a --> b", { format: "svg" }).catch((e: unknown) => e);
    expect(isRenderError(error) && error.code).toBe("RENDERER_CLOSED");
  });
});

describe.skipIf(chromium === undefined)("other ways to render", () => {
  it("renderMermaid starts a browser for one diagram and closes it", async () => {
    const png = await renderMermaid(await drawValid(voting), { format: "png", executablePath: chromium });
    expect(pngSize(png).height).toBeGreaterThan(100);
  });

  // One diagram: mermaid-cli loads all of mermaid into a fresh page for each, about 4 CPU-seconds.
  it("the mermaid-cli engine renders through mermaid-cli's renderMermaid on the shared browser", async () => {
    const renderer = await createRenderer({ executablePath: chromium, engine: "mermaid-cli" });
    try {
      const svg = await renderer.render(await drawValid(briefing), { format: "svg" });
      expect(flowchartLabels(parseSvg(svg))).toEqual(expect.arrayContaining(["weather", "news", "calendar", "aggregate"]));
    } finally {
      await renderer.close();
    }
  });
});

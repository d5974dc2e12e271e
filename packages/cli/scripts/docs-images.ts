/**
 * Regenerates the pictures of docs/diagrams.md with the weft CLI itself:
 * pnpm --filter @weft/cli run docs:images
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { runCli } from "../src/index.js";

const fixtures = resolve(import.meta.dirname, "../../mermaid/test/fixtures");
const images = resolve(import.meta.dirname, "../../../docs/images");
mkdirSync(images, { recursive: true });

async function weft(...argv: string[]): Promise<void> {
  const code = await runCli(argv, { cwd: fixtures });
  if (code !== 0) throw new Error(`weft ${argv.join(" ")} exited with ${code}`);
}

const outputs = (name: string): string[] => ["-o", `${images}/${name}.svg`, "-o", `${images}/${name}.png`, "--scale", "2"];

await weft("draw", "briefing.ts", ...outputs("briefing"));
await weft("draw", "report.ts", ...outputs("report"));
await weft("draw", "voting.ts", "--export", "voting", ...outputs("voting"));
await weft("draw", "support.ts", "-o", `${images}/support.mmd`, ...outputs("support"));
await weft("draw", "nested.ts", "--subgraph", "research=research", "--direction", "LR", ...outputs("nested"));
await weft("record", "research.ts", "-o", `${images}/research-run.jsonl`);
await weft(
  "timeline",
  `${images}/research-run.jsonl`,
  "--title",
  "research run",
  "-o",
  `${images}/research-timeline.mmd`,
  ...outputs("research-timeline"),
);

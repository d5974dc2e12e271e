import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_PEERS, createConsumerProject, newestNode, type ConsumerProject, type RunIn } from "../src/consumer.ts";
import { lintTarball, type LintReport } from "../src/lint.ts";
import { packAll, ROOT, tarballFiles, type Packed } from "../src/pack.ts";

let packsDir: string;
let packed: Packed[];
let project: ConsumerProject;
let lints: Promise<{ name: string; reports: LintReport[] }[]>;
let newest: { bin: string; dir: string; temporary: boolean } | undefined;

/**
 * The Node versions the scenarios run on: every package's `engines` claims Node 22 and all later
 * majors, so the lowest (the workspace's own Node 22) and the newest the npm registry had when
 * scripts/setup.sh last ran (it keeps that Node installed; without it, the newest is installed now).
 */
const NODES: readonly { readonly label: string; readonly major: () => string; readonly where: () => RunIn }[] = [
  { label: "the lowest claimed Node (22)", major: () => "22", where: () => ({ cwd: "lowest" }) },
  {
    label: "the newest Node on the registry",
    major: () => NEWEST_MAJOR,
    where: () => ({ cwd: "newest", nodeBin: newest!.bin }),
  },
];
let NEWEST_MAJOR = "";
const SCENARIOS = ["durable.ts", "model.ts", "graph.ts", "traced.ts", "engine.ts"];

beforeAll(async () => {
  packsDir = await mkdtemp(join(tmpdir(), "weft-packs-"));
  const started = performance.now();
  packed = await packAll(packsDir);
  const packedAt = performance.now();
  // The linters read the tarballs while npm installs them: one waits on the network, the other on the CPU.
  lints = Promise.all(packed.map(async ({ name, tarball }) => ({ name, reports: await lintTarball(tarball) })));
  lints.catch(() => {});
  // The newest Node that setup installed, or, without one, installed now while npm installs the tarballs.
  const node = newestNode();
  node.catch(() => {});
  project = await createConsumerProject({
    tarballs: packed.map((p) => p.tarball),
    extra: CONSUMER_PEERS,
  });
  newest = await node;
  console.log(`packed in ${ms(packedAt - started)}, installed with npm in ${ms(performance.now() - packedAt)} (${project.dir})`);
  NEWEST_MAJOR = (await project.run("node", ["-p", "process.versions.node.split('.')[0]"], { nodeBin: newest.bin })).stdout.trim();
  // One folder per Node version, each with the scenario files: their runs write files beside them.
  for (const { where } of NODES) {
    const dir = join(project.dir, where().cwd!);
    await mkdir(dir);
    for (const file of SCENARIOS) await copyFile(join(import.meta.dirname, "..", "consumer", file), join(dir, file));
  }
});

const ms = (value: number) => `${(value / 1000).toFixed(1)} s`;

afterAll(async () => {
  if (packsDir) await rm(packsDir, { recursive: true, force: true });
  if (project) await rm(project.dir, { recursive: true, force: true });
  if (newest?.temporary) await rm(newest.dir, { recursive: true, force: true });
});

describe("the packed tarballs", () => {
  it("hold a build, a README, a LICENSE and no workspace range", async () => {
    for (const { name, tarball } of packed) {
      const files = await tarballFiles(tarball);
      console.log(
        `${name}: ${files.length} files\n  ${files.filter((f) => !f.startsWith("src/")).join("\n  ")}\n  + ${files.filter((f) => f.startsWith("src/")).length} files under src/`,
      );
      expect(files, name).toEqual(
        expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.cjs", "dist/index.d.ts"]),
      );
      expect(
        files.filter((f) => /\.test(-d)?\.ts$/.test(f)),
        name,
      ).toEqual([]);
      const { stdout } = await project.run("tar", ["-xzOf", tarball, "package/package.json"]);
      const manifest = JSON.parse(stdout) as Record<string, Record<string, string> | undefined>;
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {}))
          expect(range, `${name} ${field} ${dep}`).not.toMatch(/^workspace:/);
      }
      expect(manifest.engines?.node, name).toMatch(/^>=22/);
    }
  });

  it("pass publint (strict) and arethetypeswrong", async () => {
    for (const {
      name,
      reports: [publint, attw],
    } of await lints) {
      console.log(`${name}: publint ${publint!.ok ? "clean" : "problems"}, attw ${attw!.ok ? "clean" : "problems"}`);
      for (const report of [publint!, attw!]) expect(report.ok, `${report.tool} on ${name}:\n${report.output}`).toBe(true);
    }
  });
});

describe.each(NODES)("a project that installs the tarballs with npm, on $label", ({ major, where }) => {
  const run = (command: string, args: readonly string[]) => project.run(command, args, where());
  const file = (name: string) => join(project.dir, where().cwd!, name);

  it("runs that Node", async () => {
    expect((await run("node", ["-p", "process.versions.node"])).stdout.trim().split(".")[0]).toBe(major());
    if (major() !== "22") expect(Number(major())).toBeGreaterThan(22);
  });

  it("runs the README's quick start", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const quickStart = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quickStart).toBeDefined();
    await writeFile(file("quick-start.ts"), quickStart!);
    const ran = await run("node", ["quick-start.ts"]);
    expect(ran.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, "")).toBe("");
    expect(ran.stdout).toContain("## Why parallel agents");
    expect(ran.stdout).toContain("## What next");
  });

  it("resumes a durable run with @weft/sqlite in a new process without re-running finished nodes", async () => {
    const crashed = await run("node", ["durable.ts", "crash"]);
    expect(crashed.stdout).toContain("failed:");
    const resumed = await run("node", ["durable.ts"]);
    expect(resumed.stdout).toContain('"published":true');
    expect(await readFile(file("calls.log"), "utf8")).toBe("draft\npublish\npublish\n");
  });

  it("runs a @weft/openai model node against the bundled test server", async () => {
    const ran = await run("node", ["model.ts"]);
    expect(ran.stdout).toContain("answer: A step where every ready node runs at once.");
    expect(ran.stdout).toContain("requests: 1, model: test-model");
  });

  it("traces a run with @weft/otel: a span for the run, each step and each task", async () => {
    const ran = await run("node", ["traced.ts"]);
    expect(ran.stdout).toContain("notes: about a, about b");
    expect(ran.stdout).toContain("spans: run notes, step 1, step 2, task note, task note, task plan\n");
  });

  it("installs no @mermaid-js/mermaid-cli, and its engine then names the package to install", async () => {
    expect(existsSync(join(project.dir, "node_modules", "@mermaid-js", "mermaid-cli"))).toBe(false);
    const ran = await run("node", ["engine.ts"]);
    expect(ran.stdout).toMatch(/^MERMAID_CLI_NOT_INSTALLED: .*npm install @mermaid-js\/mermaid-cli/);
  });

  it("draws a graph module's factory export to SVG with npx weft draw", async () => {
    const ran = await run("npx", ["weft", "draw", "graph.ts", "--export", "reviewGraph", "-o", "out/review.svg"]);
    expect(ran.code, ran.stderr).toBe(0);
    const svg = await readFile(file("out/review.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    for (const node of ["security", "style", "summarize"]) expect(svg).toContain(node);
  });
});

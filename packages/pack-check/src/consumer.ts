/**
 * An empty npm project outside the workspace with the packed tarballs installed, as a user who
 * follows "Use Weft from a clone" in docs/getting-started.md gets it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./pack.ts";

const exec = promisify(execFile);

/**
 * The registry packages a user adds beside the tarballs: the peers that the scenarios import.
 * Exact versions, so that npm's cache (filled by `warm-cache`) answers for them.
 */
export const CONSUMER_PEERS: readonly string[] = [
  "zod@4.6.7",
  "openai@7.55.0",
  "@opentelemetry/api@1.9.1",
  "@opentelemetry/sdk-trace-base@2.12.1",
];

/**
 * Every npm process here, and those they start (the `node` package's install script runs npm
 * again), takes what npm's cache holds without asking the registry whether it is still current;
 * only what the cache lacks is fetched.
 */
const PREFER_OFFLINE = { npm_config_prefer_offline: "true" } as const;

/** The output of a command run in the project. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with which Node a command runs. */
export interface RunIn {
  /** The directory, relative to the project's (default: the project's own). */
  readonly cwd?: string;
  /** A directory holding the `node` to run it with, put first on the PATH (default: this process's PATH). */
  readonly nodeBin?: string;
}

/** A consumer project: its directory and a way to run commands in it. */
export interface ConsumerProject {
  readonly dir: string;
  run(command: string, args: readonly string[], where?: RunIn): Promise<Ran>;
}

/**
 * Creates a project under the system's temporary directory and runs `npm install` with the
 * tarballs and `extra` registry packages (zod, openai: the peers a user adds).
 */
export async function createConsumerProject(options: {
  readonly tarballs: readonly string[];
  readonly extra: readonly string[];
}): Promise<ConsumerProject> {
  const dir = await mkdtemp(join(tmpdir(), "weft-consumer-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "weft-consumer", private: true, type: "module" }, null, 2));
  const run = async (command: string, args: readonly string[], where: RunIn = {}): Promise<Ran> => {
    const path = where.nodeBin === undefined ? process.env.PATH : `${where.nodeBin}${delimiter}${process.env.PATH ?? ""}`;
    try {
      const { stdout, stderr } = await exec(command, args, {
        cwd: join(dir, where.cwd ?? "."),
        // Puppeteer must not download a browser: the renderer uses the system's Chromium.
        env: { ...process.env, ...PREFER_OFFLINE, PATH: path, PUPPETEER_SKIP_DOWNLOAD: "1", npm_config_yes: "true" },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
      return { code: typeof code === "number" ? code : 1, stdout: stdout ?? "", stderr: stderr ?? String(error) };
    }
  };
  const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...options.tarballs, ...options.extra]);
  if (installed.code !== 0) throw new Error(`npm install failed in ${dir}:\n${installed.stdout}${installed.stderr}`);
  return { dir, run };
}

/** The version of the registry's `node` package that the newest-Node scenarios run on. */
const NEWEST_NODE = "latest";

/**
 * Where `warm-cache` (run by scripts/setup.sh) keeps the newest Node, so that each test run does
 * not install its 200 MB again: a folder holding `node_modules/.bin/node`.
 */
export const NEWEST_NODE_DIR = join(ROOT, "node_modules", ".cache", "weft-newest-node");

/**
 * The newest Node that setup installed ({@link NEWEST_NODE_DIR}); when there is none, it is
 * installed now into a temporary folder, which `temporary` says the caller removes when done.
 */
export async function newestNode(): Promise<{ readonly bin: string; readonly dir: string; readonly temporary: boolean }> {
  const bin = binOf(NEWEST_NODE_DIR);
  if (existsSync(join(bin, "node"))) return { bin, dir: NEWEST_NODE_DIR, temporary: false };
  return { ...(await installNode(NEWEST_NODE)), temporary: true };
}

/**
 * Installs the newest Node into {@link NEWEST_NODE_DIR}, in place of what is there: into a new
 * folder beside it first, then moved, so that the folder never holds half an install.
 */
export async function keepNewestNode(): Promise<void> {
  await mkdir(dirname(NEWEST_NODE_DIR), { recursive: true });
  const { dir } = await installNode(NEWEST_NODE, dirname(NEWEST_NODE_DIR));
  await rm(NEWEST_NODE_DIR, { recursive: true, force: true });
  await rename(dir, NEWEST_NODE_DIR);
}

/**
 * Installs the `node` package of the npm registry at `version` (a version, range or tag such as
 * `latest`) into a new folder under `parent` (default: the system's temporary directory), and
 * returns that folder and the directory of its `node` binary.
 */
async function installNode(version: string, parent = tmpdir()): Promise<{ readonly bin: string; readonly dir: string }> {
  const dir = await mkdtemp(join(parent, "weft-node-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "weft-node", private: true }));
  try {
    await exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `node@${version}`], {
      cwd: dir,
      env: { ...process.env, ...PREFER_OFFLINE },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm install node@${version} failed in ${dir}:\n${stdout ?? ""}${stderr ?? ""}`, { cause: error });
  }
  return { bin: binOf(dir), dir };
}

/** The folder of the binaries that an npm install into `dir` put on its PATH. */
const binOf = (dir: string): string => join(dir, "node_modules", ".bin");

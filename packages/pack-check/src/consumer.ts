/**
 * An empty npm project outside the workspace with the packed tarballs installed, as a user who
 * follows "Use Weft from a clone" in docs/getting-started.md gets it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** The output of a command run in the project. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A consumer project: its directory and a way to run commands in it. */
export interface ConsumerProject {
  readonly dir: string;
  run(command: string, args: readonly string[]): Promise<Ran>;
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
  const run = async (command: string, args: readonly string[]): Promise<Ran> => {
    try {
      const { stdout, stderr } = await exec(command, args, {
        cwd: dir,
        // Puppeteer must not download a browser: the renderer uses the system's Chromium.
        env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: "1", npm_config_yes: "true" },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
      return { code: typeof code === "number" ? code : 1, stdout: stdout ?? "", stderr: stderr ?? String(error) };
    }
  };
  // --prefer-offline: registry metadata already in npm's cache is used without asking again.
  const installed = await run("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...options.tarballs,
    ...options.extra,
  ]);
  if (installed.code !== 0) throw new Error(`npm install failed in ${dir}:\n${installed.stdout}${installed.stderr}`);
  return { dir, run };
}

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
// The child processes run as @weft/sqlite's crash tests run theirs: the tests' TypeScript files on
// the built packages, which this package's vitest.config.ts builds before the tests start.
import { childFlags } from "../../sqlite/test/child-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A child process whose stdout is read line by line. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (seen already or to come) that matches. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  /** Resolves when the process exits, with its code. */
  readonly exited: Promise<number | null>;
}

const alive = new Set<ChildProcess>();
// A test that fails half-way must not leave workers or drivers running.
process.once("exit", () => {
  for (const child of alive) child.kill("SIGKILL");
});

/** SIGKILLs every child process the tests started that is still running, and waits for them. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...alive].map(async (child) => {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    }),
  );
}

/** Starts `node <script> …args` on a test's TypeScript file, from the package folder. */
export function spawnTs(script: string, args: readonly string[], env: Record<string, string> = {}): Child {
  return spawnNode([...childFlags, script, ...args], env, script);
}

/** Starts `node …args` from the package folder; `script` names it in errors. */
function spawnNode(args: readonly string[], env: Record<string, string>, script: string): Child {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    // stdin is a pipe that a test may write to (see shared-limits.test.ts); the others leave it be.
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  alive.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      alive.delete(child);
      resolve(code);
    }),
  );
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  return {
    process: child,
    lines,
    exited,
    line(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) =>
          reject(
            new Error(
              `${script} exited (code ${code}) before printing the line waited for.\nstdout:\n${lines.join("\n")}\nstderr:\n${stderr}`,
            ),
          ),
        );
      });
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

/**
 * Starts the built `weft-worker` bin on a graph module, as a user runs it (it loads a TypeScript
 * module with tsx itself), and waits until it is ready.
 */
export async function startWorkerProcess(module: string, args: readonly string[], env: Record<string, string> = {}): Promise<Child> {
  const child = spawnNode(["dist/bin/weft-worker.js", module, ...args], env, "weft-worker");
  await child.line((line) => line.includes(" ready: "));
  return child;
}

/** `weft-worker` arguments for a test queue: short locks, so a killed worker's jobs are taken over within seconds. */
export const testWorkerArgs = (prefix: string): string[] => [
  "--prefix",
  prefix,
  "--concurrency",
  "4",
  "--lock-duration",
  "2000",
  "--stalled-interval",
  "1000",
];

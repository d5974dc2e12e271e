/**
 * Runs the `weft` command lines of the docs, as written, from the repository's root: a module
 * path that exists under the root is taken from there; everything the command writes (its `-o`
 * files, a `run.jsonl` that a later line reads) goes to a temporary folder, one per page. The
 * command is the built one a user installs (`packages/cli/bin/weft.js`, as `pnpm weft` runs it).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Command, DocsError } from "./extract.ts";

/** Subcommands that serve until stopped (`weft studio`, `weft worker`): docs-check does not start them. */
export const SERVERS: ReadonlySet<string> = new Set(["studio", "worker"]);

/**
 * What went wrong with each command that failed, located by page and line. A server
 * ({@link SERVERS}) is not started: it would not end.
 */
export function runCommands(commands: readonly Command[], root: string): string[] {
  const cli = join(root, "packages", "cli");
  if (!existsSync(join(cli, "dist", "main.js"))) {
    throw new DocsError("The weft command is not built (packages/cli/dist/main.js): run `pnpm build`, then check the docs again.");
  }
  const errors: string[] = [];
  const dirs = new Map<string, string>();
  try {
    for (const command of commands) {
      if (SERVERS.has(command.args[0] ?? "")) continue;
      let dir = dirs.get(command.page);
      if (dir === undefined) dirs.set(command.page, (dir = mkdtempSync(join(tmpdir(), "weft-docs-"))));
      const args = command.args.map((arg, i) => (isInput(command.args, i) && existsSync(resolve(root, arg)) ? resolve(root, arg) : arg));
      const ran = spawnSync(process.execPath, [join(cli, "bin", "weft.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      });
      if (ran.status !== 0) {
        errors.push(`${command.page}:${command.line}: \`${command.text}\` exited with ${ran.status ?? ran.signal}:\n${ran.stderr.trim()}`);
      }
    }
  } finally {
    for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
  }
  return errors;
}

/** A positional argument (after the subcommand) or the value of `--input-file`: a file the command reads. */
function isInput(args: readonly string[], i: number): boolean {
  // Every option of the CLI takes a value: a word after an option is that option's value.
  const previous = args[i - 1];
  return i > 0 && !args[i]!.startsWith("-") && (previous === "--input-file" || !previous!.startsWith("-"));
}

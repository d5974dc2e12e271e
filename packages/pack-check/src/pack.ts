/**
 * Packs Weft's publishable packages into tarballs, as `npm publish` would upload them: each
 * package's `prepack` builds its `dist`, and pnpm replaces `workspace:` ranges with versions.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository's root directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The packages a user installs, by folder under `packages/`. */
export const PUBLISHED = ["core", "openai", "sqlite", "postgres", "bullmq", "mermaid", "otel", "server", "studio", "cli"] as const;

/** One packed package. */
export interface Packed {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
}

/**
 * Packs every package of {@link PUBLISHED} into `outDir`, two at a time (each build is mostly
 * one CPU), and returns the tarballs in {@link PUBLISHED}'s order.
 */
export async function packAll(outDir: string): Promise<Packed[]> {
  const destination = resolve(outDir);
  await mkdir(destination, { recursive: true });
  const results: Packed[] = [];
  const queue = [...PUBLISHED];
  const worker = async (): Promise<void> => {
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      results.push(await packOne(folder, destination));
    }
  };
  await Promise.all([worker(), worker()]);
  return PUBLISHED.map((folder) => results.find((packed) => packed.name === `@weft/${folder}`)!);
}

async function packOne(folder: string, destination: string): Promise<Packed> {
  const dir = join(ROOT, "packages", folder);
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name: string; version: string };
  try {
    await run("pnpm", ["pack", "--pack-destination", destination], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`pnpm pack failed in packages/${folder}:\n${stdout ?? ""}${stderr ?? ""}`, { cause: error });
  }
  const file = `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`;
  return { name: manifest.name, version: manifest.version, tarball: join(destination, file) };
}

/** The paths inside a tarball, without the leading `package/`, sorted. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run("tar", ["-tzf", tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ""))
    .sort();
}

/**
 * `pnpm pack:all [dir]`: packs every publishable package into `dir` (default `packs/` at the
 * repository root) and prints the tarballs, ready for `npm install <tarball>…` in any project.
 */
import { resolve } from "node:path";
import { packAll, ROOT } from "./pack.ts";

const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? resolve(ROOT, "packs"));
const packed = await packAll(outDir);
for (const { tarball } of packed) console.log(tarball);

/**
 * The type checker of `pnpm typecheck` and of the docs' snippets: TypeScript 7's native `tsc`
 * (the `typescript-native` devDependency of the workspace's root), which reports the same
 * errors as TypeScript 5's in a fraction of its time. TypeScript 5 stays the `typescript`
 * dependency: tsup builds the packages' declarations with it, and the tests that read tsc's
 * diagnostics through its API import it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The path of the native `tsc` launcher, to run with `node`. */
export function nativeTsc(): string {
  const manifest = createRequire(import.meta.url).resolve("typescript-native/package.json");
  return join(dirname(manifest), "bin", "tsc");
}

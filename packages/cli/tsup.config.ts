import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    shims: true,
    target: "node22",
  },
  // The executable is ESM only: it awaits at the top level.
  { entry: ["src/main.ts"], format: ["esm"], sourcemap: true, target: "node22" },
]);

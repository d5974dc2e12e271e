import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  // The page is built into dist/web by vite: keep it.
  clean: false,
  sourcemap: true,
  shims: true,
  target: "node22",
  external: ["@weft/core", "@weft/server"],
});

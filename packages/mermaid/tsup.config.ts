import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  // import.meta.url locates mermaid's bundle; shims give the CommonJS build one too.
  shims: true,
  target: "node22",
});

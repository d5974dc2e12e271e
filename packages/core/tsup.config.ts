import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    adapter: "src/adapter.ts",
    draw: "src/draw.ts",
    aggregate: "src/aggregate.ts",
    load: "src/load.ts",
    "testing/index": "src/testing/index.ts",
  },
  external: ["vitest", "tsx"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node22",
});

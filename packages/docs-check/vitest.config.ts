import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // Type-checking a docs tree with tsc takes a few seconds.
    testTimeout: 60_000,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

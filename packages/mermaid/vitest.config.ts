import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One Chromium per test file; starting it takes a few seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The worker and driver processes run on the built packages: built (from Turbo's cache when
    // nothing changed) before any test starts.
    globalSetup: ["../../scripts/build-for-tests.ts"],
  },
});

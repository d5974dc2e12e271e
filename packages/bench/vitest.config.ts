import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // LangGraph at the small sizes still takes a while on a busy 2-core machine.
    testTimeout: 60_000,
  },
});

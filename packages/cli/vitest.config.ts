import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Graph modules are imported by Node itself (through tsx), not by vitest: Node needs the
    // source condition to resolve @weft/* to their TypeScript sources.
    execArgv: ["--conditions=@weft/source"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

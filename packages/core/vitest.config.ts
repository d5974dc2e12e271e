import { configDefaults, defineConfig } from "vitest/config";

/** The test files that mock modules (`vi.mock`): each needs a worker of its own. */
const MOCKING = ["src/runtime/task-run.test.ts", "test/import-work.test.ts"];

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    typecheck: { include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    projects: [
      {
        extends: true,
        // The other files share workers, which saves each file's start-up (spawn, then importing
        // core and zod): about half of their CPU time. None leaves global state changed.
        test: {
          name: "@weft/core",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...MOCKING],
          isolate: false,
        },
      },
      { extends: true, test: { name: "@weft/core (module mocks)", include: MOCKING } },
    ],
  },
});

import { defineConfig } from "vitest/config"

/** The long simulator sweeps: thousands of seeds on 3 and 5 nodes (`npm run test:sweeps`). */
export default defineConfig({
  test: {
    include: ["test/sweeps/**/*.test.ts"],
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 60_000
  }
})

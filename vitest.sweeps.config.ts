import { defineConfig } from "vitest/config"

/** The long tests (`npm run test:sweeps`): simulator sweeps of thousands of seeds on 3 and 5 nodes, and workbench runs of our node. */
export default defineConfig({
  test: {
    include: ["test/sweeps/**/*.test.ts"],
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 60_000
  }
})

import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The long simulator sweeps run apart: `npm run test:sweeps` (vitest.sweeps.config.ts).
    exclude: ["test/sweeps/**", "**/node_modules/**"],
    // Three workers on two cores: the end-to-end files mostly wait on node
    // processes (time limits, init timeouts), and a third worker fills those
    // waits with simulator work (measured: vitest 286 s with 2, 217 s with 3).
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})

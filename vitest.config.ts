import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The long simulator sweeps run apart: `npm run test:sweeps` (vitest.sweeps.config.ts).
    exclude: ["test/sweeps/**", "**/node_modules/**"],
    // Vitest leaves one core to its own process by default; that process idles
    // while the simulator runs, so on a 2-core machine use both.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})

import { describe, expect, it } from "vitest"
import { median, sweepPlot } from "../../workbench/plots.js"

/** The centres of a sweep plot's circles of one class, in drawing order. */
const circles = (svg: string, kind: "round" | "median") =>
  [...svg.matchAll(new RegExp(`<circle class="${kind}" cx="([^"]+)" cy="([^"]+)"`, "g"))].map(([, cx, cy]) => ({
    x: Number(cx),
    y: Number(cy)
  }))

/** The labels under the horizontal axis: the texts centred below the plot. */
const tickLabels = (svg: string) => [...svg.matchAll(/<text x="[^"]+" y="[^"]+" text-anchor="middle">([^<]*)<\/text>/g)].map(([, t]) => t)

describe("the sweep plot", () => {
  const points = [
    { setting: 10, values: [100, 120, 110] },
    { setting: 100, values: [80, 90] },
    { setting: 1000, values: [] },
    { setting: 10_000, values: [20, 10, 30] }
  ]
  const svg = sweepPlot({
    title: "Throughput against value size",
    settingLabel: "value size",
    measureLabel: "ok operations per second",
    scale: "log",
    points,
    label: (bytes) => (bytes >= 1000 ? `${bytes / 1000} kB` : `${bytes} B`)
  })

  it("draws each round as a dot and the median of each setting's rounds on the line, skipping a setting with none", () => {
    expect(circles(svg, "round").length).toBe(8)
    const medians = circles(svg, "median")
    expect(medians.length).toBe(3)
    // Higher values are higher up (smaller y); the medians are 110, 85 and 20.
    expect(medians[0]!.y).toBeLessThan(medians[1]!.y)
    expect(medians[1]!.y).toBeLessThan(medians[2]!.y)
    expect(svg).toContain(`<polyline fill="none"`)
  })

  it("ticks the setting's axis at each setting swept, with its label, spaced by their logarithm", () => {
    expect(tickLabels(svg)).toEqual(expect.arrayContaining(["10 B", "100 B", "1 kB", "10 kB"]))
    // The medians at 10, 100 and 10000: one, then two, decades apart.
    const [a, b, d] = circles(svg, "median").map((c) => c.x)
    expect(d! - b!).toBeCloseTo(2 * (b! - a!), 1)
  })

  it("spaces the settings linearly when asked, and refuses a log scale through zero and a plot of nothing", () => {
    const linear = sweepPlot({
      title: "t",
      settingLabel: "nodes",
      measureLabel: "m",
      scale: "linear",
      points: [1, 3, 7].map((setting) => ({ setting, values: [setting] }))
    })
    const [a, b, c] = circles(linear, "median").map((p) => p.x)
    expect(c! - b!).toBeCloseTo(2 * (b! - a!), 1)
    expect(() => sweepPlot({ title: "t", settingLabel: "s", measureLabel: "m", scale: "log", points: [{ setting: 0, values: [1] }] }))
      .toThrow("sweepPlot \"t\": a log scale needs settings above 0")
    expect(() => sweepPlot({ title: "t", settingLabel: "s", measureLabel: "m", scale: "linear", points: [] }))
      .toThrow("sweepPlot \"t\": no settings to plot")
  })

  it("takes the median of a setting's rounds as the middle one, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})

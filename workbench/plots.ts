import { type FaultKind, faultKinds, type FaultWindow } from "./nemesis.js"
import type { CompletedOperation } from "./stats.js"

/**
 * The run's plots as standalone SVG: latency of every operation and the rate
 * of completions over time, fault windows shaded; and, for the benchmarks
 * that run the workbench again and again (bench/perf/scaling), a measure
 * against a swept setting. Hand-written on purpose: three chart kinds with
 * linear/log axes are smaller than any plot library, and the SVG opens
 * anywhere (browser, blog post) without scripts.
 */

const width = 900
const height = 360
const margin = { top: 30, right: 20, bottom: 45, left: 65 }
const plotWidth = width - margin.left - margin.right
const plotHeight = height - margin.top - margin.bottom

export const outcomeColors = { ok: "#3b7dd8", info: "#e8a33d", fail: "#d6455d" } as const
/** The shading of each fault kind, away from the outcome colours. */
export const faultColors: Record<FaultKind, string> = {
  partition: "#888888",
  kill: "#8e44ad",
  pause: "#16a085",
  corrupt: "#8d6e63",
  transfer: "#c0a000",
  membership: "#2e86c1"
}
const font = `font-family="Helvetica, Arial, sans-serif"`

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
const fixed = (x: number) => Number(x.toFixed(2))

/** A step of 1, 2 or 5 times a power of ten giving about `count` ticks over `span`. */
export const niceStep = (span: number, count: number): number => {
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power
}

interface Axis {
  readonly toPixel: (value: number) => number
  readonly ticks: ReadonlyArray<{ readonly value: number; readonly label: string }>
}

const linearAxis = (max: number, pixels: number, flip: boolean, count: number): Axis => {
  const step = niceStep(max || 1, count)
  const top = Math.ceil((max || 1) / step) * step
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => ({ value: i * step, label: String(fixed(i * step)) }))
  return { toPixel: (v) => (flip ? pixels - (v / top) * pixels : (v / top) * pixels), ticks }
}

const logAxis = (min: number, max: number, pixels: number): Axis => {
  const low = 10 ** Math.floor(Math.log10(Math.max(min, 0.01)))
  const high = 10 ** Math.ceil(Math.log10(Math.max(max, low * 10)))
  const position = (v: number) => (Math.log10(Math.max(v, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
  const ticks: Array<{ value: number; label: string }> = []
  for (let decade = low; decade <= high; decade *= 10) ticks.push({ value: decade, label: String(fixed(decade)) })
  return { toPixel: (v) => pixels - position(v) * pixels, ticks }
}

const frame = (title: string, xLabel: string, yLabel: string, x: Axis, y: Axis, body: string, legend: string) => `
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${font} font-size="12">
<rect width="${width}" height="${height}" fill="white"/>
<text x="${width / 2}" y="18" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>
<g transform="translate(${margin.left},${margin.top})">
${
  y.ticks.map((t) =>
    `<line x1="0" x2="${plotWidth}" y1="${fixed(y.toPixel(t.value))}" y2="${fixed(y.toPixel(t.value))}" stroke="#e6e6e6"/><text x="-6" y="${
      fixed(y.toPixel(t.value)) + 4
    }" text-anchor="end">${t.label}</text>`
  ).join("\n")
}
${
  x.ticks.map((t) =>
    `<line x1="${fixed(x.toPixel(t.value))}" x2="${fixed(x.toPixel(t.value))}" y1="${plotHeight}" y2="${
      plotHeight + 5
    }" stroke="#333"/><text x="${fixed(x.toPixel(t.value))}" y="${plotHeight + 18}" text-anchor="middle">${t.label}</text>`
  ).join("\n")
}
${body}
<rect width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>
<text x="${plotWidth / 2}" y="${plotHeight + 38}" text-anchor="middle">${escape(xLabel)}</text>
<text transform="translate(-48,${plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>
${legend}
</g>
</svg>
`

/** Fault shading is faint; its legend swatch a little less, to match it and still be seen. */
const shadingOpacity = 0.15
const swatchOpacity = 0.4

const faultShading = (windows: ReadonlyArray<FaultWindow>, x: Axis) =>
  windows.map((w) => {
    const left = x.toPixel(w.startMs / 1000)
    return `<rect x="${fixed(left)}" y="0" width="${fixed(Math.max(1, x.toPixel(w.endMs / 1000) - left))}" height="${plotHeight}" fill="${
      faultColors[w.kind]
    }" fill-opacity="${shadingOpacity}"><title>${escape(w.description)}</title></rect>`
  }).join("\n")

const legendOf = (entries: ReadonlyArray<readonly [string, string, number?]>) =>
  entries.map(([label, color, opacity = 1], i) =>
    `<rect x="${plotWidth - 95}" y="${8 + i * 16}" width="10" height="10" fill="${color}" fill-opacity="${opacity}"/><text x="${
      plotWidth - 80
    }" y="${17 + i * 16}">${escape(label)}</text>`
  ).join("\n")

/** A plot over the run's time, with fault windows shaded behind the data, one colour per fault kind, named in the legend. */
const overTime = (
  title: string,
  yLabel: string,
  x: Axis,
  y: Axis,
  windows: ReadonlyArray<FaultWindow>,
  content: string,
  legend: ReadonlyArray<readonly [string, string]>
) =>
  frame(
    title,
    "time since the test started (s)",
    yLabel,
    x,
    y,
    faultShading(windows, x) + content,
    legendOf([
      ...legend,
      ...faultKinds.filter((kind) => windows.some((w) => w.kind === kind)).map((kind) => [kind, faultColors[kind], swatchOpacity] as const)
    ])
  )

/** Every operation as a point: when it was invoked, how long it took (log scale), colored by outcome. */
export const latencyPlot = (
  ops: ReadonlyArray<CompletedOperation>,
  windows: ReadonlyArray<FaultWindow>,
  durationSeconds: number
): string => {
  const x = linearAxis(durationSeconds, plotWidth, false, 10)
  const y = logAxis(
    ops.reduce((min, op) => Math.min(min, op.latencyMs), 1),
    ops.reduce((max, op) => Math.max(max, op.latencyMs), 10),
    plotHeight
  )
  const points = ops.map((op) =>
    `<circle cx="${fixed(x.toPixel(op.startMs / 1000))}" cy="${fixed(y.toPixel(op.latencyMs))}" r="2" fill="${
      outcomeColors[op.type]
    }" fill-opacity="0.6"/>`
  ).join("\n")
  return overTime("Latency of each operation", "latency (ms, log scale)", x, y, windows, points, Object.entries(outcomeColors))
}

/** Completions per second, one line per outcome, in one-second buckets. */
export const ratePlot = (
  ops: ReadonlyArray<CompletedOperation>,
  windows: ReadonlyArray<FaultWindow>,
  durationSeconds: number
): string => {
  const buckets = Math.max(1, Math.ceil(durationSeconds))
  const series = (["ok", "info", "fail"] as const).map((type) => {
    const counts = new Array<number>(buckets).fill(0)
    for (const op of ops) {
      if (op.type === type) counts[Math.min(buckets - 1, Math.floor((op.startMs + op.latencyMs) / 1000))]! += 1
    }
    return { type, counts }
  })
  const x = linearAxis(durationSeconds, plotWidth, false, 10)
  const peak = series.reduce((max, s) => s.counts.reduce((m, c) => Math.max(m, c), max), 1)
  const y = linearAxis(peak, plotHeight, true, 6)
  const lines = series.map(({ type, counts }) =>
    `<polyline fill="none" stroke="${outcomeColors[type]}" stroke-width="2" points="${
      counts.map((c, i) => `${fixed(x.toPixel(i + 0.5))},${fixed(y.toPixel(c))}`).join(" ")
    }"/>`
  ).join("\n")
  const legend = series.map((s) => [s.type, outcomeColors[s.type]] as const)
  return overTime("Throughput", "completed operations per second", x, y, windows, lines, legend)
}

/** One setting of a sweep and the measure in each round run there (none when every round failed). */
export interface SweepPoint {
  readonly setting: number
  readonly values: ReadonlyArray<number>
}

/** The median of a setting's rounds, as the sweep plot draws it (the mean of the middle two of an even count); NaN of none. */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * The horizontal axis of a sweep: ticked at each setting swept, spaced
 * linearly or by their logarithm (for settings spread over decades, as
 * 10 B to 64 KiB), with a margin each side so no point sits on the frame.
 */
const settingAxis = (settings: ReadonlyArray<number>, scale: "linear" | "log", label: (setting: number) => string): Axis => {
  const at = scale === "log" ? (v: number) => Math.log10(v) : (v: number) => v
  const low = Math.min(...settings.map(at))
  const high = Math.max(...settings.map(at))
  const span = high - low || 1
  const pad = 0.05 * plotWidth
  const toPixel = (v: number) => settings.length === 1 ? plotWidth / 2 : pad + ((at(v) - low) / span) * (plotWidth - 2 * pad)
  return { toPixel, ticks: settings.map((value) => ({ value, label: escape(label(value)) })) }
}

/**
 * A measure against a swept setting: each round's value a faint dot, the
 * median of the rounds at each setting a point on the line. The vertical
 * axis starts at zero, so that the line's slope reads as the measure's, and
 * leaves room above the highest value for the legend.
 */
export const sweepPlot = (options: {
  readonly title: string
  readonly settingLabel: string
  readonly measureLabel: string
  readonly scale: "linear" | "log"
  readonly points: ReadonlyArray<SweepPoint>
  /** A setting as its tick shows it (default: the number). */
  readonly label?: (setting: number) => string
}): string => {
  const { points } = options
  if (points.length === 0) throw new Error(`sweepPlot "${options.title}": no settings to plot`)
  if (options.scale === "log" && points.some((p) => !(p.setting > 0))) {
    throw new Error(`sweepPlot "${options.title}": a log scale needs settings above 0`)
  }
  const x = settingAxis(points.map((p) => p.setting), options.scale, options.label ?? String)
  // A fifth more than the highest value keeps the top of the plot, where the legend is, clear of the data.
  const y = linearAxis(1.2 * Math.max(0, ...points.flatMap((p) => p.values)), plotHeight, true, 6)
  const color = outcomeColors.ok
  const dots = points.flatMap((p) =>
    p.values.map((v) =>
      `<circle class="round" cx="${fixed(x.toPixel(p.setting))}" cy="${fixed(y.toPixel(v))}" r="3" fill="${color}" fill-opacity="0.3"/>`
    )
  ).join("\n")
  const medians = points.filter((p) => p.values.length > 0).map((p) => [x.toPixel(p.setting), y.toPixel(median(p.values))] as const)
  const line = `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
    medians.map(([px, py]) => `${fixed(px)},${fixed(py)}`).join(" ")
  }"/>`
  const marks = medians.map(([px, py]) => `<circle class="median" cx="${fixed(px)}" cy="${fixed(py)}" r="4.5" fill="${color}"/>`).join("\n")
  return frame(options.title, options.settingLabel, options.measureLabel, x, y, `${dots}\n${line}\n${marks}`,
    legendOf([["median", color], ["each round", color, 0.3]]))
}

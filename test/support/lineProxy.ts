import * as Net from "node:net"

/**
 * A TCP proxy on one directed peer link (one node's connections to another),
 * forwarding whole lines so that the test can fault it without breaking the
 * framing: `cut` swallows every line (the receiver hears nothing, as across
 * a partition), `delayMs` holds each line back, `dropRate` loses lines at
 * random. What the receiver sends back is passed on as it is.
 */
export class LineProxy {
  cut = false
  delayMs = 0
  dropRate = 0
  forwarded = 0
  dropped = 0
  private readonly server: Net.Server
  private readonly sockets = new Set<Net.Socket>()

  private constructor(readonly port: number, server: Net.Server) {
    this.server = server
  }

  static open(targetPort: number): Promise<LineProxy> {
    return new Promise((resolveOpen) => {
      const server = Net.createServer()
      server.listen(0, "127.0.0.1", () => {
        const proxy = new LineProxy((server.address() as Net.AddressInfo).port, server)
        server.on("connection", (client) => proxy.carry(client, targetPort))
        resolveOpen(proxy)
      })
    })
  }

  private carry(client: Net.Socket, targetPort: number): void {
    const upstream = Net.createConnection({ host: "127.0.0.1", port: targetPort, noDelay: true })
    for (const socket of [client, upstream]) {
      this.sockets.add(socket)
      socket.on("error", () => {})
      socket.on("close", () => {
        this.sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    upstream.on("data", (chunk) => client.write(chunk))
    let partial = ""
    client.setEncoding("utf8").on("data", (text: string) => {
      const lines = (partial + text).split("\n")
      partial = lines.pop()!
      for (const line of lines) this.pass(`${line}\n`, upstream)
    })
  }

  private pass(line: string, upstream: Net.Socket): void {
    if (this.cut || Math.random() < this.dropRate) {
      this.dropped += 1
      return
    }
    this.forwarded += 1
    if (this.delayMs === 0) upstream.write(line)
    else setTimeout(() => upstream.write(line), this.delayMs)
  }

  heal(): void {
    this.cut = false
    this.delayMs = 0
    this.dropRate = 0
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy()
    this.server.close()
  }
}

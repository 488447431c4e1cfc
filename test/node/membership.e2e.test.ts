import { afterAll, describe, expect, it } from "vitest"
import { ProcessCluster } from "../support/ProcessCluster.js"

describe("bin/raft changes its membership", () => {
  const cluster = new ProcessCluster(["n1", "n2", "n3"])
  afterAll(() => cluster.stop())

  it("answers members, remove_member, add_member and reconfigure through any node, as the README shows", async () => {
    await cluster.init()
    const n1 = cluster.node("n1")
    expect(await n1.requestWhenReady({ type: "write", key: 1, value: 1 }, "n1")).toMatchObject({ type: "write_ok" })
    const members = await n1.request({ type: "members" }, "operator", "n1")
    expect(members).toMatchObject({ type: "members_ok", voters: ["n1", "n2", "n3"], learners: [], term: expect.any(Number) })
    const leader = members.leader as string
    const follower = ["n1", "n2", "n3"].find((id) => id !== leader)!
    const asked = cluster.node(follower)
    // Removing the leader itself: it leads until the change commits, then hands over.
    expect(await asked.request({ type: "remove_member", node: leader }, "operator", follower)).toMatchObject({
      type: "remove_member_ok",
      voters: ["n1", "n2", "n3"].filter((id) => id !== leader),
      learners: []
    })
    const after = await asked.requestWhenReady({ type: "members" }, follower)
    expect(after.voters).toEqual(["n1", "n2", "n3"].filter((id) => id !== leader))
    expect(await asked.requestWhenReady({ type: "write", key: 1, value: 2 }, follower)).toMatchObject({ type: "write_ok" })
    // Back in: a learner first, then a voter once caught up.
    const added = await asked.requestWhenReady({ type: "add_member", node: leader }, follower)
    expect(added).toMatchObject({ type: "add_member_ok", learners: [] })
    expect([...added.voters].sort()).toEqual(["n1", "n2", "n3"])
    expect(await cluster.node(leader).requestWhenReady({ type: "read", key: 1 }, leader)).toMatchObject({ type: "read_ok", value: 2 })
    // Any change at once, and a refusal that says why.
    expect(await asked.requestWhenReady({ type: "reconfigure", voters: ["n1", "n2"], learners: ["n3"] }, follower)).toMatchObject({
      type: "reconfigure_ok",
      voters: ["n1", "n2"],
      learners: ["n3"]
    })
    expect(await asked.request({ type: "reconfigure", voters: [] }, "operator", follower)).toMatchObject({
      type: "error",
      code: 12,
      text: "the voter set is empty: a cluster needs one voter"
    })
  }, 60_000)
})

import { Schema } from "effect"
import { Json } from "../../foundation/json.js"

/** The JSON bodies the HTTP client API takes. Keys come from the path (`/kv/KEY`), as strings. */

/** PUT /kv/KEY */
export const PutBody = Schema.Struct({ value: Json })

/** POST /kv/KEY/cas: set to `to` if the value is `from`. */
export const CasBody = Schema.Struct({ from: Json, to: Json })

/** POST /reconfigure: these voters and learners, through the joint configuration. */
export const ReconfigureBody = Schema.Struct({
  voters: Schema.Array(Schema.String),
  learners: Schema.optional(Schema.Array(Schema.String))
})

/** POST /transfer: hand leadership to `to`, or to the most up to date other member. */
export const TransferBody = Schema.Struct({ to: Schema.optional(Schema.String) })

/** POST /members/add and /members/remove: one node. */
export const MemberBody = Schema.Struct({ node: Schema.String })

import { Args, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Console, Data, Effect, Either, Option } from "effect"
import { clusterEndpoints, parseEndpoints } from "./endpoints.js"
import { parseNodeId, reconfigureTarget } from "./membership.js"
import { describeAnswer, describeStatuses } from "./output.js"
import { callStore, type StoreAnswer, type StoreCall } from "./storeCall.js"

/** The command line cannot be used; the message says why. */
export class KvctlUsageError extends Data.TaggedError("KvctlUsageError")<{ readonly message: string }> {}

/** The option parser refused the command line; it has printed why. */
export class CommandLineRejected extends Data.TaggedError("CommandLineRejected")<{ readonly message: string }> {}

/** The store answered with an error (the answer was printed). */
export class StoreRefused extends Data.TaggedError("StoreRefused")<{}> {}

const shared = {
  endpoints: Options.text("endpoints").pipe(
    Options.optional,
    Options.withDescription(
      `host:port of the nodes' HTTP ports, comma-separated, tried in order (default: KVCTL_ENDPOINTS, else ${clusterEndpoints.join(",")})`
    )
  ),
  json: Options.boolean("json").pipe(Options.withDescription("print the store's answer as JSON")),
  timeoutMs: Options.integer("timeout-ms").pipe(
    Options.withDefault(5000),
    Options.withDescription("how long to wait for one endpoint's answer (default: 5000)")
  )
}

type Shared = { readonly endpoints: Option.Option<string>; readonly json: boolean; readonly timeoutMs: number }

/** What `parsed` holds, or a usage error with what is wrong. */
const usable = <A>(parsed: Either.Either<A, string>) =>
  Either.match(parsed, {
    onLeft: (problem) => Effect.fail(new KvctlUsageError({ message: problem })),
    onRight: (value) => Effect.succeed(value)
  })

/** The endpoints from --endpoints, else KVCTL_ENDPOINTS (read through the ConfigProvider), else the cluster's. */
const endpointsOf = (given: Option.Option<string>) =>
  Effect.gen(function*() {
    const variable = yield* Config.option(Config.string("KVCTL_ENDPOINTS")).pipe(Effect.orElseSucceed(() => Option.none<string>()))
    const [source, text] = Option.isSome(given)
      ? ["--endpoints", given.value]
      : Option.isSome(variable)
      ? ["KVCTL_ENDPOINTS", variable.value]
      : ["default", clusterEndpoints.join(",")]
    return yield* usable(Either.mapLeft(parseEndpoints(text), (problem) => `${source} ${JSON.stringify(text)}: ${problem}`))
  })

/** A value as the user typed it: JSON when it reads as JSON (`5`, `[1,2]`, `"x"`), else the text itself. */
const valueOf = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const keyPath = (key: string) => `/kv/${encodeURIComponent(key)}`

/** Sends one call, prints its answer, and fails with StoreRefused when it is an error. */
const run = (options: Shared, call: StoreCall) =>
  Effect.gen(function*() {
    const endpoints = yield* endpointsOf(options.endpoints)
    const answer: StoreAnswer = yield* callStore(endpoints, call, options.timeoutMs)
    const text = options.json ? JSON.stringify(answer.body) : describeAnswer(answer)
    if (answer.status >= 400) {
      yield* options.json ? Console.log(text) : Console.error(`kvctl: ${text}`)
      return yield* new StoreRefused()
    }
    yield* Console.log(text)
  })

const key = Args.text({ name: "KEY" })

const get = Command.make("get", { ...shared, key },
  (options) => run(options, { method: "GET", path: keyPath(options.key), idempotent: true })).pipe(
    Command.withDescription("print KEY's value (JSON)")
  )

const put = Command.make("put", { ...shared, key, value: Args.text({ name: "VALUE" }) },
  (options) => run(options, { method: "PUT", path: keyPath(options.key), body: { value: valueOf(options.value) }, idempotent: false }))
  .pipe(
    Command.withDescription("set KEY to VALUE (JSON if it reads as JSON, else a string)")
  )

const cas = Command.make("cas", { ...shared, key, from: Args.text({ name: "FROM" }), to: Args.text({ name: "TO" }) },
  (options) =>
    run(options, {
      method: "POST",
      path: `${keyPath(options.key)}/cas`,
      body: { from: valueOf(options.from), to: valueOf(options.to) },
      idempotent: false
    })).pipe(Command.withDescription("set KEY to TO if its value is FROM"))

const members = Command.make("members", shared, (options) => run(options, { method: "GET", path: "/members", idempotent: true }))
  .pipe(Command.withDescription("the voters, learners, leader and term, as the first reachable node sees them"))

// A membership change that may have happened (an indefinite answer) is not sent elsewhere, as a write is not: a second copy
// could land after another operator's change, or be refused while the first is still in flight.
const node = Args.text({ name: "NODE" })

const memberAdd = Command.make("member-add", { ...shared, node },
  (options) =>
    Effect.flatMap(usable(parseNodeId(options.node)), (id) =>
      run(options, { method: "POST", path: "/members/add", body: { node: id }, idempotent: false }))).pipe(
    Command.withDescription("make NODE a voter (a learner until it has caught up); prints the configuration it ended with")
  )

const memberRemove = Command.make("member-remove", { ...shared, node },
  (options) =>
    Effect.flatMap(usable(parseNodeId(options.node)), (id) =>
      run(options, { method: "POST", path: "/members/remove", body: { node: id }, idempotent: false }))).pipe(
    Command.withDescription("take NODE (a voter or a learner) out of the cluster; prints the configuration it ended with")
  )

const reconfigure = Command.make("reconfigure", {
  ...shared,
  voters: Options.text("voters").pipe(Options.withDescription("the voters after the change, comma-separated: n0,n1,n2")),
  learners: Options.text("learners").pipe(
    Options.optional,
    Options.withDescription("the learners after the change, comma-separated (none when absent: a learner not named is removed)")
  )
},
  (options) =>
    Effect.flatMap(usable(reconfigureTarget(options.voters, options.learners)), (target) =>
      run(options, { method: "POST", path: "/reconfigure", body: target, idempotent: false }))).pipe(
    Command.withDescription(
      "set the voters and the learners (any change at once, through a joint configuration); prints the configuration it ended with"
    )
  )

const transfer = Command.make(
  "transfer",
  { ...shared, to: Options.text("to").pipe(Options.optional, Options.withDescription("the member to hand leadership to")) },
  (options) =>
    run(options, {
      method: "POST",
      path: "/transfer",
      body: Option.match(options.to, { onNone: () => ({}), onSome: (to) => ({ to }) }),
      idempotent: false
    })
).pipe(Command.withDescription("hand leadership over (to --to, or to the most up to date other member)"))

/** Every endpoint's own status, one line each (or a JSON array); fails when none answered. */
const status = Command.make("status", shared, (options) =>
  Effect.gen(function*() {
    const endpoints = yield* endpointsOf(options.endpoints)
    const answers = yield* Effect.forEach(endpoints,
      (endpoint) => Effect.either(callStore([endpoint], { method: "GET", path: "/status", idempotent: true }, options.timeoutMs)), {
      concurrency: "unbounded"
    })
    const rows = answers.map((answer, i) => ({ endpoint: endpoints[i]!, answer }))
    yield* Console.log(
      options.json
        ? JSON.stringify(rows.map(({ answer, endpoint }) =>
          Either.match(answer, { onLeft: (error) => ({ endpoint, error: error.message }), onRight: (a) => ({ endpoint, ...a.body }) })
        ))
        : describeStatuses(rows)
    )
    if (answers.every(Either.isLeft))
      return yield* new StoreRefused()
  })).pipe(Command.withDescription("each endpoint's role, term, leader, commit and applied index, log and snapshot"))

const kvctl = Command.make("kvctl").pipe(
  Command.withDescription("a command-line client of bin/raft serve's HTTP API"),
  Command.withSubcommands([get, put, cas, members, memberAdd, memberRemove, reconfigure, status, transfer])
)

/** Runs kvctl on a whole argv (node, script, then the words). */
export const runKvctl = (argv: ReadonlyArray<string>) =>
  Command.run(kvctl, { name: "kvctl", version: "0.1.0" })(argv).pipe(
    Effect.catchIf(
      ValidationError.isValidationError,
      (error) => Effect.fail(new CommandLineRejected({ message: HelpDoc.toAnsiText(error.error).trim() }))
    )
  )

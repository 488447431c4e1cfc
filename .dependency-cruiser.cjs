/**
 * Which folder of the repo may import which, checked by `npm run lint`
 * (dependency-cruiser). Paths are from the repo's root. Type-only imports
 * count: a type is a dependency too. The rooms and the arrows between them
 * are drawn in docs/rooms.svg and described in docs/architecture.md.
 */
module.exports = {
  forbidden: [
    {
      name: "services-import-nothing",
      comment: "services/ holds the contracts (Context tags and their shapes) that implementations and users of a service agree on; "
        + "importing anything else of the repo would tie a contract to one side.",
      severity: "error",
      from: { path: "^services/" },
      to: { dependencyTypes: ["local"], pathNot: "^services/" }
    },
    {
      name: "foundation-imports-nothing",
      comment: "foundation/ is what the node and every tool build on (doorbells, backlogs, timers, JSON, one-line failures, "
        + "the stderr logger, how a command line runs); a tool that needs one of them must not bring in the node with it.",
      severity: "error",
      from: { path: "^foundation/" },
      to: { dependencyTypes: ["local"], pathNot: "^foundation/" }
    },
    {
      name: "raft-engine-knows-only-contracts",
      comment: "src/raft/ is the engine: it knows the service contracts, its own wire messages and the foundation, and no "
        + "application, Maelstrom envelope or layer, so that any application runs on it over any Network, Log and StateMachine.",
      severity: "error",
      from: { path: "^src/raft/" },
      to: { dependencyTypes: ["local"], pathNot: ["^src/raft/", "^services/", "^src/protocol/raftMessages\\.ts$", "^foundation/"] }
    },
    {
      name: "checker-stands-alone",
      comment: "checker/ judges a history of any system, read from a file or handed over by the workbench or the simulator: "
        + "it imports only the foundation, so it cannot come to depend on the node it judges.",
      severity: "error",
      from: { path: "^checker/" },
      to: { dependencyTypes: ["local"], pathNot: ["^checker/", "^foundation/"] }
    },
    {
      name: "node-imports-no-judge",
      comment: "The node (src/ and layers/, over services/ and foundation/) is what ships in dist/raft.mjs; the tools that judge it "
        + "(checker/, linkv/, workbench/, sim/) are not part of it.",
      severity: "error",
      from: { path: "^(src|layers)/" },
      to: { path: "^(checker|linkv|workbench|sim)/" }
    },
    {
      name: "only-main-imports-layers",
      comment: "src/main.ts is the composition root: it alone picks the implementations (layers/) of the services; the rest of src/ "
        + "sees the contracts only, so the simulator and the tests can supply implementations of their own.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/main\\.ts$" },
      to: { path: "^layers/" }
    },
    {
      name: "applications-apart",
      comment: "src/kv/ (lin-kv) and src/counter/ are two applications of the same engine; neither leans on the other.",
      severity: "error",
      from: { path: "^src/(kv|counter)/" },
      to: { path: "^src/(kv|counter)/", pathNot: "^src/$1/" }
    },
    {
      name: "workbench-and-sim-apart",
      comment: "The workbench (real processes, real time) and the simulator (one process, virtual time) are two judges; what they "
        + "share is in linkv/ and checker/.",
      severity: "error",
      from: { path: "^(workbench|sim)/" },
      to: { path: "^(workbench|sim)/", pathNot: "^$1/" }
    },
    {
      name: "workbench-not-raft",
      comment: "The workbench runs any Maelstrom node, ours or another team's, through its stdin and stdout: it must not know our "
        + "Raft engine.",
      severity: "error",
      from: { path: "^workbench/" },
      to: { path: "^src/raft/" }
    },
    {
      name: "linkv-shared",
      comment: "linkv/ is the lin-kv workload that both judges run; it imports neither of them.",
      severity: "error",
      from: { path: "^linkv/" },
      to: { path: "^(workbench|sim)/" }
    },
    {
      name: "kvctl-is-a-client",
      comment: "kvctl/ talks to a served node over HTTP only, as any client could: it imports the foundation and nothing of "
        + "the node, so the API it uses is the one on the wire; and nothing but the tests imports it.",
      severity: "error",
      from: { path: "^kvctl/" },
      to: { dependencyTypes: ["local"], pathNot: ["^kvctl/", "^foundation/"] }
    },
    {
      name: "nothing-imports-kvctl",
      comment: "kvctl/ is a program of its own, not a library of the node or the judges.",
      severity: "error",
      from: { pathNot: "^(kvctl|test)/" },
      to: { path: "^kvctl/" }
    },
    {
      name: "tests-and-benchmarks-are-leaves",
      comment: "test/ and bench/ may import any room, and no room imports them: what runs must not depend on its tests.",
      severity: "error",
      from: { pathNot: "^(test|bench)/" },
      to: { path: "^(test|bench)/" }
    },
    {
      name: "no-runtime-cycles",
      comment: "A cycle of imports that exist at run time makes the order modules start in matter (one may see another's exports "
        + "still undefined). Cycles through type-only imports vanish when compiled, and are allowed.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } }
    },
    {
      name: "shipped-code-uses-no-dev-dependency",
      comment: "What runs outside the tests (the node, the workbench, the simulator, the checker) imports dependencies only; "
        + "devDependencies are for building, formatting, linting and testing.",
      severity: "error",
      from: { path: "^(foundation|services|layers|src|checker|linkv|workbench|sim|kvctl)/" },
      to: { dependencyTypes: ["npm-dev"] }
    },
    {
      name: "no-undeclared-package",
      comment: "Every package imported is named in package.json: one that is there only because another package brought it "
        + "in goes away when that package changes.",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] }
    }
  ],
  options: {
    exclude: { path: "^(dist|store)/" },
    doNotFollow: { path: "^node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" }
  }
}

/** Why the client phase of a test ended, and when (milliseconds since the clients started). */
export type TestEnd =
  | { readonly reason: "time limit"; readonly atMs: number }
  /** Every node crashed: there was nothing left to test. */
  | { readonly reason: "no node left"; readonly atMs: number }
  /** The user stopped the test (Ctrl-C is SIGINT); what was recorded so far is saved, without a verdict. */
  | { readonly reason: "interrupted"; readonly signal: string; readonly atMs: number }

/** An early end, in words for `problems`: the test is not valid then (empty for the time limit). */
export const endProblems = (end: TestEnd): ReadonlyArray<string> => {
  const at = `${(end.atMs / 1000).toFixed(1)} s`
  switch (end.reason) {
    case "time limit":
      return []
    case "no node left":
      return [`every node had crashed at ${at}: the test stopped early, with nothing left to test`]
    case "interrupted":
      return [`interrupted by ${end.signal} at ${at}: the test stopped early; its history and results are partial`]
  }
}

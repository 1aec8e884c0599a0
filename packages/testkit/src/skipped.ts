/**
 * The end of a test name for a capability the adapter does not declare: the report then says why
 * the test did not run (` (skipped: <reason>)`), instead of a test that passed by doing nothing.
 */
export function skippedUnless(capability: boolean, reason: string): string {
  return capability ? "" : ` (skipped: ${reason})`;
}

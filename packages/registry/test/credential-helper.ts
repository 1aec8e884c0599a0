// Writes real docker credential helper executables (`docker-credential-<name>`) for the tests.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A helper that answers `get` for `serverAddress` with the given user and secret, says
 * "credentials not found in native keychain" (exit 1) for any other address, and appends every
 * address it was asked for to `<directory>/<name>.log`.
 */
export function writeCredentialHelper(
  directory: string,
  name: string,
  serverAddress: string,
  username: string,
  secret: string,
): string {
  const path = join(directory, `docker-credential-${name}`);
  const log = join(directory, `${name}.log`);
  const answer = JSON.stringify({ ServerURL: serverAddress, Username: username, Secret: secret });
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      'if [ "$1" != "get" ]; then echo "unsupported: $1" >&2; exit 1; fi',
      "read -r address",
      `echo "$address" >> '${log}'`,
      `if [ "$address" = '${serverAddress}' ]; then`,
      `  printf '%s' '${answer}'`,
      "  exit 0",
      "fi",
      'echo "credentials not found in native keychain"',
      "exit 1",
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return log;
}

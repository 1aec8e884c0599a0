import { EngineError, type StagesError } from "@stages/core";

/**
 * ssh2's failures (they carry a `level`) as EngineErrors that say what to do; null for other errors.
 * The endpoint is the `ssh://user@host[:port]` of the connection.
 */
export function sshFailure(error: unknown, endpoint: string): StagesError | null {
  const failure = error as { level?: unknown; message?: unknown };
  if (typeof failure?.level !== "string" || typeof failure.message !== "string") return null;
  const message = failure.message;
  if (failure.level === "client-authentication") {
    return new EngineError(`[docker] ${endpoint} accepted none of the SSH keys offered (${message})`, {
      cause: error,
      hint: "add your public key to the remote user's ~/.ssh/authorized_keys; stages offers the keys of ssh-agent (SSH_AUTH_SOCK), then ~/.ssh/id_ed25519, id_ecdsa and id_rsa (keys with a passphrase only through the agent)",
    });
  }
  if (/verification failed/i.test(message)) {
    return new EngineError(`[docker] the SSH host key of ${endpoint} does not match known_hosts: refusing to connect`, {
      cause: error,
      hint: "if the host's key changed on purpose, check its new fingerprint and replace its line in ~/.ssh/known_hosts (ssh-keygen -R host)",
    });
  }
  if (failure.level === "client-timeout") {
    return new EngineError(`[docker] no SSH server answered at ${endpoint} in time (${message})`, {
      cause: error,
      hint: "check the host and port in DOCKER_HOST or the docker context",
    });
  }
  return new EngineError(`[docker] SSH to ${endpoint} failed: ${message}`, { cause: error });
}

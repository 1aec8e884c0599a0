import type { SecretRedactor } from "@stages/core";
import { createSecretRedactor } from "@stages/core";

/**
 * The secrets this process handed the engine (X-Registry-Auth) and everything that can be made
 * of them. Process-wide rather than per adapter: an engine message becomes an error deep below any
 * adapter (engine-errors), and a secret one adapter sent is just as secret in another's error.
 */
const engineSecrets: SecretRedactor = createSecretRedactor();

/** Blanks every secret sent to the engine, and anything that looks like a credential, out of `text`. */
export function redactEngineText(text: string): string {
  return engineSecrets.redact(text);
}

/**
 * Remembers the credentials of one auth config and the forms a registry or the engine can echo
 * them in: the password or identity token, `base64(user:password)` (a Basic Authorization), and
 * the auth config's own encodings (the X-Registry-Auth header, padded or not, base64 or base64url).
 */
export function rememberRegistrySecrets(config: Record<string, string>): void {
  const { username, password, identitytoken, registrytoken, auth } = config;
  engineSecrets.add(password);
  engineSecrets.add(identitytoken);
  engineSecrets.add(registrytoken);
  engineSecrets.add(auth);
  if (username !== undefined && password !== undefined) {
    for (const form of base64Forms(`${username}:${password}`)) engineSecrets.add(form);
  }
  for (const form of base64Forms(JSON.stringify(config))) engineSecrets.add(form);
}

function base64Forms(text: string): string[] {
  const standard = Buffer.from(text, "utf8").toString("base64");
  const url = standard.replace(/\+/g, "-").replace(/\//g, "_");
  return [standard, standard.replace(/=+$/, ""), url, url.replace(/=+$/, "")];
}

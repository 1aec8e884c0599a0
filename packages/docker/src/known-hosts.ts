import { createHmac } from "node:crypto";

/** One known_hosts text and where it came from (for messages), e.g. `~/.ssh/known_hosts`. */
export interface KnownHostsFile {
  source: string;
  text: string;
}

/** A host key listed for a host: its type (`ssh-ed25519`) and base64 blob, as in known_hosts. */
export interface KnownHostKey {
  type: string;
  key: string;
  source: string;
  line: number;
}

/** What the known_hosts files say about one host. */
export interface KnownHostKeys {
  accepted: KnownHostKey[];
  revoked: KnownHostKey[];
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * The keys the known_hosts files list for host:port, as OpenSSH reads them: comma-separated
 * patterns with `*`, `?` and `!` negation, hashed names (`|1|salt|hmac`, Debian's default), and
 * `@revoked` lines. `@cert-authority` lines are skipped: host certificates are not supported.
 */
export function findKnownHostKeys(files: readonly KnownHostsFile[], host: string, port: number): KnownHostKeys {
  const name = knownHostsName(host, port).toLowerCase();
  const result: KnownHostKeys = { accepted: [], revoked: [] };
  for (const file of files) {
    file.text.split(/\r?\n/).forEach((raw, index) => {
      const fields = raw.trim().split(/\s+/);
      if (fields.length === 0 || fields[0] === "" || fields[0]?.startsWith("#")) return;
      let marker: string | undefined;
      if (fields[0]?.startsWith("@")) marker = fields.shift();
      const [patterns, type, key] = fields;
      if (!patterns || !type || !key) return;
      if (marker !== undefined && marker !== "@revoked") return;
      if (!hostMatches(patterns, name)) return;
      const entry = { type, key, source: file.source, line: index + 1 };
      (marker === "@revoked" ? result.revoked : result.accepted).push(entry);
    });
  }
  return result;
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith("|1|")) {
    const [, , salt, hash] = patterns.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of patterns.toLowerCase().split(",")) {
    const negated = pattern.startsWith("!");
    if (!wildcardMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcardMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name);
}

/** The SSH host key algorithms that can prove a key of a known_hosts type (what ssh2 negotiates). */
export function hostKeyAlgorithms(type: string): string[] {
  if (type === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  if (type === "ssh-ed25519" || /^ecdsa-sha2-nistp(256|384|521)$/.test(type)) return [type];
  return [];
}

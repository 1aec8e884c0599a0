import { UsageError } from "@stages/core";

/** Where and how to reach Redis, from a `redis://` or `rediss://` URL. */
export interface RedisAddress {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  tls: boolean;
  /** `host:port`, what messages name (never the credentials). */
  display: string;
}

const expectedForm = "redis://[user:password@]host:port[/db] (or rediss:// for TLS)";

/**
 * Parses a lock URL. A URL that does not fit is a UsageError naming the expected form; the message
 * shows the URL with its password blanked, since it goes to logs and CI output.
 */
export function parseRedisUrl(url: string): RedisAddress {
  const refuse = (problem: string): never => {
    throw new UsageError(`[lock-redis] ${problem} in the lock URL "${withoutPassword(url)}"`, {
      hint: `give the lock as ${expectedForm}, e.g. redis://127.0.0.1:6379/0`,
    });
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse("not a URL");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return refuse(`the scheme "${parsed.protocol.slice(0, -1)}" is not redis or rediss`);
  }
  if (parsed.hostname === "") return refuse("no host");
  if (parsed.search !== "" || parsed.hash !== "") return refuse("a query or fragment");
  const path = parsed.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) return refuse(`the database "${path}" is not a number`);
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    port,
    username: parsed.username === "" ? undefined : decode(parsed.username),
    password: parsed.password === "" ? undefined : decode(parsed.password),
    db: path === "" ? 0 : Number(path),
    tls: parsed.protocol === "rediss:",
    display: `${parsed.hostname}:${port}`,
  };
}

/**
 * The URL with its password blanked: everything between `://` and the last `@` after the user's
 * first colon, or all of it when there is no colon (`redis://secret@host` is a password to some
 * clients). Works on text `new URL` refuses too (a password with an unencoded `/` or `#`).
 */
export function withoutPassword(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(url);
  if (!match) return url;
  const userinfo = match[2] ?? "";
  const colon = userinfo.indexOf(":");
  const kept = colon === -1 ? "***" : `${userinfo.slice(0, colon)}:***`;
  return `${match[1]}${kept}${url.slice(match[0].length - 1)}`;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: taken as written, as the user typed it.
    return text;
  }
}

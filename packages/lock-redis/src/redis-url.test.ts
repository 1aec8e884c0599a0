import { UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { parseRedisUrl, withoutPassword } from "./redis-url.js";

function refusal(url: string): InstanceType<typeof UsageError> {
  try {
    parseRedisUrl(url);
  } catch (error) {
    if (UsageError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

describe("parseRedisUrl", () => {
  it("reads host, port, credentials, database and TLS", () => {
    expect(parseRedisUrl("redis://127.0.0.1:5793")).toEqual({
      host: "127.0.0.1",
      port: 5793,
      username: undefined,
      password: undefined,
      db: 0,
      tls: false,
      display: "127.0.0.1:5793",
    });
    expect(parseRedisUrl("rediss://builder:p%40ss%2Fw0rd@redis.example.com/3")).toMatchObject({
      host: "redis.example.com",
      port: 6379,
      username: "builder",
      password: "p@ss/w0rd",
      db: 3,
      tls: true,
      display: "redis.example.com:6379",
    });
    expect(parseRedisUrl("redis://:only-password@[::1]:7000/")).toMatchObject({
      host: "::1",
      port: 7000,
      username: undefined,
      password: "only-password",
      db: 0,
    });
  });

  it("refuses what is not a redis URL with the expected form, never showing the password", () => {
    for (const url of [
      "http://user:s3cret-pass@host:6379",
      "redis://user:s3cret-pass@host:6379/not-a-db",
      "redis://user:s3cret-pass@host:6379/0?timeout=1",
      "redis://user:s3cret/pass#x@host:notaport",
      "127.0.0.1:6379",
      "redis://",
    ]) {
      const error = refusal(url);
      expect(error.code).toBe("USAGE");
      expect(error.hint).toContain("redis://[user:password@]host:port[/db]");
      expect(error.message).not.toContain("s3cret");
      expect(error.message).toContain("[lock-redis]");
    }
  });
});

describe("withoutPassword", () => {
  it("blanks the password, however odd the URL", () => {
    expect(withoutPassword("redis://user:secret@host:1/0")).toBe("redis://user:***@host:1/0");
    expect(withoutPassword("redis://secret@host")).toBe("redis://***@host");
    expect(withoutPassword("redis://user:se@c/r#et@host")).toBe("redis://user:***@host");
    expect(withoutPassword("redis://host:6379")).toBe("redis://host:6379");
  });
});

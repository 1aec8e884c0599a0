import { describe, expect, it } from "vitest";
import {
  connectionFailureReason,
  describeDetails,
  isRetryableStatus,
  isTransientFailure,
  parseErrorDetails,
  RegistryConnectionError,
  RegistryResponseError,
} from "./errors.js";

describe("registry errors", () => {
  it("retries timeouts, throttling and server errors only", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 405, 416, 501, 505].some(isRetryableStatus)).toBe(false);
    expect(isTransientFailure(new RegistryConnectionError("x", "ECONNRESET"))).toBe(true);
    expect(isTransientFailure(new RegistryResponseError("x", 503, []))).toBe(true);
    expect(isTransientFailure(new RegistryResponseError("x", 404, []))).toBe(false);
    expect(isTransientFailure(new Error("x"))).toBe(false);
  });

  it("reads the errors of a registry body", () => {
    const body = Buffer.from(
      JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: {} }] }),
    );
    expect(parseErrorDetails(body)).toEqual([{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }]);
    expect(describeDetails(parseErrorDetails(body))).toBe("MANIFEST_UNKNOWN manifest unknown");
    expect(parseErrorDetails(Buffer.from("<html>"))).toEqual([]);
  });

  it("finds the code of a failed fetch in its causes", () => {
    const error = new TypeError("fetch failed", {
      cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    });
    expect(connectionFailureReason(error)).toBe("ECONNRESET");
    expect(connectionFailureReason(new Error("plain"))).toBe("plain");
  });

  it("keeps the RegistryError code", () => {
    const error = new RegistryResponseError("[registry] 404", 404, []);
    expect(error.code).toBe("REGISTRY_FAILED");
    expect(error.status).toBe(404);
  });
});

import { AuthenticationError, RegistryError, type StagesError, StorageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import {
  connectionFailureReason,
  DeleteUnsupportedError,
  deleteFailure,
  deleteUnsupportedHint,
  describeDetails,
  isRetryableStatus,
  isTransientFailure,
  parseErrorDetails,
  RegistryConnectionError,
  RegistryResponseError,
} from "./errors.js";

// The built dist is a second copy of the module, as when two bundles each carry one; the specifier is
// a variable so that typechecking a fresh clone does not need dist/ (the tests run after the build).
const builtCopy = "../dist/index.js";

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

  it("tells a response error from a connection error exactly, also across copies of the module", async () => {
    const connection = new RegistryConnectionError("[registry] connection failed", "ECONNRESET");
    const response = new RegistryResponseError("[registry] 404", 404, []);
    expect(RegistryResponseError.isInstance(connection)).toBe(false);
    expect(RegistryConnectionError.isInstance(response)).toBe(false);
    expect(RegistryResponseError.isInstance(response)).toBe(true);
    expect(RegistryError.isInstance(connection)).toBe(true);
    expect(RegistryError.isInstance(response)).toBe(true);
    const copy = (await import(builtCopy)) as Pick<
      typeof import("./errors.js"),
      "RegistryConnectionError" | "RegistryResponseError"
    >;
    expect(copy.RegistryResponseError).not.toBe(RegistryResponseError);
    const copiedConnection = new copy.RegistryConnectionError("[registry] connection failed", "ECONNRESET");
    const copiedResponse = new copy.RegistryResponseError("[registry] 503", 503, []);
    expect(copiedConnection instanceof RegistryConnectionError).toBe(false);
    expect(RegistryResponseError.isInstance(copiedConnection)).toBe(false);
    expect(RegistryConnectionError.isInstance(copiedConnection)).toBe(true);
    expect(RegistryResponseError.isInstance(copiedResponse)).toBe(true);
    expect(copy.RegistryResponseError.isInstance(connection)).toBe(false);
  });

  it("judges a failure transient by its fields, whichever copy made it", async () => {
    const copy = (await import(builtCopy)) as Pick<
      typeof import("./errors.js"),
      "RegistryConnectionError" | "RegistryResponseError"
    >;
    expect(isTransientFailure(new copy.RegistryConnectionError("x", "ECONNRESET"))).toBe(true);
    expect(isTransientFailure(new copy.RegistryResponseError("x", 502, []))).toBe(true);
    expect(isTransientFailure(new copy.RegistryResponseError("x", 401, []))).toBe(false);
    expect(new RegistryResponseError("x", 429, []).retryable).toBe(true);
    expect(new RegistryConnectionError("x", "ECONNRESET").retryable).toBe(true);
    expect(isTransientFailure(new RegistryError("x", { retryable: true }))).toBe(true);
    expect(isTransientFailure(new RegistryError("x"))).toBe(false);
  });
});

describe("refused deletes", () => {
  const unsupported = (status: number, code: string) =>
    new RegistryResponseError(`[registry] ${status} from r for DELETE /v2/a/manifests/sha256:x: ${code}`, status, [
      { code, message: "refused" },
    ]);

  it("405, UNSUPPORTED and GOOGLE_MANIFEST_DANGLING_TAG become DeleteUnsupportedError (a StorageError, code DELETE_UNSUPPORTED)", () => {
    for (const [status, code] of [
      [405, "UNSUPPORTED"],
      [400, "UNSUPPORTED"],
      [400, "GOOGLE_MANIFEST_DANGLING_TAG"],
      [405, "METHOD_NOT_ALLOWED"],
    ] as const) {
      const converted = deleteFailure(unsupported(status, code), "localhost:5000", "taxi");
      expect(DeleteUnsupportedError.isInstance(converted)).toBe(true);
      expect(StorageError.isInstance(converted)).toBe(true);
      expect(converted).toMatchObject({ code: "DELETE_UNSUPPORTED", status });
      expect((converted as Error).message).toContain("deleting from localhost:5000/taxi");
    }
  });

  it("leaves other answers alone, and names the delete right on 401/403", () => {
    const other = unsupported(500, "UNKNOWN");
    expect(deleteFailure(other, "r", "a")).toBe(other);
    const denied = deleteFailure(new AuthenticationError("[registry] 403 from r: access denied"), "r", "a/b");
    expect(AuthenticationError.isInstance(denied)).toBe(true);
    expect((denied as Error).message).toContain("needs the delete right");
    expect((denied as StagesError).hint).toContain("repository:a/b:delete");
  });

  it("hints what each registry needs", () => {
    expect(deleteUnsupportedHint("localhost:5000")).toContain("REGISTRY_STORAGE_DELETE_ENABLED=true");
    expect(deleteUnsupportedHint("registry-1.docker.io")).toContain("Docker Hub");
    expect(deleteUnsupportedHint("docker.io")).toContain("Docker Hub");
    expect(deleteUnsupportedHint("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toContain("BatchDeleteImage");
    expect(deleteUnsupportedHint("europe-docker.pkg.dev")).toContain("--delete-tags");
    expect(deleteUnsupportedHint("eu.gcr.io")).toContain("GOOGLE_MANIFEST_DANGLING_TAG");
    expect(deleteUnsupportedHint("registry.gitlab.com")).toContain("api scope");
  });
});

import { describe, expect, it } from "vitest";
import {
  AbortedError,
  ConfigError,
  InvalidReferenceError,
  RegistryError,
  StagesError,
  StorageError,
  UsageError,
} from "./errors.js";

// The built dist is a second copy of the module, as when two bundles each carry one; the specifier is
// a variable so that typechecking a fresh clone does not need dist/ (the tests run after the build).
const builtCopy = "../dist/index.js";

describe("StagesError classes", () => {
  it("recognise exactly their own class and its subclasses", () => {
    const usage = new UsageError("bad option");
    expect(UsageError.isInstance(usage)).toBe(true);
    expect(StagesError.isInstance(usage)).toBe(true);
    expect(AbortedError.isInstance(usage)).toBe(false);
    expect(ConfigError.isInstance(usage)).toBe(false);
    expect(UsageError.isInstance(new Error("bad option"))).toBe(false);
    expect(UsageError.isInstance({ code: "USAGE", message: "look-alike" })).toBe(false);
  });

  it("a class is not recognised by the code alone: a plain StagesError with code USAGE is no UsageError", () => {
    expect(UsageError.isInstance(new StagesError("USAGE", "made by hand"))).toBe(false);
  });

  it("carry retryable and status as fields, not retryable unless said", () => {
    const plain = new StorageError("down");
    expect(plain.retryable).toBe(false);
    expect(plain.status).toBeUndefined();
    const transient = new RegistryError("503", { retryable: true, status: 503 });
    expect(transient.retryable).toBe(true);
    expect(transient.status).toBe(503);
  });

  it("keep their message as made: it is read-only data, fixed at construction", () => {
    const error = new InvalidReferenceError("not a reference: A", { hint: "use lowercase" });
    expect(error.message).toBe("not a reference: A");
    expect(error.hint).toBe("use lowercase");
    expect(error.code).toBe("INVALID_REFERENCE");
  });

  it("recognise errors of another copy of the module (the built dist) and only of their own class", async () => {
    const copy = (await import(builtCopy)) as Pick<typeof import("./errors.js"), "UsageError" | "ConfigError">;
    expect(copy.UsageError).not.toBe(UsageError);
    const usage = new copy.UsageError("from the other copy");
    expect(usage instanceof UsageError).toBe(false);
    expect(UsageError.isInstance(usage)).toBe(true);
    expect(StagesError.isInstance(usage)).toBe(true);
    expect(AbortedError.isInstance(usage)).toBe(false);
    expect(copy.UsageError.isInstance(new UsageError("from this copy"))).toBe(true);
    expect(copy.ConfigError.isInstance(new UsageError("x"))).toBe(false);
  });
});

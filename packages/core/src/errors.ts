const marker = Symbol.for("@stages/core.StagesError");

/** Options every StagesError accepts. */
export interface StagesErrorOptions {
  cause?: unknown;
  /** A one-line hint telling the user what to do next. */
  hint?: string;
}

/**
 * Base of every error stages raises. `code` is stable and part of the public interface;
 * `isInstance` recognises errors from another copy of this package too.
 */
export class StagesError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: StagesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StagesError";
    this.code = code;
    this.hint = options.hint;
  }

  /** True for any StagesError, whichever copy of @stages/core made it. */
  static isInstance(value: unknown): value is StagesError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

function defineError(name: string, code: string) {
  const ErrorClass = class extends StagesError {
    constructor(message: string, options?: StagesErrorOptions) {
      super(code, message, options);
      this.name = name;
    }
    static override isInstance(value: unknown): value is StagesError {
      return StagesError.isInstance(value) && value.code === code;
    }
  };
  Object.defineProperty(ErrorClass, "name", { value: name });
  return ErrorClass;
}

/** A reference (image name) that does not follow Docker's grammar. */
export const InvalidReferenceError = defineError("InvalidReferenceError", "INVALID_REFERENCE");
/** A tag that is not a valid Docker tag. */
export const InvalidTagError = defineError("InvalidTagError", "INVALID_TAG");
/** A signature that is not 64 lowercase hex characters. */
export const InvalidSignatureError = defineError("InvalidSignatureError", "INVALID_SIGNATURE");
/** stages.yaml could not be parsed or validated; `problems` lists every one. */
export class ConfigError extends StagesError {
  readonly problems: readonly ConfigProblemLike[];
  constructor(problems: readonly ConfigProblemLike[], options?: StagesErrorOptions) {
    super(
      "CONFIG_INVALID",
      problems.length === 1
        ? String(problems[0]?.formatted ?? "invalid configuration")
        : `${problems.length} problems in the configuration:\n${problems.map((problem) => `  ${problem.formatted}`).join("\n")}`,
      options,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
  static override isInstance(value: unknown): value is ConfigError {
    return StagesError.isInstance(value) && value.code === "CONFIG_INVALID";
  }
}
/** The shape ConfigError needs of a problem (the full type lives in config/). */
export interface ConfigProblemLike {
  readonly formatted: string;
}
/** An image named on the command line or in an import does not exist in the config. */
export const UnknownImageError = defineError("UnknownImageError", "UNKNOWN_IMAGE");
/** A stage command failed while building. */
export const StageBuildError = defineError("StageBuildError", "STAGE_BUILD_FAILED");
/** A stages storage could not answer (engine or registry unreachable, refused, corrupt data). */
export const StorageError = defineError("StorageError", "STORAGE_FAILED");
/** A registry answered with an error or could not be reached. */
export const RegistryError = defineError("RegistryError", "REGISTRY_FAILED");
/** The registry refused the credentials (401/403). */
export const AuthenticationError = defineError("AuthenticationError", "AUTHENTICATION_FAILED");
/** A blob or manifest did not match its digest. */
export const DigestMismatchError = defineError("DigestMismatchError", "DIGEST_MISMATCH");
/** A Docker Engine could not be reached or answered with an error. */
export const EngineError = defineError("EngineError", "ENGINE_FAILED");
/** Reading git content failed. */
export const GitError = defineError("GitError", "GIT_FAILED");
/** A plugin could not be loaded or does not fit this version. */
export const PluginError = defineError("PluginError", "PLUGIN_FAILED");
/** Work was cancelled through an AbortSignal. */
export const AbortedError = defineError("AbortedError", "ABORTED");
/** A stage needed by a procedure is neither local nor remote. */
export const StageMissingError = defineError("StageMissingError", "STAGE_MISSING");
/** Wrong use of an API or command (bad option combination, missing argument). */
export const UsageError = defineError("UsageError", "USAGE");

/** Throws an AbortedError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortedError("the operation was cancelled", { cause: signal.reason });
  }
}

/**
 * Every stable error code stages raises. Codes are part of the public interface: scripts and
 * plugins branch on them, so a code is only ever added here, never renamed or reused.
 */
export type StagesErrorCode =
  | "INVALID_REFERENCE"
  | "INVALID_TAG"
  | "INVALID_SIGNATURE"
  | "CONFIG_INVALID"
  | "UNKNOWN_IMAGE"
  | "STAGE_BUILD_FAILED"
  | "STORAGE_FAILED"
  | "REGISTRY_FAILED"
  | "AUTHENTICATION_FAILED"
  | "DIGEST_MISMATCH"
  | "ENGINE_FAILED"
  | "GIT_FAILED"
  | "PLUGIN_FAILED"
  | "ABORTED"
  | "STAGE_MISSING"
  /** A registry refused to delete (405 / UNSUPPORTED): a StorageError subclass of @stages/registry. */
  | "DELETE_UNSUPPORTED"
  | "USAGE";

/** Options every StagesError accepts. */
export interface StagesErrorOptions {
  cause?: unknown;
  /** A one-line hint telling the user what to do next. */
  hint?: string;
  /** The failure may go away when the same work is tried again (a dropped connection, a 503). */
  retryable?: boolean;
  /** The HTTP status of the answer that caused the error, when there was one. */
  status?: number;
}

// One global symbol per class: Symbol.for gives every bundled copy of this module the same
// symbol, so `X.isInstance` is exact across copies where `instanceof` is not.
const markerPrefix = "@stages/core.";

/** The marker symbol of an error class named `name` (registry and other packages mark their subclasses too). */
export function errorMarker(name: string): symbol {
  return Symbol.for(`${markerPrefix}${name}`);
}

/** Sets the marker of one class on an error; a subclass instance carries the markers of all its ancestors. */
export function markError(error: Error, marker: symbol): void {
  Object.defineProperty(error, marker, { value: true, enumerable: false });
}

/** True when `value` carries `marker`. */
export function hasErrorMarker(value: unknown, marker: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

const baseMarker = errorMarker("StagesError");

/**
 * Base of every error stages raises. `code` is stable and part of the public interface;
 * `isInstance` recognises errors from another copy of this package too. The message is final once
 * the error is made: whoever adds context makes a new error with this one as its cause.
 */
export class StagesError extends Error {
  readonly code: StagesErrorCode;
  readonly hint: string | undefined;
  /** The same work may succeed when tried again. */
  readonly retryable: boolean;
  /** The HTTP status that caused this error, if any. */
  readonly status: number | undefined;

  constructor(code: StagesErrorCode, message: string, options: StagesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    markError(this, baseMarker);
    this.name = "StagesError";
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }

  /** True for any StagesError, whichever copy of @stages/core made it. */
  static isInstance(value: unknown): value is StagesError {
    return hasErrorMarker(value, baseMarker);
  }
}

function defineError(name: string, code: StagesErrorCode) {
  const marker = errorMarker(name);
  const ErrorClass = class DefinedError extends StagesError {
    constructor(message: string, options?: StagesErrorOptions) {
      super(code, message, options);
      markError(this, marker);
      this.name = name;
    }
    /** True for this class and its subclasses only, whichever copy of the defining package made it. */
    static override isInstance(value: unknown): value is DefinedError {
      return hasErrorMarker(value, marker);
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

const configMarker = errorMarker("ConfigError");
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
    markError(this, configMarker);
    this.name = "ConfigError";
    this.problems = problems;
  }
  static override isInstance(value: unknown): value is ConfigError {
    return hasErrorMarker(value, configMarker);
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

import { RegistryError, StorageError } from "@stages/core";

/**
 * Runs storage work, raising generic registry failures as StorageError that says where it happened.
 * Authentication, digest, abort and delete-unsupported errors keep their own classes and codes.
 */
export function createStorageGuard(description: string) {
  return async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!RegistryError.isInstance(error)) throw error;
      // The registry's message stays whole (messages are never edited); the storage adds where it happened.
      throw new StorageError(`${error.message} (while ${what} in ${description})`, {
        cause: error,
        hint: error.hint,
        retryable: error.retryable,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
    }
  };
}

import type { CopyRequest } from "@stages/core";
import type { RegistryClient } from "./client.js";
import type { CopyOptions } from "./copy.js";

export interface RegistryCopierOptions extends Omit<CopyOptions, "signal"> {
  client: RegistryClient;
}

/** The registry-side copy of core's `ImageTransfer.copy`: blobs mounted, manifest put, nothing through this host. */
export interface RegistryCopier {
  copy(request: CopyRequest): Promise<{ digest: string }>;
}

export function createRegistryCopier(options: RegistryCopierOptions): RegistryCopier {
  const { client, ...copyOptions } = options;
  return {
    async copy(request) {
      const result = await client.copy(request.from, request.to, { ...copyOptions, signal: request.signal });
      return { digest: result.digest };
    },
  };
}

/** Something the registry client reports while it works. Never contains secrets. */
export type RegistryEvent =
  | {
      type: "request";
      registry: string;
      method: string;
      /** URL path without the query (upload state and tokens never appear). */
      path: string;
      status: number;
      attempt: number;
      durationMs: number;
    }
  | { type: "retry"; registry: string; method: string; path: string; attempt: number; delayMs: number; reason: string }
  | { type: "token"; registry: string; scopes: string[] }
  | { type: "blob-mount"; repository: string; digest: string; from: string; mounted: boolean }
  | { type: "blob-upload"; repository: string; digest: string; size: number; chunked: boolean }
  | { type: "upload-resume"; repository: string; digest: string; offset: number }
  | { type: "upload-restart"; repository: string; digest: string; reason: string }
  | { type: "blob-transfer"; from: string; to: string; digest: string; size: number };

export type RegistryEventListener = (event: RegistryEvent) => void;

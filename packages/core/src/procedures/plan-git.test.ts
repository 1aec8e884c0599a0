import { describe, expect, it } from "vitest";
import type { MappingContent } from "../adapters/git-source.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { loadConfigOrThrow } from "../config/index.js";
import { createFactsProvider } from "../resolve.js";
import type { ContentId } from "../signature-type.js";
import { plan } from "./plan.js";

const config = loadConfigOrThrow(`project: p
configVersion: 1
---
image: app
from: alpine
git:
- to: /app
- url: https://ci:hunter2@git.example.com/lib.git
  branch: main
  to: /lib
`).config;

const empty = { has: async () => false, get: async () => null } as unknown as StagesStorage;

describe("plan of remote git mappings", () => {
  it("names each remote mapping's url (password hidden), revision and resolved commit", async () => {
    const content = (mappingId: string, commit?: string): MappingContent => ({
      mappingId,
      contentId: "c".repeat(64) as ContentId,
      files: [],
      ...(commit !== undefined ? { commit } : {}),
    });
    const git = {
      specificationVersion: "v1" as const,
      content: async (mapping: { id: string; remote?: unknown }) =>
        content(mapping.id, mapping.remote ? "a".repeat(40) : undefined),
      dependenciesChecksum: async () => "d".repeat(64),
      diff: async () => null,
      readFile: async () => new Uint8Array(),
    };
    const planned = await plan({ config, local: empty, facts: createFactsProvider({ git }) });
    expect(planned.images[0]?.git).toEqual([
      {
        id: "git-1",
        url: "https://ci:***@git.example.com/lib.git",
        revision: { kind: "branch", name: "main" },
        commit: "a".repeat(40),
      },
    ]);
    expect(JSON.stringify(planned)).not.toContain("hunter2");
  });
});

import { describe, expect, it } from "vitest";
import type { GitSource } from "./adapters/git-source.js";
import type { StagesStorage } from "./adapters/stages-storage.js";
import { loadConfigOrThrow } from "./config/index.js";
import { createFactsProvider, resolveProject } from "./resolve.js";
import type { ContentId } from "./signature-type.js";

/** A storage that holds nothing: every stage is resolved as to be built. */
const emptyStorage: StagesStorage = {
  specificationVersion: "v1",
  kind: "local",
  description: "empty",
  get: async () => null,
  has: async () => false,
  list: async () => [],
  delete: async () => {},
};

/** One work tree whose every mapping has the same content and checksums. */
const git: GitSource = {
  specificationVersion: "v1",
  content: async (mapping) => ({ mappingId: mapping.id, contentId: "d".repeat(64) as ContentId, files: [] }),
  dependenciesChecksum: async () => "e".repeat(64),
  diff: async () => null,
  readFile: async () => new Uint8Array(),
};

// Every kind of stage, so that every one is shown to depend on the project.
const body = `---
artifact: tools
from: alpine:3.20
shell:
  install: [make tool]
---
image: backend
from: alpine:3.20
shell:
  beforeInstall: [apk add nodejs]
  install: [npm ci]
  beforeSetup: [npm run prepare]
  setup: [npm run build]
git:
- add: /
  to: /app
  stageDependencies:
    install: [package.json]
import:
- artifact: tools
  add: /usr/local/bin/tool
  before: install
- artifact: tools
  add: /usr/local/bin/tool
  to: /opt/tool
  after: install
- artifact: tools
  add: /usr/local/bin/tool
  to: /srv/tool
  before: setup
- artifact: tools
  add: /usr/local/bin/tool
  to: /usr/bin/tool
  after: setup
docker:
  CMD: [node, main.js]
`;

async function signaturesOf(project: string) {
  const { config } = loadConfigOrThrow(`project: ${project}\nconfigVersion: 1\n${body}`);
  const { images } = await resolveProject({
    config,
    storages: { local: emptyStorage },
    facts: createFactsProvider({ git }),
  });
  return images.flatMap((image) =>
    image.stages.map((stage) => ({ image: image.name, stage: stage.name, signature: stage.signature })),
  );
}

describe("resolveProject", () => {
  it("gives two projects with the same config a different signature for every stage", async () => {
    const taxi = await signaturesOf("taxi");
    const billing = await signaturesOf("billing");
    // gitLatestPatch is empty here: the chain already carries the current content.
    expect(taxi.map(({ image, stage }) => `${image}/${stage}`)).toEqual([
      "tools/from",
      "tools/install",
      "backend/from",
      "backend/beforeInstall",
      "backend/importsBeforeInstall",
      "backend/gitArchive",
      "backend/install",
      "backend/importsAfterInstall",
      "backend/beforeSetup",
      "backend/importsBeforeSetup",
      "backend/setup",
      "backend/importsAfterSetup",
      "backend/dockerInstructions",
    ]);
    expect(billing.map(({ image, stage }) => `${image}/${stage}`)).toEqual(
      taxi.map(({ image, stage }) => `${image}/${stage}`),
    );
    const taxiSignatures = new Set(taxi.map((stage) => stage.signature));
    for (const stage of billing) expect(taxiSignatures.has(stage.signature)).toBe(false);
    expect(await signaturesOf("taxi")).toEqual(taxi);
  });
});

import { describe, expect, it } from "vitest";
import { type GitRevision, type ImageConfig, loadConfigOrThrow } from "./config/index.js";
import { type ConveyorFacts, planConveyor } from "./conveyor.js";
import { imageLevels, imageOrder } from "./image-graph.js";
import type { ContentId, Signature } from "./signature-type.js";

const config = loadConfigOrThrow(`project: p
configVersion: 1
---
artifact: tools
from: alpine
---
image: base
from: alpine:3.20
fromCacheVersion: "2"
---
image: app
fromImage: base
git:
- to: /app
  stageDependencies:
    setup: ["*.json"]
shell:
  beforeInstall: [a]
  install: [b]
  beforeSetup: [c]
  setup: [d]
  cacheVersion: "1"
  setupCacheVersion: "7"
import:
- artifact: tools
  add: /bin/tool
  before: install
- artifact: tools
  add: /bin/tool2
  after: install
- artifact: tools
  add: /bin/tool3
  before: setup
- artifact: tools
  add: /bin/tool4
  after: setup
docker:
  EXPOSE: ["80"]
`).config;

const signature = (character: string) => character.repeat(64) as Signature;
const facts: ConveyorFacts = {
  baseDigest: null,
  imageSignatures: new Map([
    ["tools", signature("a")],
    ["base", signature("b")],
  ]),
  contents: new Map([["git-0", { mappingId: "git-0", contentId: "c".repeat(64) as ContentId, files: [] }]]),
  dependencyChecksums: new Map([["git-0", { setup: "d".repeat(64) }]]),
};

describe("planConveyor", () => {
  it("lists every stage of DESIGN §4 in order when none is empty", () => {
    const app = config.images.find((image) => image.name === "app")!;
    const templates = planConveyor(app, facts);
    expect(templates.map((template) => template.name)).toEqual([
      "from",
      "beforeInstall",
      "importsBeforeInstall",
      "gitArchive",
      "install",
      "importsAfterInstall",
      "beforeSetup",
      "importsBeforeSetup",
      "setup",
      "importsAfterSetup",
      "gitLatestPatch",
      "dockerInstructions",
    ]);
    expect(templates[0]!.deps).toEqual({ fromImage: signature("b") });
    expect(templates[8]!.deps).toEqual({
      commands: ["d"],
      cacheVersion: "1",
      setupCacheVersion: "7",
      stageDependencies: { "git-0": "d".repeat(64) },
    });
    expect(templates[2]!.deps).toMatchObject({
      imports: [{ source: signature("a"), add: "/bin/tool", to: "/bin/tool" }],
    });
    expect(templates[3]!.deps).toEqual({
      mappings: [{ id: "git-0", add: "/", to: "/app", includePaths: [], excludePaths: [], owner: null, group: null }],
    });
    expect(templates[10]!.deps).toEqual({ contents: { "git-0": "c".repeat(64) } });
    expect(templates[11]!.deps).toEqual({ EXPOSE: ["80"] });
  });

  it("signs a remote mapping's url (without a password) and revision in gitArchive, as werf's paramshash does", () => {
    const app = config.images.find((image) => image.name === "app")!;
    const mapping = app.git[0]!;
    const remote = (url: string, revision: GitRevision | null) => ({
      ...app,
      git: [{ ...mapping, remote: { url, revision, basicAuth: null } }],
    });
    const archiveOf = (image: ImageConfig) => planConveyor(image, facts).find((t) => t.name === "gitArchive")!.deps;
    expect(archiveOf(remote("https://ci:hunter2@h/lib.git", { kind: "branch", name: "main" }))).toEqual({
      mappings: [
        {
          id: "git-0",
          add: "/",
          to: "/app",
          includePaths: [],
          excludePaths: [],
          owner: null,
          group: null,
          url: "https://ci:***@h/lib.git",
          revision: { kind: "branch", name: "main" },
        },
      ],
    });
    expect(archiveOf(remote("https://h/lib.git", null))).toMatchObject({
      mappings: [{ url: "https://h/lib.git", revision: null }],
    });
  });

  it("skips empty stages and normalizes the base reference", () => {
    const base = config.images.find((image) => image.name === "base")!;
    const templates = planConveyor(base, facts);
    expect(templates.map((template) => template.name)).toEqual(["from"]);
    expect(templates[0]!.deps).toEqual({ base: "docker.io/library/alpine:3.20", fromCacheVersion: "2" });
  });

  it("puts the base digest in the from stage when fromLatest", () => {
    const base = { ...config.images.find((image) => image.name === "base")!, fromLatest: true };
    const templates = planConveyor(base, { ...facts, baseDigest: `sha256:${"e".repeat(64)}` });
    expect(templates[0]!.deps).toMatchObject({ digest: `sha256:${"e".repeat(64)}` });
  });

  it("gives user stages after gitArchive the git updates the chain lacks", () => {
    const app = config.images.find((image) => image.name === "app")!;
    const install = planConveyor(app, facts).find((template) => template.name === "install")!;
    expect(install.instructions({ "git-0": "c".repeat(64) as ContentId })).toMatchObject({
      kind: "shell",
      gitUpdates: [],
    });
    expect(install.instructions({ "git-0": "f".repeat(64) as ContentId })).toMatchObject({
      kind: "shell",
      gitUpdates: [{ from: "f".repeat(64) }],
    });
    const beforeInstall = planConveyor(app, facts).find((template) => template.name === "beforeInstall")!;
    expect(beforeInstall.git).toBe("none");
  });
});

describe("werf v2 directives in the conveyor", () => {
  const one = (body: string) => {
    const image = loadConfigOrThrow(`project: p\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n${body}`).config
      .images[0];
    if (!image) throw new Error("no image");
    return image;
  };
  const git = "git:\n- to: /app\n";
  const gitFacts: ConveyorFacts = { ...facts, imageSignatures: new Map() };

  it("puts the image's cacheVersion into the from stage (and so every later stage), as werf does", () => {
    const [from] = planConveyor(one('cacheVersion: "3"\n'), gitFacts);
    expect(from?.deps).toEqual({ base: "docker.io/library/alpine:latest", cacheVersion: "3" });
    // Unset: the deps are as before the directive existed, so no signature changes.
    expect(planConveyor(one(""), gitFacts)[0]?.deps).toEqual({ base: "docker.io/library/alpine:latest" });
  });

  it("drops gitLatestPatch with disableGitAfterPatch", () => {
    expect(planConveyor(one(git), gitFacts).map((stage) => stage.name)).toEqual([
      "from",
      "gitArchive",
      "gitLatestPatch",
    ]);
    expect(planConveyor(one(`${git}disableGitAfterPatch: true\n`), gitFacts).map((stage) => stage.name)).toEqual([
      "from",
      "gitArchive",
    ]);
  });

  it("runs shell stages on the image's network, which stays out of the signature (werf's digest lacks it too)", () => {
    const plain = planConveyor(one("shell: {install: [make]}\n"), gitFacts);
    const host = planConveyor(one("shell: {install: [make]}\nnetwork: host\n"), gitFacts);
    expect(host.map((stage) => stage.deps)).toEqual(plain.map((stage) => stage.deps));
    expect(host[1]?.instructions(null)).toMatchObject({ kind: "shell", network: "host" });
    expect(plain[1]?.instructions(null)).not.toHaveProperty("network");
  });

  it("hands the platforms to the from stage and signs them", () => {
    const [from] = planConveyor(one("platform: [linux/arm64, linux/amd64]\n"), gitFacts);
    expect(from?.deps).toMatchObject({ platform: ["linux/amd64", "linux/arm64"] });
    expect(from?.instructions(null)).toMatchObject({ kind: "from", platforms: ["linux/arm64", "linux/amd64"] });
  });

  it("signs docker.exactValues with the docker instructions, as werf's digest does", () => {
    const plain = planConveyor(one("docker: {USER: app}\n"), gitFacts);
    const exact = planConveyor(one("docker: {USER: app, exactValues: true}\n"), gitFacts);
    expect(plain[1]?.deps).toEqual({ USER: "app" });
    expect(exact[1]?.deps).toEqual({ USER: "app", exactValues: true });
    // Alone it makes no stage.
    expect(planConveyor(one("docker: {exactValues: true}\n"), gitFacts).map((stage) => stage.name)).toEqual(["from"]);
  });

  it("adds imageSpec as the last stage, after dockerInstructions, with every field in its deps", () => {
    const image = one("docker: {USER: app}\nimageSpec:\n  author: me\n  config: {removeEnv: [/^X_/], env: {A: b}}\n");
    const stages = planConveyor(image, gitFacts);
    expect(stages.map((stage) => stage.name)).toEqual(["from", "dockerInstructions", "imageSpec"]);
    const last = stages[2];
    expect(last?.deps).toMatchObject({
      author: "me",
      clearHistory: false,
      env: { A: "b" },
      removeEnv: [{ kind: "regexp", source: "^X_" }],
      healthcheck: null,
    });
    expect(last?.deps).not.toHaveProperty("position");
    expect(last?.instructions(null)).toEqual({ kind: "imageSpec", spec: image.imageSpec });
    const other = planConveyor(one("docker: {USER: app}\nimageSpec:\n  author: you\n"), gitFacts)[2];
    expect(other?.deps).not.toEqual(last?.deps);
  });
});

describe("image graph", () => {
  it("orders dependencies first, in levels for parallel builds", () => {
    expect(imageLevels(config).map((level) => level.map((image) => image.name))).toEqual([["tools", "base"], ["app"]]);
    expect(imageOrder(config, ["app"]).map((image) => image.name)).toEqual(["tools", "base", "app"]);
    expect(imageOrder(config, ["base"]).map((image) => image.name)).toEqual(["base"]);
  });

  it("rejects an unknown image with the known names", () => {
    expect(() => imageOrder(config, ["nope"])).toThrow(/no image or artifact "nope".*tools, base, app/);
  });
});

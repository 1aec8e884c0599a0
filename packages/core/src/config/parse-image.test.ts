import { describe, expect, it } from "vitest";
import { errorsOf, imageErrors, parseImages, validImage, validImages } from "./test-support.js";

describe("image names", () => {
  it("reads a named image", () => {
    const image = validImage("image: backend\nfrom: alpine:3.20\n");
    expect(image.name).toBe("backend");
    expect(image.artifact).toBe(false);
    expect(image.position).toEqual({ file: "stages.yaml", line: 4, column: 8 });
  });

  it.each(["image: ~", "image:", "image: null", 'image: ""'])("reads %j as the nameless image", (line) => {
    const image = validImage(`${line}\nfrom: alpine\n`);
    expect(image.name).toBeNull();
    expect(image.position).toMatchObject({ line: 4 });
  });

  it("accepts Docker path names with slashes", () => {
    expect(validImage("image: team/backend.v2\nfrom: alpine\n").name).toBe("team/backend.v2");
  });

  it("declares two alike images with image: [a, b]", () => {
    const [a, b] = validImages(parseImages("image: [a, b]\nfrom: alpine\ngit:\n- to: /app\nshell:\n  install: make\n"));
    expect(a?.name).toBe("a");
    expect(b?.name).toBe("b");
    expect(a?.position).toEqual({ file: "stages.yaml", line: 4, column: 9 });
    expect(b?.position).toEqual({ file: "stages.yaml", line: 4, column: 12 });
    expect({ ...a, name: null, position: null }).toEqual({ ...b, name: null, position: null });
    expect(a?.git).not.toBe(b?.git);
  });

  it("reads an artifact", () => {
    const [, tools] = validImages(
      parseImages("image: app\nfrom: alpine\n---\nartifact: tools\nfrom: alpine\nshell: {install: make}\n"),
    );
    expect(tools).toMatchObject({ name: "tools", artifact: true, shell: { install: ["make"] } });
  });

  it("accepts names with capitals, as werf does", () => {
    expect(validImage("image: Backend\nfrom: alpine\n").name).toBe("Backend");
    expect(validImage("image: Team/MyApp\nfrom: alpine\n").name).toBe("Team/MyApp");
  });

  it("refuses invalid names", () => {
    expect(imageErrors("image: My App\nfrom: alpine\n")).toEqual([
      'stages.yaml:4:8: invalid image name "My App" (use letters and digits, joined by ".", "_", "__" or "-", in parts separated by "/", e.g. "My-App")',
    ]);
    expect(imageErrors("image: [ok, -bad]\nfrom: alpine\n")).toEqual([
      'stages.yaml:4:13: invalid image name "-bad" (use letters and digits, joined by ".", "_", "__" or "-", in parts separated by "/", e.g. "bad")',
    ]);
    expect(imageErrors("image: {a: b}\nfrom: alpine\n")).toEqual([
      "stages.yaml:4:8: image must be a string, not a mapping (write image: <name>, image: ~ or image: [<name>, <name>])",
    ]);
  });

  it("refuses an empty list and nameless items in a list", () => {
    expect(imageErrors("image: []\nfrom: alpine\n")).toEqual([
      "stages.yaml:4:8: image: [] declares no image (write image: <name> or image: [<name>, <name>])",
    ]);
    expect(imageErrors("image: [a, ~]\nfrom: alpine\n")).toEqual([
      "stages.yaml:4:12: each name in image: [...] must be a string, not nothing (null) (only a lone image can be nameless (image: ~))",
    ]);
  });

  it("requires an artifact name", () => {
    expect(imageErrors("image: app\nfrom: alpine\n---\nartifact: ~\nfrom: alpine\n")).toEqual([
      "stages.yaml:7:1: an artifact needs a name (write artifact: <name>)",
    ]);
  });

  it("refuses image and artifact in one document", () => {
    expect(imageErrors("image: a\nartifact: b\nfrom: alpine\n")).toEqual([
      "stages.yaml:5:1: a document declares an image or an artifact, not both (split it into two documents)",
    ]);
  });

  it("refuses a document that declares neither", () => {
    expect(imageErrors("from: alpine\n")).toEqual([
      "stages.yaml:4:1: a document must declare an image or an artifact (start it with image: <name> or artifact: <name>)",
    ]);
    expect(imageErrors("image: a\nfrom: alpine\n---\n- x\n")).toEqual([
      "stages.yaml:7:1: a document must declare an image or an artifact (start it with image: <name> or artifact: <name>)",
    ]);
  });
});

describe("base", () => {
  it("reads from: as written", () => {
    const image = validImage(`image: app\nfrom: registry.example.com:5000/team/base:1.2@sha256:${"a".repeat(64)}\n`);
    expect(image.base).toEqual({
      kind: "image",
      reference: `registry.example.com:5000/team/base:1.2@sha256:${"a".repeat(64)}`,
    });
    expect(image.fromLatest).toBe(false);
    expect(image.fromCacheVersion).toBeNull();
  });

  it("reads fromImage and fromArtifact", () => {
    const images = validImages(
      parseImages(
        "image: base\nfrom: alpine\n---\nimage: app\nfromImage: base\n---\nartifact: tools\nfrom: alpine\n---\nimage: other\nfromArtifact: tools\n",
      ),
    );
    expect(images.map((image) => image.base)).toEqual([
      { kind: "image", reference: "alpine" },
      { kind: "stagesImage", name: "base" },
      { kind: "image", reference: "alpine" },
      { kind: "artifact", name: "tools" },
    ]);
  });

  it("requires exactly one base", () => {
    expect(imageErrors("image: app\nshell: {install: make}\n")).toEqual([
      "stages.yaml:4:1: the image has no base (add from: <image reference>, fromImage: <image> or fromArtifact: <artifact>)",
    ]);
    expect(
      imageErrors("image: a\nfrom: alpine\n---\nimage: app\nfrom: alpine\nfromImage: a\nfromArtifact: t\n"),
    ).toEqual([
      'stages.yaml:9:1: "fromImage" conflicts with "from": an image has exactly one base (keep one of from, fromImage and fromArtifact)',
      'stages.yaml:10:1: "fromArtifact" conflicts with "from": an image has exactly one base (keep one of from, fromImage and fromArtifact)',
    ]);
  });

  it("reports a from: that is no Docker reference at the value's line and column", () => {
    expect(imageErrors('image: app\nfrom: "alpine 3.20"\n')).toEqual([
      'stages.yaml:5:7: from: invalid reference "alpine 3.20": a reference contains no whitespace (a reference is [host[:port]/]path[:tag][@sha256:<64 hex>], e.g. registry.example.com/team/app:1.0 or alpine:3.20)',
    ]);
    expect(imageErrors("image: app\nfrom: alpine 3.20\n")).toEqual([
      'stages.yaml:5:7: from: invalid reference "alpine 3.20": a reference contains no whitespace (a reference is [host[:port]/]path[:tag][@sha256:<64 hex>], e.g. registry.example.com/team/app:1.0 or alpine:3.20)',
    ]);
    expect(imageErrors("image: a\nfrom: Alpine\n---\nimage: b\nfrom: alpine:3.20@sha256:abc\n")).toEqual([
      'stages.yaml:5:7: from: invalid reference "Alpine": repository name must be lowercase (write "alpine")',
      'stages.yaml:8:7: from: invalid reference "alpine:3.20@sha256:abc": digest "sha256:abc" is not valid (a digest is sha256:<64 lowercase hex> (or sha384/sha512))',
    ]);
  });

  it("requires from to name something", () => {
    expect(imageErrors('image: app\nfrom: ""\n')).toEqual([
      "stages.yaml:5:7: from must name a base image (write from: alpine:3.20)",
    ]);
    expect(imageErrors("image: app\nfrom:\n")).toEqual([
      "stages.yaml:5:1: from must name a base image (write from: alpine:3.20)",
    ]);
    expect(imageErrors("image: app\nfrom: [alpine]\n")).toEqual([
      "stages.yaml:5:7: from must be a string, not a list (write from: alpine:3.20)",
    ]);
    expect(imageErrors("image: app\nfromImage: ~\n")).toEqual([
      "stages.yaml:5:1: fromImage must name an image (write fromImage: <name>)",
    ]);
  });

  it("reads fromLatest and fromCacheVersion", () => {
    const image = validImage("image: app\nfrom: alpine\nfromLatest: true\nfromCacheVersion: 1.10\n");
    expect(image.fromLatest).toBe(true);
    expect(image.fromCacheVersion).toBe("1.10");
    expect(validImage('image: app\nfrom: alpine\nfromCacheVersion: "2"\n').fromCacheVersion).toBe("2");
  });

  it("checks fromLatest", () => {
    expect(imageErrors('image: app\nfrom: alpine\nfromLatest: "yes"\n')).toEqual([
      "stages.yaml:6:13: fromLatest must be a boolean, not a string (write true or false, without quotes)",
    ]);
    expect(imageErrors("image: a\nfrom: alpine\n---\nimage: app\nfromImage: a\nfromLatest: true\n")).toEqual([
      "stages.yaml:9:1: fromLatest applies only to from: (remove it; fromImage always follows the latest build)",
    ]);
    expect(imageErrors("image: app\nfrom: scratch\nfromLatest: true\n")).toEqual([
      "stages.yaml:6:1: fromLatest does not work with from: scratch (remove it)",
    ]);
  });
});

describe("directives", () => {
  it("suggests the directive meant by a typo, at its position", () => {
    expect(imageErrors("image: app\nfrom: alpine\nshel:\n  install: make\n")).toEqual([
      'stages.yaml:6:1: unknown directive "shel" in image "app" (did you mean "shell"?)',
    ]);
    expect(imageErrors("image: [a, b]\nfrom: alpine\nfromimage: x\n")).toEqual([
      'stages.yaml:6:1: unknown directive "fromimage" in images "a", "b" (did you mean "fromImage"?)',
    ]);
  });

  it("lists the directives when no typo is close", () => {
    expect(imageErrors("image: ~\nfrom: alpine\ncolour: blue\n")).toEqual([
      'stages.yaml:6:1: unknown directive "colour" in the nameless image (expected one of: image, artifact, from, fromImage, fromArtifact, fromLatest, fromCacheVersion, git, shell, import, dependencies, docker, final, cacheVersion, disableGitAfterPatch, network, platform, imageSpec, mount, secrets)',
    ]);
  });

  it("says a werf directive stages lacks is not supported yet, never unknown", () => {
    expect(imageErrors("image: app\nfrom: alpine\nansible:\n  install:\n  - shell: make\n")).toEqual([
      'stages.yaml:6:1: directive "ansible" is not supported by stages yet: stages supports only shell stages (use shell: ...)',
    ]);
  });

  it.each(["asLayers", "herebyIAdmitThatFromLatestMightBreakReproducibility"])("refuses %s", (directive) => {
    const errors = imageErrors(`image: app\nfrom: alpine\n${directive}: x\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^stages\\.yaml:6:1: unsupported directive "${directive}": .+ \\(.+\\)$`));
  });

  it("refuses docker: in an artifact, as werf does", () => {
    expect(imageErrors("image: app\nfrom: alpine\n---\nartifact: t\nfrom: alpine\ndocker: {USER: x}\n")).toEqual([
      "stages.yaml:9:1: docker instructions are not supported for artifacts (an artifact is never published; move docker: to an image)",
    ]);
  });

  it("collects every problem of a document", () => {
    const result = parseImages(
      "image: app\nfrom: alpine\nfromLatest: 1\nshell:\n  instal: make\ngit: {to: /app}\ndocker:\n  CMD: {a: b}\n",
    );
    expect(errorsOf(result).map((line) => line.split(": ")[0])).toEqual([
      "stages.yaml:6:13",
      "stages.yaml:8:3",
      "stages.yaml:9:6",
      "stages.yaml:11:8",
    ]);
  });

  it("follows anchors, aliases and merge keys", () => {
    const image = validImage(
      "image: a\nfrom: alpine\ngit:\n- &app\n  add: /src\n  to: /app\n- <<: *app\n  to: /other\nshell:\n  install: &make [make]\n  setup: *make\n",
    );
    expect(image.git.map(({ add, to }) => ({ add, to }))).toEqual([
      { add: "/src", to: "/app" },
      { add: "/src", to: "/other" },
    ]);
    expect(image.shell).toMatchObject({ install: ["make"], setup: ["make"] });
  });

  it("reports a problem of a mapping merged into several places once", () => {
    expect(
      imageErrors(
        "image: a\nfrom: alpine\ngit:\n- &common\n  to: /a\n  ownr: app\n- <<: *common\n  to: /b\n- <<: *common\n  to: /c\n",
      ),
    ).toEqual(['stages.yaml:9:3: unknown directive "ownr" under git (did you mean "owner"?)']);
  });

  it("expands nested merge keys without blowing up", () => {
    const anchors = ["m0: &m0 {install: make}"];
    for (let level = 1; level < 40; level++) {
      anchors.push(`m${level}: &m${level} {<<: [*m${level - 1}, *m${level - 1}]}`);
    }
    const nested = `image: a\nfrom: x\nx-anchors: &all\n${anchors.map((line) => `  ${line}`).join("\n")}\nshell:\n  <<: *m39\n`;
    expect(imageErrors(nested)).toEqual([
      'stages.yaml:6:1: unknown directive "x-anchors" in image "a" (expected one of: image, artifact, from, fromImage, fromArtifact, fromLatest, fromCacheVersion, git, shell, import, dependencies, docker, final, cacheVersion, disableGitAfterPatch, network, platform, imageSpec, mount, secrets)',
    ]);
  });

  it("refuses an alias to an anchor of another document", () => {
    expect(
      imageErrors(
        "image: a\nfrom: alpine\nshell: &shell\n  install: make\n---\nimage: b\nfrom: alpine\nshell: *shell\n",
      ),
    ).toEqual(["stages.yaml:11:8: unknown alias *shell (define the anchor (&name) earlier in the same document)"]);
  });
});

describe("werf v2 directives", () => {
  it("reads final: false, and an image is final by default", () => {
    expect(validImage("image: app\nfrom: alpine\n").final).toBe(true);
    expect(validImage("image: base\nfrom: alpine\nfinal: false\n")).toMatchObject({ final: false, artifact: false });
  });

  it("gives artifacts final: false (werf's older spelling of it) and refuses final in them, as werf does", () => {
    const [, tools] = validImages(parseImages("image: app\nfrom: alpine\n---\nartifact: tools\nfrom: alpine\n"));
    expect(tools).toMatchObject({ artifact: true, final: false });
    expect(imageErrors("artifact: tools\nfrom: alpine\nfinal: false\n")).toEqual([
      "stages.yaml:6:1: final is not supported for artifacts (an artifact is never final; write image: <name> with final: false instead (werf v2's spelling))",
    ]);
    expect(imageErrors("artifact: tools\nfrom: alpine\ndisableGitAfterPatch: true\n")).toEqual([
      "stages.yaml:6:1: disableGitAfterPatch is not supported for artifacts (declare it with image: <name> and final: false (werf v2's spelling of an artifact))",
    ]);
  });

  it("checks final is a boolean", () => {
    expect(imageErrors("image: app\nfrom: alpine\nfinal: nope\n")).toEqual([
      "stages.yaml:6:8: final must be a boolean, not a string (write true or false)",
    ]);
  });

  it("reads cacheVersion, disableGitAfterPatch and network", () => {
    const image = validImage(
      'image: app\nfrom: alpine\ncacheVersion: "2"\ndisableGitAfterPatch: true\nnetwork: host\n',
    );
    expect(image).toMatchObject({ cacheVersion: "2", disableGitAfterPatch: true, network: "host" });
    expect(validImage("image: app\nfrom: alpine\ncacheVersion: 3\n").cacheVersion).toBe("3");
    expect(imageErrors('image: app\nfrom: alpine\nnetwork: ""\n')).toEqual([
      "stages.yaml:6:10: network is empty (write network: host, or remove it)",
    ]);
    expect(imageErrors("image: app\nfrom: alpine\ncacheVersion: [1]\n")).toEqual([
      'stages.yaml:6:15: cacheVersion must be a string, not a list (write cacheVersion: "1")',
    ]);
  });

  it("reads platform as a list or a lone string, and checks each", () => {
    expect(validImage("image: app\nfrom: alpine\nplatform: [linux/amd64, linux/arm64/v8]\n").platform).toEqual([
      "linux/amd64",
      "linux/arm64/v8",
    ]);
    expect(validImage("image: app\nfrom: alpine\nplatform: linux/amd64\n").platform).toEqual(["linux/amd64"]);
    expect(imageErrors("image: app\nfrom: alpine\nplatform: [linux/amd64, amd64]\n")).toEqual([
      'stages.yaml:6:25: platform "amd64" is not an os/architecture pair (write it like linux/amd64 or linux/arm64/v8)',
    ]);
  });

  it("reads imageSpec", () => {
    const image = validImage(
      [
        "image: app",
        "from: alpine",
        "imageSpec:",
        "  author: Jane <jane@example.com>",
        "  clearHistory: true",
        "  config:",
        "    clearWerfLabels: true",
        "    keepEssentialWerfLabels: true",
        "    removeLabels: [maintainer, '/org\\.opencontainers\\..*/']",
        "    removeVolumes: [/data]",
        "    removeEnv: [DEBUG, /^TMP_.*/]",
        "    volumes: [/cache]",
        "    labels: {team: '%project%-%image%'}",
        "    env: {MODE: production}",
        '    expose: ["8080", 53/udp]',
        "    user: app",
        "    cmd: [serve]",
        "    entrypoint: [/bin/app]",
        "    workingDir: /srv",
        "    stopSignal: SIGINT",
        "    clearUser: false",
        "    healthcheck: {test: [CMD, /bin/app, check], interval: 30, retries: 3}",
        "",
      ].join("\n"),
    );
    expect(image.imageSpec).toEqual({
      author: "Jane <jane@example.com>",
      clearHistory: true,
      clearWerfLabels: true,
      keepEssentialWerfLabels: true,
      clearCmd: false,
      clearEntrypoint: false,
      clearUser: false,
      clearWorkingDir: false,
      removeLabels: [
        { kind: "name", name: "maintainer" },
        { kind: "regexp", source: "org\\.opencontainers\\..*" },
      ],
      removeVolumes: ["/data"],
      removeEnv: [
        { kind: "name", name: "DEBUG" },
        { kind: "regexp", source: "^TMP_.*" },
      ],
      volumes: ["/cache"],
      labels: { team: "%project%-%image%" },
      env: { MODE: "production" },
      expose: ["8080", "53/udp"],
      user: "app",
      cmd: ["serve"],
      entrypoint: ["/bin/app"],
      workingDir: "/srv",
      stopSignal: "SIGINT",
      healthcheck: { test: ["CMD", "/bin/app", "check"], interval: 30, timeout: 0, startPeriod: 0, retries: 3 },
      position: { file: "stages.yaml", line: 7, column: 3 },
    });
    expect(validImage("image: app\nfrom: alpine\n").imageSpec).toBeNull();
  });

  it("warns, as werf does, that the essential stage labels stay unless keepEssentialWerfLabels is set", () => {
    const warnings = (body: string) =>
      parseImages(`image: app\nfrom: alpine\nimageSpec:\n  config:\n${body}`).warnings.map(
        (problem) => problem.formatted,
      );
    expect(warnings("    clearWerfLabels: true\n")).toEqual([
      "stages.yaml:8:5: warning: the labels stages needs to find a stage stay in the image (io.stages.project, io.stages.stage, io.stages.signature, io.stages.parent, io.stages.version) (set keepEssentialWerfLabels: true to say so, as in werf)",
    ]);
    expect(warnings("    removeLabels: [io.stages.signature]\n")).toHaveLength(1);
    expect(warnings("    clearWerfLabels: true\n    keepEssentialWerfLabels: true\n")).toEqual([]);
    expect(warnings("    removeLabels: [maintainer]\n")).toEqual([]);
  });

  it("locates every imageSpec problem, with a hint", () => {
    expect(
      imageErrors(
        [
          "image: app",
          "from: alpine",
          "imageSpec:",
          "  autor: x",
          "  config:",
          "    cmd: serve",
          "    removeEnv: [/a(?=b)/]",
          "    expose: [http]",
          "    healthcheck: {test: [CURL], interval: 5s}",
          "    onBuild: [x]",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      'stages.yaml:7:3: unknown key "autor" under imageSpec (did you mean "author"?)',
      'stages.yaml:9:10: imageSpec.config.cmd must be a list of strings (the exec form), not a string (write cmd: ["/bin/sh", "-c", "..."])',
      expect.stringMatching(
        /^stages\.yaml:10:16: imageSpec\.config\.removeEnv "\/a\(\?=b\)\/" is not a regular expression stages can read: .+ \(write a name, or \/regexp\/ in RE2 syntax\)$/,
      ),
      'stages.yaml:11:13: imageSpec.config.expose "http" is not a port (write a port with an optional protocol, e.g. "8080" or "53/udp")',
      'stages.yaml:12:25: imageSpec.config.healthcheck.test must start with NONE, CMD or CMD-SHELL, not "CURL" (write test: ["CMD", "curl", "-f", "http://localhost/"])',
      "stages.yaml:12:43: imageSpec.config.healthcheck.interval must be a whole number of seconds, not a string (write interval: 30)",
      expect.stringMatching(/^stages\.yaml:13:5: unknown key "onBuild" under imageSpec\.config \(/),
    ]);
    expect(imageErrors("artifact: t\nfrom: alpine\nimageSpec: {author: x}\n")).toEqual([
      "stages.yaml:6:1: imageSpec is not supported for artifacts (declare it with image: <name> and final: false (werf v2's spelling of an artifact))",
    ]);
  });
});

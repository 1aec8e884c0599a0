import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { DockerContextSpec, GitFile, GitSource, MappingContent } from "@stages/core";
import { gitSourceSpecificationVersion, StageBuildError } from "@stages/core";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerConnection, engineOf } from "../src/connection.js";
import { EngineContainer } from "../src/container.js";
import type { DockerfileCopyStep } from "../src/dockerfile-copy.js";
import { copyStep } from "../src/dockerfile-copy.js";
import type { EngineClient } from "../src/engine-client.js";
import { inspectRawImage } from "../src/images.js";
import { buildWithBuildKit, expectSameImage, imageSnapshot } from "./compare-images.js";

/*
 * COPY and ADD done by copyStep, compared with BuildKit's build of the same Dockerfile on engine A:
 * every file's type, mode, owner, size and content (compare-images).
 */

const host = process.env.STAGES_TEST_DOCKER_HOST_A ?? "";
const baseImage = process.env.STAGES_TEST_BASE_IMAGE ?? "";
const suffix = randomBytes(4).toString("hex");
const tags: string[] = [];
const directories: string[] = [];
let client: EngineClient;

beforeAll(() => {
  if (!host || !baseImage) {
    throw new Error(
      "STAGES_TEST_DOCKER_HOST_A and STAGES_TEST_BASE_IMAGE are required (run it under the test environment)",
    );
  }
  client = engineOf(createDockerConnection({ host }));
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  for (const tag of tags) {
    try {
      execFileSync("/usr/bin/docker", ["-H", host, "rmi", "-f", tag], { stdio: "ignore" });
    } catch {}
  }
});

function tag(name: string): string {
  const full = `stages-copy-test/${name}:${suffix}`;
  tags.push(full);
  return full;
}

type DiskFile = string | Buffer | { content: string | Buffer; mode: number } | { symlink: string };

/** A context directory on disk, the same one BuildKit builds from. */
function contextDirectory(files: Record<string, DiskFile>): string {
  const directory = mkdtempSync(join(tmpdir(), "stages-copy-"));
  directories.push(directory);
  chmodSync(directory, 0o755);
  for (const [path, file] of Object.entries(files)) {
    const full = join(directory, path);
    const parts = path.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = join(directory, ...parts.slice(0, depth));
      mkdirSync(parent, { recursive: true });
      chmodSync(parent, 0o755);
    }
    if (typeof file === "object" && "symlink" in file) symlinkSync(file.symlink, full);
    else if (typeof file === "string" || Buffer.isBuffer(file)) {
      writeFileSync(full, file);
      chmodSync(full, 0o644);
    } else {
      writeFileSync(full, file.content);
      chmodSync(full, file.mode);
    }
  }
  return directory;
}

/** A GitSource whose context is every file of a directory on disk (as git would give a clean checkout). */
function diskGitSource(directory: string): GitSource & { reads: string[] } {
  const reads: string[] = [];
  const list = (): GitFile[] => {
    const files: GitFile[] = [];
    const walk = (relative: string) => {
      for (const name of readdirSync(join(directory, relative)).sort()) {
        const path = relative === "" ? name : `${relative}/${name}`;
        const stat = lstatSync(join(directory, path));
        if (stat.isDirectory()) walk(path);
        else {
          const mode = stat.isSymbolicLink() ? 0o120000 : stat.mode & 0o100 ? 0o100755 : 0o100644;
          files.push({ path, mode, blobId: `disk-${path}` });
        }
      }
    };
    walk("");
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };
  const unsupported = () => Promise.reject(new Error("not used by COPY"));
  return {
    specificationVersion: gitSourceSpecificationVersion,
    reads,
    content: unsupported,
    dependenciesChecksum: unsupported,
    diff: unsupported,
    readFile: unsupported,
    async contextContent(): Promise<MappingContent> {
      return { mappingId: "context", contentId: "unused" as MappingContent["contentId"], files: list() };
    },
    async readContextFile(_spec: DockerContextSpec, path: string): Promise<Uint8Array> {
      reads.push(path);
      const full = join(directory, path);
      return lstatSync(full).isSymbolicLink() ? Buffer.from(readlinkSync(full)) : readFileSync(full);
    },
  };
}

/** The COPY or ADD line as the evaluator gives it (a test-sized parser: flags, sources, destination). */
function copyLine(line: string): DockerfileCopyStep {
  const [keyword, ...words] = line.split(/\s+/);
  const flags = new Map<string, string>();
  while (words[0]?.startsWith("--")) {
    const [name, value] = (words.shift() as string).slice(2).split("=", 2);
    flags.set(name as string, value ?? "");
  }
  const destination = words.pop() as string;
  const from = flags.get("from");
  return {
    op: "copy",
    location: { file: "Dockerfile", line: 1, column: 1 },
    add: keyword === "ADD",
    sources: words,
    heredocs: [],
    destination,
    from: from === undefined ? { type: "context" } : { type: "image", reference: from },
    chown: flags.get("chown") ?? null,
    chmod: flags.has("chmod") ? Number.parseInt(flags.get("chmod") as string, 8) : null,
    link: false,
    late: false,
  };
}

/** Runs the steps on `from` one container and commit each; returns the image id. */
async function buildOurs(
  from: string,
  directory: string,
  steps: DockerfileCopyStep[],
  fromImages: Record<string, string> = {},
  warnings: string[] = [],
): Promise<string> {
  const git = diskGitSource(directory);
  const files = (await git.contextContent?.({ directory: "", dockerfile: "Dockerfile", addFiles: [] }))?.files ?? [];
  let image = from;
  for (const step of steps) {
    const raw = await inspectRawImage(client, image);
    if (raw === null) throw new Error(`${image} is not in the engine`);
    const container = await EngineContainer.create(client, {
      image,
      namePrefix: "stages-copy-test",
      entrypoint: ["/bin/sh"],
      networkMode: "none",
    });
    try {
      const reference = step.from.type === "image" ? step.from.reference : null;
      await copyStep({
        client,
        container,
        step,
        workingDir: raw.Config?.WorkingDir ?? "",
        // The stage is given only what the sources select (the conveyor's job), here: everything.
        context:
          step.from.type === "context"
            ? { spec: { directory: "", dockerfile: "Dockerfile", addFiles: [] }, files }
            : null,
        git,
        fromImage: reference === null ? null : (fromImages[reference] ?? reference),
        sourceContainer: { namePrefix: "stages-copy-test-source", labels: {} },
        subject: `test ${step.destination}`,
        onWarning: (text) => warnings.push(text),
      });
      // An empty Entrypoint is sent as [] (stored as none), else the commit keeps the container's /bin/sh.
      const config = { ...(raw.Config ?? {}) };
      if (!config.Entrypoint || config.Entrypoint.length === 0) config.Entrypoint = [];
      image = await container.commit(config);
    } finally {
      await container.remove();
    }
  }
  return image;
}

/** Builds `lines` on `from` with BuildKit and with copyStep, and expects the same image. */
async function expectLikeBuildKit(
  name: string,
  from: string,
  files: Record<string, DiskFile>,
  lines: string[],
  options: { dockerfile?: string; fromImages?: Record<string, string> } = {},
): Promise<{ ours: string; theirs: string }> {
  const directory = contextDirectory(files);
  writeFileSync(join(directory, "Dockerfile"), options.dockerfile ?? [`FROM ${from}`, ...lines, ""].join("\n"));
  chmodSync(join(directory, "Dockerfile"), 0o644);
  const theirs = tag(`${name}-buildkit`);
  await buildWithBuildKit(host, directory, { tag: theirs });
  const oursId = await buildOurs(from, directory, lines.map(copyLine), options.fromImages);
  const ours = tag(`${name}-ours`);
  execFileSync("/usr/bin/docker", ["-H", host, "tag", oursId, ours]);
  await expectSameImage(host, ours, theirs);
  return { ours, theirs };
}

/** A prepared base: the test image with a WORKDIR, a group and a user (built by BuildKit for both sides). */
async function preparedBase(): Promise<string> {
  const directory = contextDirectory({});
  writeFileSync(
    join(directory, "Dockerfile"),
    [
      `FROM ${baseImage}`,
      "RUN echo 'staff:x:2000:' >> /etc/group && echo 'dev:x:1500:2000:dev:/home/dev:/bin/sh' >> /etc/passwd && mkdir -p /opt/existing && chown 1500:2000 /opt/existing && chmod 0711 /opt/existing && ln -s /opt/existing /opt/link",
      "WORKDIR /w",
      "",
    ].join("\n"),
  );
  const prepared = tag("prepared");
  await buildWithBuildKit(host, directory, { tag: prepared });
  return prepared;
}

const contextFiles: Record<string, DiskFile> = {
  "file.txt": "file\n",
  "top.txt": "top\n",
  "top2.txt": "top2\n",
  "exe.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  link: { symlink: "file.txt" },
  "sub/in.txt": "in\n",
  "sub/tool": { content: "tool\n", mode: 0o755 },
  "sub/deep/e.txt": "e\n",
  "sub/uplink": { symlink: "../file.txt" },
  "a/x.txt": "x\n",
  "a/b/y.txt": "y\n",
  "a-b/w.txt": "w\n",
  "linkdir/target.txt": "t\n",
  dirlink: { symlink: "linkdir" },
  abslink: { symlink: "/linkdir/target.txt" },
  "up/link": { symlink: "../../file.txt" },
};

describe("COPY from the context", () => {
  let base = "";
  beforeAll(async () => {
    base = await preparedBase();
  });

  it("copies files, directories, globs, symlinks and executable bits as BuildKit does", async () => {
    await expectLikeBuildKit("files", base, contextFiles, [
      "COPY file.txt /dst1/",
      "COPY file.txt /etc",
      "COPY sub /dst2",
      "COPY sub/ /dst3/x/y/",
      "COPY *.txt /globbed/",
      "COPY top*.txt /single",
      "COPY */*.txt /deep/",
      "COPY a* /dirs/",
      "COPY exe.sh link /links/",
      "COPY dirlink /followed/",
      "COPY dirlink/target.txt /through/",
      "COPY abslink /abs",
      "COPY up/link /uplink",
      "COPY dir* /globlink/",
      "COPY . /all",
      "COPY file.txt rel",
      "COPY sub/in.txt .",
      "COPY file.txt /opt/link",
      "COPY sub /opt/existing/",
      "COPY nomatch* /empty/",
      "COPY file.txt top.txt /onefile",
      "COPY exe.sh /etc/group",
      "COPY top2.txt /",
      "COPY a* /merged",
      "COPY sub/in.txt sub/tool /tmp",
    ]);
  });

  it("owns with --chown names and ids and sets modes with --chmod as BuildKit does", async () => {
    const warnings: string[] = [];
    await expectLikeBuildKit("chown", base, contextFiles, [
      "COPY --chown=dev file.txt /c/1",
      "COPY --chown=1000:65534 sub /c/2/",
      "COPY --chown=dev:nogroup --chmod=0750 sub /c/3/a/b/",
      "COPY --chmod=0600 exe.sh link /c/4/",
      "COPY --chown=7 file.txt /c/5",
      "COPY --chown=app:staff --chmod=4755 a /c/6/",
      "COPY --chown=nosuchuser file.txt /c/7",
    ]);
    const directory = contextDirectory({ "file.txt": "x\n" });
    const image = await buildOurs(
      base,
      directory,
      [copyLine("COPY --chown=nosuchuser:staff file.txt /c/7")],
      {},
      warnings,
    );
    execFileSync("/usr/bin/docker", ["-H", host, "tag", image, tag("chown-warning")]);
    expect(warnings.join("")).toMatch(/user "nosuchuser" of --chown=nosuchuser:staff is not in \/etc\/passwd/);
  });

  it("fails on a source that is not in the context, saying what the context is", async () => {
    const directory = contextDirectory({ "file.txt": "x\n" });
    const attempt = buildOurs(baseImage, directory, [copyLine("COPY file.txt missing.txt /dst/")]);
    await expect(attempt).rejects.toThrow(StageBuildError);
    await expect(attempt).rejects.toThrow(
      /"missing.txt" is not in the build context .*tracks there in the work tree, plus contextAddFiles, minus what .dockerignore excludes/,
    );
  });

  it("fails where BuildKit fails: a destination under a file, a wildcard under a missing folder", async () => {
    const directory = contextDirectory({ "file.txt": "x\n" });
    await expect(buildOurs(baseImage, directory, [copyLine("COPY file.txt /etc/group/x")])).rejects.toThrow(
      /cannot make the directory \/etc\/group: a file is there/,
    );
    await expect(buildOurs(baseImage, directory, [copyLine("COPY file.txt /etc/group/x/y/")])).rejects.toThrow(
      /cannot make the directory \/etc\/group: a file is there/,
    );
    await expect(buildOurs(baseImage, directory, [copyLine("COPY nodir/*.txt /dst/")])).rejects.toThrow(
      /"nodir\/\*.txt" is not in the build context/,
    );
  });

  it("writes heredocs as files named by their delimiter", async () => {
    const directory = contextDirectory({});
    const step: DockerfileCopyStep = {
      ...copyLine("COPY /etc/"),
      sources: [],
      heredocs: [{ name: "greeting", content: "hello\n", expand: true, chomp: false }],
      chown: "app",
    };
    const image = await buildOurs(baseImage, directory, [step]);
    const ours = tag("heredoc");
    execFileSync("/usr/bin/docker", ["-H", host, "tag", image, ours]);
    const snapshot = await imageSnapshot(host, ours);
    expect(snapshot.files.find((file) => file.path === "/etc/greeting")).toMatchObject({
      type: "file",
      mode: "0644",
      uid: 1000,
      gid: 1000,
      size: 6,
    });
  });
});

describe("COPY --from", () => {
  it("copies from another build stage and from an image, keeping owners, as BuildKit does", async () => {
    const stage = [
      `FROM ${baseImage}`,
      "RUN mkdir -p /s/d /s/e && echo a > /s/a && echo b > /s/d/b && echo c > /s/e/c && chown -R 1001:1002 /s && chmod 4750 /s/a && chmod 0700 /s/d && ln -s a /s/l && ln -s /s/d /s/dl && ln /s/e/c /s/e/hard",
    ];
    const stageDirectory = contextDirectory({});
    writeFileSync(join(stageDirectory, "Dockerfile"), `${stage.join("\n")}\n`);
    const source = tag("from-source");
    await buildWithBuildKit(host, stageDirectory, { tag: source });
    // An image with a file capability, as `setcap cap_net_raw+ep` leaves it.
    const caps = tag("from-caps");
    execFileSync("/usr/bin/docker", ["-H", host, "import", "-", caps], {
      input: await sampleTar(),
      stdio: ["pipe", "ignore", "pipe"],
    });
    const lines = [
      "COPY --from=SOURCE /s /f1",
      "COPY --from=SOURCE /s/* /f3/",
      "COPY --from=SOURCE /s/l /f4",
      "COPY --from=SOURCE --chown=app /s/d /f5/",
      "COPY --from=SOURCE --chmod=0640 /s/a* /s/d/ /f6/",
      "COPY --from=SOURCE /s/dl /f7",
      "COPY --from=SOURCE /s/e /f8/",
      "COPY --from=SOURCE /etc/pass* /f9/",
      "COPY --from=CAPS /ping /caps/",
      // What the engine's init layer shows in a container (/etc/hosts, /.dockerenv, /proc...) is not the image's.
      "COPY --from=CAPS / /caps-all/",
      "COPY --from=SOURCE / /whole/",
      "COPY --from=SOURCE /etc /etc-copy",
      "COPY --from=SOURCE /etc/ho* /hosts/",
    ];
    // BuildKit's side names a stage of the same Dockerfile for half of them, the image for the rest.
    const theirs = lines.map((line, index) =>
      line.replace("SOURCE", index % 2 === 0 ? "src" : source).replace("CAPS", caps),
    );
    await expectLikeBuildKit("from", baseImage, {}, lines, {
      dockerfile: [`${stage[0]} AS src`, stage[1], `FROM ${baseImage}`, ...theirs, ""].join("\n"),
      fromImages: { SOURCE: source, CAPS: caps },
    });
    const directory = contextDirectory({});
    for (const line of ["COPY --from=SOURCE /s/nothing /x/", "COPY --from=SOURCE /nodir/* /x/"]) {
      await expect(buildOurs(baseImage, directory, [copyLine(line)], { SOURCE: source })).rejects.toThrow(
        new RegExp(`COPY --from: "${line.split(" ")[2]?.replace("*", "\\*")}" is not in ${source}`),
      );
    }
  });
});

const capabilityKey = "SCHILY.xattr.security.capability";
/** `cap_net_raw+ep` as the kernel stores it (vfs_cap_data revision 2). */
const netRaw = String.fromCharCode(1, 0, 0, 2, 0, 0x20, 0, 0, ...new Array(12).fill(0));

/** A tar archive with owners, modes, a symlink, a hard link and a root entry, as people ship them. */
async function sampleTar(): Promise<Buffer> {
  const pack = tar.pack();
  const owner = { uid: 1234, gid: 5678 };
  pack.entry({ name: "./", type: "directory", mode: 0o700, ...owner });
  pack.entry({ name: "./a.txt", mode: 0o640, ...owner }, "a\n");
  pack.entry({ name: "./d/", type: "directory", mode: 0o700, ...owner });
  pack.entry({ name: "./d/b.txt", mode: 0o4755, uid: 0, gid: 0 }, "b\n");
  pack.entry({ name: "./l", type: "symlink", linkname: "a.txt", mode: 0o777, ...owner });
  pack.entry({ name: "./h", type: "link", linkname: "./a.txt", mode: 0o640, ...owner });
  // A name longer than a tar header holds (a PAX record) and a file capability (an xattr).
  pack.entry({ name: `./${"long-directory-name/".repeat(6)}file.txt`, mode: 0o644, ...owner }, "long\n");
  pack.entry({ name: "./ping", mode: 0o755, uid: 0, gid: 0, pax: { [capabilityKey]: netRaw } }, "ping\n");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("ADD", () => {
  it("extracts local tar archives (plain, gzip, bzip2, xz; found by content) and copies other files, as BuildKit does", async () => {
    const plain = await sampleTar();
    const compress = (program: string) => execFileSync(program, ["-c"], { input: plain });
    const { theirs } = await expectLikeBuildKit(
      "add",
      baseImage,
      {
        "plain.tar": plain,
        "t.tgz": gzipSync(plain),
        "t.tar.bz2": compress("bzip2"),
        "t.tar.xz": compress("xz"),
        "notar.bin": plain,
        // zstd's magic: no archive to Engine 20.10's BuildKit, copied as it is.
        "fake.zst": Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), plain]),
        "file.txt": "file\n",
        "tars/inner.tgz": gzipSync(plain),
      },
      [
        "ADD plain.tar /p/",
        "ADD t.tgz /g",
        "ADD t.tar.bz2 /b/",
        "ADD t.tar.xz /x/",
        "ADD notar.bin /n/",
        "ADD --chown=7:8 plain.tar /p2/sub/",
        "ADD fake.zst /z/",
        "ADD file.txt /plain/",
        "ADD *.tgz /globbed/",
        "ADD tars /dirs/",
        "ADD --chmod=0600 file.txt t.tgz /mixed/",
      ],
    );
    // The comparison covers the capability: BuildKit's image has it.
    const snapshot = await imageSnapshot(host, theirs);
    expect(snapshot.files.find((file) => file.path === "/p/ping")?.xattrs).toEqual({
      "security.capability": Buffer.from(netRaw, "latin1").toString("base64"),
    });
  });
});

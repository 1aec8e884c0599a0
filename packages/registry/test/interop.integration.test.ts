import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLayer,
  createRegistryClient,
  type ImageIndex,
  mediaTypes,
  pushImage,
  type RegistryClient,
} from "../src/index.js";
import { type DockerDaemon, startDockerDaemon } from "./docker-daemon.js";
import { type RegistryServer, requireProgram, startRegistryServer } from "./registry-server.js";

let server: RegistryServer;
let daemon: DockerDaemon;
let client: RegistryClient;

beforeAll(async () => {
  requireProgram("skopeo", "apt-get install skopeo");
  [server, daemon] = await Promise.all([startRegistryServer(), startDockerDaemon()]);
  client = createRegistryClient({ env: {}, useDockerConfig: false });
});

afterAll(async () => {
  // A shared engine (STAGES_TEST_DOCKER_HOST_A) keeps running: leave no image of ours in it.
  await daemon?.docker(["image", "rm", "-f", ...pulled]).catch(() => {});
  await Promise.all([daemon?.stop(), server?.stop()]);
});

const pulled: string[] = [];

function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("skopeo", args, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(" ")} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

const files = {
  base: createLayer([
    { path: "etc/", type: "directory" },
    { path: "etc/stages-release", content: "stages test image\n" },
    { path: "bin/", type: "directory" },
    { path: "bin/run", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  ]),
  app: createLayer([
    { path: "app/", type: "directory" },
    { path: "app/hello.txt", content: "hello from a layer pushed by @stages/registry\n" },
    { path: "app/link", type: "symlink", linkTarget: "hello.txt" },
  ]),
};

describe("docker and skopeo accept what the client pushed", () => {
  it("docker pulls a Docker v2 image and finds its labels and files", async () => {
    const reference = `${server.host}/interop/docker:v1`;
    const pushed = await pushImage(client, reference, {
      layers: [files.base, files.app],
      config: { Labels: { "io.stages.test": "yes" }, Cmd: ["/bin/run"], Env: ["A=b"] },
    });
    pulled.push(reference);
    expect(await daemon.docker(["pull", reference])).toContain(pushed.digest);
    const inspected = JSON.parse(await daemon.docker(["image", "inspect", reference]))[0];
    expect(inspected.Config.Labels).toEqual({ "io.stages.test": "yes" });
    expect(inspected.RepoDigests).toContain(`${server.host}/interop/docker@${pushed.digest}`);
    expect(inspected.RootFS.Layers).toEqual([files.base.diffId, files.app.diffId]);

    const container = (await daemon.docker(["create", reference])).trim();
    try {
      const archive = await daemon.docker(["cp", `${container}:/app/hello.txt`, "-"]);
      expect(archive).toContain("hello from a layer pushed by @stages/registry");
    } finally {
      await daemon.docker(["rm", "-f", container]);
    }
  });

  it("docker pulls the right image out of an OCI index", async () => {
    const repository = `${server.host}/interop/index`;
    const amd = await pushImage(client, `${repository}:amd64`, {
      layers: [files.base],
      format: "oci",
      config: { Labels: { arch: "amd64" } },
    });
    const arm = await pushImage(client, `${repository}:arm64`, {
      layers: [files.app],
      format: "oci",
      platform: { os: "linux", architecture: "arm64" },
      config: { Labels: { arch: "arm64" } },
    });
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [
        {
          mediaType: amd.mediaType,
          digest: amd.digest,
          size: amd.manifestBytes.byteLength,
          platform: { os: "linux", architecture: "amd64" },
        },
        {
          mediaType: arm.mediaType,
          digest: arm.digest,
          size: arm.manifestBytes.byteLength,
          platform: { os: "linux", architecture: "arm64" },
        },
      ],
    };
    await client.putManifest(`${repository}:multi`, index);
    pulled.push(`${repository}:multi`);
    await daemon.docker(["pull", "--platform", "linux/arm64", `${repository}:multi`]);
    const inspected = JSON.parse(await daemon.docker(["image", "inspect", `${repository}:multi`]))[0];
    expect(inspected.Config.Labels).toEqual({ arch: "arm64" });
    expect(inspected.Architecture).toBe("arm64");
  });

  it("skopeo inspects Docker and OCI images and an index", async () => {
    const docker = await pushImage(client, `${server.host}/interop/skopeo:docker`, {
      layers: [files.base, files.app],
      config: { Labels: { kind: "docker" } },
    });
    const oci = await pushImage(client, `${server.host}/interop/skopeo:oci`, {
      layers: [files.app],
      format: "oci",
      config: { Labels: { kind: "oci" } },
    });
    const copied = await client.copy(
      `${server.host}/interop/skopeo:docker`,
      `${server.host}/interop/skopeo-copy:docker`,
    );

    const dockerInfo = JSON.parse(
      await skopeo(["inspect", "--tls-verify=false", `docker://${server.host}/interop/skopeo:docker`]),
    );
    expect(dockerInfo.Digest).toBe(docker.digest);
    expect(dockerInfo.Labels).toEqual({ kind: "docker" });
    expect(dockerInfo.Layers).toEqual([files.base.digest, files.app.digest]);

    const ociInfo = JSON.parse(
      await skopeo(["inspect", "--tls-verify=false", `docker://${server.host}/interop/skopeo:oci`]),
    );
    expect(ociInfo.Digest).toBe(oci.digest);
    expect(ociInfo.Labels).toEqual({ kind: "oci" });

    const copyInfo = JSON.parse(
      await skopeo(["inspect", "--tls-verify=false", `docker://${server.host}/interop/skopeo-copy:docker`]),
    );
    expect(copyInfo.Digest).toBe(copied.digest);

    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifestList,
      manifests: [
        {
          mediaType: docker.mediaType,
          digest: docker.digest,
          size: docker.manifestBytes.byteLength,
          platform: { os: "linux", architecture: "amd64" },
        },
      ],
    };
    const list = await client.putManifest(`${server.host}/interop/skopeo:list`, index);
    const raw = JSON.parse(
      await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${server.host}/interop/skopeo:list`]),
    );
    expect(raw.mediaType).toBe(mediaTypes.dockerManifestList);
    const resolved = JSON.parse(
      await skopeo([
        "inspect",
        "--tls-verify=false",
        "--override-arch",
        "amd64",
        `docker://${server.host}/interop/skopeo:list`,
      ]),
    );
    expect(resolved.Digest).toBe(list.digest);
    expect(resolved.Labels).toEqual({ kind: "docker" });
  });
});

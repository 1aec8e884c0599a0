import { docker } from "../helpers.js";
import { stages } from "./running-command.js";

// What an interrupted or failed command may leave behind, checked from outside: the engine through
// the docker CLI, the registry through plain HTTP (not through the code under test).

/** Every stage signature of the project's conveyors, from `stages plan --json`. */
export async function projectSignatures(directory: string, env: Record<string, string>): Promise<string[]> {
  const planned = await stages(["plan", "--json"], { cwd: directory, env });
  if (planned.code !== 0) throw new Error(`stages plan failed: ${planned.stderr}`);
  return planned.json.images.flatMap((image: { stages: { signature: string }[] }) =>
    image.stages.map((stage) => stage.signature),
  );
}

/** Containers stages made for these signatures (build, import, probe) that still exist. */
export function leftoverContainers(host: string, signatures: readonly string[]): string[] {
  const prefixes = signatures.map((signature) => signature.slice(0, 12));
  return docker(host, "ps", "-a", "--format", "{{.Names}} {{.Status}}")
    .split("\n")
    .filter((line) => {
      const match = /^stages-(?:build|import|probe)-([0-9a-f]{12})-/.exec(line);
      return match !== null && prefixes.includes(match[1] as string);
    });
}

/** Names of `repository` in the engine (`REPO:tag` or `REPO@digest`): temporary aliases that stayed. */
export function leftoverAliases(host: string, repository: string): string[] {
  return docker(host, "images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}")
    .split("\n")
    .filter((line) => line.split(" ")[0] === repository);
}

/** Local stages of the project whose labels are not those of a complete stage (DESIGN §6). */
export function incompleteLocalStages(host: string, project: string): string[] {
  const lines = docker(host, "images", `stages-storage/${project}`, "--format", "{{.Tag}} {{.ID}}")
    .split("\n")
    .filter(Boolean);
  if (lines.length === 0) return [];
  // One inspect for every stage: the checks run after each interruption, and the engine is shared.
  const labelsById = new Map<string, Record<string, string> | null>(
    docker(
      host,
      "image",
      "inspect",
      "--format",
      "{{.Id}} {{json .Config.Labels}}",
      ...lines.map((line) => line.split(" ")[1] as string),
    )
      .split("\n")
      .map((line) => {
        const space = line.indexOf(" ");
        return [
          line
            .slice(0, space)
            .replace(/^sha256:/, "")
            .slice(0, 12),
          JSON.parse(line.slice(space + 1)),
        ] as const;
      }),
  );
  const problems: string[] = [];
  for (const line of lines) {
    const [tag, id] = line.split(" ") as [string, string];
    const labels = labelsById.get(id.slice(0, 12)) ?? null;
    const wrong = [
      labels?.["io.stages.project"] === project ? null : "io.stages.project",
      labels?.["io.stages.signature"] === tag ? null : "io.stages.signature",
      labels?.["io.stages.stage"] ? null : "io.stages.stage",
      labels?.["io.stages.image"] !== undefined ? null : "io.stages.image",
      labels?.["io.stages.version"] ? null : "io.stages.version",
    ].filter((label) => label !== null);
    if (wrong.length > 0) problems.push(`stages-storage/${project}:${tag} lacks or mislabels ${wrong.join(", ")}`);
  }
  return problems;
}

/** Removes every local stage of the project and its containers, so that a test starts from nothing. */
export function removeLocalStages(host: string, project: string): void {
  const ids = docker(host, "images", `stages-storage/${project}`, "--format", "{{.Repository}}:{{.Tag}}")
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) docker(host, "rmi", "--force", ...ids);
}

const manifestTypes = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
];

interface Manifest {
  mediaType?: string;
  manifests?: { digest: string }[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

/**
 * Every tag of `repository` (on a plain-HTTP registry `host`, e.g. localhost:5790) with what is wrong
 * about it: a manifest that cannot be read, or a blob (config, layer) or child manifest that is missing.
 */
export async function brokenTags(
  host: string,
  repository: string,
): Promise<{ tags: string[]; broken: { tag: string; problem: string }[] }> {
  const base = `http://${host}/v2/${repository}`;
  const listed = await fetch(`${base}/tags/list?n=10000`);
  if (listed.status === 404) return { tags: [], broken: [] };
  if (!listed.ok) throw new Error(`GET ${base}/tags/list: ${listed.status}`);
  const tags = (((await listed.json()) as { tags: string[] | null }).tags ?? []).sort();
  const broken: { tag: string; problem: string }[] = [];
  const checkManifest = async (tag: string, reference: string): Promise<void> => {
    const response = await fetch(`${base}/manifests/${reference}`, { headers: { accept: manifestTypes.join(", ") } });
    if (!response.ok) {
      broken.push({ tag, problem: `manifest ${reference}: ${response.status}` });
      return;
    }
    const manifest = (await response.json()) as Manifest;
    for (const child of manifest.manifests ?? []) await checkManifest(tag, child.digest);
    for (const blob of [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])]) {
      const head = await fetch(`${base}/blobs/${blob.digest}`, { method: "HEAD" });
      if (!head.ok) broken.push({ tag, problem: `blob ${blob.digest} of ${reference}: ${head.status}` });
    }
  };
  for (const tag of tags) await checkManifest(tag, tag);
  return { tags, broken };
}

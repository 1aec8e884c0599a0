import type { Descriptor, ImageIndex, Platform } from "./media-types.js";

const nodeArchitectures: Record<string, Platform> = {
  x64: { os: "linux", architecture: "amd64" },
  arm64: { os: "linux", architecture: "arm64" },
  arm: { os: "linux", architecture: "arm", variant: "v7" },
  ia32: { os: "linux", architecture: "386" },
  ppc64: { os: "linux", architecture: "ppc64le" },
  s390x: { os: "linux", architecture: "s390x" },
  riscv64: { os: "linux", architecture: "riscv64" },
};

/** The Linux platform matching a Node.js `process.arch` value (what containers on this host run). */
export function platformForArchitecture(nodeArchitecture: string): Platform {
  return nodeArchitectures[nodeArchitecture] ?? { os: "linux", architecture: nodeArchitecture };
}

/** `linux/arm64/v8` → a Platform. */
export function parsePlatform(text: string): Platform {
  const [os = "", architecture = "", variant] = text.split("/");
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** `linux/amd64`, `linux/arm/v7`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

// Variants a platform has when none is written (containerd's normalization).
function normalizedVariant(platform: Platform): string | undefined {
  if (platform.variant) return platform.variant;
  if (platform.architecture === "arm64") return "v8";
  if (platform.architecture === "arm") return "v7";
  return undefined;
}

function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" ||
    descriptor.platform?.os === "unknown"
  );
}

/**
 * The manifest of `index` for `wanted`: same os and architecture, and the same variant when
 * either side names one (arm64 means arm64/v8). Null when the index has none; attestations never match.
 */
export function selectPlatform(index: ImageIndex, wanted: Platform): Descriptor | null {
  const candidates = index.manifests.filter(
    (descriptor) =>
      !isAttestation(descriptor) &&
      descriptor.platform !== undefined &&
      descriptor.platform.os === wanted.os &&
      descriptor.platform.architecture === wanted.architecture,
  );
  const wantedVariant = normalizedVariant(wanted);
  const exact = candidates.find((descriptor) => normalizedVariant(descriptor.platform as Platform) === wantedVariant);
  if (exact) return exact;
  return wanted.variant === undefined ? (candidates[0] ?? null) : null;
}

import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { canonicalJson, type JsonValue } from "./canonical-json.js";
import type { ContentId, Signature } from "./signature-type.js";
import type { StageName } from "./stage-name.js";

/**
 * The signature scheme version; bumping it invalidates every cache.
 * 2: the project is an input, so that two projects sharing one REPO never share a stage tag.
 */
export const signatureVersion = 2;

/** The inputs of one stage's signature (DESIGN §5). */
export interface SignatureInput {
  /** The `project:` of the config: stages of two projects never share a signature. */
  project: string;
  stage: StageName;
  deps: { [key: string]: JsonValue | undefined };
  /** Signature of the previous non-empty stage, or null for the first stage. */
  prev: Signature | null;
  /** Git content the previous stage carries (mapping id → content id), or null. */
  carried: Readonly<Record<string, ContentId>> | null;
}

/** The canonical document whose sha256 is the signature. */
export function signatureDocument(input: SignatureInput): string {
  const carried = input.carried && Object.keys(input.carried).length > 0 ? { ...input.carried } : null;
  return canonicalJson({
    v: signatureVersion,
    project: input.project,
    stage: input.stage,
    deps: input.deps,
    prev: input.prev,
    carried,
  });
}

/**
 * A stage signature: 64 lowercase hex characters of sha256 over the canonical JSON of
 * `{v, project, stage, deps, prev, carried}`. Public, versioned contract: same inputs, same signature.
 */
export function computeSignature(input: SignatureInput): Signature {
  return sha256Hex(signatureDocument(input)) as Signature;
}

/** sha256 of the UTF-8 bytes of `text`, as lowercase hex. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

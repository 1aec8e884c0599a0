import { randomBytes } from "node:crypto";
import type {
  BuilderEvent,
  ContentId,
  ImportSpec,
  Signature,
  StageBuildRequest,
  StageInstructions,
  StageName,
} from "@stages/core";
import { stageLabelsFor } from "@stages/core";

/** A fresh signature: tests build unrelated stages, so any 64 hex characters do. */
export function randomSignature(): Signature {
  return randomBytes(32).toString("hex") as Signature;
}

export interface RequestFields {
  stage: StageName;
  instructions: StageInstructions;
  base?: Signature | null;
  image?: string | null;
  carried?: Record<string, ContentId> | null;
  signature?: Signature;
  signal?: AbortSignal;
  events?: BuilderEvent[];
}

/** A build request with the labels core would compute. */
export function stageRequest(project: string, fields: RequestFields): StageBuildRequest {
  const signature = fields.signature ?? randomSignature();
  const image = fields.image === undefined ? "app" : fields.image;
  const base = fields.base ?? null;
  const events = fields.events;
  return {
    project,
    image,
    stage: fields.stage,
    signature,
    base,
    instructions: fields.instructions,
    labels: stageLabelsFor({
      project,
      image,
      stage: fields.stage,
      signature,
      parent: base,
      carried: fields.carried ?? null,
    }),
    ...(fields.signal ? { signal: fields.signal } : {}),
    ...(events ? { onEvent: (event: BuilderEvent) => events.push(event) } : {}),
  };
}

/** An import spec with defaults. */
export function importSpec(fields: Partial<ImportSpec> & { from: string; add: string; to: string }): ImportSpec {
  return {
    fromArtifact: true,
    external: false,
    stage: null,
    includePaths: [],
    excludePaths: [],
    owner: null,
    group: null,
    point: "afterInstall",
    position: { file: "stages.yaml", line: 1, column: 1 },
    ...fields,
  };
}

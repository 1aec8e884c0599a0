import type { SourcePosition } from "./model.js";
import type { ImageDraft } from "./parse-image.js";
import type { ProblemCollector } from "./problems.js";
import { didYouMean } from "./suggest.js";

interface Edge {
  target: ImageDraft;
  position: SourcePosition;
}

/**
 * Checks what no single document can: unique names, the nameless image being alone, that
 * fromImage/fromArtifact/import name an existing image or artifact of the right kind, and no cycles.
 */
export function validateImages(drafts: readonly ImageDraft[], problems: ProblemCollector): void {
  const byName = checkUniqueNames(drafts, problems);
  checkNameless(drafts, problems);
  const edges = new Map<ImageDraft, Edge[]>();
  for (const draft of drafts) edges.set(draft, checkReferences(draft, byName, problems));
  checkCycles(drafts, edges, problems);
}

function kindOf(draft: ImageDraft): "image" | "artifact" {
  return draft.config.artifact ? "artifact" : "image";
}

function where(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

function checkUniqueNames(drafts: readonly ImageDraft[], problems: ProblemCollector): Map<string, ImageDraft> {
  const byName = new Map<string, ImageDraft>();
  const byLowerName = new Map<string, ImageDraft>();
  for (const draft of drafts) {
    const { name, position } = draft.config;
    if (name === null) continue;
    // Docker names are lower case, so "App" and "app" would share a repository and stage names.
    const first = byName.get(name) ?? byLowerName.get(name.toLowerCase());
    if (first === undefined) {
      byName.set(name, draft);
      byLowerName.set(name.toLowerCase(), draft);
      continue;
    }
    const same = first.config.name === name;
    problems.error(
      position,
      same
        ? `"${name}" is declared twice (first as ${kindOf(first) === "image" ? "an image" : "an artifact"} at ${where(first.config.position)})`
        : `"${name}" differs from "${first.config.name}" (at ${where(first.config.position)}) only in case, and image names become lower-case Docker names`,
      "images and artifacts need distinct names; rename one of them",
    );
  }
  return byName;
}

/**
 * werf's rule: a nameless image conflicts with other final images only; images with `final: false`
 * (and artifacts) may stand next to it, since they are never published under a name.
 */
function checkNameless(drafts: readonly ImageDraft[], problems: ProblemCollector): void {
  const finals = drafts.filter((draft) => draft.config.final);
  if (finals.length < 2) return;
  for (const draft of drafts) {
    // werf checks every nameless image, final or not, against the count of final ones.
    if (draft.config.name !== null) continue;
    problems.error(
      draft.config.position,
      `the nameless image is allowed only when it is the only final image (there are ${finals.length})`,
      "give it a name: image: <name>, or mark the others final: false",
    );
  }
}

function checkReferences(draft: ImageDraft, byName: Map<string, ImageDraft>, problems: ProblemCollector): Edge[] {
  const edges: Edge[] = [];
  const self = draft.config.name;
  const refer = (name: string, wanted: "image" | "artifact", position: SourcePosition, directive: string) => {
    if (name === self) {
      const isImport = directive === "import" || directive === "dependencies";
      problems.error(
        position,
        isImport
          ? `${kindOf(draft)} "${name}" cannot ${directive === "import" ? "import from" : "depend on"} itself`
          : `${kindOf(draft)} "${name}" cannot use itself as its base`,
        isImport ? "import from another image or artifact" : "name another image, or use from: <image reference>",
      );
      return;
    }
    const target = byName.get(name);
    if (target === undefined) {
      const candidates = [...byName.values()].filter((other) => kindOf(other) === wanted && other !== draft);
      problems.error(
        position,
        `${directive}: no ${wanted} named "${name}"`,
        didYouMean(
          name,
          candidates.map((other) => other.config.name as string),
        ) ?? `declare it in a document of its own: ${wanted}: ${name}`,
      );
      return;
    }
    if (kindOf(target) !== wanted) {
      const other = kindOf(target);
      const fix = directive === "import" ? other : other === "image" ? "fromImage" : "fromArtifact";
      problems.error(position, `${directive}: "${name}" is an ${other}, not an ${wanted}`, `use ${fix}: ${name}`);
      return;
    }
    edges.push({ target, position });
  };

  const { base } = draft.config;
  if ((base.kind === "stagesImage" || base.kind === "artifact") && draft.basePosition !== null) {
    const directive = base.kind === "stagesImage" ? "fromImage" : "fromArtifact";
    refer(base.name, base.kind === "stagesImage" ? "image" : "artifact", draft.basePosition, directive);
  }
  for (const { spec, sourcePosition } of draft.imports) {
    // An external image (`from: nginx:1.25`) is no image of the config.
    if (spec.external) continue;
    const wanted = spec.fromArtifact ? "artifact" : "image";
    refer(spec.from, wanted, sourcePosition, "import");
    if (spec.stage !== null && byName.get(spec.from)?.config.dockerfile) {
      problems.error(
        sourcePosition,
        `import.stage ${spec.stage}: "${spec.from}" is built from a Dockerfile, which has no ${spec.stage} stage`,
        "remove stage: to import from its last stage",
      );
    }
  }
  for (const dependency of draft.config.dependencies) {
    // werf names any image here, artifacts (its older images with final: false) included.
    const target = byName.get(dependency.image);
    refer(dependency.image, target !== undefined ? kindOf(target) : "image", dependency.position, "dependencies");
  }
  return edges;
}

/** Reports each dependency cycle once, at the edge that closes it, as `a -> b -> a`. */
function checkCycles(drafts: readonly ImageDraft[], edges: Map<ImageDraft, Edge[]>, problems: ProblemCollector): void {
  const state = new Map<ImageDraft, "visiting" | "done">();
  const path: ImageDraft[] = [];
  const reported = new Set<string>();
  const visit = (draft: ImageDraft): void => {
    state.set(draft, "visiting");
    path.push(draft);
    for (const edge of edges.get(draft) ?? []) {
      const targetState = state.get(edge.target);
      if (targetState === undefined) {
        visit(edge.target);
      } else if (targetState === "visiting") {
        const cycle = path.slice(path.indexOf(edge.target)).map((member) => member.config.name ?? "~");
        const key = [...cycle].sort().join("\n");
        if (reported.has(key)) continue;
        reported.add(key);
        problems.error(
          edge.position,
          `dependency cycle: ${[...cycle, cycle[0]].join(" -> ")}`,
          "an image cannot depend on itself through fromImage, fromArtifact, import or dependencies",
        );
      }
    }
    path.pop();
    state.set(draft, "done");
  };
  for (const draft of drafts) {
    if (!state.has(draft)) visit(draft);
  }
}

/*
 * The werf.yaml corpus (issue 15): werf-style projects in test/corpus/<case>/, each with what werf
 * would make of it checked in next to it. Every case is rendered as werf renders werf.yaml (partials
 * of .werf/, .Files over the case's own files, the environment of case.json) and parsed:
 *
 *   expected.rendered.yaml  the rendered text (what `werf config render` prints)
 *   expected.json           the parsed config, summarized (no positions, no empty or null fields), and the warnings
 *   expected.errors.txt     the located errors, one a line, when the config is refused
 *
 * Pure and fast: files come in through import.meta.glob, nothing touches a disk or an engine.
 */
import { describe, expect, it } from "vitest";
import { type ConfigProblem, parseConfig } from "../src/config/index.js";
import {
  type ConfigFileReader,
  isTemplate,
  locateRenderedProblems,
  prepareWerfConfigFunctions,
  renderWerfConfig,
  type WerfConfigRender,
} from "../src/template/render-config.js";

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

// Every file of every case, dotfiles (.werf/) included, by path relative to this file.
const files = {
  ...import.meta.glob("./corpus/**/*", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob("./corpus/**/.*/**/*", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob("./corpus/**/.*", { query: "?raw", import: "default", eager: true }),
};

/** What case.json may say: the environment `env` reads, werf's --env and HEAD. */
interface CaseSettings {
  description: string;
  environment?: Record<string, string>;
  env?: string;
  commit?: { hash: string; date: string } | null;
}

const expectedNames = new Set(["case.json", "expected.rendered.yaml", "expected.json", "expected.errors.txt"]);

interface CorpusCase {
  name: string;
  /** The case's files by path inside its folder, the expected ones apart. */
  project: Map<string, string>;
  settings: CaseSettings;
  rendered: string | undefined;
  json: string | undefined;
  errors: string | undefined;
}

function loadCases(): CorpusCase[] {
  const byName = new Map<string, Map<string, string>>();
  for (const [path, text] of Object.entries(files)) {
    const match = /^\.\/corpus\/([^/]+)\/(.+)$/.exec(path);
    if (match === null) continue;
    const [, name = "", inside = ""] = match;
    const caseFiles = byName.get(name) ?? new Map<string, string>();
    caseFiles.set(inside, text);
    byName.set(name, caseFiles);
  }
  return [...byName.keys()].sort().map((name) => {
    const all = byName.get(name) as Map<string, string>;
    const project = new Map([...all].filter(([path]) => !expectedNames.has(path)));
    const settingsText = all.get("case.json");
    if (settingsText === undefined) throw new Error(`corpus case ${name} has no case.json`);
    return {
      name,
      project,
      settings: JSON.parse(settingsText) as CaseSettings,
      rendered: all.get("expected.rendered.yaml"),
      json: all.get("expected.json"),
      errors: all.get("expected.errors.txt"),
    };
  });
}

/** The case folder as a project directory for .Files. */
function reader(project: ReadonlyMap<string, string>): ConfigFileReader {
  const paths = [...project.keys()].sort();
  const isDir = (path: string) => path === "" || paths.some((file) => file.startsWith(`${path}/`));
  return {
    read: (path) => project.get(path) ?? null,
    exists: (path) => project.has(path) || isDir(path),
    isDir,
    listFiles: (directory) => paths.filter((file) => directory === "" || file.startsWith(`${directory}/`)),
  };
}

/**
 * A parsed value without what a reader of the corpus does not need: positions, nulls, false flags
 * (but `final`, which says what an image is), empty lists and maps.
 */
function summarize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(summarize);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === "position" || field === null || field === undefined) continue;
    if (field === false && key !== "final") continue;
    if (Array.isArray(field) && field.length === 0) continue;
    if (typeof field === "object" && !Array.isArray(field) && Object.keys(field as object).length === 0) continue;
    const summarized = summarize(field);
    if (typeof summarized === "object" && summarized !== null && Object.keys(summarized).length === 0) continue;
    out[key] = summarized;
  }
  return out;
}

interface Outcome {
  rendered: string;
  render: WerfConfigRender | null;
  errors: string[];
  summary: unknown;
}

async function run(testCase: CorpusCase): Promise<Outcome> {
  const text = testCase.project.get("werf.yaml");
  if (text === undefined) throw new Error(`corpus case ${testCase.name} has no werf.yaml`);
  let rendered = text;
  let render: WerfConfigRender | null = null;
  if (isTemplate(text)) {
    const partials = [...testCase.project]
      .filter(([path]) => path.startsWith(".werf/") && path.endsWith(".tmpl"))
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([file, partial]) => ({ file, text: partial }));
    try {
      // As the CLI does: the functions whose libraries load on demand (keys, AES) are made ready first.
      await prepareWerfConfigFunctions({ text, partials });
      render = renderWerfConfig({
        file: "werf.yaml",
        text,
        partials,
        files: reader(testCase.project),
        environment: testCase.settings.environment ?? {},
        env: testCase.settings.env ?? "",
        commit: testCase.settings.commit ?? null,
      });
    } catch (error) {
      return { rendered: "", render: null, errors: [(error as Error).message], summary: null };
    }
    rendered = render.text;
  }
  const result = parseConfig(rendered, { file: "werf.yaml" });
  const locate = (problems: readonly ConfigProblem[]) =>
    (render === null ? problems : locateRenderedProblems(problems, render, "werf.yaml")).map(
      (problem) => problem.formatted,
    );
  const errors = locate(result.errors);
  const warnings = locate(result.warnings);
  const summary =
    result.config === null
      ? null
      : { ...(summarize(result.config) as object), ...(warnings.length > 0 ? { warnings } : {}) };
  return { rendered, render, errors, summary };
}

const cases = loadCases();

describe("the werf.yaml corpus", () => {
  it("has its cases, each with one expected outcome", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const testCase of cases) {
      expect(
        [testCase.json, testCase.errors].filter((text) => text !== undefined),
        `${testCase.name}: expected.json or expected.errors.txt`,
      ).toHaveLength(1);
    }
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))("%s", async (_name, testCase) => {
    const outcome = await run(testCase);
    if (testCase.rendered !== undefined) expect(outcome.rendered).toBe(testCase.rendered);
    if (testCase.errors !== undefined) {
      expect(outcome.errors.join("\n")).toBe(testCase.errors.trimEnd());
    } else {
      expect(outcome.errors).toEqual([]);
      expect(outcome.summary).toEqual(JSON.parse(testCase.json as string));
    }
  });
});

import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  ConfigError,
  type ConfigFileReader,
  type ConfigProblem,
  type ConfigResult,
  type HeadCommit,
  isTemplate,
  loadDockerfiles,
  locateRenderedProblems,
  type ProjectFileReader,
  parseConfig,
  prepareWerfConfigFunctions,
  renderWerfConfig,
  type StagesConfig,
  type TemplateSource,
  UsageError,
  type WerfConfigRender,
  werfTemplatesDirectory,
} from "@stages/core";

/** A loaded project: its validated config and where it lives. */
export interface Project {
  config: StagesConfig;
  /** The directory of the project (where stages.yaml is). */
  directory: string;
  /** The config file path. */
  file: string;
  warnings: ConfigProblem[];
  /**
   * Locates problems found after parsing (an adapter or setting named in the meta that no plugin
   * registers) in the template too, as parse problems are; absent: positions are as they are.
   */
  locate?: (problems: ConfigProblem[]) => ConfigProblem[];
}

/** Where the config is and what to render it with. */
export interface ProjectOptions {
  cwd: string;
  dir?: string | undefined;
  config?: string | undefined;
  /** The environment `env` reads in a werf.yaml template; none when not given. */
  environment?: Readonly<Record<string, string | undefined>>;
  /** werf's `--env`: `.Env` of a werf.yaml template. */
  werfEnv?: string | undefined;
}

/** A config file as read, rendered when it is a Go template. */
export interface ProjectConfigText {
  directory: string;
  file: string;
  /** The file's name in problems (relative to the working directory when inside it). */
  shown: string;
  /** The text parseConfig reads: the rendering of a template, else the file as it is. */
  text: string;
  /** The rendering, or null for a file without `{{` (read as it is). */
  render: WerfConfigRender | null;
}

/**
 * Finds and validates the project's config: `--config`, else `stages.yaml`, else `werf.yaml` in
 * `--dir`. Every problem is reported at once with file:line:column.
 */
export async function loadProject(options: ProjectOptions): Promise<Project> {
  const source = await readProjectConfig(options);
  const result = await validateProjectConfig(source);
  if (result.errors.length > 0 || result.config === null) throw new ConfigError(result.errors);
  const project: Project = {
    config: result.config,
    directory: source.directory,
    file: source.file,
    warnings: result.warnings,
  };
  const { render } = source;
  if (render !== null) project.locate = (problems) => locateRenderedProblems(problems, render, source.shown);
  return project;
}

/**
 * Parses a read config and loads its Dockerfiles; every problem at once, those of a rendered template
 * located in the template too. Reads files only: no engine, registry or network.
 */
export async function validateProjectConfig(source: ProjectConfigText): Promise<ConfigResult> {
  const locate = (problems: ConfigProblem[]) =>
    source.render === null ? problems : locateRenderedProblems(problems, source.render, source.shown);
  const parsed = parseConfig(source.text, { file: source.shown });
  const warnings = locate(parsed.warnings);
  if (parsed.config === null) return { config: null, errors: locate(parsed.errors), warnings };
  try {
    return { config: await loadDockerfiles(parsed.config, projectFileReader(source.directory)), errors: [], warnings };
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return { config: null, errors: locate(error.problems as ConfigProblem[]), warnings };
  }
}

/**
 * Reads the config file and renders it when it has `{{` (werf.yaml's Go templates), with the
 * partials of `.werf/`, the project's files, the environment, `--env` and HEAD. A file without `{{`
 * is read as it is: no git, no walk of `.werf/`. Throws TemplateError for a template that fails.
 */
export async function readProjectConfig(options: ProjectOptions): Promise<ProjectConfigText> {
  const directory = resolve(options.cwd, options.dir ?? ".");
  if (!existsSync(directory)) {
    throw new UsageError(`the project directory ${directory} does not exist`, {
      hint: "pass --dir with the directory of stages.yaml",
    });
  }
  let file: string;
  if (options.config) file = isAbsolute(options.config) ? options.config : resolve(directory, options.config);
  else {
    const candidates = ["stages.yaml", "stages.yml", "werf.yaml", "werf.yml"].map((name) => join(directory, name));
    const found = candidates.find((candidate) => existsSync(candidate));
    if (!found) {
      throw new UsageError(`no stages.yaml (or werf.yaml) in ${directory}`, {
        hint: "run stages in the project directory, or pass --dir or --config",
      });
    }
    file = found;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: "check the --config path",
    });
  }
  const relativeToCwd = relative(options.cwd, file) || file;
  const shown = relativeToCwd.startsWith("..") ? file : relativeToCwd;
  if (!isTemplate(text)) return { directory, file, shown, text, render: null };
  const partials = readPartials(directory);
  await prepareWerfConfigFunctions({ text, partials });
  const render = renderWerfConfig({
    file: shown,
    text,
    partials,
    files: configFileReader(directory),
    environment: options.environment ?? {},
    env: options.werfEnv ?? "",
    commit: await headCommit(directory),
    lookupHost,
  });
  return { directory, file, shown, text: render.text, render };
}

// A child Node looks the name up as the host does (getaddrinfo: /etc/hosts, then DNS) and prints
// the addresses: a template waits for nothing, and Node resolves names only asynchronously.
const lookupScript =
  'require("node:dns").lookup(process.argv[1], { all: true }, (error, found) => process.stdout.write(JSON.stringify(error ? [] : found.map((entry) => entry.address))))';

/** Sprig's getHostByName's resolver: a name's addresses, none when it does not resolve (as Go's net.LookupHost). */
function lookupHost(name: string): string[] {
  const result = spawnSync(process.execPath, ["-e", lookupScript, name], { encoding: "utf8", timeout: 30_000 });
  try {
    const addresses: unknown = JSON.parse(result.stdout);
    return Array.isArray(addresses) ? addresses.filter((address) => typeof address === "string") : [];
  } catch {
    return [];
  }
}

/** `.werf/**\/*.tmpl`, sorted by path, named by their project-relative paths. */
function readPartials(directory: string): TemplateSource[] {
  const reader = configFileReader(directory);
  if (!reader.isDir(werfTemplatesDirectory)) return [];
  return reader
    .listFiles(werfTemplatesDirectory)
    .filter((path) => path.endsWith(".tmpl"))
    .sort()
    .map((path) => ({ file: path, text: reader.read(path) ?? "" }));
}

/**
 * The project directory for `.Files`: synchronous reads (a template cannot wait), POSIX paths
 * relative to the project. A symbolic link that leaves the project is an error, as in werf.
 */
function configFileReader(directory: string): ConfigFileReader {
  const root = realpathSync(directory);
  const stat = (path: string) => {
    const absolute = join(directory, path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return null;
      throw error;
    }
    if (real !== root && !real.startsWith(`${root}${sep}`)) {
      throw new Error(`"${path}" is a link to ${real}, outside the project directory`);
    }
    return { real, stats: statSync(real) };
  };
  const listFiles = (path: string): string[] => {
    const found = stat(path);
    if (found === null || !found.stats.isDirectory()) return [];
    const files: string[] = [];
    const walk = (relativePath: string) => {
      const entries = readdirSync(join(directory, relativePath), { withFileTypes: true });
      for (const entry of entries.sort((left, right) =>
        left.name < right.name ? -1 : left.name > right.name ? 1 : 0,
      )) {
        // git's own directory is no project file (werf lists files of the work tree).
        if (entry.name === ".git") continue;
        const child = relativePath === "" ? entry.name : `${relativePath}/${entry.name}`;
        const childStat = entry.isSymbolicLink() ? stat(child)?.stats : entry;
        if (childStat?.isDirectory()) walk(child);
        else if (childStat?.isFile()) files.push(child);
      }
    };
    walk(path);
    return files;
  };
  return {
    read(path) {
      const found = stat(path);
      return found?.stats.isFile() ? readFileSync(found.real, "utf8") : null;
    },
    exists: (path) => stat(path) !== null,
    isDir: (path) => stat(path)?.stats.isDirectory() === true,
    listFiles,
  };
}

/** HEAD of the git repository the project is in (`.Commit`): null outside git or before a first commit. */
function headCommit(directory: string): Promise<HeadCommit | null> {
  return new Promise((resolvePromise) => {
    execFile("git", ["-C", directory, "log", "-1", "--format=%H%n%aI"], (error, stdout) => {
      if (error) return resolvePromise(null);
      const [hash, date] = stdout.trim().split("\n");
      resolvePromise(hash && date ? { hash, date } : null);
    });
  });
}

/** Reads files of the project directory for core (Dockerfiles); a missing file is null. */
function projectFileReader(directory: string): ProjectFileReader {
  return {
    async read(path) {
      try {
        return await readFile(join(directory, path), "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return null;
        throw new UsageError(`cannot read ${join(directory, path)}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

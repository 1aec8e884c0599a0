import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import {
  ConfigError,
  type ConfigProblem,
  loadDockerfiles,
  type ProjectFileReader,
  parseConfig,
  type StagesConfig,
  UsageError,
} from "@stages/core";

/** A loaded project: its validated config and where it lives. */
export interface Project {
  config: StagesConfig;
  /** The directory of the project (where stages.yaml is). */
  directory: string;
  /** The config file path. */
  file: string;
  warnings: ConfigProblem[];
}

/**
 * Finds and validates the project's config: `--config`, else `stages.yaml`, else `werf.yaml` in
 * `--dir`. Every problem is reported at once with file:line:column.
 */
export async function loadProject(options: {
  cwd: string;
  dir?: string | undefined;
  config?: string | undefined;
}): Promise<Project> {
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
  const shown = relative(options.cwd, file) || file;
  const result = parseConfig(text, { file: shown.startsWith("..") ? file : shown });
  if (result.errors.length > 0 || result.config === null) throw new ConfigError(result.errors);
  const config = await loadDockerfiles(result.config, projectFileReader(directory));
  return { config, directory, file, warnings: result.warnings };
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

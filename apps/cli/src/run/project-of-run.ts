import type { CommandContext } from "../context.js";
import { loadProject, type Project, type ProjectOptions } from "../project.js";

/** The project these options name, loaded once per run (see `CommandContext.projects`). */
export function projectOfRun(context: CommandContext, options: ProjectOptions): Promise<Project> {
  const projects = context.projects;
  if (projects === undefined) return loadProject(options);
  // The environment is the run's (context.env) for every load of a run.
  const key = JSON.stringify([options.cwd, options.dir ?? null, options.config ?? null, options.werfEnv ?? null]);
  let project = projects.get(key);
  if (project === undefined) {
    project = loadProject(options);
    projects.set(key, project);
  }
  return project;
}

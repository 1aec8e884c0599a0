export { ProjectCommand, type Session, summarizeProcedure } from "./base-command.js";
export { builtinCommands, createCli, type RunOptions, runCli } from "./cli.js";
export type { CommandContext } from "./context.js";
export { exitCodes } from "./exit-codes.js";
export { loadProject, type Project } from "./project.js";
export { builtinPlugins, createServices, type Services } from "./services.js";

import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import {
  type BuildSecretReader,
  type SecretRedactor,
  type SecretSpec,
  type StagesConfig,
  UsageError,
} from "@stages/core";

/** What reading build secrets needs from the command. */
export interface BuildSecretsOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The project directory: `src:` is relative to it (as werf reads it relative to its project). */
  directory: string;
  redactor: SecretRedactor;
}

/** Registers a value and the forms a command may print it in (trimmed, line by line) with the redactor. */
function remember(redactor: SecretRedactor, value: string): void {
  redactor.add(value);
  redactor.add(value.trim());
  for (const line of value.split(/\r?\n/)) redactor.add(line.trim());
}

/**
 * Blanks the secrets the config names before anything can print them: `value:` literals and the
 * `env:` variables that are set. `src:` files are read (and registered) when a build needs them.
 */
export function registerConfigSecrets(config: StagesConfig, options: BuildSecretsOptions): void {
  for (const image of config.images) {
    for (const secret of image.secrets) {
      if (secret.source.kind === "value") remember(options.redactor, secret.source.value);
      else if (secret.source.kind === "env") {
        const value = options.env[secret.source.name];
        if (value !== undefined) remember(options.redactor, value);
      }
    }
  }
}

/** Reads `secrets:` values on this host for the builder, registering each with the run's redactor first. */
export function createBuildSecretReader(options: BuildSecretsOptions): BuildSecretReader {
  return {
    async read(secret: SecretSpec): Promise<Uint8Array> {
      const where = `${secret.position.file}:${secret.position.line}:${secret.position.column}`;
      const { source } = secret;
      if (source.kind === "value") {
        remember(options.redactor, source.value);
        return new TextEncoder().encode(source.value);
      }
      if (source.kind === "env") {
        const value = options.env[source.name];
        if (value === undefined) {
          throw new UsageError(`the build secret "${secret.id}" (${where}) reads $${source.name}, which is not set`, {
            hint: `export ${source.name}=... before the build (werf needs it set too), or remove the secret`,
          });
        }
        remember(options.redactor, value);
        return new TextEncoder().encode(value);
      }
      const path =
        source.path === "~" || source.path.startsWith("~/")
          ? resolve(homedir(), source.path.slice(2))
          : isAbsolute(source.path)
            ? source.path
            : resolve(options.directory, source.path);
      let content: Buffer;
      try {
        content = await readFile(path);
      } catch (error) {
        throw new UsageError(
          `the build secret "${secret.id}" (${where}) cannot be read from ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          { cause: error, hint: "src: is a file of this host, relative to the project directory" },
        );
      }
      remember(options.redactor, content.toString("utf8"));
      return new Uint8Array(content);
    },
  };
}

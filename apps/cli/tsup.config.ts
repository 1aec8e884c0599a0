import { readFileSync } from "node:fs";
import { defineConfig, type Options } from "tsup";
import { deferEngineExtras } from "./defer-engine-extras.js";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * clipanion and typanion stay external but are loaded with `require`, not `import`: both are
 * CommonJS, and an `import` of CommonJS runs Node's export lexer over them and resolves them through
 * the ES module loader, about 40 ms of every run on Node 22 (half of what they cost). The module is
 * the same either way (Node's CommonJS cache), so plugins still share clipanion's copy.
 */
function requireCommonJsExternals(names: readonly string[]): Plugin {
  const namespace = "stages-required-external";
  const filter = new RegExp(`^(${names.join("|")})$`);
  return {
    name: "stages-require-commonjs-externals",
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === namespace
          ? { path: args.path, external: true }
          : { path: args.path, namespace, sideEffects: false },
      );
      build.onLoad({ filter: /.*/, namespace }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
    },
  };
}

const manifest = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  // ssh2 (imported dynamically by @stages/docker for ssh:// hosts) becomes a chunk of its own.
  entry: ["src/index.ts", "src/main.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  // Each command's implementation (src/run/*) and what it needs (core, the engine, registry and git
  // adapters) is a chunk of its own that a run loads when the command executes: `--version` and
  // `--help` load the small entry chunk and the command classes only.
  splitting: true,
  // `stages --version` prints what `changeset version` wrote into package.json.
  define: { __STAGES_VERSION__: JSON.stringify(manifest.version) },
  // One file to load instead of hundreds: module resolution was a third of a no-op build's time.
  // dockerode is bundled too (it is no dependency of this package, so tsup bundles it); what it
  // requires but a run rarely or never uses is deferred or left out by this plugin.
  esbuildPlugins: [deferEngineExtras(), requireCommonJsExternals(["clipanion", "typanion"])],
  // clipanion stays external: plugins register their commands with the same copy (it recognises
  // options by a module-local symbol). It and typanion are listed here only so that tsup leaves them
  // to requireCommonJsExternals, which keeps them external, as requires.
  noExternal: [/^@stages\//, "yaml", /^@noble\/hashes/, "picomatch", "tar-stream", "clipanion", "typanion"],
  // ssh2 tries its optional native addons inside try/catch; leave them out of the bundle.
  external: [/\.node$/],
  // Bundled CommonJS dependencies require Node built-ins...
  banner: {
    // ...and some (ssh2) read __dirname at load time.
    js: 'import { createRequire as __stagesCreateRequire } from "node:module";\nimport { fileURLToPath as __stagesFileURLToPath } from "node:url";\nconst require = __stagesCreateRequire(import.meta.url);\nconst __filename = __stagesFileURLToPath(import.meta.url);\nconst __dirname = __stagesFileURLToPath(new URL(".", import.meta.url));',
  },
});

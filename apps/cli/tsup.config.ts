import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/main.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  // One file to load instead of hundreds: module resolution was a third of a no-op build's time.
  // clipanion stays external: plugins register their commands with the same copy (it recognises
  // options by a module-local symbol).
  noExternal: [/^@stages\//, "yaml", /^@noble\/hashes/, "picomatch", "tar-stream"],
  // ssh2 (through dockerode) tries its optional native addons inside try/catch; leave them out of the bundle.
  external: ["clipanion", "typanion", /\.node$/],
  // Bundled CommonJS dependencies require Node built-ins.
  banner: {
    // ...and some (ssh2 under dockerode) read __dirname at load time.
    js: 'import { createRequire as __stagesCreateRequire } from "node:module";\nimport { fileURLToPath as __stagesFileURLToPath } from "node:url";\nconst require = __stagesCreateRequire(import.meta.url);\nconst __filename = __stagesFileURLToPath(import.meta.url);\nconst __dirname = __stagesFileURLToPath(new URL(".", import.meta.url));',
  },
});

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
  external: ["clipanion", "typanion"],
  // Bundled CommonJS dependencies require Node built-ins.
  banner: {
    js: 'import { createRequire as __stagesCreateRequire } from "node:module";\nconst require = __stagesCreateRequire(import.meta.url);',
  },
});

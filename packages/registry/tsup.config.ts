import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const manifest = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  entry: ["src/index.ts"],
  // Dual: `import` gets the ES module, `require` the CommonJS build (each with its own .d.ts / .d.cts).
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  // The User-Agent names the version `changeset version` wrote into package.json (src/version.ts).
  define: { __STAGES_REGISTRY_VERSION__: JSON.stringify(manifest.version) },
});

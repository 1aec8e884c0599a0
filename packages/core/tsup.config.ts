import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/internal.ts"],
  // Dual: `import` gets the ES module, `require` the CommonJS build (each with its own .d.ts / .d.cts).
  format: ["esm", "cjs"],
  // Shared chunks in the CommonJS build too: "." and "./internal" then share one copy of each
  // module (one StagesError class, not one per entry point), as they do in the ES build.
  splitting: true,
  dts: { entry: ["src/index.ts", "src/internal.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});

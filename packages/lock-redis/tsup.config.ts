import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  // Dual: `import` gets the ES module, `require` the CommonJS build (each with its own .d.ts / .d.cts).
  format: ["esm", "cjs"],
  // The lock (and ioredis) is a chunk of its own in both builds; without splitting, the CommonJS
  // build inlines it behind lazy initialisers, and attw no longer sees its exports (false
  // "incorrect default export").
  splitting: true,
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
});

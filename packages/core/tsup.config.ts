import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/internal.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/internal.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});

// The Dockerfile benchmark project (scenario 8): one multi-stage Dockerfile that `stages build`
// (staged: one stage per instruction) and `docker build` (classic and BuildKit) build alike, in a
// git work tree whose context holds several thousand small files, as a real service's would.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { git } from "./project.mjs";

function write(directory, path, content) {
  mkdirSync(dirname(join(directory, path)), { recursive: true });
  writeFileSync(join(directory, path), content);
}

// src/packages/pkgNN/moduleMM/file-K.js: 25 × 10 × 20 sources, nested as a monorepo's are.
const packages = 25;
const modules = 10;
const filesPerModule = 20;
const dependencies = 40;
const assets = 300;

const sourcePath = (pkg, module, file) =>
  `src/packages/pkg${String(pkg).padStart(2, "0")}/module${String(module).padStart(2, "0")}/file-${file}.js`;

function source(pkg, module, file) {
  const name = `value_${pkg}_${module}_${file}`;
  return `// package ${pkg}, module ${module}, file ${file}
import { helper } from "../../shared/helper.js";

export function ${name}(input) {
  const scaled = helper(input) * ${file + 1};
  return { pkg: ${pkg}, module: ${module}, file: ${file}, scaled };
}
`;
}

// The "install" reads the dependency list out of package.json (busybox awk) and writes each
// dependency's files, so that its layer has the size and file count of a small node_modules.
const install = [
  "mkdir -p node_modules",
  `awk '/"dependencies"/ {inside = 1; next} inside && /}/ {inside = 0} inside {gsub(/[",:]/, " "); print $1, $2}' package.json > deps.txt`,
  'while read -r name version; do mkdir -p "node_modules/$name/lib" && echo "module.exports = \\"$name@$version\\";" > "node_modules/$name/index.js" && dd if=/dev/urandom of="node_modules/$name/lib/data.bin" bs=1K count=64 2>/dev/null; done < deps.txt',
].join(" && ");
// The "build" bundles every source into one file plus a manifest, as a bundler would.
const build =
  "mkdir -p dist && find src -type f -name '*.js' | sort > dist/manifest.txt && xargs cat < dist/manifest.txt > dist/app.js && wc -l dist/manifest.txt";

/** The Dockerfile: dependencies before sources, a build stage and a runtime stage that copies its output. */
export function dockerfile(baseImage) {
  return `# A service: dependencies first (their layer survives source edits), then the sources and a build,
# then a runtime stage that carries only what runs.
ARG BASE=${baseImage}

FROM \${BASE} AS build
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
RUN ${install}
COPY src/ src/
RUN ${build}

FROM \${BASE} AS runtime
ENV NODE_ENV=production \\
    APP_HOME=/srv/app
WORKDIR $APP_HOME
LABEL org.opencontainers.image.title=bench-dockerfile
COPY assets/ assets/
COPY --from=build /app/node_modules node_modules/
COPY --from=build /app/dist dist/
USER nobody
EXPOSE 8080
CMD ["/bin/sh", "-c", "wc -c dist/app.js"]
`;
}

/** Writes and commits the project (a git work tree) of `project` on `baseImage`; returns the context's file count. */
export function writeDockerfileProject(directory, { project, baseImage }) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  write(directory, "stages.yaml", `project: ${project}\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n`);
  write(directory, "Dockerfile", dockerfile(baseImage));
  // What a careful user keeps out of the context: git, docs, tests, editor files, the build config.
  write(directory, ".dockerignore", ".git\n**/*.md\ndocs/\ntest/\n**/*.swp\nstages.yaml\n");
  const dependencyList = Array.from({ length: dependencies }, (_, index) => `    "dep-${index}": "^${index}.2.3"`);
  write(
    directory,
    "package.json",
    `{\n  "name": "bench-service",\n  "version": "1.0.0",\n  "dependencies": {\n${dependencyList.join(",\n")}\n  }\n}\n`,
  );
  let context = 2; // package.json, Dockerfile
  write(directory, "src/shared/helper.js", "export const helper = (input) => input + 1;\n");
  context += 1;
  for (let pkg = 0; pkg < packages; pkg++) {
    write(directory, `src/packages/pkg${String(pkg).padStart(2, "0")}/README.md`, `# package ${pkg}\n`);
    for (let module = 0; module < modules; module++) {
      for (let file = 0; file < filesPerModule; file++) {
        write(directory, sourcePath(pkg, module, file), source(pkg, module, file));
        context += 1;
      }
      write(
        directory,
        `test/pkg${String(pkg).padStart(2, "0")}/module${module}.test.js`,
        `// tests of package ${pkg}, module ${module}\n`,
      );
    }
  }
  for (let index = 0; index < assets; index++) {
    write(
      directory,
      `assets/${["css", "img", "fonts"][index % 3]}/asset-${index}.txt`,
      `asset ${index}\n`.repeat(40 + (index % 50)),
    );
    context += 1;
  }
  for (let index = 0; index < 30; index++) write(directory, `docs/page-${index}.md`, `# page ${index}\n`);
  write(directory, "README.md", "# bench service\n");
  git(directory, "init", "-q", "-b", "main");
  git(directory, "add", "-A");
  git(directory, "commit", "-q", "-m", "bench dockerfile project");
  return context;
}

/** Edits one source file (work tree only, not committed): `COPY src/ src/` and what follows rebuild. */
export function changeDockerfileSource(directory, round) {
  writeFileSync(
    join(directory, sourcePath(7, 3, 5)),
    `${source(7, 3, 5)}// edit ${round} ${Date.now()}\nexport const edited = ${JSON.stringify(String(round))};\n`,
  );
}

// The benchmark project: one stages.yaml and the Dockerfile a careful user would write for the
// same image (same base, same commands, layers ordered so that docker's cache is at its best).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const gitEnvironment = {
  ...process.env,
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@stages.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@stages.invalid",
};

export function git(directory, ...args) {
  return execFileSync("git", args, { cwd: directory, env: gitEnvironment, encoding: "utf8", maxBuffer: 1 << 30 });
}

function write(directory, path, content) {
  mkdirSync(dirname(join(directory, path)), { recursive: true });
  writeFileSync(join(directory, path), content);
}

const beforeInstall = "mkdir -p /opt/runtime && dd if=/dev/urandom of=/opt/runtime/blob bs=1M count=16 2>/dev/null";
const install =
  'mkdir -p /opt/deps && while read -r name size; do dd if=/dev/urandom of="/opt/deps/$name" bs=1K count="$size" 2>/dev/null; done < /app/deps.txt';
const setup = "mkdir -p /opt/assets && cat /app/assets/* > /opt/assets/bundle";

/**
 * Writes the project (a git work tree) for `project` built from `baseImage`. `sources` more files
 * under app/src (100 per folder, a few hundred bytes each) make its context as large as a real
 * service's: the same stages.yaml and Dockerfile, only more files to sign and to send.
 */
export function writeProject(directory, { project, baseImage, sources = 0 }) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  write(
    directory,
    "stages.yaml",
    `project: ${project}
configVersion: 1
---
image: app
from: ${baseImage}
git:
- add: /
  to: /app
  excludePaths: [Dockerfile, .dockerignore, stages.yaml]
  stageDependencies:
    install: [deps.txt]
    setup: ["assets/**"]
shell:
  beforeInstall:
  - ${beforeInstall}
  install:
  - ${install}
  setup:
  - ${setup}
docker:
  ENV: {APP_HOME: /app}
  WORKDIR: /app
  CMD: ["/bin/sh", "/app/app/main.sh"]
`,
  );
  write(
    directory,
    "Dockerfile",
    `FROM ${baseImage}
RUN ${beforeInstall}
COPY deps.txt /app/deps.txt
RUN ${install}
COPY assets /app/assets
RUN ${setup}
COPY . /app
ENV APP_HOME=/app
WORKDIR /app
CMD ["/bin/sh", "/app/app/main.sh"]
`,
  );
  write(directory, ".dockerignore", ".git\nDockerfile\n.dockerignore\nstages.yaml\n");
  write(
    directory,
    "deps.txt",
    `${Array.from({ length: 8 }, (_, index) => `dep${index} ${512 + index * 128}`).join("\n")}\n`,
  );
  for (let index = 0; index < 20; index++)
    write(directory, `assets/asset-${index}.txt`, `asset ${index}\n`.repeat(200));
  for (let index = 0; index < 200; index++)
    write(directory, `app/lib/module-${index}.sh`, `# module ${index}\necho module ${index}\n`);
  write(directory, "app/main.sh", 'echo "app in $APP_HOME"\n');
  for (let index = 0; index < sources; index++) {
    const folder = `app/src/part-${String(Math.floor(index / 100)).padStart(3, "0")}`;
    write(directory, `${folder}/unit-${index % 100}.sh`, `# unit ${index}\n${`echo "unit ${index}"\n`.repeat(8)}`);
  }
  git(directory, "init", "-q", "-b", "main");
  git(directory, "add", "-A");
  git(directory, "commit", "-q", "-m", "bench project");
}

/** Changes one source file outside every stageDependencies (and commits nothing: an edit in the work tree). */
export function changeSource(directory, round) {
  writeFileSync(join(directory, "app/lib/module-7.sh"), `# module 7, edit ${round} ${Date.now()}\necho module 7\n`);
}

/**
 * A repository of `count` committed files with a stages.yaml mapping all of it (100 directories ×
 * 20 subdirectories), for the large-tree signature benchmark. Reused when present.
 */
export function ensureLargeTree(directory, { count, project, baseImage }) {
  const marker = join(directory, ".bench-files");
  try {
    if (execFileSync("cat", [marker], { encoding: "utf8" }).trim() === String(count)) {
      write(directory, "stages.yaml", largeConfig(project, baseImage));
      return false;
    }
  } catch {
    // generate below
  }
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  git(directory, "init", "-q", "-b", "main");
  const perDirectory = Math.ceil(count / 2000);
  let written = 0;
  for (let top = 0; top < 100 && written < count; top++) {
    for (let sub = 0; sub < 20 && written < count; sub++) {
      const folder = join(directory, `pkg${String(top).padStart(3, "0")}`, `module${String(sub).padStart(2, "0")}`);
      mkdirSync(folder, { recursive: true });
      for (let index = 0; index < perDirectory && written < count; index++, written++) {
        writeFileSync(
          join(folder, `file-${index}.ts`),
          `// ${top}/${sub}/${index}\nexport const value = ${written};\n`,
        );
      }
    }
  }
  write(directory, "stages.yaml", largeConfig(project, baseImage));
  git(directory, "add", "-A");
  git(directory, "commit", "-q", "-m", "large tree");
  writeFileSync(marker, `${count}\n`);
  return true;
}

function largeConfig(project, baseImage) {
  return `project: ${project}
configVersion: 1
---
image: app
from: ${baseImage}
git:
- add: /
  to: /app
  stageDependencies:
    install: ["pkg000/**"]
shell:
  install: [echo install]
`;
}

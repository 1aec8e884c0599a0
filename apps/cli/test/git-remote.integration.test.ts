import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOk, docker, git, makeRepository, type RunResult, stages, uniqueName, writeFile } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

// werf's remote git mappings (issue 15) end to end: a werf.yaml mapping a branch of another
// repository, built on the real engine from the host's git cache; and basicAuth against a real
// smart-HTTP server (git-http-backend behind Basic auth, on this file's port).
const environment = requireTestEnvironment();
const port = 5870;
const username = "stages";
const password = "remote-git-pass-8d2f";
const identity = ["-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e"];

let upstream: string;
let served: string;
let bare: string;
let env: Record<string, string>;
let server: Server;

/** Commits `files` in the upstream work tree and pushes them to the bare repository. */
function pushUpstream(files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) writeFile(upstream, path, content);
  git(upstream, ...identity, "add", "-A");
  git(upstream, ...identity, "commit", "-q", "-m", "change");
  git(upstream, "push", "-q", bare, "HEAD:main");
  return git(upstream, "rev-parse", "HEAD");
}

/** git-http-backend (a CGI) behind Basic auth: the smart HTTP protocol as a git host speaks it. */
function startGitServer(root: string): Promise<Server> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  const httpServer = createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("authentication required\n");
      return;
    }
    const url = new URL(request.url ?? "/", "http://localhost");
    const cgi = spawn("/usr/lib/git-core/git-http-backend", [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: request.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers["content-type"] ?? "",
        REMOTE_USER: username,
        REMOTE_ADDR: "127.0.0.1",
        ...(request.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: request.headers["content-encoding"] } : {}),
        ...(request.headers["git-protocol"] ? { GIT_PROTOCOL: String(request.headers["git-protocol"]) } : {}),
      },
      stdio: ["pipe", "pipe", "ignore"],
    });
    request.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let started = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (started) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      started = true;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.write(head.subarray(end + 4));
    });
    cgi.on("close", () => {
      if (!started) response.writeHead(500);
      response.end();
    });
  });
  return new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, "127.0.0.1", () => resolve(httpServer));
  });
}

beforeAll(async () => {
  upstream = makeRepository({ "lib/hello.txt": "hello 1\n", "lib/deps.txt": "deps 1\n", "README.md": "readme\n" });
  served = temporaryDirectory("stages-git-served-");
  bare = join(served, "upstream.git");
  const cloned = spawnSync("git", ["clone", "-q", "--bare", upstream, bare], { encoding: "utf8" });
  if (cloned.status !== 0) throw new Error(cloned.stderr);
  env = { DOCKER_HOST: environment.dockerHostA, STAGES_STATE_DIR: temporaryDirectory("stages-git-state-") };
  server = await startGitServer(served);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function actions(result: RunResult): Record<string, string> {
  const image = result.json.images.find((candidate: { name: string }) => candidate.name === "app");
  return Object.fromEntries(image.stages.map((stage: { name: string; action: string }) => [stage.name, stage.action]));
}

function lastImage(result: RunResult, project: string): string {
  const image = result.json.images.find((candidate: { name: string }) => candidate.name === "app");
  return `stages-storage/${project}:${image.stages.at(-1).signature}`;
}

describe("remote git mappings", () => {
  it(
    "maps a branch of a bare repository into the image; a new commit rebuilds only the git patch and what follows, or from the stage whose stageDependencies it changes",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("gitremote");
      const directory = makeRepository({
        "werf.yaml": `project: ${name}
configVersion: 1
---
image: app
from: ${environment.baseImage}
git:
- url: file://${bare}
  branch: main
  add: /lib
  to: /lib
  stageDependencies:
    install: [deps.txt]
shell:
  install: [cat /lib/deps.txt > /installed.txt]
docker:
  CMD: [cat, /lib/hello.txt, /installed.txt]
`,
      });
      const first = await buildOk(directory, env);
      expect(actions(first)).toMatchObject({ from: "built", gitArchive: "built", install: "built" });
      const run = (image: string) => docker(environment.dockerHostA, "run", "--rm", "--network", "none", image);
      expect(run(lastImage(first, name))).toBe("hello 1\ndeps 1");

      // A commit outside the mapped folder changes nothing.
      pushUpstream({ "README.md": "readme 2\n" });
      const same = await buildOk(directory, env);
      expect(Object.values(actions(same)).every((action) => action === "cached")).toBe(true);

      // A commit to a mapped file: only the git patch (and the stage after it) are built.
      pushUpstream({ "lib/hello.txt": "hello 2\n" });
      const second = await buildOk(directory, env);
      expect(actions(second)).toEqual({
        from: "cached",
        gitArchive: "cached",
        install: "cached",
        gitLatestPatch: "built",
        dockerInstructions: "built",
      });
      expect(run(lastImage(second, name))).toBe("hello 2\ndeps 1");

      // stageDependencies are read from the remote commit: install runs again, on the new files.
      pushUpstream({ "lib/deps.txt": "deps 2\n" });
      const third = await buildOk(directory, env);
      expect(actions(third)).toMatchObject({ from: "cached", gitArchive: "cached", install: "built" });
      expect(run(lastImage(third, name))).toBe("hello 2\ndeps 2");

      const changed = git(upstream, "rev-parse", "HEAD");
      const planned = await stages(["plan", "--json"], { cwd: directory, env });
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.json.images[0].git).toEqual([
        { id: "git-0", url: `file://${bare}`, revision: { kind: "branch", name: "main" }, commit: changed },
      ]);
      const text = await stages(["plan"], { cwd: directory, env });
      expect(text.stdout).toContain(`git-0: file://${bare} branch main at ${changed}`);

      // host purge takes this host's mirror with the project's stages; the next plan clones again.
      const mirrors = join(env.STAGES_STATE_DIR as string, "git", name);
      const present = readdirSync(mirrors);
      expect(present).toHaveLength(1);
      const purged = await stages(["host", "purge", "--json"], { cwd: directory, env });
      expect(purged.code, purged.stderr).toBe(0);
      expect(purged.json.gitMirrors).toEqual([join(mirrors, present[0] as string)]);
      expect(readdirSync(mirrors)).toEqual([]);
      const again = await stages(["plan", "--json"], { cwd: directory, env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("fetching");
      expect(readdirSync(mirrors)).toHaveLength(1);
    },
  );

  it(
    "fetches over http with basicAuth (password from env); a wrong password is a clear error that never shows it",
    { timeout: 120_000 },
    async () => {
      const head = git(upstream, "rev-parse", "HEAD");
      const directory = makeRepository({
        "werf.yaml": `project: ${uniqueName("gitauth")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
git:
- url: http://127.0.0.1:${port}/upstream.git
  to: /lib
  basicAuth:
    username: ${username}
    password:
      env: REMOTE_GIT_TOKEN
`,
      });
      const planned = await stages(["plan", "--json"], {
        cwd: directory,
        env: { ...env, REMOTE_GIT_TOKEN: password },
      });
      expect(planned.code, planned.stderr).toBe(0);
      // No revision: the remote's default branch.
      expect(planned.json.images[0].git[0]).toMatchObject({ revision: null, commit: head });

      const wrong = "not-the-password-5e1c";
      const refused = await stages(["plan", "--json"], { cwd: directory, env: { ...env, REMOTE_GIT_TOKEN: wrong } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`cannot fetch http://127.0.0.1:${port}/upstream.git (default branch)`);
      expect(refused.stderr).toContain("check basicAuth's username and password");
      expect(refused.stderr + refused.stdout).not.toContain(wrong);

      // A password in the url works too (werf allows it), with a warning, and is never printed.
      const inUrl = makeRepository({
        "werf.yaml": `project: ${uniqueName("giturl")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
git:
- url: http://${username}:${password}@127.0.0.1:${port}/upstream.git
  branch: main
  to: /lib
`,
      });
      const viaUrl = await stages(["plan", "--json"], { cwd: inUrl, env });
      expect(viaUrl.code, viaUrl.stderr).toBe(0);
      expect(viaUrl.stderr).toContain("git.url holds a password");
      expect(viaUrl.json.images[0].git[0]).toMatchObject({
        url: `http://${username}:***@127.0.0.1:${port}/upstream.git`,
        commit: head,
      });
      expect(viaUrl.stdout + viaUrl.stderr).not.toContain(password);

      const unset = await stages(["plan"], { cwd: directory, env });
      expect(unset.code, unset.stderr).toBe(2);
      expect(unset.stderr).toContain("reads $REMOTE_GIT_TOKEN, which is not set");
    },
  );
});

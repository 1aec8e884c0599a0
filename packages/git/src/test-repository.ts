import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A real git repository in a temporary directory, for tests. */
export interface TestRepository {
  root: string;
  git(...args: string[]): string;
  /** Runs git with extra environment variables, e.g. GIT_COMMITTER_DATE. */
  gitWith(env: Record<string, string>, ...args: string[]): string;
  write(path: string, content: string | Uint8Array): void;
  remove(path: string): void;
  symlink(path: string, target: string): void;
  chmod(path: string, mode: number): void;
  commitAll(message?: string): void;
  dispose(): void;
}

/** Creates a repository holding `files` in one commit; `dispose` deletes it. */
export function createTestRepository(files: Record<string, string> = {}): TestRepository {
  const root = mkdtempSync(join(tmpdir(), "stages-git-test-"));
  const gitWith = (env: Record<string, string>, ...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: root,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "test",
        GIT_AUTHOR_EMAIL: "test@example.com",
        GIT_COMMITTER_NAME: "test",
        GIT_COMMITTER_EMAIL: "test@example.com",
        ...env,
      },
    });
  const git = (...args: string[]) => gitWith({}, ...args);
  const repository: TestRepository = {
    root,
    git,
    gitWith,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    remove(path) {
      unlinkSync(join(root, path));
    },
    symlink(path, target) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      symlinkSync(target, join(root, path));
    },
    chmod(path, mode) {
      chmodSync(join(root, path), mode);
    },
    commitAll(message = "commit") {
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message);
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  git("init", "-q", "-b", "main");
  for (const [path, content] of Object.entries(files)) repository.write(path, content);
  repository.commitAll("initial");
  return repository;
}

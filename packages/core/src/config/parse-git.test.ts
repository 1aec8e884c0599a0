import { describe, expect, it } from "vitest";
import { imageErrors, parseImages, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\n";

describe("git", () => {
  it("reads mappings with their defaults and ids", () => {
    const image = validImage(`${head}git:\n- to: /app\n- add: src\n  to: /srv/\n`);
    expect(image.git).toEqual([
      {
        id: "git-0",
        add: "/",
        to: "/app",
        includePaths: [],
        excludePaths: [],
        owner: null,
        group: null,
        stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
        position: { file: "stages.yaml", line: 7, column: 3 },
      },
      expect.objectContaining({ id: "git-1", add: "/src", to: "/srv", position: expect.objectContaining({ line: 8 }) }),
    ]);
  });

  it("reads every directive", () => {
    const image = validImage(
      `${head}git:\n- add: /\n  to: /app\n  includePaths: [src, package.json]\n  excludePaths: "**/*.md"\n  owner: app\n  group: 1000\n  stageDependencies:\n    install: [package.json, package-lock.json]\n    beforeSetup: tsconfig.json\n    setup: ["src/**/*.ts"]\n`,
    );
    expect(image.git[0]).toMatchObject({
      includePaths: ["src", "package.json"],
      excludePaths: ["**/*.md"],
      owner: "app",
      group: "1000",
      stageDependencies: {
        beforeInstall: [],
        install: ["package.json", "package-lock.json"],
        beforeSetup: ["tsconfig.json"],
        setup: ["src/**/*.ts"],
      },
    });
  });

  it.each([
    ["src/", "/src"],
    ["/src//lib/", "/src/lib"],
    ["./src", "/src"],
    ['""', "/"],
    ["/", "/"],
  ])("normalizes add %s to %s", (add, normalized) => {
    expect(validImage(`${head}git:\n- add: ${add}\n  to: /app\n`).git[0]?.add).toBe(normalized);
  });

  it("refuses an add that leaves the repository", () => {
    expect(imageErrors(`${head}git:\n- add: ../other\n  to: /app\n`)).toEqual([
      'stages.yaml:7:8: git.add "../other" must not contain ".." (name a path inside the repository)',
    ]);
  });

  it("requires an absolute to", () => {
    expect(imageErrors(`${head}git:\n- add: /src\n`)).toEqual([
      'stages.yaml:7:3: a git mapping needs "to" (add to: /absolute/path/in/image)',
    ]);
    expect(imageErrors(`${head}git:\n- to: app\n`)).toEqual([
      'stages.yaml:7:7: git.to "app" must be an absolute path (write to: /app)',
    ]);
    expect(imageErrors(`${head}git:\n- to:\n`)).toEqual([
      'stages.yaml:7:3: a git mapping needs "to" (add to: /absolute/path/in/image)',
    ]);
  });

  it("reports a path pattern that is no glob at its item, as werf stops on it", () => {
    expect(
      imageErrors(
        `${head}git:\n- to: /app\n  includePaths: [src, "lib/[ab"]\n  excludePaths: "{a,b"\n  stageDependencies:\n    install: ["x\\\\"]\n`,
      ),
    ).toEqual([
      'stages.yaml:8:23: git.includePaths "lib/[ab" is not a valid glob: a [ class has no closing ] (escape a literal [ { or \\ with a backslash, e.g. \\[)',
      'stages.yaml:9:17: git.excludePaths "{a,b" is not a valid glob: a { has no closing } (escape a literal [ { or \\ with a backslash, e.g. \\[)',
      'stages.yaml:11:15: git.stageDependencies.install "x\\" is not a valid glob: it ends with a lone \\ (escape a literal [ { or \\ with a backslash, e.g. \\[)',
    ]);
  });

  it("refuses stageDependencies.beforeInstall like werf", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies:\n    beforeInstall: [x]\n`)).toEqual([
      'stages.yaml:9:5: unsupported key "beforeInstall": git files are added after the beforeInstall stage (list these paths under install)',
    ]);
  });

  it("suggests stageDependencies keys", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies:\n    instll: [x]\n`)).toEqual([
      'stages.yaml:9:5: unknown key "instll" under git stageDependencies (did you mean "install"?)',
    ]);
  });

  describe("remote repositories (werf's url, branch, tag, commit, basicAuth)", () => {
    const remote = (lines: string) => `${head}git:\n- url: https://git.example.com/team/lib.git\n  to: /lib\n${lines}`;

    it("reads url with the remote's default branch, and keeps every key of a local mapping", () => {
      const image = validImage(
        remote("  add: /src\n  includePaths: [a]\n  owner: app\n  stageDependencies:\n    install: [package.json]\n"),
      );
      expect(image.git[0]).toMatchObject({
        add: "/src",
        to: "/lib",
        includePaths: ["a"],
        owner: "app",
        stageDependencies: expect.objectContaining({ install: ["package.json"] }),
        remote: { url: "https://git.example.com/team/lib.git", revision: null, basicAuth: null },
      });
    });

    it.each([
      ["branch: release/1.x", { kind: "branch", name: "release/1.x" }],
      ["tag: v1.2.3", { kind: "tag", name: "v1.2.3" }],
      [
        "commit: 0123456789ABCDEF0123456789abcdef01234567",
        { kind: "commit", name: "0123456789abcdef0123456789abcdef01234567" },
      ],
    ])("reads %s", (line, revision) => {
      expect(validImage(remote(`  ${line}\n`)).git[0]?.remote?.revision).toEqual(revision);
    });

    it("a local mapping has no remote", () => {
      expect(validImage(`${head}git:\n- to: /app\n`).git[0]).not.toHaveProperty("remote");
    });

    it.each([
      "https://host/a.git",
      "http://127.0.0.1:8080/a.git",
      "ssh://git@host:2222/a.git",
      "git+ssh://git@host/a.git",
      "git@gitlab.company.name:project_group/project.git",
      "git://host/a.git",
      "file:///srv/git/a.git",
    ])("accepts the url %s", (url) => {
      expect(validImage(`${head}git:\n- url: ${url}\n  to: /lib\n`).git[0]?.remote?.url).toBe(url);
    });

    it.each(["/srv/git/a.git", "./lib", "ftp://host/a.git", "file://relative"])("refuses the url %s", (url) => {
      expect(imageErrors(`${head}git:\n- url: ${url}\n  to: /lib\n`)).toEqual([
        `stages.yaml:7:8: git.url "${url}" is not a repository url (write https://host/path.git, ssh://git@host/path.git, git@host:path.git or file:///absolute/path)`,
      ]);
    });

    it("reads basicAuth as werf spells it, with the password from env, src or value", () => {
      for (const [line, password] of [
        ["env: GITLAB_TOKEN", { kind: "env", name: "GITLAB_TOKEN" }],
        ["src: ./token.txt", { kind: "src", path: "./token.txt" }],
        ["value: s3cret", { kind: "value", value: "s3cret" }],
      ] as const) {
        const image = validImage(remote(`  basicAuth:\n    username: ci\n    password:\n      ${line}\n`));
        expect(image.git[0]?.remote?.basicAuth).toEqual({ username: "ci", password });
      }
    });

    it("reports every problem at once, located, and never prints a password", () => {
      const errors = imageErrors(
        `${head}git:\n- url: https://h/a.git\n  to: /a\n  branch: main\n  tag: v1\n  commit: xyz\n  basicAuth:\n    username: ci\n    password:\n      value: hunter2\n      env: TOKEN\n- url: https://h/b.git\n  to: /b\n  basicAuth:\n    username: ci\n- url: https://h/c.git\n  to: /c\n  branch: -x\n  basicAuth: {password: {file: /run/token, value: [hunter3]}}\n`,
      );
      expect(errors).toEqual([
        'stages.yaml:10:3: a remote mapping reads one of branch, tag and commit: "tag" conflicts with "branch" (keep one of them (none reads the remote\'s default branch))',
        'stages.yaml:11:3: a remote mapping reads one of branch, tag and commit: "commit" conflicts with "branch" (keep one of them (none reads the remote\'s default branch))',
        'stages.yaml:15:7: a password comes from one of env, src and value: "value" conflicts with "env" (keep env)',
        "stages.yaml:20:5: git.basicAuth needs a password (add password: {env: NAME} (or src: <file>, or value: <text>))",
        'stages.yaml:23:11: git.branch "-x" cannot start with - (write branch: <name> as git spells it)',
        'stages.yaml:24:26: unsupported key "file": werf reads the password file from src (its reference page says file, its code reads src) (write src: <path of the file>)',
        "stages.yaml:24:51: git.basicAuth.password.value must be a non-empty string (write value: ...)",
      ]);
      expect(errors.join("\n")).not.toContain("hunter");
    });

    it.each([
      ["commit: 12345", 'stages.yaml:9:11: git.commit "12345" is not a commit id (write the commit\'s hex id)'],
      [
        "branch: refs/heads/main",
        'stages.yaml:9:11: git.branch "refs/heads/main" must be the short name (without refs/heads/ or refs/tags/) (write branch: <name> as git spells it)',
      ],
      ["tag: a..b", 'stages.yaml:9:8: git.tag "a..b" is not a valid git ref name (write tag: <name> as git spells it)'],
      ["branch:", "stages.yaml:9:3: git.branch is empty (write branch: <name>)"],
    ])("refuses %s", (line, error) => {
      expect(imageErrors(remote(`  ${line}\n`))).toEqual([error]);
    });

    it("refuses branch, tag, commit and basicAuth without url", () => {
      expect(imageErrors(`${head}git:\n- to: /app\n  branch: main\n  basicAuth: {password: {env: X}}\n`)).toEqual([
        "stages.yaml:8:3: git.branch applies to a remote repository, and this mapping has no url (add url: <repository url>, or remove it to map the work tree as it is)",
        "stages.yaml:9:3: git.basicAuth applies to a remote repository, and this mapping has no url (add url: <repository url>, or remove it to map the work tree as it is)",
      ]);
    });

    it("refuses basicAuth on an ssh url", () => {
      expect(
        imageErrors(`${head}git:\n- url: git@host:a/b.git\n  to: /b\n  basicAuth: {password: {env: X}}\n`),
      ).toEqual([
        "stages.yaml:9:3: basicAuth is for http(s) urls; this url is reached another way (remove basicAuth: ssh uses your SSH keys (ssh-agent))",
      ]);
    });

    it("warns about a password in the url, without printing it", () => {
      const result = parseImages(`${head}git:\n- url: https://ci:hunter2@h/a.git\n  to: /a\n`);
      expect(result.errors).toEqual([]);
      expect(result.warnings.map((problem) => problem.formatted)).toEqual([
        "stages.yaml:7:8: warning: git.url holds a password: it is kept in the git cache's configuration on this host (write the url without it and add basicAuth: {username: ..., password: {env: NAME}})",
      ]);
    });

    it("refuses werf 1.1's switch", () => {
      expect(imageErrors(remote("  herebyIAdmitThatBranchMightBreakReproducibility: true\n"))).toEqual([
        'stages.yaml:9:3: unsupported directive "herebyIAdmitThatBranchMightBreakReproducibility": it is werf 1.1\'s switch; werf v2 and stages read a branch without it (remove it)',
      ]);
    });
  });

  it("suggests git directives", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  exludePaths: [x]\n`)).toEqual([
      'stages.yaml:8:3: unknown directive "exludePaths" under git (did you mean "excludePaths"?)',
    ]);
  });

  it("checks types", () => {
    expect(imageErrors(`${head}git:\n  to: /app\n`)).toEqual([
      "stages.yaml:7:3: git must be a list of mappings, not a mapping (start each mapping with -)",
    ]);
    expect(imageErrors(`${head}git:\n- /app\n`)).toEqual([
      "stages.yaml:7:3: each item of git must be a mapping, not a string (write each item of git as key: value lines)",
    ]);
    expect(imageErrors(`${head}git:\n- to: /app\n  includePaths: {src: x}\n  owner: [a]\n`)).toEqual([
      "stages.yaml:8:17: git.includePaths must be a string or a list of strings, not a mapping",
      "stages.yaml:9:10: git.owner must be a string, not a list (write owner: <user name or uid>)",
    ]);
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies: [a]\n`)).toEqual([
      "stages.yaml:8:22: git.stageDependencies must be a mapping, not a list (write git.stageDependencies as key: value lines)",
    ]);
  });
});

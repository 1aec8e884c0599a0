import { describe, expect, it } from "vitest";
import { imageErrors, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\ndocker:\n";

function docker(body: string) {
  return validImage(head + body).docker;
}

describe("docker", () => {
  it("defaults to no instructions", () => {
    expect(validImage("image: app\nfrom: alpine\n").docker).toEqual({
      ENV: {},
      LABEL: {},
      EXPOSE: [],
      VOLUME: [],
      WORKDIR: null,
      USER: null,
      CMD: null,
      ENTRYPOINT: null,
      HEALTHCHECK: null,
    });
  });

  it("reads every instruction", () => {
    expect(
      docker(
        '  ENV: {NODE_ENV: production, PORT: 8080, DEBUG: false, EMPTY: }\n  LABEL: {team: taxi, "io.x/version": 1.10}\n  EXPOSE: ["8080", "53/udp", 7000-7010/tcp]\n  VOLUME: [/data, /cache]\n  WORKDIR: /app\n  USER: 1000:1000\n  CMD: ["node", "dist/main.js"]\n  ENTRYPOINT: ["tini", "--"]\n  HEALTHCHECK: --interval=5s CMD wget -q -O- http://localhost:8080/health\n',
      ),
    ).toEqual({
      ENV: { NODE_ENV: "production", PORT: "8080", DEBUG: "false", EMPTY: "" },
      LABEL: { team: "taxi", "io.x/version": "1.10" },
      EXPOSE: ["8080", "53/udp", "7000-7010/tcp"],
      VOLUME: ["/data", "/cache"],
      WORKDIR: "/app",
      USER: "1000:1000",
      CMD: ["node", "dist/main.js"],
      ENTRYPOINT: ["tini", "--"],
      HEALTHCHECK: "--interval=5s CMD wget -q -O- http://localhost:8080/health",
    });
  });

  it("reads werf's exactValues, which only the signature sees", () => {
    expect(docker("  exactValues: true\n  ENV: {A: '\"quoted value\"'}\n")).toMatchObject({
      exactValues: true,
      ENV: { A: '"quoted value"' },
    });
    expect(docker("  exactValues: false\n  USER: app\n")).not.toHaveProperty("exactValues");
    expect(imageErrors(`${head}  exactValues: "yes"\n`)).toEqual([
      "stages.yaml:7:16: docker.exactValues must be a boolean, not a string (write true or false, without quotes)",
    ]);
  });

  it("reads single EXPOSE and VOLUME values", () => {
    expect(docker('  EXPOSE: "80"\n  VOLUME: /data\n')).toMatchObject({ EXPOSE: ["80"], VOLUME: ["/data"] });
  });

  it("turns a string CMD or ENTRYPOINT into Docker's shell form", () => {
    expect(docker("  CMD: node dist/main.js\n").CMD).toEqual(["/bin/sh", "-c", "node dist/main.js"]);
    expect(docker("  ENTRYPOINT: exec app\n  CMD: []\n")).toMatchObject({
      ENTRYPOINT: ["/bin/sh", "-c", "exec app"],
      CMD: [],
    });
  });

  it("resets CMD when only ENTRYPOINT is set, as Docker and werf do", () => {
    expect(docker('  ENTRYPOINT: ["app"]\n')).toMatchObject({ ENTRYPOINT: ["app"], CMD: [] });
  });

  it("keeps keys like __proto__ as plain data", () => {
    const env = docker("  ENV: {__proto__: x}\n").ENV;
    expect(Object.keys(env)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
  });

  it("checks types and ports", () => {
    expect(
      imageErrors(`${head}  ENV: [A=1]\n  EXPOSE: [http]\n  CMD: {a: b}\n  HEALTHCHECK: {test: [CMD, x]}\n`),
    ).toEqual([
      "stages.yaml:7:8: docker.ENV must be a mapping, not a list (write docker.ENV: {NAME: value})",
      'stages.yaml:8:11: docker.EXPOSE "http" is not a port (write a port with an optional protocol, e.g. "8080" or "53/udp")',
      "stages.yaml:9:8: docker.CMD must be a string or a list of strings, not a mapping",
      'stages.yaml:10:16: docker.HEALTHCHECK must be a string, not a mapping (write it as in a Dockerfile: HEALTHCHECK: "--interval=5s CMD curl -f http://localhost/")',
    ]);
    expect(imageErrors(`${head}  LABEL: {a: [1]}\n`)).toEqual([
      'stages.yaml:7:14: docker.LABEL "a" must be a single value, not a list (quote the value to keep it as text)',
    ]);
  });

  it("suggests the instruction meant, whatever its case", () => {
    expect(imageErrors(`${head}  env: {A: b}\n  WORKDIRS: /app\n`)).toEqual([
      'stages.yaml:7:3: unknown directive "env" under docker (did you mean "ENV"?)',
      'stages.yaml:8:3: unknown directive "WORKDIRS" under docker (did you mean "WORKDIR"?)',
    ]);
  });

  it.each(["STOPSIGNAL: SIGTERM", "ONBUILD: [RUN x]", "SHELL: [bash, -c]", "ARG: X"])("refuses %s", (line) => {
    const errors = imageErrors(`${head}  ${line}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^stages\.yaml:7:3: unsupported directive "[A-Z]+": /);
  });
});

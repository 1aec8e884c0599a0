// An esbuild plugin for the CLI bundle. dockerode and docker-modem require at load time code that
// most runs never use; bundled as is, every start of the CLI paid for it (about 200 ms, issue 10).
//
// - Own file: dockerode, with docker-modem and what they require, is bundled into `dist/dockerode.cjs`
//   by a build of its own, and @stages/docker's import of it becomes a proxy that requires that file
//   when the first Dockerode is made. A run that never reaches an engine (--version, --help, config
//   commands) does not even parse it.
// - Left out: `dockerode/lib/session.js` (@grpc/grpc-js, @grpc/proto-loader, protobufjs), the BuildKit
//   session of `buildImage({ version: "2" })`, and `lib/buildkit.js` (protobufjs), BuildKit progress
//   decoding. stages calls neither, and both read `.proto` files next to their own source, which a
//   bundle does not have: stubs stand in that fail with a clear message if anything ever calls them.
// - Left out: `docker-modem/lib/ssh.js` (ssh2) behind `protocol: "ssh"`: @stages/docker reaches
//   ssh:// hosts through its own agent (ssh-transport.ts), which imports ssh2 dynamically, so that
//   ssh2 lands in a chunk of its own that only an ssh:// run loads.
// - Deferred, out of dockerode.cjs: modules required at load but used only by some calls (build
//   contexts, hijacked streams: half of dockerode's bundle) are in `dist/dockerode-extras.cjs`
//   behind proxies that require it on first use; docker-modem's per-request debug inspection is
//   made only when debug logging prints it, and docker-modem's node:https (node:tls with it) is
//   loaded only for an engine reached over TLS.
//
// Each build fails when one of its requires is not met any more (an upgrade of dockerode or
// docker-modem moved it), so the deferral cannot silently stop working.
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

const here = dirname(fileURLToPath(import.meta.url));
// @stages/docker depends on dockerode, dockerode on docker-modem: resolve them as those packages do.
const dockerAdapterDirectory = join(here, "..", "..", "packages", "docker");
const dockerodeDirectory = dirname(
  createRequire(join(dockerAdapterDirectory, "package.json")).resolve("dockerode/package.json"),
);
const modemDirectory = dirname(
  createRequire(join(dockerodeDirectory, "package.json")).resolve("docker-modem/package.json"),
);
const dockerode = (file: string) => join(dockerodeDirectory, "lib", file);
const modem = (file: string) => join(modemDirectory, "lib", file);

interface Interception {
  importer: string;
  request: string;
  /**
   * Replacement source (CommonJS); "lazy": the real module behind a proxy; "lazy-when-debugging":
   * a `debug` whose loggers load the real one only when DEBUG is set.
   */
  contents: string | "lazy" | "lazy-when-debugging";
}

/** The files dockerode and its rarely used modules are bundled into, next to the CLI's chunks. */
const dockerodeFile = "./dockerode.cjs";
const extrasFile = "./dockerode-extras.cjs";

/** What the CLI's own build replaces: @stages/docker's import of dockerode. */
const outerInterceptions: Interception[] = [
  {
    importer: join(dockerAdapterDirectory, "dist", "index.js"),
    request: "dockerode",
    contents: lazyProxy(`require(${JSON.stringify(dockerodeFile)})`),
  },
];

/** What the build of dockerode.cjs replaces inside dockerode and docker-modem. */
const innerInterceptions: Interception[] = [
  {
    importer: dockerode("docker.js"),
    request: "./session",
    contents: `module.exports = function withSession(docker, auth, handler) {
  handler(new Error("[docker] dockerode's BuildKit session (buildImage with version \\"2\\") is not part of the stages CLI"), null, function () {});
};`,
  },
  {
    importer: dockerode("docker.js"),
    request: "./buildkit",
    contents: `module.exports = {
  followProgress: function () {
    throw new Error("[docker] dockerode's BuildKit progress decoding is not part of the stages CLI");
  },
};`,
  },
  {
    importer: modem("modem.js"),
    request: "./ssh",
    contents: `module.exports = function () {
  throw new Error("[docker] docker-modem's ssh transport is not part of the stages CLI (@stages/docker has its own)");
};`,
  },
  // docker-modem logs every request with `debug("Sending: %s", util.inspect(options, { showHidden: true,
  // depth: null }))`: the inspection (agent and sockets included, ≈ 2.5 ms a request) is made even
  // when debug logging is off. Here it is made only if the line is printed (debug formats %s with
  // toString).
  {
    importer: modem("modem.js"),
    request: "util",
    contents: `var util = require("util");
module.exports = Object.assign({}, util, {
  inspect: function (value, options) {
    return { toString: function () { return util.inspect(value, options); } };
  },
});`,
  },
  // debug: docker-modem's request log, printed only with DEBUG set. Without it, no debug is loaded.
  {
    importer: modem("modem.js"),
    request: "debug",
    contents: "lazy-when-debugging",
  },
  // Build contexts of buildImage (tar-fs, tar-stream 2, bl, .dockerignore parsing).
  { importer: dockerode("util.js"), request: "tar-fs", contents: "lazy" },
  { importer: dockerode("util.js"), request: "@balena/dockerignore", contents: "lazy" },
  // Hijacked connections (readable-stream 3).
  { importer: modem("modem.js"), request: "./http_duplex", contents: "lazy" },
  // node:https, which loads node:tls and its crypto (≈ 10 ms, several times that on a loaded
  // machine): only an engine reached over TLS uses it.
  { importer: modem("http.js"), request: "https", contents: lazyProxy('require("https")') },
];

/** A stand-in that loads the real module (`load`, an expression) on first use: reads, calls and `new`. */
function lazyProxy(load: string): string {
  // A strict function as the target: no own "arguments" or "caller" whose reads the proxy could not answer.
  return `"use strict";
var real;
function load() { return real || (real = ${load}); }
module.exports = new Proxy(function () {}, {
  get: function (target, key) { return load()[key]; },
  apply: function (target, self, args) { return load().apply(self, args); },
  construct: function (target, args) { return Reflect.construct(load(), args); },
});`;
}

/** `debug(namespace)` loggers that are off, and load nothing, unless DEBUG is set. */
function lazyDebug(load: string): string {
  return `"use strict";
module.exports = function (namespace) {
  var real;
  function logger() {
    if (!process.env.DEBUG) return;
    real = real || (${load})(namespace);
    return real.apply(this, arguments);
  }
  Object.defineProperty(logger, "enabled", { get: function () { return Boolean(process.env.DEBUG) && (real = real || (${load})(namespace)).enabled; } });
  return logger;
};`;
}

const namespace = "stages-deferred";
const key = (importer: string, request: string) => `${importer}\0${request.replace(/\.js$/, "")}`;

/**
 * The plugin of one build: replaces the listed requires (a stub, or the real module behind a lazy
 * proxy) and fails the build when one of them was not met.
 */
function interceptionPlugin(
  name: string,
  interceptions: Interception[],
  onSuccess?: (build: Parameters<Plugin["setup"]>[0], deferred: Map<string, string>) => Promise<void>,
): Plugin {
  const byKey = new Map(
    interceptions.map((interception) => [key(interception.importer, interception.request), interception]),
  );
  return {
    name,
    setup(build) {
      const met = new Set<string>();
      /** Request → real path of the modules deferred into dockerode-extras.cjs. */
      const deferred = new Map<string, string>();
      build.onStart(() => {
        met.clear();
        deferred.clear();
      });
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.namespace === namespace) {
          // The proxies' requires of dockerode.cjs and dockerode-extras.cjs stay runtime requires.
          return args.path === dockerodeFile || args.path === extrasFile
            ? { path: args.path, external: true }
            : undefined;
        }
        const id = key(args.importer, args.path);
        const interception = byKey.get(id);
        if (!interception) return undefined;
        met.add(id);
        if (interception.contents !== "lazy" && interception.contents !== "lazy-when-debugging") {
          return { path: id, namespace, pluginData: interception.contents };
        }
        const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind });
        if (real.errors.length > 0) return { errors: real.errors };
        deferred.set(args.path, real.path);
        const load = `require(${JSON.stringify(extrasFile)})[${JSON.stringify(args.path)}]()`;
        const proxy = interception.contents === "lazy-when-debugging" ? lazyDebug(load) : lazyProxy(load);
        return { path: id, namespace, pluginData: proxy };
      });
      build.onLoad({ filter: /.*/, namespace }, (args) => ({
        contents: args.pluginData as string,
        loader: "js",
        resolveDir: here,
      }));
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        const missing = [...byKey.entries()].filter(([id]) => !met.has(id)).map(([, value]) => value);
        if (missing.length > 0) {
          const what = missing.map((value) => `${value.importer} → "${value.request}"`);
          throw new Error(
            `${name}: these requires were not met: ${what.join(", ")}; update apps/cli/defer-engine-extras.ts`,
          );
        }
        await onSuccess?.(build, deferred);
      });
    },
  };
}

/** The esbuild plugin of the CLI's build; pass it to tsup's `esbuildPlugins`. */
export function deferEngineExtras(): Plugin {
  return interceptionPlugin("stages-defer-engine-extras", outerInterceptions, async (build) => {
    const { outdir, target, sourcemap } = build.initialOptions;
    if (!outdir) throw new Error("defer-engine-extras: the CLI build has no outdir for dockerode.cjs");
    const common = {
      bundle: true,
      platform: "node",
      format: "cjs",
      ...(target ? { target } : {}),
      ...(sourcemap ? { sourcemap: true } : {}),
      // ssh2 is not reached (docker-modem's ssh transport is left out); its native addons never.
      external: ["*.node"],
      logLevel: "silent",
    } satisfies Parameters<typeof build.esbuild.build>[0];
    const inner = interceptionPlugin(
      "stages-defer-engine-extras (dockerode.cjs)",
      innerInterceptions,
      async (innerBuild, deferred) => {
        // Each deferred module is initialised only when its proxy is first used.
        const entries = [...deferred].map(
          ([request, path]) => `${JSON.stringify(request)}: function () { return require(${JSON.stringify(path)}); },`,
        );
        await innerBuild.esbuild.build({
          ...common,
          stdin: { contents: `module.exports = {\n${entries.join("\n")}\n};`, resolveDir: here, loader: "js" },
          outfile: resolve(outdir, extrasFile),
        });
      },
    );
    await build.esbuild.build({
      ...common,
      entryPoints: [join(dockerodeDirectory, "lib", "docker.js")],
      outfile: resolve(outdir, dockerodeFile),
      plugins: [inner],
    });
  });
}

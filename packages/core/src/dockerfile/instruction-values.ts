/*
 * Values of Dockerfile instructions as BuildKit reads them: the predefined args, EXPOSE's ports, Go
 * durations of HEALTHCHECK.
 */

/** Build args docker passes to RUN without an ARG (and never reports as unused). */
export const proxyArgs = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "FTP_PROXY",
  "ftp_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
] as const;

export const proxyArgNames = new Set<string>(proxyArgs);

/** BuildKit's ARGs that configure the build and never reach the environment. */
export const nonEnvArgs = new Set(["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"]);

/** The platform args BuildKit defines for a platform (`linux/arm64/v8`). */
export function platformArgs(platform: string): [string, string][] {
  const [os = "", architecture = "", variant = ""] = platform.split("/");
  const values: [string, string][] = [];
  for (const prefix of ["BUILD", "TARGET"]) {
    values.push(
      [`${prefix}PLATFORM`, platform],
      [`${prefix}OS`, os],
      [`${prefix}OSVERSION`, ""],
      [`${prefix}ARCH`, architecture],
      [`${prefix}VARIANT`, variant],
    );
  }
  return values;
}

/**
 * EXPOSE's ports as Docker records them (BuildKit's parsePorts): `80` is `80/tcp`, a range is every
 * port of it, the protocol lower case; of `[ip:][hostPort:]port` only the container's port counts.
 * Returns an error message for a word that is not a port.
 */
export function normalizePorts(words: readonly string[]): string[] | string {
  const ports: string[] = [];
  for (const word of words) {
    const containerPort = word.split(":").at(-1)!;
    const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp)?)?$/i.exec(containerPort);
    if (!match) return `EXPOSE ${word} is not a port (<port>[-<port>][/tcp|udp|sctp])`;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const protocol = (match[3] ?? "tcp").toLowerCase();
    if (first > 65535 || last > 65535 || last < first) return `EXPOSE ${word} is not a valid port range`;
    for (let port = first; port <= last; port++) ports.push(`${port}/${protocol}`);
  }
  return ports;
}

const durationUnits: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration in nanoseconds; null when the text is not a duration. */
export function parseGoDuration(text: string): number | null {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  const match = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!match) return null;
  let total = 0;
  for (const part of match[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * durationUnits[part[2]!]!;
  }
  return Math.round(match[1] === "-" ? -total : total);
}

import { dockerHubRegistry } from "./parse-reference.js";

/** The host part of `host[:port]` (IPv6 without brackets). */
export function hostOf(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.lastIndexOf(":");
  return colon === -1 ? registry : registry.slice(0, colon);
}

/** localhost, 127.0.0.0/8 and ::1: the only hosts spoken to in plain HTTP without being told. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (bare === "localhost" || bare.endsWith(".localhost") || bare === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** True when `registry` may be spoken to in plain HTTP: loopback, or listed as insecure (host or host:port). */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[]): boolean {
  const host = hostOf(registry);
  if (isLoopbackHost(host)) return true;
  return insecureRegistries.some((entry) => entry === registry || entry === host);
}

/** The host requests go to: Docker Hub's API lives on registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === dockerHubRegistry ? "registry-1.docker.io" : registry;
}

/**
 * The URL schemes to try, in order. Loopback registries are plain HTTP (as docker's test setups are);
 * other insecure registries try HTTPS first and fall back to HTTP, as docker does.
 */
export function candidateSchemes(registry: string, insecureRegistries: readonly string[]): Array<"https" | "http"> {
  if (isLoopbackHost(hostOf(registry))) return ["http"];
  return isInsecureRegistry(registry, insecureRegistries) ? ["https", "http"] : ["https"];
}

/*
 * Go's `time.ParseDuration`, which werf uses for `in:` of cleanup policies: a sequence of decimal
 * numbers, each with an optional fraction and a unit (`168h`, `1h30m`, `72h0m0s`, `1.5h`, `300ms`).
 * Units: ns, us (µs, μs), ms, s, m, h. No days: Go has none. "0" alone needs no unit.
 */

const nanosecondsPerUnit: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3,
  "\u03bcs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's largest duration, in nanoseconds (about 2562047h). */
const maxNanoseconds = 2 ** 63 - 1;

export type GoDurationResult = { ok: true; milliseconds: number } | { ok: false; problem: string };

/** Parses a Go duration into milliseconds (fractions of a millisecond kept); negative values are refused. */
export function parseGoDuration(text: string): GoDurationResult {
  let rest = text;
  if (rest.startsWith("-") && rest !== "-0") return { ok: false, problem: "a duration must not be negative" };
  if (rest.startsWith("-") || rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "0") return { ok: true, milliseconds: 0 };
  if (rest === "") return { ok: false, problem: "it is empty" };
  let nanoseconds = 0;
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)?.[0] ?? "";
    if (number === "" || number === ".") return { ok: false, problem: `expected a number at "${rest}"` };
    rest = rest.slice(number.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? "";
    if (unit === "") return { ok: false, problem: `missing unit after ${number}` };
    const scale = nanosecondsPerUnit[unit];
    if (scale === undefined) return { ok: false, problem: `unknown unit "${unit}"` };
    rest = rest.slice(unit.length);
    nanoseconds += Number(number) * scale;
  }
  if (nanoseconds > maxNanoseconds) return { ok: false, problem: "it is longer than Go's largest duration (2562047h)" };
  return { ok: true, milliseconds: nanoseconds / 1e6 };
}

/** Writes milliseconds as Go's `Duration.String` would, minus a trailing `0s`/`0m0s`: `168h`, `1h30m`, `90s`, `1.5s`. */
export function formatGoDuration(milliseconds: number): string {
  if (milliseconds === 0) return "0s";
  if (milliseconds < 1000) return `${+milliseconds.toFixed(6)}ms`;
  const hours = Math.floor(milliseconds / 3_600_000);
  const minutes = Math.floor((milliseconds % 3_600_000) / 60_000);
  const seconds = +((milliseconds % 60_000) / 1000).toFixed(9);
  let text = "";
  if (hours > 0) text += `${hours}h`;
  if (minutes > 0) text += `${minutes}m`;
  if (seconds > 0) text += `${seconds}s`;
  return text;
}

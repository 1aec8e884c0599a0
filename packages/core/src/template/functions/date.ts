/*
 * Sprig's date functions (date.go): now, date, dateInZone, htmlDate, htmlDateInZone, unixEpoch,
 * dateModify, duration, durationRound, ago, with Go's time layouts ("2006-01-02T15:04:05Z07:00").
 * werf keeps them, so configs that use them render; `now` and `ago` read the clock, so whatever they
 * reach changes its stage signature on every build. Go's Local zone is UTC here (core reads no host
 * zone; werf runs in UTC containers in CI). A date given as something other than a time or an int is
 * now, as Sprig's. toDate parses by layout in UTC (Go's Local here) and gives Go's zero time on failure.
 */
import { parseGoDuration } from "../../config/go-duration.js";
import { GoArgumentError } from "../errors.js";
import { type FunctionMap, GoObject, type GoValue } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";

/** A Go time.Time: an instant (ms since the epoch plus nanoseconds within the ms) in a zone. */
interface GoTime {
  milliseconds: number;
  /** Nanoseconds beyond `milliseconds` (0-999999). */
  nanoseconds: number;
  zone: string;
  /**
   * Go's monotonic clock reading (nanoseconds since the process started), which time.Now carries
   * and String prints as ` m=+0.012000000`; UTC and In drop it, Add (dateModify) keeps it, as Go.
   */
  monotonic?: number;
}

/** The process start Go's monotonic readings count from: when the template functions were loaded. */
const processStart = Date.now();

const times = new WeakMap<GoObject, GoTime>();

/** The instant of a time value made by these functions, or undefined. */
export function goTimeOf(value: GoValue): GoTime | undefined {
  return value instanceof GoObject ? times.get(value) : undefined;
}

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  yearDay: number;
  offsetSeconds: number;
  abbreviation: string;
}

/** The wall clock of an instant in an IANA zone ("UTC", "Europe/Berlin"), through Intl. */
function fieldsIn(time: GoTime): Fields {
  const date = new Date(time.milliseconds);
  let offsetSeconds = 0;
  let abbreviation = "UTC";
  if (time.zone !== "UTC") {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: time.zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      timeZoneName: "short",
    }).formatToParts(date);
    const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
    const local = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
    offsetSeconds = Math.round((local - Math.floor(time.milliseconds / 1000) * 1000) / 1000);
    abbreviation = parts.find((item) => item.type === "timeZoneName")?.value ?? "";
    // Intl names zones without an abbreviation "GMT+2"; Go writes "+02".
    const gmt = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(abbreviation);
    if (gmt !== null) abbreviation = `${gmt[1]}${(gmt[2] as string).padStart(2, "0")}${gmt[3] ?? ""}`;
    if (abbreviation === "GMT" && offsetSeconds === 0 && time.zone !== "GMT") abbreviation = "GMT";
  }
  const wall = new Date(Math.floor(time.milliseconds / 1000) * 1000 + offsetSeconds * 1000);
  const start = Date.UTC(wall.getUTCFullYear(), 0, 1);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay(),
    yearDay: Math.floor((wall.getTime() - start) / 86_400_000) + 1,
    offsetSeconds,
    abbreviation,
  };
}

const pad = (value: number, width: number, fill = "0") => String(value).padStart(width, fill);

function zoneOffset(seconds: number, colon: boolean, withSeconds: boolean, hoursOnly: boolean): string {
  const sign = seconds < 0 ? "-" : "+";
  const absolute = Math.abs(seconds);
  const hours = pad(Math.floor(absolute / 3600), 2);
  const minutes = pad(Math.floor((absolute % 3600) / 60), 2);
  const rest = pad(absolute % 60, 2);
  if (hoursOnly) return `${sign}${hours}`;
  const separator = colon ? ":" : "";
  return `${sign}${hours}${separator}${minutes}${withSeconds ? `${separator}${rest}` : ""}`;
}

// Go's layout elements, longest first where one is a prefix of another.
const layoutElements = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "-070000",
  "-07:00:00",
  "-0700",
  "-07:00",
  "-07",
  "Z070000",
  "Z07:00:00",
  "Z0700",
  "Z07:00",
  "Z07",
  "PM",
  "pm",
  "1",
  "2",
  "3",
  "4",
  "5",
];

/** Go's Time.Format with a layout. */
export function formatGoTime(time: GoTime, layout: string): string {
  const fields = fieldsIn(time);
  const nanoseconds = (time.milliseconds - Math.floor(time.milliseconds / 1000) * 1000) * 1e6 + time.nanoseconds;
  let out = "";
  let index = 0;
  while (index < layout.length) {
    const rest = layout.slice(index);
    const fraction = /^[.,](0+|9+)(?![0-9])/.exec(rest);
    if (fraction !== null) {
      const digits = (fraction[1] as string).length;
      let text = pad(Math.round(nanoseconds), 9).slice(0, digits);
      if ((fraction[1] as string).startsWith("9")) {
        text = text.replace(/0+$/, "");
        out += text === "" ? "" : `${fraction[0][0]}${text}`;
      } else out += `${fraction[0][0]}${text}`;
      index += fraction[0].length;
      continue;
    }
    const element = layoutElements.find((candidate) => rest.startsWith(candidate));
    if (element === undefined) {
      out += layout[index];
      index += 1;
      continue;
    }
    const hour12 = fields.hour % 12 === 0 ? 12 : fields.hour % 12;
    const utc = fields.offsetSeconds === 0;
    const values: Readonly<Record<string, () => string>> = {
      January: () => monthNames[fields.month - 1] as string,
      Jan: () => (monthNames[fields.month - 1] as string).slice(0, 3),
      Monday: () => dayNames[fields.weekday] as string,
      Mon: () => (dayNames[fields.weekday] as string).slice(0, 3),
      MST: () => fields.abbreviation,
      "2006": () => pad(fields.year, 4),
      "002": () => pad(fields.yearDay, 3),
      __2: () => pad(fields.yearDay, 3, " "),
      _2: () => pad(fields.day, 2, " "),
      "01": () => pad(fields.month, 2),
      "02": () => pad(fields.day, 2),
      "03": () => pad(hour12, 2),
      "04": () => pad(fields.minute, 2),
      "05": () => pad(fields.second, 2),
      "06": () => pad(fields.year % 100, 2),
      "15": () => pad(fields.hour, 2),
      "-070000": () => zoneOffset(fields.offsetSeconds, false, true, false),
      "-07:00:00": () => zoneOffset(fields.offsetSeconds, true, true, false),
      "-0700": () => zoneOffset(fields.offsetSeconds, false, false, false),
      "-07:00": () => zoneOffset(fields.offsetSeconds, true, false, false),
      "-07": () => zoneOffset(fields.offsetSeconds, false, false, true),
      Z070000: () => (utc ? "Z" : zoneOffset(fields.offsetSeconds, false, true, false)),
      "Z07:00:00": () => (utc ? "Z" : zoneOffset(fields.offsetSeconds, true, true, false)),
      Z0700: () => (utc ? "Z" : zoneOffset(fields.offsetSeconds, false, false, false)),
      "Z07:00": () => (utc ? "Z" : zoneOffset(fields.offsetSeconds, true, false, false)),
      Z07: () => (utc ? "Z" : zoneOffset(fields.offsetSeconds, false, false, true)),
      PM: () => (fields.hour >= 12 ? "PM" : "AM"),
      pm: () => (fields.hour >= 12 ? "pm" : "am"),
      "1": () => String(fields.month),
      "2": () => String(fields.day),
      "3": () => String(hour12),
      "4": () => String(fields.minute),
      "5": () => String(fields.second),
    };
    out += (values[element] as () => string)();
    index += element.length;
  }
  return out;
}

/** Milliseconds since the epoch of a UTC wall clock (any year, unlike Date.UTC's 1900 shift for 0-99). */
function utcMilliseconds(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Go's zero time.Time (January 1, year 1, 00:00:00 UTC). */
export const zeroGoTime: GoTime = { milliseconds: utcMilliseconds(1, 1, 1), nanoseconds: 0, zone: "UTC" };

const daysIn = (year: number, month: number) => new Date(utcMilliseconds(year, month + 1, 0)).getUTCDate();

/** The layout's literal text from `index` up to its next element (Go's error names that prefix). */
function literalRun(layout: string, index: number): string {
  let end = index;
  while (end < layout.length) {
    const rest = layout.slice(end);
    if (/^[.,](0+|9+)(?![0-9])/.test(rest) || layoutElements.some((candidate) => rest.startsWith(candidate))) break;
    end += 1;
  }
  return layout.slice(index, end);
}

/** Go's time.ParseInLocation(layout, value, UTC), or Go's error message. */
export function parseGoTime(layout: string, value: string): GoTime {
  const fail = (rest: string, element: string, extra = ""): never => {
    const quote = (text: string) => JSON.stringify(text);
    throw new Error(
      `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(element)}${extra}`,
    );
  };
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanoseconds = 0;
  let pm: boolean | undefined;
  let offsetSeconds: number | undefined;
  let position = 0;
  let index = 0;
  const number = (element: string, min: number, max: number): number => {
    const match = new RegExp(`^[0-9]{${min},${max}}`).exec(value.slice(position));
    if (match === null) return fail(value.slice(position), element);
    position += match[0].length;
    return Number(match[0]);
  };
  const name = (element: string, names: readonly string[], short: boolean): number => {
    const rest = value.slice(position).toLowerCase();
    const found = names.findIndex((candidate) =>
      rest.startsWith((short ? candidate.slice(0, 3) : candidate).toLowerCase()),
    );
    if (found < 0) return fail(value.slice(position), element);
    position += short ? 3 : (names[found] as string).length;
    return found;
  };
  while (index < layout.length) {
    const rest = layout.slice(index);
    const fraction = /^[.,](0+|9+)(?![0-9])/.exec(rest);
    const element = fraction !== null ? fraction[0] : layoutElements.find((candidate) => rest.startsWith(candidate));
    if (element === undefined) {
      if (value[position] !== layout[index]) fail(value.slice(position), literalRun(layout, index));
      position += 1;
      index += 1;
      continue;
    }
    index += element.length;
    if (fraction !== null) {
      const digits = /^[.,]([0-9]+)/.exec(value.slice(position));
      if (digits === null) {
        if ((fraction[1] as string).startsWith("9")) continue;
        fail(value.slice(position), element);
      }
      nanoseconds = Number(((digits as RegExpExecArray)[1] as string).padEnd(9, "0").slice(0, 9));
      position += (digits as RegExpExecArray)[0].length;
      continue;
    }
    switch (element) {
      case "2006":
        year = number(element, 4, 4);
        break;
      case "06": {
        const short = number(element, 2, 2);
        year = short >= 69 ? 1900 + short : 2000 + short;
        break;
      }
      case "01":
        month = number(element, 2, 2);
        break;
      case "1":
        month = number(element, 1, 2);
        break;
      case "January":
        month = name(element, monthNames, false) + 1;
        break;
      case "Jan":
        month = name(element, monthNames, true) + 1;
        break;
      case "Monday":
        name(element, dayNames, false);
        break;
      case "Mon":
        name(element, dayNames, true);
        break;
      case "02":
        day = number(element, 2, 2);
        break;
      case "_2":
        if (value[position] === " ") position += 1;
        day = number(element, 1, 2);
        break;
      case "2":
        day = number(element, 1, 2);
        break;
      case "002":
      case "__2":
        number(element, 1, 3);
        break;
      case "15":
        hour = number(element, 1, 2);
        break;
      case "03":
        hour = number(element, 2, 2);
        break;
      case "3":
        hour = number(element, 1, 2);
        break;
      case "04":
        minute = number(element, 2, 2);
        break;
      case "4":
        minute = number(element, 1, 2);
        break;
      case "05":
      case "5": {
        second = number(element, element === "05" ? 2 : 1, 2);
        // Go reads a fraction after the seconds even when the layout has none.
        const digits = /^[.,]([0-9]+)/.exec(value.slice(position));
        if (digits !== null && !/^[.,][09]/.test(layout.slice(index))) {
          nanoseconds = Number((digits[1] as string).padEnd(9, "0").slice(0, 9));
          position += digits[0].length;
        }
        break;
      }
      case "PM":
      case "pm": {
        const marker = value.slice(position, position + 2).toUpperCase();
        if (marker !== "AM" && marker !== "PM") fail(value.slice(position), element);
        pm = marker === "PM";
        position += 2;
        break;
      }
      case "MST": {
        const zone = /^[A-Z]{3,5}|^[+-][0-9]{2}/.exec(value.slice(position));
        if (zone === null) fail(value.slice(position), element);
        position += (zone as RegExpExecArray)[0].length;
        break;
      }
      default: {
        // Zone offsets: -0700, -07:00, -07, -070000, -07:00:00 and their Z forms.
        if (element.startsWith("Z") && value[position] === "Z") {
          position += 1;
          offsetSeconds = 0;
          break;
        }
        const pattern = element.replace(/^Z/, "-").replace(/0/g, "[0-9]").replace("-", "[+-]").replace("7", "[0-9]");
        const match = new RegExp(`^${pattern}`).exec(value.slice(position));
        if (match === null) return fail(value.slice(position), element);
        const digits = match[0].replace(/[^0-9]/g, "");
        const seconds =
          Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 + Number(digits.slice(4, 6) || 0);
        offsetSeconds = match[0].startsWith("-") ? -seconds : seconds;
        position += match[0].length;
      }
    }
  }
  if (position < value.length) {
    throw new Error(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(position))}`);
  }
  if (pm === true && hour < 12) hour += 12;
  else if (pm === false && hour === 12) hour = 0;
  if (month < 1 || month > 12) throw new Error(`parsing time ${JSON.stringify(value)}: month out of range`);
  if (day < 1 || day > daysIn(year, month)) throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
  if (hour > 23 || minute > 59 || second > 59) {
    throw new Error(
      `parsing time ${JSON.stringify(value)}: ${hour > 23 ? "hour" : minute > 59 ? "minute" : "second"} out of range`,
    );
  }
  const milliseconds = utcMilliseconds(year, month, day, hour, minute, second) - (offsetSeconds ?? 0) * 1000;
  return { milliseconds: milliseconds + Math.floor(nanoseconds / 1e6), nanoseconds: nanoseconds % 1e6, zone: "UTC" };
}

/** Go's Duration.String for a whole number of nanoseconds. */
export function formatDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const sign = nanoseconds < 0 ? "-" : "";
  const absolute = Math.abs(nanoseconds);
  if (absolute < 1e9) {
    const [unit, scale] = absolute < 1e3 ? ["ns", 1] : absolute < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    return `${sign}${+(absolute / (scale as number)).toFixed(9)}${unit}`;
  }
  const hours = Math.floor(absolute / 3600e9);
  const minutes = Math.floor((absolute % 3600e9) / 60e9);
  const seconds = +((absolute % 60e9) / 1e9).toFixed(9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** A time.Time value: Format, Unix, UTC, In, Add-free methods templates call, and String. */
export function goTimeValue(time: GoTime): GoObject {
  const method = (body: (args: readonly GoValue[]) => GoValue) => (args: readonly GoValue[]) => body(args);
  const object = new GoObject(
    "time.Time",
    {},
    {
      Format: method((args) => formatGoTime(time, stringArgument(args[0]))),
      Unix: method(() => Math.floor(time.milliseconds / 1000)),
      UnixNano: method(() => time.milliseconds * 1e6 + time.nanoseconds),
      UTC: method(() => goTimeValue(withoutMonotonic({ ...time, zone: "UTC" }))),
      In: method(() => goTimeValue(withoutMonotonic(time))),
      Year: method(() => fieldsIn(time).year),
      Month: method(() => fieldsIn(time).month),
      Day: method(() => fieldsIn(time).day),
      Hour: method(() => fieldsIn(time).hour),
      Minute: method(() => fieldsIn(time).minute),
      Second: method(() => fieldsIn(time).second),
      String: method(() => formatGoTime(time, "2006-01-02 15:04:05.999999999 -0700 MST") + monotonicText(time)),
    },
  );
  times.set(object, time);
  return object;
}

function currentTime(): GoTime {
  const milliseconds = Date.now();
  return { milliseconds, nanoseconds: 0, zone: "UTC", monotonic: (milliseconds - processStart) * 1e6 };
}

function withoutMonotonic(time: GoTime): GoTime {
  const { monotonic: _dropped, ...rest } = time;
  return rest;
}

/** Go's Time.String tail for a time with a monotonic reading: " m=±<seconds>.<9 digits>". */
function monotonicText(time: GoTime): string {
  if (time.monotonic === undefined) return "";
  const sign = time.monotonic < 0 ? "-" : "+";
  const absolute = Math.abs(Math.round(time.monotonic));
  const seconds = Math.floor(absolute / 1e9);
  const fraction = String(absolute % 1e9).padStart(9, "0");
  return ` m=${sign}${seconds}.${fraction}`;
}

/** Sprig's rule for a date argument: a time, or an int as Unix seconds; anything else is now. */
function dateArgument(value: GoValue | undefined): GoTime {
  const time = goTimeOf(value ?? null);
  if (time !== undefined) return time;
  if (typeof value === "number") return { milliseconds: value * 1000, nanoseconds: 0, zone: "UTC" };
  return currentTime();
}

/** time.LoadLocation through Intl; Sprig falls back to UTC for an unknown zone. */
function zoneOf(name: string): string {
  if (name === "" || name === "UTC" || name === "Local") return "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name;
  } catch {
    return "UTC";
  }
}

function formatIn(layout: string, date: GoValue | undefined, zone: string): string {
  return formatGoTime({ ...dateArgument(date), zone: zoneOf(zone) }, layout);
}

function modify(text: string, date: GoValue | undefined, must: boolean): GoValue {
  const time = goTimeOf(date ?? null);
  if (time === undefined) throw new Error("wrong type for value; expected time.Time");
  const negative = text.startsWith("-");
  const parsed = parseGoDuration(negative ? text.slice(1) : text);
  if (!parsed.ok) {
    if (must) throw new Error(`time: invalid duration "${text}"`);
    return date ?? null;
  }
  const milliseconds = parsed.milliseconds * (negative ? -1 : 1);
  const monotonic = time.monotonic === undefined ? undefined : time.monotonic + milliseconds * 1e6;
  return goTimeValue({
    ...time,
    milliseconds: time.milliseconds + milliseconds,
    ...(monotonic === undefined ? {} : { monotonic }),
  });
}

/** Sprig's durationRound: the largest whole unit of a duration (y, mo, d, h, m, s). */
export function roundDuration(nanoseconds: number): string {
  const absolute = Math.abs(nanoseconds);
  const units: [string, number][] = [
    ["y", 365 * 86_400e9],
    ["mo", 30 * 86_400e9],
    ["d", 86_400e9],
    ["h", 3600e9],
    ["m", 60e9],
    ["s", 1e9],
  ];
  for (const [unit, size] of units) if (absolute > size) return `${Math.floor(absolute / size)}${unit}`;
  return "0s";
}

/** Sprig's date functions. */
export function dateFunctions(): FunctionMap {
  return {
    toDate: (args, context) => {
      expectArity(context.name, args, 2);
      try {
        return goTimeValue(parseGoTime(stringArgument(args[0]), stringArgument(args[1])));
      } catch (error) {
        // Sprig's toDate ignores the error: Go's zero time.
        if (error instanceof GoArgumentError) throw error;
        return goTimeValue(zeroGoTime);
      }
    },
    mustToDate: (args, context) => {
      expectArity(context.name, args, 2);
      return goTimeValue(parseGoTime(stringArgument(args[0]), stringArgument(args[1])));
    },
    now: (args, context) => {
      expectArity(context.name, args, 0);
      return goTimeValue(currentTime());
    },
    date: (args, context) => {
      expectArity(context.name, args, 2);
      return formatIn(stringArgument(args[0]), args[1], "Local");
    },
    dateInZone: (args, context) => {
      expectArity(context.name, args, 3);
      return formatIn(stringArgument(args[0]), args[1], stringArgument(args[2]));
    },
    date_in_zone: (args, context) => {
      expectArity(context.name, args, 3);
      return formatIn(stringArgument(args[0]), args[1], stringArgument(args[2]));
    },
    htmlDate: (args, context) => {
      expectArity(context.name, args, 1);
      return formatIn("2006-01-02", args[0], "Local");
    },
    htmlDateInZone: (args, context) => {
      expectArity(context.name, args, 2);
      return formatIn("2006-01-02", args[0], stringArgument(args[1]));
    },
    unixEpoch: (args, context) => {
      expectArity(context.name, args, 1);
      const time = goTimeOf(args[0] ?? null);
      if (time === undefined) throw new Error("wrong type for value; expected time.Time");
      return String(Math.floor(time.milliseconds / 1000));
    },
    dateModify: (args, context) => {
      expectArity(context.name, args, 2);
      return modify(stringArgument(args[0]), args[1], false);
    },
    date_modify: (args, context) => {
      expectArity(context.name, args, 2);
      return modify(stringArgument(args[0]), args[1], false);
    },
    mustDateModify: (args, context) => {
      expectArity(context.name, args, 2);
      return modify(stringArgument(args[0]), args[1], true);
    },
    must_date_modify: (args, context) => {
      expectArity(context.name, args, 2);
      return modify(stringArgument(args[0]), args[1], true);
    },
    duration: (args, context) => {
      expectArity(context.name, args, 1);
      const value = args[0];
      // Sprig reads a string of seconds or an int64 (stages' ints); anything else is 0.
      const seconds =
        typeof value === "string"
          ? /^[+-]?\d+$/.test(value)
            ? Number(value)
            : 0
          : typeof value === "number"
            ? value
            : 0;
      return formatDuration(seconds * 1e9);
    },
    durationRound: (args, context) => {
      expectArity(context.name, args, 1);
      const value = args[0] ?? null;
      const time = goTimeOf(value);
      let nanoseconds = 0;
      if (time !== undefined) nanoseconds = (Date.now() - time.milliseconds) * 1e6;
      else if (typeof value === "number") nanoseconds = value;
      else if (typeof value === "string") {
        const negative = value.startsWith("-");
        const parsed = parseGoDuration(negative ? value.slice(1) : value);
        nanoseconds = parsed.ok ? parsed.milliseconds * 1e6 : 0;
      }
      return roundDuration(nanoseconds);
    },
    ago: (args, context) => {
      expectArity(context.name, args, 1);
      const time = dateArgument(args[0]);
      const elapsed = Math.round((Date.now() - time.milliseconds) / 1000) * 1e9;
      return formatDuration(elapsed);
    },
  };
}

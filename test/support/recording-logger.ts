import type { Logger } from "../../core/logger.ts";

export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  /** The bindings of every child logger on the way, then the call's own object. */
  fields: Record<string, unknown>;
  message?: string;
}

/** A Logger that keeps what it is told, for assertions on structure (never on wording). */
export function createRecordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}) {
  const at =
    (level: LogRecord["level"]) =>
    (objOrMessage: object | string, message?: string): void => {
      if (typeof objOrMessage === "string") records.push({ level, fields: { ...bindings }, message: objOrMessage });
      else records.push({ level, fields: { ...bindings, ...objOrMessage }, message });
    };
  const log: Logger & { records: LogRecord[] } = {
    records,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => createRecordingLogger(records, { ...bindings, ...more }),
  };
  return log;
}

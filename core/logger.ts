/** The slice of pino's logger the core and adapters use; pino and fastify's request loggers both fit. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

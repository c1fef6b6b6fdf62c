/** Structured logger injected by the caller. This package never writes to the console itself. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ignore = (): void => {};

/** A logger that drops everything (the default). */
export const silentLogger: Logger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
});

/** Returns a logger that adds `fields` to every record. */
export function childLogger(parent: Logger, fields: Record<string, unknown>): Logger {
  const merge = (extra?: Record<string, unknown>) => (extra ? { ...fields, ...extra } : fields);
  return {
    debug: (m, f) => parent.debug(m, merge(f)),
    info: (m, f) => parent.info(m, merge(f)),
    warn: (m, f) => parent.warn(m, merge(f)),
    error: (m, f) => parent.error(m, merge(f)),
  };
}

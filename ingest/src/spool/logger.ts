export interface SpoolLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const consoleLogger: SpoolLogger = {
  warn: (obj, msg) => console.warn(`[spool] ${msg}`, obj),
  error: (obj, msg) => console.error(`[spool] ${msg}`, obj),
};

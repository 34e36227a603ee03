import pino from 'pino';

type LogFn = (obj: object, msg?: string) => void;

/** The subset of a pino logger the emulator uses; any pino logger fits. */
export interface EmulatorLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child?: (bindings: Record<string, unknown>) => EmulatorLogger;
}

export const LOG_BINDINGS = { component: 'salesforce-emulator', emulator: true } as const;

/** Every line carries `component: "salesforce-emulator"` and `emulator: true`. */
export function emulatorLogger(logger: EmulatorLogger | undefined): EmulatorLogger {
  if (!logger) return pino({ level: process.env.LOG_LEVEL ?? 'info', base: { ...LOG_BINDINGS } });
  if (logger.child) return logger.child({ ...LOG_BINDINGS });
  const bind = (fn: LogFn): LogFn => (obj, msg) => fn.call(logger, { ...LOG_BINDINGS, ...obj }, msg);
  return { debug: bind(logger.debug), info: bind(logger.info), warn: bind(logger.warn), error: bind(logger.error) };
}

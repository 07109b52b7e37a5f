export interface Logger {
  info(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

/** One JSON object a line on stdout/stderr: easy to grep, easy to ship. */
export const jsonLogger: Logger = {
  info: (f) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...f })}\n`),
  error: (f) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', ...f })}\n`),
};
export const silentLogger: Logger = { info() {}, error() {} };

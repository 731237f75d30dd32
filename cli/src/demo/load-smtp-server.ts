import { KinlogError } from '@kinlog/core';
import type * as SmtpServerModule from 'smtp-server';

/** The npm package behind the demo's mail capture: an optional peer of @kinlog/cli. */
export const SMTP_SERVER_PACKAGE = 'smtp-server';

/** How a module is imported; a parameter so that a missing package can be played in tests. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * Loads `smtp-server` for `kinlog demo` only. It is an optional peer dependency, not a
 * dependency: an app or a server running `kinlog ship` or `kinlog analyze` never needs a mail
 * server, so installing @kinlog/cli does not bring one.
 *
 * @throws {KinlogError} code `PACKAGE_MISSING` naming the command that installs it.
 * @example
 * ```ts
 * const { SMTPServer } = await loadSmtpServer();
 * ```
 */
export async function loadSmtpServer(
  importModule: ModuleImporter = (specifier) => import(specifier),
): Promise<typeof SmtpServerModule> {
  try {
    return (await importModule(SMTP_SERVER_PACKAGE)) as typeof SmtpServerModule;
  } catch (err) {
    if (!isModuleNotFound(err)) throw err;
    throw new KinlogError(
      `kinlog demo needs the npm package ${SMTP_SERVER_PACKAGE} for its local mail capture, ` +
        `and it is not installed: run \`npm install ${SMTP_SERVER_PACKAGE}\` next to @kinlog/cli ` +
        `(\`npm install -g ${SMTP_SERVER_PACKAGE}\` for a global kinlog)`,
      { code: 'PACKAGE_MISSING', cause: err },
    );
  }
}

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

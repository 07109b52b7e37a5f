import { BACKUP_USAGE, backupCommand, restoreCommand } from './backup.js';
import { DIGESTS_USAGE, digestsCommand } from './digests.js';
import { ENGAGEMENT_USAGE, engagementCommand } from './engagement.js';
import { MODERATION_USAGE, moderationCommand } from './moderation.js';
import { SERVE_USAGE, serveCommand } from './serve.js';
import { SETTINGS_USAGE, settingsCommand } from './settings.js';
import { withStore, type Out } from './shared.js';
import { SITE_USAGE, siteCommand, tokenCommand } from './site.js';

const USAGE = `Usage: cercle <command>

${SERVE_USAGE}${SITE_USAGE}${ENGAGEMENT_USAGE}${DIGESTS_USAGE}${SETTINGS_USAGE}${MODERATION_USAGE}${BACKUP_USAGE}`;

/** The command line: one command group a file; returns the exit code (-1: a server keeps running). */
export async function main(argv: string[], out: Out = (s) => void process.stdout.write(s + '\n')): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === 'serve') return serveCommand(argv.slice(1), out);
  if (cmd === 'site' && ['add', 'list', 'rotate-key', 'add-key'].includes(sub ?? '')) return siteCommand(sub, rest, out);
  if (cmd === 'token') return tokenCommand(sub, rest, out);
  if (cmd === 'backup') return backupCommand(argv.slice(1), out);
  if (cmd === 'restore') return restoreCommand(argv.slice(1), out);
  if (cmd === 'engagement') return withStore((store) => engagementCommand(store, argv.slice(1), out));
  if (cmd === 'digests') return withStore((store) => digestsCommand(store, argv.slice(1), out));
  if (cmd === 'settings') return withStore((store) => settingsCommand(store, argv.slice(1), out));
  if (cmd === 'import' || cmd === 'webhook' || cmd === 'audit') {
    return withStore((store) => moderationCommand(store, cmd, argv.slice(1), out));
  }
  out(USAGE);
  return cmd && cmd !== 'help' && cmd !== '--help' ? 2 : 0;
}

/**
 * Every widget members meet, in German, registered through `registerLocale`. Built as `locales/de.js` beside the
 * entries: a widget whose language is `de` imports it by itself; a page may also load it up front with
 * `<script type="module" src=".../locales/de.js">`.
 */
// The team's tools (organiser, insights, administration) carry their own four languages in their chunks.
import { registerLocale } from '../i18n/localize.js';
import { de as common } from '../i18n/locales/de.js';
import { de as discussion } from '../widgets/discussion/locales/de.js';
import { de as engagement } from '../widgets/engagement-badge/locales/de.js';
import { de as feed } from '../widgets/event-feed/locales/de.js';
import { de as card } from '../widgets/member-card/locales/de.js';
import { de as directory } from '../widgets/member-directory/locales/de.js';
import { de as moderation } from '../widgets/moderation/locales/de.js';
import { de as search } from '../widgets/search/locales/de.js';
import { de as notifications } from '../widgets/notifications/locales/de.js';

registerLocale('de', 'common', common);
registerLocale('de', 'discussion', discussion);
registerLocale('de', 'member-card', card);
registerLocale('de', 'member-directory', directory);
registerLocale('de', 'engagement-badge', engagement);
registerLocale('de', 'event-feed', feed);
registerLocale('de', 'moderation', moderation);
registerLocale('de', 'search', search);
registerLocale('de', 'notifications', notifications);

/**
 * Every widget members meet, in French, registered through `registerLocale`. Built as `locales/fr.js` beside the
 * entries (and as a content-hashed chunk that `cercle.js` loads beside the first widget of a French
 * page): a widget whose language is `fr` imports it by itself and waits for it before its first render;
 * a page may also load it up front with `<script type="module" src=".../locales/fr.js">`.
 */
// The team's tools (organiser, insights, administration) carry their own four languages in their chunks.
import { registerLocale } from '../i18n/localize.js';
import { fr as common } from '../i18n/locales/fr.js';
import { fr as count } from '../widgets/comment-count/locales/fr.js';
import { fr as discussion } from '../widgets/discussion/locales/fr.js';
import { fr as engagement } from '../widgets/engagement-badge/locales/fr.js';
import { fr as feed } from '../widgets/event-feed/locales/fr.js';
import { fr as card } from '../widgets/member-card/locales/fr.js';
import { fr as directory } from '../widgets/member-directory/locales/fr.js';
import { fr as moderation } from '../widgets/moderation/locales/fr.js';
import { fr as search } from '../widgets/search/locales/fr.js';
import { fr as notifications } from '../widgets/notifications/locales/fr.js';

registerLocale('fr', 'common', common);
registerLocale('fr', 'discussion', discussion);
registerLocale('fr', 'comment-count', count);
registerLocale('fr', 'member-card', card);
registerLocale('fr', 'member-directory', directory);
registerLocale('fr', 'engagement-badge', engagement);
registerLocale('fr', 'event-feed', feed);
registerLocale('fr', 'moderation', moderation);
registerLocale('fr', 'search', search);
registerLocale('fr', 'notifications', notifications);

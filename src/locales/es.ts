/**
 * Every widget members meet, in Spanish, registered through `registerLocale`. Built as `locales/es.js` beside the
 * entries: a widget whose language is `es` imports it by itself; a page may also load it up front with
 * `<script type="module" src=".../locales/es.js">`.
 */
// The team's tools (organiser, insights, administration) carry their own four languages in their chunks.
import { registerLocale } from '../i18n/localize.js';
import { es as common } from '../i18n/locales/es.js';
import { es as discussion } from '../widgets/discussion/locales/es.js';
import { es as engagement } from '../widgets/engagement-badge/locales/es.js';
import { es as feed } from '../widgets/event-feed/locales/es.js';
import { es as card } from '../widgets/member-card/locales/es.js';
import { es as directory } from '../widgets/member-directory/locales/es.js';
import { es as moderation } from '../widgets/moderation/locales/es.js';
import { es as search } from '../widgets/search/locales/es.js';
import { es as notifications } from '../widgets/notifications/locales/es.js';

registerLocale('es', 'common', common);
registerLocale('es', 'discussion', discussion);
registerLocale('es', 'member-card', card);
registerLocale('es', 'member-directory', directory);
registerLocale('es', 'engagement-badge', engagement);
registerLocale('es', 'event-feed', feed);
registerLocale('es', 'moderation', moderation);
registerLocale('es', 'search', search);
registerLocale('es', 'notifications', notifications);

import type { NotificationLanguage } from '../../../contract/notifications.js';
import { escapeHtml } from '../../notifications/render.js';

interface Messages {
  confirmTitle: string;
  confirm: string;
  button: string;
  doneTitle: string;
  done: string;
  already: string;
  invalidTitle: string;
  invalid: string;
  expiredTitle: string;
  expired: string;
}

const NBSP = '\u00a0';

const MESSAGES: Record<NotificationLanguage, Messages> = {
  en: {
    confirmTitle: 'Stop notification emails?',
    confirm: 'You will no longer receive notification emails from this site. Notifications stay on the site itself.',
    button: 'Stop the emails',
    doneTitle: 'Emails stopped',
    done: 'You will no longer receive notification emails. Your address has been deleted.',
    already: 'You do not receive notification emails from this site.',
    invalidTitle: 'This link is not valid',
    invalid: 'The link is incomplete or was changed. Use the link from a recent email, or change your settings on the site.',
    expiredTitle: 'This link has expired',
    expired: 'Use the link from a more recent email, or change your notification settings on the site.',
  },
  fr: {
    confirmTitle: `Ne plus recevoir les courriels de notification${NBSP}?`,
    confirm: 'Vous ne recevrez plus de courriels de notification de ce site. Les notifications restent visibles sur le site.',
    button: 'Arrêter les courriels',
    doneTitle: 'Courriels arrêtés',
    done: 'Vous ne recevrez plus de courriels de notification. Votre adresse a été effacée.',
    already: 'Vous ne recevez pas de courriels de notification de ce site.',
    invalidTitle: 'Ce lien n’est pas valide',
    invalid: 'Le lien est incomplet ou a été modifié. Utilisez le lien d’un courriel récent, ou changez vos réglages sur le site.',
    expiredTitle: 'Ce lien a expiré',
    expired: 'Utilisez le lien d’un courriel plus récent, ou changez vos réglages de notification sur le site.',
  },
  de: {
    confirmTitle: 'Benachrichtigungs-E-Mails abbestellen?',
    confirm:
      'Sie erhalten von dieser Website keine Benachrichtigungs-E-Mails mehr. Die Benachrichtigungen bleiben auf der Website sichtbar.',
    button: 'E-Mails abbestellen',
    doneTitle: 'E-Mails abbestellt',
    done: 'Sie erhalten keine Benachrichtigungs-E-Mails mehr. Ihre Adresse wurde gelöscht.',
    already: 'Sie erhalten von dieser Website keine Benachrichtigungs-E-Mails.',
    invalidTitle: 'Dieser Link ist ungültig',
    invalid:
      'Der Link ist unvollständig oder wurde verändert. Nutzen Sie den Link einer neueren E-Mail oder ändern Sie Ihre Einstellungen auf der Website.',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expired: 'Nutzen Sie den Link einer neueren E-Mail oder ändern Sie Ihre Benachrichtigungseinstellungen auf der Website.',
  },
  es: {
    confirmTitle: '¿Dejar de recibir correos de notificación?',
    confirm: 'Ya no recibirás correos de notificación de este sitio. Las notificaciones siguen visibles en el sitio.',
    button: 'Dejar de recibir correos',
    doneTitle: 'Correos detenidos',
    done: 'Ya no recibirás correos de notificación. Tu dirección se ha borrado.',
    already: 'No recibes correos de notificación de este sitio.',
    invalidTitle: 'Este enlace no es válido',
    invalid: 'El enlace está incompleto o fue modificado. Usa el enlace de un correo reciente o cambia tus ajustes en el sitio.',
    expiredTitle: 'Este enlace ha caducado',
    expired: 'Usa el enlace de un correo más reciente o cambia tus ajustes de notificación en el sitio.',
  },
};

export const unsubscribeMessages = (lang: NotificationLanguage) => MESSAGES[lang];

/**
 * A small self-contained HTML page (the unsubscribe link opens in a browser, outside the host site):
 * every text escaped, no script, no outside resource, and framing refused.
 */
export function page(
  status: number,
  lang: NotificationLanguage,
  site: string,
  title: string,
  text: string,
  o: { form?: { action: string; button: string }; code?: string } = {},
): Response {
  const form = o.form
    ? `<form method="post" action="${escapeHtml(o.form.action)}"><button type="submit">${escapeHtml(o.form.button)}</button></form>`
    : '';
  const html =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)} — ${escapeHtml(site)}</title>` +
    `<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#222}` +
    `button{font:inherit;padding:.5rem 1rem;border-radius:.25rem;border:1px solid #333;background:#fff;cursor:pointer}` +
    `button:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}</style></head>` +
    `<body><main><p>${escapeHtml(site)}</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${form}</main></body></html>`;
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
  if (o.code) headers['cercle-problem-code'] = o.code;
  return new Response(html, { status, headers });
}

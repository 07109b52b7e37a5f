import type { EventChange, Notification, NotificationLanguage, RenderedNotification } from '../../contract/notifications.js';

/**
 * Notifications written out for delivery beyond the page (webhooks, mail, feeds), in the member's
 * language. The widget renders its own from the structured data; these are for the host and for mail.
 */

interface Words {
  someone: string;
  quote(title: string): string;
  inThread(title: string | null): string;
  reply(who: string, where: string): string;
  mention(who: string, where: string): string;
  threadComment(who: string, where: string): string;
  introRequested(who: string): string;
  introAccepted(who: string): string;
  introDeclined(who: string): string;
  promoted(event: string, when: string): string;
  changed(event: string, what: string, when: string): string;
  cancelled(event: string): string;
  reminder(event: string, when: string): string;
  approved(where: string): string;
  refused(where: string): string;
  badge(name: string): string;
  changes: Record<EventChange, string>;
  and: string;
  subjectOne(site: string, line: string): string;
  digestSubject(site: string, count: number, period: 'daily' | 'weekly'): string;
  digestIntro(count: number, period: 'daily' | 'weekly'): string;
  other: string;
  open: string;
  preferences: string;
  unsubscribe: string;
  footer(site: string): string;
}

const NBSP = '\u00a0';

const en: Words = {
  someone: 'A member',
  quote: (t) => `“${t}”`,
  inThread: (t) => (t ? ` in “${t}”` : ''),
  reply: (who, where) => `${who} replied to your comment${where}`,
  mention: (who, where) => `${who} mentioned you${where}`,
  threadComment: (who, where) => `${who} commented${where}`,
  introRequested: (who) => `${who} asked to be introduced to you`,
  introAccepted: (who) => `${who} accepted your introduction request`,
  introDeclined: (who) => `${who} declined your introduction request`,
  promoted: (e, when) => `A place freed up: you are going to “${e}” (${when})`,
  changed: (e, what, when) => `“${e}” changed: ${what} (${when})`,
  cancelled: (e) => `“${e}” was cancelled`,
  reminder: (e, when) => `Tomorrow: “${e}” (${when})`,
  approved: (where) => `Your comment${where} was published`,
  refused: (where) => `Your comment${where} was not published`,
  badge: (name) => `You earned the badge “${name}”`,
  changes: { time: 'time', place: 'place', online: 'meeting link', title: 'title', details: 'details' },
  and: ' and ',
  subjectOne: (site, line) => `[${site}] ${line}`,
  digestSubject: (site, n, p) => `[${site}] ${p === 'daily' ? 'Today' : 'This week'}: ${n} notification${n === 1 ? '' : 's'}`,
  digestIntro: (n, p) => `${n} notification${n === 1 ? '' : 's'} ${p === 'daily' ? 'since yesterday' : 'this week'}:`,
  other: 'Also',
  open: 'Open',
  preferences: 'Notification settings',
  unsubscribe: 'Stop these emails',
  footer: (site) => `You receive this because you take part in ${site}.`,
};

const fr: Words = {
  someone: 'Un membre',
  quote: (t) => `«${NBSP}${t}${NBSP}»`,
  inThread: (t) => (t ? ` dans «${NBSP}${t}${NBSP}»` : ''),
  reply: (who, where) => `${who} a répondu à votre commentaire${where}`,
  mention: (who, where) => `${who} vous a mentionné${where}`,
  threadComment: (who, where) => `${who} a commenté${where}`,
  introRequested: (who) => `${who} demande à vous être présenté`,
  introAccepted: (who) => `${who} a accepté votre demande de mise en relation`,
  introDeclined: (who) => `${who} a décliné votre demande de mise en relation`,
  promoted: (e, when) => `Une place s’est libérée${NBSP}: vous participez à «${NBSP}${e}${NBSP}» (${when})`,
  changed: (e, what, when) => `«${NBSP}${e}${NBSP}» a changé${NBSP}: ${what} (${when})`,
  cancelled: (e) => `«${NBSP}${e}${NBSP}» est annulé`,
  reminder: (e, when) => `Demain${NBSP}: «${NBSP}${e}${NBSP}» (${when})`,
  approved: (where) => `Votre commentaire${where} a été publié`,
  refused: (where) => `Votre commentaire${where} n’a pas été publié`,
  badge: (name) => `Vous avez obtenu le badge «${NBSP}${name}${NBSP}»`,
  changes: { time: 'horaire', place: 'lieu', online: 'lien de connexion', title: 'titre', details: 'description' },
  and: ' et ',
  subjectOne: (site, line) => `[${site}] ${line}`,
  digestSubject: (site, n, p) =>
    `[${site}] ${p === 'daily' ? 'Aujourd’hui' : 'Cette semaine'}${NBSP}: ${n} notification${n === 1 ? '' : 's'}`,
  digestIntro: (n, p) => `${n} notification${n === 1 ? '' : 's'} ${p === 'daily' ? 'depuis hier' : 'cette semaine'}${NBSP}:`,
  other: 'Et aussi',
  open: 'Ouvrir',
  preferences: 'Réglages des notifications',
  unsubscribe: 'Ne plus recevoir ces courriels',
  footer: (site) => `Vous recevez ce message parce que vous participez à ${site}.`,
};

const de: Words = {
  someone: 'Ein Mitglied',
  quote: (t) => `„${t}“`,
  inThread: (t) => (t ? ` in „${t}“` : ''),
  reply: (who, where) => `${who} hat auf Ihren Kommentar geantwortet${where}`,
  mention: (who, where) => `${who} hat Sie erwähnt${where}`,
  threadComment: (who, where) => `${who} hat kommentiert${where}`,
  introRequested: (who) => `${who} möchte Ihnen vorgestellt werden`,
  introAccepted: (who) => `${who} hat Ihre Vorstellungsanfrage angenommen`,
  introDeclined: (who) => `${who} hat Ihre Vorstellungsanfrage abgelehnt`,
  promoted: (e, when) => `Ein Platz ist frei geworden: Sie nehmen an „${e}“ teil (${when})`,
  changed: (e, what, when) => `„${e}“ wurde geändert: ${what} (${when})`,
  cancelled: (e) => `„${e}“ wurde abgesagt`,
  reminder: (e, when) => `Morgen: „${e}“ (${when})`,
  approved: (where) => `Ihr Kommentar${where} wurde veröffentlicht`,
  refused: (where) => `Ihr Kommentar${where} wurde nicht veröffentlicht`,
  badge: (name) => `Sie haben das Abzeichen „${name}“ erhalten`,
  changes: { time: 'Zeit', place: 'Ort', online: 'Link', title: 'Titel', details: 'Beschreibung' },
  and: ' und ',
  subjectOne: (site, line) => `[${site}] ${line}`,
  digestSubject: (site, n, p) => `[${site}] ${p === 'daily' ? 'Heute' : 'Diese Woche'}: ${n} Benachrichtigung${n === 1 ? '' : 'en'}`,
  digestIntro: (n, p) => `${n} Benachrichtigung${n === 1 ? '' : 'en'} ${p === 'daily' ? 'seit gestern' : 'diese Woche'}:`,
  other: 'Außerdem',
  open: 'Öffnen',
  preferences: 'Benachrichtigungseinstellungen',
  unsubscribe: 'Diese E-Mails abbestellen',
  footer: (site) => `Sie erhalten diese Nachricht, weil Sie bei ${site} mitmachen.`,
};

const es: Words = {
  someone: 'Un miembro',
  quote: (t) => `«${t}»`,
  inThread: (t) => (t ? ` en «${t}»` : ''),
  reply: (who, where) => `${who} respondió a tu comentario${where}`,
  mention: (who, where) => `${who} te mencionó${where}`,
  threadComment: (who, where) => `${who} comentó${where}`,
  introRequested: (who) => `${who} pidió que te lo presenten`,
  introAccepted: (who) => `${who} aceptó tu solicitud de presentación`,
  introDeclined: (who) => `${who} rechazó tu solicitud de presentación`,
  promoted: (e, when) => `Se liberó una plaza: vas a «${e}» (${when})`,
  changed: (e, what, when) => `«${e}» cambió: ${what} (${when})`,
  cancelled: (e) => `«${e}» se canceló`,
  reminder: (e, when) => `Mañana: «${e}» (${when})`,
  approved: (where) => `Tu comentario${where} se publicó`,
  refused: (where) => `Tu comentario${where} no se publicó`,
  badge: (name) => `Obtuviste la insignia «${name}»`,
  changes: { time: 'horario', place: 'lugar', online: 'enlace', title: 'título', details: 'descripción' },
  and: ' y ',
  subjectOne: (site, line) => `[${site}] ${line}`,
  digestSubject: (site, n, p) => `[${site}] ${p === 'daily' ? 'Hoy' : 'Esta semana'}: ${n} notificaci${n === 1 ? 'ón' : 'ones'}`,
  digestIntro: (n, p) => `${n} notificaci${n === 1 ? 'ón' : 'ones'} ${p === 'daily' ? 'desde ayer' : 'esta semana'}:`,
  other: 'Además',
  open: 'Abrir',
  preferences: 'Ajustes de notificaciones',
  unsubscribe: 'Dejar de recibir estos correos',
  footer: (site) => `Recibes este mensaje porque participas en ${site}.`,
};

const WORDS: Record<NotificationLanguage, Words> = { en, fr, de, es };
export const words = (lang: NotificationLanguage) => WORDS[lang];

/** `fr-CA` → `fr`; anything else Cercle does not write in → null. */
export function languageOf(locale: string | null | undefined): NotificationLanguage | null {
  const l = locale?.slice(0, 2).toLowerCase();
  return l === 'en' || l === 'fr' || l === 'de' || l === 'es' ? l : null;
}

function when(n: Notification, lang: NotificationLanguage): string {
  if (!n.event) return '';
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: n.event.timeZone }).format(
      new Date(n.event.startsAt),
    );
  } catch {
    return n.event.startsAt;
  }
}

/** One line saying what happened, in the language given. */
export function line(n: Notification, lang: NotificationLanguage): string {
  const w = WORDS[lang];
  const who = n.actor?.name || w.someone;
  const where = w.inThread(n.thread?.title ?? null);
  const ev = n.event?.title ?? '';
  switch (n.kind) {
    case 'comment.reply':
      return w.reply(who, where);
    case 'comment.mention':
      return w.mention(who, where);
    case 'thread.comment':
      return w.threadComment(who, where);
    case 'introduction.requested':
      return w.introRequested(who);
    case 'introduction.accepted':
      return w.introAccepted(who);
    case 'introduction.declined':
      return w.introDeclined(who);
    case 'waitlist.promoted':
      return w.promoted(ev, when(n, lang));
    case 'event.changed':
      return w.changed(ev, (n.event?.changes ?? []).map((c) => w.changes[c]).join(w.and), when(n, lang));
    case 'event.cancelled':
      return w.cancelled(ev);
    case 'event.reminder':
      return w.reminder(ev, when(n, lang));
    case 'comment.approved':
      return w.approved(where);
    case 'comment.refused':
      return w.refused(where);
    case 'badge.earned':
      return w.badge(n.badge?.name ?? '');
  }
}

export const rendered = (n: Notification, lang: NotificationLanguage): RenderedNotification => ({ ...n, text: line(n, lang) });

/** Plain text of one notification for a message body: its line, the excerpt, the link. */
function itemText(n: Notification, lang: NotificationLanguage): string {
  const parts = [`- ${line(n, lang)}`];
  if (n.comment?.excerpt) parts.push(`  ${n.comment.excerpt}`);
  if (n.url) parts.push(`  ${n.url}`);
  return parts.join('\n');
}

export interface Group {
  thread: { key: string; title: string | null; url: string | null } | null;
  items: Notification[];
}

/** Groups by thread (first seen first), the rest last. */
export function groupByThread(items: Notification[]): Group[] {
  const byThread = new Map<string, Group>();
  const rest: Notification[] = [];
  for (const n of items) {
    if (!n.thread) {
      rest.push(n);
      continue;
    }
    let g = byThread.get(n.thread.key);
    if (!g) byThread.set(n.thread.key, (g = { thread: n.thread, items: [] }));
    g.items.push(n);
  }
  return [...byThread.values(), ...(rest.length ? [{ thread: null, items: rest }] : [])];
}

export function digestText(groups: Group[], count: number, period: 'daily' | 'weekly', lang: NotificationLanguage): string {
  const w = WORDS[lang];
  const blocks = groups.map((g) => {
    const head = g.thread ? `${g.thread.title ?? g.thread.key}${g.thread.url ? ` <${g.thread.url}>` : ''}` : w.other;
    return [head, ...g.items.map((n) => itemText(n, lang))].join('\n');
  });
  return [w.digestIntro(count, period), '', ...blocks.flatMap((b) => [b, ''])].join('\n').trimEnd();
}

// ---- mail ----------------------------------------------------------------------------------

/** Text for HTML: the five characters that matter escaped. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Only http(s) links become links in mail. */
const safeHref = (u: string | null) => (u && /^https?:\/\//i.test(u) ? escapeHtml(u) : null);

export interface MailParts {
  text: string;
  html: string;
}

/** A mail's text and HTML: the notifications (grouped), then the footer with the preferences and unsubscribe links. */
export function mailBody(
  intro: string | null,
  groups: Group[],
  lang: NotificationLanguage,
  site: string,
  links: { unsubscribe: string; preferences: string | null },
): MailParts {
  const w = WORDS[lang];
  const textBlocks = groups.map((g) => {
    const head = g.thread
      ? `${g.thread.title ?? g.thread.key}${g.thread.url ? ` <${g.thread.url}>` : ''}`
      : groups.length > 1
        ? w.other
        : null;
    return [...(head ? [head] : []), ...g.items.map((n) => itemText(n, lang))].join('\n');
  });
  const footer = [
    w.footer(site),
    ...(links.preferences ? [`${w.preferences}: ${links.preferences}`] : []),
    `${w.unsubscribe}: ${links.unsubscribe}`,
  ];
  const text = [...(intro ? [intro, ''] : []), ...textBlocks.flatMap((b) => [b, '']), '-- ', ...footer].join('\n');

  const li = (n: Notification) => {
    const href = safeHref(n.url);
    const label = escapeHtml(line(n, lang));
    const quote = n.comment?.excerpt ? `<br><span style="color:#555">${escapeHtml(n.comment.excerpt)}</span>` : '';
    return `<li style="margin:0 0 12px">${href ? `<a href="${href}">${label}</a>` : label}${quote}</li>`;
  };
  const htmlGroups = groups
    .map((g) => {
      const title = g.thread ? escapeHtml(g.thread.title ?? g.thread.key) : groups.length > 1 ? escapeHtml(w.other) : '';
      const href = g.thread ? safeHref(g.thread.url) : null;
      const head = title ? `<h2 style="font-size:16px;margin:16px 0 8px">${href ? `<a href="${href}">${title}</a>` : title}</h2>` : '';
      return `${head}<ul style="padding-left:20px;margin:0">${g.items.map(li).join('')}</ul>`;
    })
    .join('');
  const prefs = links.preferences && safeHref(links.preferences);
  const html =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(site)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#222">` +
    (intro ? `<p>${escapeHtml(intro)}</p>` : '') +
    htmlGroups +
    `<hr><p style="font-size:13px;color:#555">${escapeHtml(w.footer(site))}<br>` +
    (prefs ? `<a href="${prefs}">${escapeHtml(w.preferences)}</a> · ` : '') +
    `<a href="${escapeHtml(links.unsubscribe)}">${escapeHtml(w.unsubscribe)}</a></p></body></html>`;
  return { text, html };
}

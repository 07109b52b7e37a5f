/**
 * Atom 1.0 (RFC 4287) documents. Every text goes through `xml()`: the five special characters escaped,
 * and the characters XML 1.0 cannot carry at all (control characters, lone surrogates) removed.
 */

/** What XML 1.0 cannot carry: C0 controls but tab and line breaks, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- these control characters are exactly what must be removed
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xml(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export interface AtomEntry {
  id: string;
  title: string;
  updated: string;
  author: string | null;
  link: string | null;
  content: string;
}

export function atomFeed(feed: {
  id: string;
  title: string;
  self: string;
  alternate: string | null;
  updated: string;
  entries: AtomEntry[];
}): string {
  const link = (href: string, rel?: string) => `<link${rel ? ` rel="${rel}"` : ''} href="${xml(href)}"/>`;
  const entries = feed.entries.map(
    (e) =>
      `<entry><id>${xml(e.id)}</id><title>${xml(e.title)}</title><updated>${xml(e.updated)}</updated>` +
      (e.author ? `<author><name>${xml(e.author)}</name></author>` : '') +
      (e.link && /^https?:\/\//i.test(e.link) ? link(e.link, 'alternate') : '') +
      `<content type="text">${xml(e.content)}</content></entry>`,
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">` +
    `<id>${xml(feed.id)}</id><title>${xml(feed.title)}</title><updated>${xml(feed.updated)}</updated>` +
    link(feed.self, 'self') +
    (feed.alternate && /^https?:\/\//i.test(feed.alternate) ? link(feed.alternate, 'alternate') : '') +
    entries.join('') +
    `</feed>\n`
  );
}

/** A stable `tag:` URI (RFC 4151) for an id. */
export const tagUri = (host: string, day: string, id: string) => `tag:${host},${day}:${id}`;

/** The page's canonical URL: `<link rel=canonical>` if present, else origin + path (no query, no hash). */
export const canonicalUrl = (): string =>
  document.querySelector<HTMLLinkElement>('link[rel=canonical]')?.href || location.origin + location.pathname;

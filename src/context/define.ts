import { CercleCommunity } from './community.js';

CercleCommunity.define('cercle-community');

/**
 * The script tag that loaded the kit may carry the page's configuration (`data-api`, `data-site`,
 * `data-token-url`, `data-login-url`): then one hidden, page-wide provider serves the
 * widgets placed outside any `<cercle-community>`. Module scripts have no `document.currentScript`:
 * the tag is the one whose `src` is this file's URL, else the first script with `data-site`.
 */
function implicitProvider() {
  if (typeof document === 'undefined' || (globalThis as { [k: symbol]: unknown })[Symbol.for('cercle.implicit')]) return;
  const scripts = [...document.querySelectorAll<HTMLScriptElement>('script[data-site]')];
  const tag = scripts.find((s) => s.src === import.meta.url) ?? scripts[0];
  if (!tag) return;
  CercleCommunity.makingImplicit = true;
  const el = document.createElement('cercle-community') as CercleCommunity;
  CercleCommunity.makingImplicit = false;
  el.hidden = true;
  const d = tag.dataset;
  if (d.api) el.api = d.api;
  if (d.site) el.site = d.site;
  if (d.tokenUrl) el.tokenUrl = d.tokenUrl;
  if (d.loginUrl) el.loginUrl = d.loginUrl;
  (globalThis as { [k: symbol]: unknown })[Symbol.for('cercle.implicit')] = el;
  (document.body ?? document.documentElement).append(el);
}
implicitProvider();

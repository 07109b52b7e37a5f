import { html, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { ChapterTerm } from '../contract/defaults.js';
import { communityContext, type Community } from '../context/context.js';
import { ask } from '../context/protocol.js';
import { CercleElement } from './element.js';

const ORPHAN_LOGGED = Symbol.for('cercle.orphan-logged');

/** Whether an ancestor of `node`, across shadow roots, is a `tag` element (upgraded or not yet). */
function within(node: Node, tag: string): boolean {
  for (let n: Node | null = node.parentNode; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) {
    if ((n as Element).localName === tag) return true;
  }
  return false;
}

/**
 * An element that takes the client and session from the nearest
 * `<cercle-community>`, whenever that provider appears — also when the
 * provider upgrades after it. Every widget starts here and makes its own
 * `Localize` with its dictionary.
 */
export class CercleConnected extends CercleElement {
  static override properties: PropertyDeclarations = {
    community: { state: true },
    orphan: { state: true },
    chapterTerm: { state: true },
    headingLevel: { attribute: 'heading-level', type: Number },
  };

  /** The level of the widget's own top heading as it is written (`<h2>` in most widgets). */
  static headingTop = 2;

  /**
   * `heading-level`: the level the widget's top heading takes in the host page's outline (1–6), so
   * that a badge placed under the page's `<h3>` says `4`. The widget's inner headings follow, one
   * level below each other as they are written. Unset: the levels as written.
   */
  declare headingLevel?: number;

  /** No provider around, none to come and no configuration on the script tag: the widget says so instead of loading forever. */
  declare private orphan?: boolean;

  /** What the provider hands down; undefined until one is found. */
  declare protected community?: Community;

  /**
   * What the site calls its local groups (its `chapterTerm` setting), for the widget's strings; read
   * with the site's public settings, which the client reads once for every widget.
   */
  declare chapterTerm?: ChapterTerm;

  /** Loads under way (see `Loader`). */
  private loads = 0;

  constructor() {
    super();
    // Until the provider, the session and the first data are in: what the page's placeholder rules read
    // (`cercle-x:is(:not(:defined), :state(loading)) { min-height: … }`), so the room kept holds until the content comes.
    this.states.add('loading');
  }

  /** @internal Called by the widget's `Loader`. */
  loadingChanged(busy: boolean): void {
    this.loads += busy ? 1 : -1;
    this.requestUpdate();
  }

  /** Stops the provider's updates (a new provider answering replaces the old one). */
  private leave?: () => void;

  private receive = (value: Community | undefined, unsubscribe?: () => void) => {
    if (this.leave !== unsubscribe) this.leave?.();
    this.leave = unsubscribe;
    this.community = value;
    this.orphan = false;
    if (this.termAsked) this.readChapterTerm();
  };

  private termAsked = false;

  /**
   * Reads the site's `chapterTerm` with its public settings (read once per client, for every widget);
   * `Localize` asks for it when the widget's strings name the local groups, so that a widget without
   * such strings reads nothing more.
   */
  readChapterTerm(): void {
    this.termAsked = true;
    const client = this.community?.client;
    client?.site().then(
      (s) => client === this.community?.client && (this.chapterTerm = s.chapterTerm),
      () => {},
    );
  }

  /** A provider connected somewhere: ask again if none has answered yet. */
  private retry = (e: Event) => {
    if ((e as Event & { context?: unknown }).context === communityContext && !this.community) ask(this, communityContext, this.receive);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    ask(this, communityContext, this.receive);
    document.addEventListener('context-provider', this.retry);
    if (!this.leave && !within(this, 'cercle-community')) {
      this.orphan = true;
      if (!(globalThis as { [k: symbol]: unknown })[ORPHAN_LOGGED]) {
        (globalThis as { [k: symbol]: unknown })[ORPHAN_LOGGED] = true;
        console.error(
          `cercle: <${this.localName}> has no configuration: place it inside <cercle-community api="…" site="…" token-url="…">, ` +
            'or give the kit\'s script tag data-api and data-site (<script type="module" src="…/cercle.js" data-api="…" data-site="…">).',
        );
      }
    }
  }

  /**
   * Gives the rendered headings the levels `heading-level` asks for (`aria-level`, which assistive
   * technologies read over the tag's own level), every time the widget renders: the views keep
   * writing plain `<h2>`, `<h3>`, and the host decides where they sit in its outline.
   */
  private levelHeadings() {
    const base = this.headingLevel;
    const shift =
      base && Number.isInteger(base) && base >= 1 && base <= 6 ? base - (this.constructor as typeof CercleConnected).headingTop : 0;
    for (const h of this.renderRoot.querySelectorAll<HTMLHeadingElement>('h1, h2, h3, h4, h5, h6')) {
      if (shift) h.setAttribute('aria-level', String(Math.max(1, Number(h.localName[1]) + shift)));
      else h.removeAttribute('aria-level');
    }
  }

  /** Without configuration, the widget's own view gives way to a short notice. */
  protected override update(changed: PropertyValues): void {
    // The loads a widget starts on a change begin in its willUpdate, before this.
    const waiting = !this.orphan && (!this.community || this.community.session.status === 'loading' || this.loads > 0);
    if (waiting) this.states.add('loading');
    else this.states.delete('loading');
    if (!this.orphan) {
      super.update(changed);
      this.levelHeadings();
      return;
    }
    const lang = (this.lang || document.documentElement.lang || '').toLowerCase().startsWith('fr');
    const notice = lang
      ? "Ce contenu ne peut pas s'afficher : la page ne dit pas à quel serveur Cercle le demander."
      : 'This content cannot be shown: the page does not say which Cercle server to ask.';
    // The notice is rendered in place of the widget's render() for this update only.
    this.render = () => html`<p part="base" role="status">${notice}</p>`;
    try {
      super.update(changed);
    } finally {
      delete (this as unknown as { render?: unknown }).render;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.leave?.();
    this.leave = undefined;
    document.removeEventListener('context-provider', this.retry);
  }
}

import type { PropertyDeclarations } from 'lit';
import type { ChapterTerm } from '../contract/defaults.js';
import { communityContext, type Community } from '../context/context.js';
import { ask } from '../context/protocol.js';
import { CercleElement } from './element.js';

/**
 * An element that takes the client and session from the nearest
 * `<cercle-community>`, whenever that provider appears — also when the
 * provider upgrades after it. Every widget starts here and makes its own
 * `Localize` with its dictionary.
 */
export class CercleConnected extends CercleElement {
  static override properties: PropertyDeclarations = { community: { state: true }, chapterTerm: { state: true } };

  /** What the provider hands down; undefined until one is found. */
  protected declare community?: Community;

  /**
   * What the site calls its local groups (its `chapterTerm` setting), for the widget's strings; read
   * with the site's public settings, which the client reads once for every widget.
   */
  declare chapterTerm?: ChapterTerm;

  /** Stops the provider's updates (a new provider answering replaces the old one). */
  private leave?: () => void;

  private receive = (value: Community | undefined, unsubscribe?: () => void) => {
    if (this.leave !== unsubscribe) this.leave?.();
    this.leave = unsubscribe;
    this.community = value;
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
    client?.site().then((s) => client === this.community?.client && (this.chapterTerm = s.chapterTerm), () => {});
  }

  /** A provider connected somewhere: ask again if none has answered yet. */
  private retry = (e: Event) => {
    if ((e as Event & { context?: unknown }).context === communityContext && !this.community) ask(this, communityContext, this.receive);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    ask(this, communityContext, this.receive);
    document.addEventListener('context-provider', this.retry);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.leave?.();
    this.leave = undefined;
    document.removeEventListener('context-provider', this.retry);
  }
}

import { ContextConsumer } from '@lit/context';
import type { PropertyDeclarations } from 'lit';
import { communityContext, type Community } from '../context/context.js';
import { Localize } from '../i18n/localize.js';
import { CercleElement } from './element.js';

/**
 * A widget: an element that takes the client, session and language from the
 * nearest `<cercle-community>`, whenever that provider appears — also when
 * the provider upgrades after the widget.
 */
export class CercleWidget extends CercleElement {
  static override properties: PropertyDeclarations = { community: { state: true } };

  /** What the provider hands down; undefined until one is found. */
  protected declare community?: Community;

  protected l = new Localize(this, () => this.community?.lang);

  private consumer = new ContextConsumer(this, {
    context: communityContext,
    subscribe: true,
    callback: (value) => (this.community = value),
  });

  /** A provider connected somewhere: ask again if none has answered yet. */
  private retry = (e: Event) => {
    if ((e as Event & { context?: unknown }).context == communityContext && !this.community) this.consumer.hostConnected();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('context-provider', this.retry);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('context-provider', this.retry);
  }
}

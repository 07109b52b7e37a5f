import { LitElement, type CSSResultGroup, type PropertyDeclarations } from 'lit';
import { languageReady } from '../i18n/localize.js';
import { host } from '../styles/host.js';
import { PageScheme } from './scheme.js';

type Detail<K extends keyof GlobalEventHandlersEventMap> = GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never;

/**
 * Base of every Cercle element: shared host styles first, a guarded
 * `define()` and a typed `emit()`.
 */
export class CercleElement extends LitElement {
  static override styles: CSSResultGroup = host;

  static override properties: PropertyDeclarations = { lang: { reflect: true }, theme: { reflect: true } };

  /** Language of the element's text; see `Localize` for the fallbacks. */
  declare lang: string;

  /** `auto`, `light` or `dark`; none: the page's or the provider's colours. */
  declare theme?: 'auto' | 'light' | 'dark';

  /** @internal The custom states the theme styles read (`light`/`dark` under `theme="auto"`). */
  readonly states: CustomStateSet = this.attachInternals().states;

  constructor() {
    super();
    new PageScheme(this);
  }

  /**
   * The first render waits for the strings of the element's language when they come in a module of
   * their own (French, German, Spanish): no English flash on a French page.
   */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const wait = this.hasUpdated ? undefined : languageReady(this);
    return wait ? wait.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  /**
   * Registers the element under `tag`, unless that name is taken (two copies
   * of the kit on one page): then it warns and keeps the first definition.
   * Without a `customElements` registry (Node, no DOM shim) it does nothing.
   */
  static define(tag: string): void {
    // Imported on a server (SSR, no DOM): nothing to register.
    if (typeof customElements === 'undefined') return;
    if (customElements.get(tag)) console.warn(`cercle: <${tag}> is already defined; keeping the first definition.`);
    else customElements.define(tag, this);
  }

  /**
   * Dispatches a typed `CustomEvent` that bubbles out of shadow roots.
   * Returns false when a listener cancelled it (only if `cancelable`).
   */
  emit<K extends keyof GlobalEventHandlersEventMap>(type: K, detail: Detail<K>, cancelable = false): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }
}

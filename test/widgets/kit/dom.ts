/** Reading what a widget rendered in its shadow root; one module for every widget test. */

/** The first element of `el`'s shadow root that matches `selector`. */
export const $ = <E extends Element = HTMLElement>(el: Element, selector: string): E | null => el.shadowRoot!.querySelector<E>(selector);

/** Every element of `el`'s shadow root that matches `selector`. */
export const $$ = <E extends Element = HTMLElement>(el: Element, selector: string): E[] => [
  ...el.shadowRoot!.querySelectorAll<E>(selector),
];

/** The text of an element as a reader sees it: white space collapsed and trimmed; '' for none. */
export const text = (el: Element | null | undefined): string => el?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MemberList } from '../../contract/discussion.js';
import { Loader } from '../../internal/loader.js';
import { fromMarkup, insertMention, mentionName, mentionQuery, toMarkup, type MentionMap } from './format.js';

type Member = MemberList['items'][number];

export interface MentionOptions {
  /** Prefix of the ids of the list and its options, unique in the widget. */
  id: string;
  /** Members whose names start with `q`, or undefined when the reader may not mention anyone. */
  lookUp: (q: string) => Promise<MemberList> | undefined;
  /** The box being typed in. */
  textarea: () => HTMLTextAreaElement | null;
  /** The text with the chosen mention in place, to keep as the draft. */
  inserted: (text: string) => void;
}

/**
 * The mention combobox of one text box: typing `@ma` looks up the members the reader may mention, the
 * arrows move through them, Enter or Tab puts the highlighted one in the text as `@Name`, Escape
 * closes the list. Only the latest look-up's answer is shown. The box shows names; the controller
 * keeps which member each chosen name stands for, and gives the `@[Name](id)` source to send.
 */
export class MentionController implements ReactiveController {
  /** The open list: its members, the highlighted one, and where the `@name` being typed starts. */
  open?: { items: Member[]; active: number; at: { start: number; q: string } };
  /** Names chosen in this box → member ids. */
  private map: MentionMap = new Map();
  private loader = new Loader();

  constructor(
    private host: ReactiveControllerHost,
    private opts: MentionOptions,
  ) {
    host.addController(this);
  }

  get id(): string {
    return this.opts.id;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.loader.stop();
  }

  /** The box starts over from `src` (a draft or a comment's source): returns the text to show, its mentions remembered. */
  load(src: string): string {
    this.map = new Map();
    this.close();
    return fromMarkup(src, this.map);
  }

  /** The source of what the box shows, mentions as `@[Name](id)`. */
  markup(text: string): string {
    return toMarkup(text, this.map);
  }

  /** Closes the list (and drops a look-up under way). */
  close(): void {
    this.set(undefined);
    this.loader.stop();
  }

  /** The text or the caret moved: look up the `@name` under the caret, if any. */
  typed(textarea: HTMLTextAreaElement): void {
    const at = mentionQuery(textarea.value, textarea.selectionStart ?? textarea.value.length);
    const found = at?.q ? this.opts.lookUp(at.q) : undefined;
    if (!found) return this.close();
    void this.loader.run(
      () => found,
      (r) => this.set({ items: r.items, active: 0, at: at! }),
      () => this.set(undefined),
    );
  }

  /** Puts `m` in place of the `@name` being typed and moves the caret after it. */
  pick(m: Member): void {
    const t = this.opts.textarea();
    const at = this.open?.at;
    if (!t || !at) return;
    const r = insertMention(t.value, at, t.selectionStart ?? t.value.length, m);
    this.map.set(mentionName(m.name), m.id);
    this.set(undefined);
    t.value = r.text;
    this.opts.inserted(r.text);
    t.setSelectionRange(r.caret, r.caret);
    t.focus();
  }

  /** The box's keys while the list is open. */
  keydown = (e: KeyboardEvent): void => {
    const m = this.open;
    if (!m) return;
    if (e.key === 'Escape') this.set(undefined);
    else if (!m.items.length) return;
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = m.items.length;
      this.set({ ...m, active: (m.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n });
    } else if (e.key === 'Enter' || e.key === 'Tab') this.pick(m.items[m.active]);
    else return;
    e.preventDefault();
  };

  private set(open: MentionController['open']) {
    this.open = open;
    this.host.requestUpdate();
  }
}

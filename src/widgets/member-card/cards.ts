import type { CercleClient } from '../../client/client.js';
import { CercleError } from '../../client/errors.js';
import { getMember, membersById } from '../../client/members.js';
import type { MemberCard } from '../../contract/members.js';

/** The most ids one `GET /members?ids=` carries (the server's limit). */
const MAX_IDS = 50;

/**
 * Member cards of one client, read together: the ids asked for in the same
 * tick go out as one `GET /members?ids=…`, itself one read of the client's
 * batch — so a page of fifty hovercards and a discussion costs one request.
 * Cards are kept for the life of the client; an edit replaces its own.
 */
export class Cards {
  private cache = new Map<string, Promise<MemberCard>>();
  private wanted = new Map<string, [(c: MemberCard) => void, (e: unknown) => void]>();

  constructor(private client: CercleClient) {}

  /** The card of `id` (`me`: the signed-in member). */
  get(id: string): Promise<MemberCard> {
    let p = this.cache.get(id);
    if (!p) {
      p =
        id === 'me'
          ? getMember(this.client, 'me')
          : new Promise((resolve, reject) => {
              this.wanted.set(id, [resolve, reject]);
              if (this.wanted.size === 1) queueMicrotask(() => this.flush());
            });
      this.cache.set(id, p);
      // A failed read is not kept: the next ask tries again.
      p.catch(() => this.cache.get(id) === p && this.cache.delete(id));
    }
    return p;
  }

  /** Keeps cards read elsewhere (a directory page, a save). */
  put(card: MemberCard): void {
    const p = Promise.resolve(card);
    this.cache.set(card.id, p);
    if (card.self) this.cache.set('me', p);
  }

  /** Forgets every card (after an erase, or a change of reader). */
  clear(): void {
    this.cache.clear();
  }

  private flush() {
    const wanted = this.wanted;
    this.wanted = new Map();
    const ids = [...wanted.keys()];
    for (let i = 0; i < ids.length; i += MAX_IDS) {
      const part = ids.slice(i, i + MAX_IDS);
      membersById(this.client, part).then(
        (page) => {
          for (const id of part) {
            const card = page.items.find((c) => c.id === id);
            if (card) wanted.get(id)![0](card);
            else wanted.get(id)![1](new CercleError(404, 'member.unknown'));
          }
        },
        (e) => part.forEach((id) => wanted.get(id)![1](e)),
      );
    }
  }
}

const all = new WeakMap<CercleClient, Cards>();

/** The one `Cards` of a client, shared by every card and directory on the page. */
export const cardsOf = (client: CercleClient): Cards => {
  let c = all.get(client);
  if (!c) all.set(client, (c = new Cards(client)));
  return c;
};

import { en as shared, type Plural } from '../../i18n/en.js';
import { fr as partage } from '../../i18n/fr.js';
import type { Localize } from '../../i18n/localize.js';

/**
 * The discussion's main dictionary (the thread, the form, posting), on top of
 * the shared strings: `l.t` in the discussion. Its actions' strings are in
 * `strings.ts`. Only the discussion's entry carries them.
 */
const en = {
  ...shared,
  heading: 'Comments',
  count: { one: '# comment', other: '# comments' } as Plural,
  loading: 'Loading comments…',
  empty: 'No comments yet.',
  loadError: 'The comments could not be loaded.',
  more: 'Show more comments',
  label: 'Your comment',
  post: 'Post',
  sending: 'Sending…',
  left: { one: '# character left', other: '# characters left' } as Plural,
  over: { one: '# character too many', other: '# characters too many' } as Plural,
  notSent: 'Not sent',
  retry: 'Retry',
  notSentNote: 'Your comment was not sent. It is kept here and will be sent again when the connection is back.',
  posted: 'Your comment was posted.',
  deleted: 'This comment was deleted.',
  pending: 'awaiting moderation',
  edited: 'edited',
  former: 'Former member',
  wait: { one: 'Please wait # second before trying again.', other: 'Please wait # seconds before trying again.' } as Plural,
  errors: {
    ...shared.errors,
    'thread.locked': 'This discussion is closed.',
    'thread.forbidden': 'This discussion is open to some members only.',
    'comment.too_long': 'Your comment is too long.',
    'rate.limited': 'You are posting too fast.',
    'request.invalid': 'Please check your comment.',
    'site.unknown': 'This site is not set up for comments.',
  } as Record<string, string>,
};

export type Messages = typeof en;

const fr: Messages = {
  ...partage,
  heading: 'Commentaires',
  count: { one: '# commentaire', other: '# commentaires' },
  loading: 'Chargement des commentaires…',
  empty: 'Aucun commentaire pour l’instant.',
  loadError: 'Les commentaires n’ont pas pu être chargés.',
  more: 'Afficher plus de commentaires',
  label: 'Votre commentaire',
  post: 'Publier',
  sending: 'Envoi…',
  left: { one: '# caractère restant', other: '# caractères restants' },
  over: { one: '# caractère en trop', other: '# caractères en trop' },
  notSent: 'Non envoyé',
  retry: 'Réessayer',
  notSentNote: 'Votre commentaire n’a pas été envoyé. Il est conservé ici et sera renvoyé au retour de la connexion.',
  posted: 'Votre commentaire a été publié.',
  deleted: 'Ce commentaire a été supprimé.',
  pending: 'en attente de modération',
  edited: 'modifié',
  former: 'Ancien membre',
  wait: {
    one: 'Merci de patienter # seconde avant de réessayer.',
    other: 'Merci de patienter # secondes avant de réessayer.',
  },
  errors: {
    ...partage.errors,
    'thread.locked': 'Cette discussion est close.',
    'thread.forbidden': 'Cette discussion est réservée à certains membres.',
    'comment.too_long': 'Votre commentaire est trop long.',
    'rate.limited': 'Vous publiez trop vite.',
    'request.invalid': 'Vérifiez votre commentaire.',
    'site.unknown': 'Ce site n’est pas configuré pour les commentaires.',
  },
};

export const messages = { en, fr };

/** The discussion's localize controller: `t` is its main dictionary. */
export type L = Localize<Messages>;

import type { RuleSet } from '../../contract/engagement.js';

/**
 * The rules a site starts with. Contribution, not clicks: posting alone takes a member only so
 * far; what others found useful, meetings attended and hosted, and introductions accepted count.
 * Leaderboards are off.
 */
export const DEFAULT_RULES: RuleSet = {
  levels: [
    {
      id: 'nouveau',
      name: { fr: 'Nouveau membre', en: 'New member' },
      description: { fr: 'Bienvenue dans le réseau.', en: 'Welcome to the network.' },
    },
    {
      id: 'contributeur',
      name: { fr: 'Contributeur', en: 'Contributor' },
      description: {
        fr: 'A pris part à la vie du réseau : discussions, rencontres ou mises en relation.',
        en: 'Has taken part in the network: discussions, events or introductions.',
      },
      requires: { count: ['comment.posted', 'event.attended', 'introduction.made'], atLeast: 3 },
    },
    {
      id: 'pilier',
      name: { fr: 'Pilier', en: 'Pillar' },
      description: {
        fr: 'Ses réponses aident, on le voit aux rencontres.',
        en: 'Their answers help, and they come to the meetings.',
      },
      requires: {
        all: [
          { count: 'useful.received', atLeast: 10 },
          { count: 'event.attended', atLeast: 5 },
        ],
      },
    },
    {
      id: 'ambassadeur',
      name: { fr: 'Ambassadeur', en: 'Ambassador' },
      description: {
        fr: 'Fait vivre le réseau : anime des rencontres et met les membres en relation.',
        en: 'Keeps the network alive: hosts events and introduces members to each other.',
      },
      requires: {
        all: [
          { count: 'event.hosted', atLeast: 2 },
          { count: 'introduction.accepted', atLeast: 5 },
        ],
      },
    },
  ],
  badges: [
    {
      id: 'premiere-contribution',
      name: { fr: 'Première contribution', en: 'First contribution' },
      description: { fr: 'A publié sa première contribution à une discussion.', en: 'Posted their first contribution to a discussion.' },
      icon: 'spark',
      requires: { count: 'comment.posted', atLeast: 1 },
    },
    {
      id: 'reponse-utile-10',
      name: { fr: 'Réponse utile ×10', en: 'Helpful answer ×10' },
      description: { fr: 'Ses contributions ont été jugées utiles dix fois.', en: 'Their contributions were marked useful ten times.' },
      icon: 'lightbulb',
      requires: { count: 'useful.received', atLeast: 10 },
    },
    {
      id: 'fidele-aux-rencontres',
      name: { fr: 'Fidèle aux rencontres', en: 'Regular at meetings' },
      description: { fr: 'A participé à trois rencontres en six mois.', en: 'Attended three events within six months.' },
      icon: 'calendar',
      requires: { count: 'event.attended', atLeast: 3, withinDays: 183 },
    },
    {
      id: 'passeur',
      name: { fr: 'Passeur', en: 'Connector' },
      description: { fr: 'Trois de ses mises en relation ont été acceptées.', en: 'Three of their introductions were accepted.' },
      icon: 'handshake',
      requires: { count: 'introduction.accepted', atLeast: 3 },
    },
    {
      id: 'hote',
      name: { fr: 'Hôte', en: 'Host' },
      description: { fr: 'A animé une rencontre du réseau.', en: 'Hosted an event of the network.' },
      icon: 'home',
      requires: { count: 'event.hosted', atLeast: 1 },
    },
    {
      id: 'pilier-du-chapitre',
      name: { fr: 'Pilier du chapitre', en: 'Chapter pillar' },
      description: {
        fr: "A participé à cinq rencontres d'un même chapitre et en a animé une.",
        en: 'Attended five events of one chapter and hosted one.',
      },
      icon: 'pin',
      scope: 'chapter',
      requires: {
        all: [
          { count: 'event.attended', atLeast: 5 },
          { count: 'event.hosted', atLeast: 1 },
        ],
      },
    },
  ],
  recentlyActive: { enabled: false, days: 30, size: 12 },
};

/**
 * The demo association's own data: the host site knows its members (it signs them in);
 * Cercle only learns what the token tells it.
 */

export const SITE_ID = 'demo';
export const SITE_NAME = "Club des Dirigeants d'Occitanie";

/** Canonical addresses of the pages: stable whatever port the demo runs on, so thread keys stay put. */
export const CANONICAL = 'https://demo.cercle.example';

type Role = 'member' | 'moderator' | 'admin';

export interface Chapter {
  id: string;
  name: string;
}

export const CHAPTERS: Chapter[] = [
  { id: 'toulouse', name: 'Toulouse' },
  { id: 'montpellier', name: 'Montpellier' },
  { id: 'perpignan', name: 'Perpignan' },
  { id: 'nimes', name: 'Nîmes' },
];

export interface DirectoryMember {
  /** The host's member number: becomes the token's `sub`. */
  id: string;
  name: string;
  chapters: string[];
  roles: Role[];
  /** Chapters this member moderates (the token's `moderates` claim), short of the site-wide role. */
  moderates?: string[];
  /** What the member runs, as the association's directory shows it (not sent to Cercle). */
  business: { fr: string; en: string };
}

const m = (id: string, name: string, chapters: string[], fr: string, en: string, roles: Role[] = ['member']): DirectoryMember => ({
  id,
  name,
  chapters,
  roles,
  business: { fr, en },
});

export const MEMBERS: DirectoryMember[] = [
  m('adh-1001', 'Hélène Marty', ['toulouse'], 'Présidente, menuiserie industrielle', 'President, industrial joinery', ['member', 'admin']),
  m('adh-1002', 'Jean-Marc Castagné', ['toulouse'], "Cabinet d'expertise comptable", 'Chartered accountancy firm', ['member', 'moderator']),
  m('adh-1003', 'Camille Rouanet', ['montpellier'], 'Agence de communication', 'Communications agency'),
  m('adh-1004', 'Karim Benali', ['montpellier'], 'Éditeur de logiciels de gestion', 'Business software publisher', ['member', 'moderator']),
  m('adh-1005', 'Sophie Delmas', ['perpignan'], 'Transport frigorifique', 'Refrigerated haulage'),
  m('adh-1006', 'Pierre Escande', ['nimes'], 'Négoce de vins', 'Wine merchant'),
  m('adh-1007', 'Nathalie Roques', ['toulouse'], "Bureau d'études en énergie", 'Energy engineering consultancy'),
  m('adh-1008', 'Thomas Vidal', ['perpignan'], 'Conserverie artisanale', 'Artisan cannery'),
  m('adh-1009', 'Isabelle Cazals', ['nimes'], 'Imprimerie et façonnage', 'Printing and finishing'),
  m('adh-1010', 'Olivier Puech', ['montpellier'], 'Travaux publics', 'Civil engineering works'),
  m('adh-1011', 'Laure Bousquet', ['toulouse'], 'Cabinet de recrutement', 'Recruitment firm'),
  m('adh-1012', 'Antoine Sabatier', ['nimes'], 'Fabrication de mobilier urbain', 'Street furniture manufacturing'),
  m('adh-1013', 'Marie-Claire Fournier', ['perpignan'], 'Hôtellerie de plein air', 'Campsites and holiday parks'),
  m('adh-1014', 'Julien Carrère', ['toulouse', 'montpellier'], 'Sous-traitance aéronautique', 'Aerospace subcontracting'),
  m('adh-1015', 'Sandrine Laffont', ['montpellier'], 'Laboratoire de cosmétiques', 'Cosmetics laboratory'),
  m('adh-1016', 'Mathieu Granier', ['nimes'], 'Distribution de matériel agricole', 'Farm equipment dealer'),
  m('adh-1017', 'Émilie Teisseire', ['perpignan'], 'Conseil en cybersécurité', 'Cybersecurity consultancy'),
  m('adh-1018', 'François Azéma', ['toulouse'], 'Négoce de matériaux', 'Building materials trade'),
  { ...m('adh-1019', 'Leïla Haddad', ['montpellier'], 'Clinique vétérinaire', 'Veterinary clinic'), moderates: ['montpellier'] },
  m('adh-1020', 'Bernard Combes', ['nimes'], 'Cave coopérative (directeur)', 'Wine cooperative (managing director)'),
];

export const memberById = (id: string) => MEMBERS.find((x) => x.id === id);

/** Initials for the generated avatars. */
export function initials(name: string) {
  const parts = name.split(/[\s-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

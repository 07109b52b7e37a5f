/** The words of a language for the association's local groups, by `chapterTerm`. */
export interface TermWords {
  /** "chapter", "antenne" */
  one: string;
  /** "chapters", "antennes" */
  many: string;
  /** "in chapter", "dans l’antenne", "au club", "im Club": before a group's name. */
  in: string;
  /** "in a chapter", "dans une antenne", "dans un club", "in einem Club". */
  inA: string;
}

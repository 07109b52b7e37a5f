import { expect } from '@open-wc/testing';
import { Localize, plural, registerLocale } from '../../src/i18n/localize.js';
import { en } from '../../src/widgets/discussion/locales/en.js';
import { fr } from '../../src/widgets/discussion/locales/fr.js';
import '../../src/widgets/discussion/strings.js';

const localize = (lang: string) => {
  const el = document.createElement('div');
  el.lang = lang;
  document.body.append(el);
  return new Localize(el, () => undefined, 'discussion', { en, fr });
};

describe('Localize', () => {
  it('speaks French for any fr* tag and English otherwise, numbers written the language’s way', () => {
    expect(localize('fr-CA').t.count(1)).to.equal('1 commentaire');
    expect(localize('fr').t.left(1234)).to.equal('1\u202f234 caractères restants');
    expect(localize('en-GB').t.count(2)).to.equal('2 comments');
    expect(localize('pt').t.heading).to.equal('Comments');
  });

  it('takes a language a page registers, a region falling back to it, a missing key to English', () => {
    registerLocale('de', 'discussion', {
      heading: 'Kommentare',
      count: plural('de', '# Kommentar', '# Kommentare'),
      errors: { 'thread.locked': 'Diese Diskussion ist geschlossen.' },
    });
    const de = localize('de-AT').t;
    expect(de.heading).to.equal('Kommentare');
    expect(de.count(1)).to.equal('1 Kommentar');
    expect(de.count(3)).to.equal('3 Kommentare');
    expect(de.post).to.equal('Post');
    expect(de.errors['thread.locked']).to.equal('Diese Diskussion ist geschlossen.');
    // The other errors stay, in English.
    expect(de.errors.network).to.equal('The connection failed.');
  });

  it('lets a page change some strings of a built-in language', () => {
    registerLocale('fr', 'discussion', { heading: 'Réactions des adhérents' });
    const t = localize('fr').t;
    expect(t.heading).to.equal('Réactions des adhérents');
    expect(t.post).to.equal('Publier');
    registerLocale('fr', 'discussion', { heading: fr.heading });
  });
});

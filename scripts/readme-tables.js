#!/usr/bin/env node
// Writes the README's element reference from custom-elements.json (between the `elements` markers).
// `--check` fails instead when the README is not current.
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- elements:start (generated from custom-elements.json by scripts/readme-tables.js) -->';
const END = '<!-- elements:end -->';
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
const table = (head, rows) =>
  rows.length
    ? [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join(
        '\n',
      )
    : '';

const out = [];
const elements = manifest.modules
  .flatMap((m) => m.declarations ?? [])
  .filter((d) => d.customElement && d.tagName)
  .sort((a, b) => a.tagName.localeCompare(b.tagName));
for (const el of elements) {
  out.push(`### \`<${el.tagName}>\``, '', cell(el.summary ?? el.description ?? ''), '');
  const attrs = (el.attributes ?? []).filter((a) => !a.name.startsWith('_'));
  const sections = [
    [
      'Attributes',
      ['attribute', 'type', 'default', 'description'],
      attrs.map((a) => [`\`${a.name}\``, a.type?.text ? `\`${a.type.text}\`` : '', a.default ? `\`${a.default}\`` : '', a.description]),
    ],
    ['Events', ['event', 'description'], (el.events ?? []).filter((e) => e.name).map((e) => [`\`${e.name}\``, e.description])],
    ['Slots', ['slot', 'description'], (el.slots ?? []).map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description])],
    ['Parts', ['part', 'description'], (el.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description])],
    [
      'CSS custom properties',
      ['property', 'default', 'description'],
      (el.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.default ? `\`${p.default}\`` : '', p.description]),
    ],
  ];
  for (const [title, head, rows] of sections) {
    if (rows.length) out.push(`**${title}**`, '', table(head, rows), '');
  }
}
const block = `${START}\n${out.join('\n').trim()}\n${END}`;
const readme = readFileSync('README.md', 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < 0) {
  console.error('README.md lacks the elements markers');
  process.exit(1);
}
const next = readme.slice(0, a) + block + readme.slice(b + END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md element reference is out of date: run `npm run manifest` and commit README.md and custom-elements.json');
    process.exit(1);
  }
  console.log('README element reference is current');
} else {
  writeFileSync('README.md', next);
}

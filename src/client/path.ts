/**
 * Paths of the API relative to a site (`/v1/sites/{site}`), as the contract's route table spells
 * them. The feature modules build them with these two helpers rather than importing the table itself,
 * which carries the zod schemas; `test/widgets/client-paths.test.ts` checks each one against the table.
 */

/** A path parameter, escaped. */
export const seg = (value: string): string => '/' + encodeURIComponent(value);

/** `path?k=v…` with the parameters that are set: `true` as `1`; `undefined`, `null`, `false` and `''` left out. */
export const withQuery = (path: string, params: Record<string, string | number | boolean | null | undefined>): string => {
  const q = new URLSearchParams();
  for (const k in params) {
    const v = params[k];
    if (v !== undefined && v !== null && v !== false && v !== '') q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return s ? path + '?' + s : path;
};

import { openStore, type Store } from '../store/store.js';

/** Where the command line finds its database: DATABASE_URL, else CERCLE_DB, else the default SQLite file. */
export function databaseUrl() {
  return process.env.DATABASE_URL || process.env.CERCLE_DB || undefined;
}

/** Runs a command against the database, closing it afterwards. */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Writes one line of a command's output. */
export type Out = (s: string) => void;

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/server/store/store.js';

/**
 * A fresh store for one benchmark: a SQLite file in a temp folder, or a schema of its own on the
 * PostgreSQL of `DATABASE_URL`. `dispose` closes it and removes the file or the schema.
 */
export async function benchStore(kind: 'sqlite' | 'postgres', name: string): Promise<{ store: Store; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `cercle-bench-${name}-`));
  const schema = `cercle_bench_${name.replace(/\W/g, '_')}_${Date.now().toString(36)}`;
  const store = kind === 'sqlite' ? await openStore(join(dir, 'bench.db')) : await openStore(process.env.DATABASE_URL!, { schema });
  return {
    store,
    async dispose() {
      await store.close();
      if (kind === 'postgres') {
        const { default: pg } = await import('pg');
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

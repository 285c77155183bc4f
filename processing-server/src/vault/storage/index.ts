/** Opens the card vault's store where the payments' store is: its own SQLite file under DATA_DIR, or its own tables on PostgreSQL. */
import path from 'node:path';
import type { VaultStore } from '../store.ts';
import { openPostgresVaultStore } from './postgres-store.ts';
import { openSqliteVaultStore, VAULT_SQLITE_FILE_NAME } from './sqlite-store.ts';

export { openPostgresVaultStore, openSqliteVaultStore, VAULT_SQLITE_FILE_NAME };

export async function openVaultStore(config: { DATA_DIR: string; DATABASE_URL?: string | undefined }): Promise<VaultStore> {
  if (config.DATABASE_URL) return openPostgresVaultStore(config.DATABASE_URL);
  return openSqliteVaultStore(path.join(config.DATA_DIR, VAULT_SQLITE_FILE_NAME));
}

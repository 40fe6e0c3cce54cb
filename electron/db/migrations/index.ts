import { migration001 } from './001-initial';
import { migration002 } from './002-audits';
import { migration003 } from './003-import-digest';

/**
 * The numbered migrations, in order: entry i brings the store from user_version i to i + 1.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [migration001, migration002, migration003];

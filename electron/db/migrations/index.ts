// The numbered migrations, in order: the store's schema version is their count.
import { migration001 } from './001-initial';
import { migration002 } from './002-audits';
import { migration003 } from './003-import-digest';
import { migration004 } from './004-run-columns';
import { migration005 } from './005-data-shifts';
import { migration006 } from './006-metric-histories';
import { migration007 } from './007-audit-leases';
import { migration008 } from './008-hash-cache-ctime';
import { migration009 } from './009-import-fingerprint';
import { migration010 } from './010-import-sources';
import { migration011 } from './011-import-skips';
import { migration012 } from './012-plain-snapshot-cells';
import type Database from 'better-sqlite3';

/** One migration: SQL to run, or a function for one that must read what is stored. */
export type Migration = string | ((db: Database.Database) => void);

/**
 * The numbered migrations, in order: entry i brings the store from user_version i to i + 1.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
];

/* ks-sqlite-backend.h: the store backend on an embedded SQLite database (as k3s keeps its
 * objects by default).
 *
 * One file (real mode: <data-dir>/store.db) in WAL mode with synchronous=FULL, so each put or
 * remove is one transaction that is on disk when it returns.  The connection holds an exclusive
 * lock while it is open: a second process (another control plane on the same data directory)
 * gets KS_STORE_BACKEND_ERROR_BUSY.  The format is in docs/architecture.md ("Durability"). */
#pragma once

#include "ks-store-backend.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a kubesim store ("kubs"), and the schema version (PRAGMA
 * user_version) this kubesim reads and writes. */
#define KS_SQLITE_APPLICATION_ID 0x6b756273
#define KS_SQLITE_SCHEMA_VERSION 1

/* Open the store database at path, creating it (not its directory) when absent.  Errors name
 * path and say what is wrong: SQLite's message when it cannot open or read the file,
 * KS_STORE_BACKEND_ERROR_NOT_A_STORE for a file that is not a kubesim store,
 * KS_STORE_BACKEND_ERROR_TOO_NEW for a store of a newer schema version, ..._BUSY when another
 * process has it open (after waiting 2 s for it to let go). */
KsStoreBackend *ks_sqlite_backend_open (const char *path, GError **error);

G_END_DECLS

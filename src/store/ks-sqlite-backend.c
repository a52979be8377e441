/* ks-sqlite-backend.c: the store backend on SQLite. */
#include "config.h"

#include <sqlite3.h>

#include "ks-sqlite-backend.h"

/* How long to wait for another connection to let go of the database: long enough for a control
 * plane that is shutting down to close it, short enough to report a second one promptly. */
#define BUSY_TIMEOUT_MS 2000

static const char schema_sql[] = "CREATE TABLE objects ("
                                 "  kind TEXT NOT NULL,"      /* "Pod", "Deployment.apps" */
                                 "  namespace TEXT NOT NULL," /* '' for cluster-scoped objects */
                                 "  name TEXT NOT NULL,"
                                 "  resource_version INTEGER NOT NULL,"
                                 "  json TEXT NOT NULL,"
                                 "  PRIMARY KEY (kind, namespace, name)"
                                 ") WITHOUT ROWID;"
                                 "CREATE TABLE meta ("
                                 "  key TEXT PRIMARY KEY NOT NULL,"
                                 "  value NOT NULL"
                                 ") WITHOUT ROWID;"
                                 "INSERT INTO meta (key, value) VALUES ('resource_version', 0);";

typedef struct
{
  KsStoreBackend parent;
  char *path;
  sqlite3 *db;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;
  sqlite3_stmt *put;
  sqlite3_stmt *remove;
  sqlite3_stmt *set_rv;
  sqlite3_stmt *get_rv;
  sqlite3_stmt *select_all;
} KsSqliteBackend;

static void
sqlite_backend_free (KsStoreBackend *base)
{
  KsSqliteBackend *self = (KsSqliteBackend *) base;
  sqlite3_stmt **stmts[] = { &self->begin,  &self->commit, &self->rollback, &self->put,
                             &self->remove, &self->set_rv, &self->get_rv,   &self->select_all };

  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    g_clear_pointer (stmts[i], sqlite3_finalize);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_free (self);
}

/* Set error from the connection's last failure: "PATH: what: SQLite's message". */
static void
set_sqlite_error (KsSqliteBackend *self, GError **error, const char *what)
{
  int code = sqlite3_errcode (self->db) & 0xff;
  KsStoreBackendError kind = KS_STORE_BACKEND_ERROR_FAILED;

  if (code == SQLITE_NOTADB)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_NOT_A_STORE,
                   "%s: not a kubesim store database: %s", self->path, sqlite3_errmsg (self->db));
      return;
    }
  else if (code == SQLITE_CORRUPT)
    kind = KS_STORE_BACKEND_ERROR_CORRUPT;
  else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_BUSY,
                   "%s: %s: %s (is another control plane using this data directory?)", self->path,
                   what, sqlite3_errmsg (self->db));
      return;
    }
  g_set_error (error, KS_STORE_BACKEND_ERROR, kind, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
}

static gboolean
exec (KsSqliteBackend *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

/* The integer result of a one-row query (a PRAGMA). */
static gboolean
query_int (KsSqliteBackend *self, const char *sql, const char *what, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      ok = TRUE;
    }
  else
    set_sqlite_error (self, error, what);
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
prepare (KsSqliteBackend *self, const char *sql, sqlite3_stmt **out, GError **error)
{
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
    {
      /* The tables are missing or have other columns: someone else's file, or damaged. */
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "%s: not a valid kubesim store database: %s", self->path,
                   sqlite3_errmsg (self->db));
      return FALSE;
    }
  return TRUE;
}

/* Check that the file is empty (then create the schema) or a kubesim store this binary can
 * read, before changing anything in it. */
static gboolean
check_schema (KsSqliteBackend *self, gboolean *fresh, GError **error)
{
  gint64 app_id, version, n_tables;

  if (!query_int (self, "PRAGMA application_id", "cannot read the store database", &app_id, error)
      || !query_int (self, "PRAGMA user_version", "cannot read the store database", &version, error)
      || !query_int (self, "SELECT count(*) FROM sqlite_schema", "cannot read the store database",
                     &n_tables, error))
    return FALSE;
  *fresh = app_id == 0 && version == 0 && n_tables == 0;
  if (*fresh)
    return TRUE;
  if (app_id != KS_SQLITE_APPLICATION_ID)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_NOT_A_STORE,
                   "%s: not a kubesim store database (an SQLite database of another application: "
                   "application_id 0x%08" G_GINT64_MODIFIER "x, a kubesim store has 0x%08x)",
                   self->path, app_id, KS_SQLITE_APPLICATION_ID);
      return FALSE;
    }
  if (version > KS_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_TOO_NEW,
                   "%s: the store database has schema version %" G_GINT64_FORMAT
                   ", newer than this kubesim reads (%d): use the kubesim that wrote it, or a "
                   "newer one",
                   self->path, version, KS_SQLITE_SCHEMA_VERSION);
      return FALSE;
    }
  if (version < 1)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "%s: not a valid kubesim store database: schema version %" G_GINT64_FORMAT
                   " (expected 1 to %d)",
                   self->path, version, KS_SQLITE_SCHEMA_VERSION);
      return FALSE;
    }
  /* Migrations from older schema versions go here. */
  return TRUE;
}

static gboolean
create_schema (KsSqliteBackend *self, GError **error)
{
  g_autofree char *sql
      = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA application_id = %d; PRAGMA user_version = "
                         "%d; COMMIT;",
                         schema_sql, KS_SQLITE_APPLICATION_ID, KS_SQLITE_SCHEMA_VERSION);

  if (!exec (self, sql, "cannot create the store database", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Run a prepared statement that returns no rows. */
static gboolean
step_done (KsSqliteBackend *self, sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  (void) self;
  /* After a failed step, reset reports the same error, so sqlite3_errmsg still tells it. */
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* End a write transaction: commit when ok, and otherwise (or when the commit fails) set error
 * from the failing statement and roll back, so that nothing of the write stays. */
static gboolean
end_write (KsSqliteBackend *self, gboolean ok, const char *verb, const char *kind, const char *ns,
           const char *name, GError **error)
{
  g_autofree char *what = NULL;

  if (ok && step_done (self, self->commit))
    return TRUE;
  what = g_strdup_printf ("cannot %s %s %s%s%s", verb, kind, ns ? ns : "", ns ? "/" : "", name);
  set_sqlite_error (self, error, what);
  /* A failed COMMIT may leave the transaction open (SQLITE_BUSY) or have rolled it back. */
  if (!sqlite3_get_autocommit (self->db))
    step_done (self, self->rollback);
  return FALSE;
}

static void
bind_key (sqlite3_stmt *stmt, const char *kind, const char *ns, const char *name)
{
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ns != NULL ? ns : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_STATIC);
}

static gboolean
sqlite_backend_put (KsStoreBackend *base, const KsBackendRecord *record, GError **error)
{
  KsSqliteBackend *self = (KsSqliteBackend *) base;
  gboolean ok = step_done (self, self->begin);

  if (ok)
    {
      bind_key (self->put, record->kind, record->namespace, record->name);
      sqlite3_bind_int64 (self->put, 4, (sqlite3_int64) record->resource_version);
      sqlite3_bind_text (self->put, 5, record->json, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (self->set_rv, 1, (sqlite3_int64) record->resource_version);
      ok = step_done (self, self->put) && step_done (self, self->set_rv);
      sqlite3_clear_bindings (self->put);
    }
  return end_write (self, ok, "write", record->kind, record->namespace, record->name, error);
}

static gboolean
sqlite_backend_remove (KsStoreBackend *base, const char *kind, const char *ns, const char *name,
                       guint64 resource_version, GError **error)
{
  KsSqliteBackend *self = (KsSqliteBackend *) base;
  gboolean ok = step_done (self, self->begin);

  if (ok)
    {
      bind_key (self->remove, kind, ns, name);
      sqlite3_bind_int64 (self->set_rv, 1, (sqlite3_int64) resource_version);
      ok = step_done (self, self->remove) && step_done (self, self->set_rv);
      sqlite3_clear_bindings (self->remove);
    }
  return end_write (self, ok, "delete", kind, ns, name, error);
}

static gboolean
sqlite_backend_load (KsStoreBackend *base, KsBackendLoadFunc func, gpointer user_data,
                     guint64 *resource_version, GError **error)
{
  KsSqliteBackend *self = (KsSqliteBackend *) base;
  sqlite3_stmt *stmt = self->select_all;
  gboolean ok = TRUE;
  int rc;

  rc = sqlite3_step (self->get_rv);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                     "%s: not a valid kubesim store database: meta.resource_version is missing",
                     self->path);
      else
        set_sqlite_error (self, error, "cannot read the store database");
      sqlite3_reset (self->get_rv);
      return FALSE;
    }
  if (sqlite3_column_type (self->get_rv, 0) != SQLITE_INTEGER
      || sqlite3_column_int64 (self->get_rv, 0) < 0)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "%s: not a valid kubesim store database: meta.resource_version is not a "
                   "non-negative integer",
                   self->path);
      sqlite3_reset (self->get_rv);
      return FALSE;
    }
  *resource_version = (guint64) sqlite3_column_int64 (self->get_rv, 0);
  sqlite3_reset (self->get_rv);

  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KsBackendRecord record = {
        .kind = (const char *) sqlite3_column_text (stmt, 0),
        .namespace = (const char *) sqlite3_column_text (stmt, 1),
        .name = (const char *) sqlite3_column_text (stmt, 2),
        .resource_version = (guint64) sqlite3_column_int64 (stmt, 3),
        .json = (const char *) sqlite3_column_text (stmt, 4),
      };
      if (sqlite3_column_type (stmt, 3) != SQLITE_INTEGER || sqlite3_column_int64 (stmt, 3) <= 0
          || record.kind == NULL || record.namespace == NULL || record.name == NULL
          || record.json == NULL)
        {
          g_set_error (
              error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
              "%s: not a valid kubesim store database: the record of %s %s%s%s has a "
              "missing or invalid column",
              self->path, record.kind ? record.kind : "?", record.namespace ? record.namespace : "",
              record.namespace && record.namespace[0] ? "/" : "", record.name ? record.name : "?");
          ok = FALSE;
          break;
        }
      if (record.namespace[0] == '\0')
        record.namespace = NULL;
      if (!func (&record, user_data, error))
        {
          g_prefix_error (error, "%s: ", self->path);
          ok = FALSE;
        }
    }
  if (ok && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "cannot read the store database");
      ok = FALSE;
    }
  sqlite3_reset (stmt);
  return ok;
}

static const KsStoreBackendOps sqlite_backend_ops = {
  .load = sqlite_backend_load,
  .put = sqlite_backend_put,
  .remove = sqlite_backend_remove,
  .free = sqlite_backend_free,
};

KsStoreBackend *
ks_sqlite_backend_open (const char *path, GError **error)
{
  KsSqliteBackend *self = g_new0 (KsSqliteBackend, 1);
  g_autoptr (KsStoreBackend) base = &self->parent;
  g_autofree char *mode = NULL;
  gboolean fresh = FALSE;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  self->parent.ops = &sqlite_backend_ops;
  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      set_sqlite_error (self, error, "cannot open the store database");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  /* One control plane owns the store: hold the file's lock from the first access until close. */
  if (!exec (self, "PRAGMA locking_mode = EXCLUSIVE", "cannot open the store database", error)
      || !check_schema (self, &fresh, error))
    return NULL;

  /* WAL: a commit appends to the log and syncs it once; FULL syncs at every commit, so that a
   * commit that returned survives a crash or power loss (NORMAL could lose the last ones). */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      set_sqlite_error (self, error, "cannot switch the store database to WAL mode");
      return NULL;
    }
  mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_FAILED,
                   "%s: cannot switch the store database to WAL mode (it stays in %s mode)", path,
                   mode ? mode : "an unknown");
      return NULL;
    }
  if (!exec (self, "PRAGMA synchronous = FULL", "cannot open the store database", error))
    return NULL;
  if (fresh && !create_schema (self, error))
    return NULL;

  if (!prepare (self, "BEGIN IMMEDIATE", &self->begin, error)
      || !prepare (self, "COMMIT", &self->commit, error)
      || !prepare (self, "ROLLBACK", &self->rollback, error)
      || !prepare (self,
                   "INSERT OR REPLACE INTO objects (kind, namespace, name, resource_version, json) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   &self->put, error)
      || !prepare (self, "DELETE FROM objects WHERE kind = ?1 AND namespace = ?2 AND name = ?3",
                   &self->remove, error)
      || !prepare (self, "UPDATE meta SET value = ?1 WHERE key = 'resource_version'", &self->set_rv,
                   error)
      || !prepare (self, "SELECT value FROM meta WHERE key = 'resource_version'", &self->get_rv,
                   error)
      || !prepare (self,
                   "SELECT kind, namespace, name, resource_version, json FROM objects "
                   "ORDER BY kind, namespace, name",
                   &self->select_all, error))
    return NULL;
  return g_steal_pointer (&base);
}

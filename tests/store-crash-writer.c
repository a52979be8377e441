/* store-crash-writer.c: a store on an SQLite database, for the crash test (tests/store-crash.sh)
 * and the commit-rate benchmark (docs/benchmarks.md).
 *
 *   store-crash-writer write DB ROUND     write until killed, printing "acked put|delete NAME RV"
 *                                         after each write returned
 *   store-crash-writer check DB ACKS...   check DB against the acknowledgements of the rounds,
 *                                         in order; exit 1 with the reasons when it fails
 *   store-crash-writer bench DB N         N pod writes (creates, status updates) on a new DB;
 *                                         prints the commit rate
 *
 * The writer keeps pods named "keep-ROUND-I", which it creates and updates but never deletes,
 * and pods "gone-ROUND-I", which it creates and deletes at once.  After a crash every
 * acknowledged write must be there: a keep- pod at its acknowledged resourceVersion or a later
 * one; a gone- pod absent once its deletion was acknowledged, and otherwise present at its
 * acknowledged resourceVersion or later, or absent (the deletion committed, unacknowledged). */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "real/ks-wall-clock.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/store/ks-sqlite-backend.h"
#include "src/store/ks-store.h"

static const char pod_json[] = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
                               "\"x\",\"namespace\":\"default\",\"labels\":{\"app\":\"crash\"}},"
                               "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
                               "\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]}}";

static G_NORETURN void
die (const char *what, const GError *error)
{
  g_printerr ("store-crash-writer: %s: %s\n", what, error ? error->message : "failed");
  exit (2);
}

static KsStore *
open_store (KsClock *clock, const char *path)
{
  g_autoptr (GError) error = NULL;
  KsStoreBackend *backend = ks_sqlite_backend_open (path, &error);
  KsStore *store;

  if (backend == NULL)
    die ("open", error);
  store = ks_store_new (clock, 0);
  ks_store_use_system_random (store);
  ks_store_set_backend (store, backend, 0);
  if (!ks_store_load (store, &error))
    die ("load", error);
  return store;
}

static KsObject *
pod_new (const char *name)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *pod;

  json_parser_load_from_data (parser, pod_json, -1, NULL);
  ks_decoder_init (&dec, NULL, diag);
  pod = ks_object_decode (&dec, json_parser_get_root (parser), NULL);
  ks_decoder_clear (&dec);
  g_assert (pod != NULL);
  g_free (pod->meta.name);
  pod->meta.name = g_strdup (name);
  return pod;
}

static KsObject *
create_pod (KsStore *store, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) pod = pod_new (name);
  KsObject *stored = ks_store_create (store, pod, &error);

  if (stored == NULL)
    die ("create", error);
  return stored;
}

/* A status update, as a kubelet makes them. */
static KsObject *
update_pod (KsStore *store, KsObject *current, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) copy = ks_pod_copy (KS_POD (current));
  KsObject *stored;

  copy->phase = KS_POD_RUNNING;
  ks_pod_set_condition (copy, KS_POD_COND_READY,
                        copy->conditions[KS_POD_COND_READY].status == KS_CONDITION_TRUE
                            ? KS_CONDITION_FALSE
                            : KS_CONDITION_TRUE,
                        NULL, NULL, now);
  stored = ks_store_update (store, KS_OBJECT (copy), TRUE, &error);
  if (stored == NULL)
    die ("update", error);
  return stored;
}

static void
ensure_namespace (KsStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNamespace) ns = NULL;

  if (ks_store_get (store, ks_kind_get (KS_KIND_NAMESPACE), NULL, "default") != NULL)
    return;
  ns = ks_namespace_new ("default");
  if (ks_store_create (store, KS_OBJECT (ns), &error) == NULL)
    die ("create namespace", error);
}

static void
ack (const char *op, const KsObject *obj, guint64 rv)
{
  /* Only after the write returned; flushed at once, so the test sees what was acknowledged. */
  printf ("acked %s %s %" G_GUINT64_FORMAT "\n", op, obj->meta.name, rv);
  fflush (stdout);
}

static int
do_write (const char *path, const char *round)
{
  g_autoptr (KsWallClock) wall = ks_wall_clock_new ();
  KsClock *clock = ks_wall_clock_get_clock (wall);
  KsStore *store = open_store (clock, path);
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  ensure_namespace (store);
  for (guint i = 0;; i++)
    {
      g_autofree char *name = NULL;
      KsObject *obj;

      switch (i % 4)
        {
        case 0:
        case 1:
          name = g_strdup_printf ("keep-%s-%u", round, i);
          obj = create_pod (store, name);
          ack ("put", obj, obj->meta.resource_version);
          g_ptr_array_add (kept, g_steal_pointer (&name));
          break;
        case 2:
          {
            const char *which = g_ptr_array_index (kept, g_random_int_range (0, kept->len));
            obj = ks_store_get (store, ks_kind_get (KS_KIND_POD), "default", which);
            obj = update_pod (store, obj, ks_clock_now (clock));
            ack ("put", obj, obj->meta.resource_version);
          }
          break;
        default:
          {
            g_autoptr (GError) error = NULL;
            name = g_strdup_printf ("gone-%s-%u", round, i);
            obj = create_pod (store, name);
            ack ("put", obj, obj->meta.resource_version);
            obj = ks_object_ref (obj);
            if (!ks_store_delete (store, ks_kind_get (KS_KIND_POD), "default", name, NULL, &error))
              die ("delete", error);
            ack ("delete", obj, ks_store_get_resource_version (store));
            ks_object_unref (obj);
          }
          break;
        }
    }
  return 0;
}

typedef struct
{
  gboolean deleted;
  guint64 rv;
} Acked;

static int
do_check (const char *path, char **ack_files)
{
  g_autoptr (KsWallClock) wall = ks_wall_clock_new ();
  g_autoptr (GHashTable) acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint64 last_rv = 0;
  guint n_acks = 0, problems = 0;
  KsStore *store;

  /* The acknowledgements, in order: resourceVersions only grow, across restarts too. */
  for (char **f = ack_files; *f != NULL; f++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      g_autoptr (GError) error = NULL;

      if (!g_file_get_contents (*f, &text, NULL, &error))
        die ("read acknowledgements", error);
      lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l != NULL; l++)
        {
          char op[16], name[128];
          guint64 rv;
          Acked *a;

          if (**l == '\0')
            continue;
          if (sscanf (*l, "acked %15s %127s %" G_GUINT64_FORMAT, op, name, &rv) != 3)
            {
              g_printerr ("%s: not an acknowledgement: %s\n", *f, *l);
              problems++;
              continue;
            }
          if (rv <= last_rv)
            {
              g_printerr ("%s: resourceVersion %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT
                          ": the sequence went back\n",
                          *f, rv, last_rv);
              problems++;
            }
          last_rv = rv;
          a = g_new0 (Acked, 1);
          a->deleted = strcmp (op, "delete") == 0;
          a->rv = rv;
          g_hash_table_replace (acked, g_strdup (name), a);
          n_acks++;
        }
    }

  store = open_store (ks_wall_clock_get_clock (wall), path);
  if (ks_store_get_resource_version (store) < last_rv)
    {
      g_printerr ("the store's resourceVersion %" G_GUINT64_FORMAT
                  " is below the last acknowledged %" G_GUINT64_FORMAT "\n",
                  ks_store_get_resource_version (store), last_rv);
      problems++;
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, acked);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        const char *name = key;
        Acked *a = value;
        KsObject *obj = ks_store_get (store, ks_kind_get (KS_KIND_POD), "default", name);
        gboolean may_be_gone = g_str_has_prefix (name, "gone-");

        if (a->deleted && obj != NULL)
          {
            g_printerr ("%s: deleted at %" G_GUINT64_FORMAT ", but present\n", name, a->rv);
            problems++;
          }
        else if (!a->deleted && obj == NULL && !may_be_gone)
          {
            g_printerr ("%s: acknowledged at %" G_GUINT64_FORMAT ", but missing\n", name, a->rv);
            problems++;
          }
        else if (!a->deleted && obj != NULL && obj->meta.resource_version < a->rv)
          {
            g_printerr ("%s: acknowledged at %" G_GUINT64_FORMAT
                        ", but stored at %" G_GUINT64_FORMAT "\n",
                        name, a->rv, obj->meta.resource_version);
            problems++;
          }
      }
  }
  ks_store_free (store);

  /* The file itself: SQLite's own consistency check, after the store let go of it. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
      {
        g_printerr ("%s: %s\n", path, sqlite3_errmsg (db));
        problems++;
      }
    else
      while (sqlite3_step (stmt) == SQLITE_ROW)
        if (strcmp ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
          {
            g_printerr ("integrity_check: %s\n", sqlite3_column_text (stmt, 0));
            problems++;
          }
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  printf ("%u acknowledged writes checked, last resourceVersion %" G_GUINT64_FORMAT
          ", %u problems\n",
          n_acks, last_rv, problems);
  return problems == 0 ? 0 : 1;
}

static int
do_bench (const char *path, guint n)
{
  g_autoptr (KsWallClock) wall = ks_wall_clock_new ();
  KsClock *clock = ks_wall_clock_get_clock (wall);
  KsStore *store;
  g_autoptr (GPtrArray) pods = g_ptr_array_new ();
  gint64 start, elapsed;
  guint writes = 0;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("store-crash-writer: %s exists: the benchmark wants a new database\n", path);
      return 2;
    }
  store = open_store (clock, path);
  ensure_namespace (store);
  start = g_get_monotonic_time ();
  /* Half creates, half status updates: what starting pods costs. */
  for (guint i = 0; writes < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-%u", i);
      KsObject *obj = create_pod (store, name);
      writes++;
      if (writes < n)
        {
          update_pod (store, obj, ks_clock_now (clock));
          writes++;
        }
    }
  elapsed = g_get_monotonic_time () - start;
  printf ("%u writes in %.3f s = %.0f writes/s (SQLite %s, WAL, synchronous=FULL)\n", writes,
          elapsed / 1e6, writes / (elapsed / 1e6), sqlite3_libversion ());
  ks_store_free (store);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "write") == 0)
    return do_write (argv[2], argv[3]);
  if (argc >= 4 && strcmp (argv[1], "check") == 0)
    return do_check (argv[2], argv + 3);
  if (argc == 4 && strcmp (argv[1], "bench") == 0)
    {
      char *end;
      guint64 n = g_ascii_strtoull (argv[3], &end, 10);
      if (*end == '\0' && n > 0 && n < G_MAXUINT)
        return do_bench (argv[2], (guint) n);
    }
  g_printerr ("usage: store-crash-writer write DB ROUND\n"
              "       store-crash-writer check DB ACKS...\n"
              "       store-crash-writer bench DB N\n");
  return 2;
}

/* ks-pod-records.c: pods.csv (ks-pod-records.h). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ks-pod-records.h"
#include "src/api/ks-pod.h"

#define ATTEMPT_ANNOTATION "kubesim.io/attempt"

typedef struct
{
  KsUid uid;
  const char *node;
  gint64 created, scheduled, started;
  guint attempts;
  char name[]; /* as written in the row; one allocation with the record */
} Rec;

struct _KsPodRecords
{
  KsClient *client;
  KsClock *clock;
  char *tmp, *final;
  FILE *out;
  guint watch;
  gboolean finished;
  GHashTable *pods;  /* &Rec.uid → Rec*: the pods that exist and have not ended */
  GHashTable *notes; /* "namespace/name" → outcome (owned) */
  GString *line;     /* rows not yet written: flushed by the 64 KiB */
  guint64 rows;
};

KsPodRecords *
ks_pod_records_new (KsClient *client, KsClock *clock, const char *out_dir, GError **error)
{
  KsPodRecords *pr = g_new0 (KsPodRecords, 1);

  pr->client = client;
  pr->clock = clock;
  pr->final = g_build_filename (out_dir, "pods.csv", NULL);
  pr->tmp = g_strconcat (pr->final, ".tmp", NULL);
  /* A pods.csv of an earlier run must not pass for this one's. */
  g_unlink (pr->final);
  pr->out = g_fopen (pr->tmp, "w");
  if (pr->out == NULL)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write %s: %s", pr->tmp,
                   g_strerror (e));
      g_free (pr->final);
      g_free (pr->tmp);
      g_free (pr);
      return NULL;
    }
  fputs ("name,created,scheduled,started,finished,node,attempts,outcome\n", pr->out);
  pr->pods = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, g_free);
  pr->notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pr->line = g_string_sized_new (65536 + 1024);
  return pr;
}

void
ks_pod_records_free (KsPodRecords *pr)
{
  if (pr == NULL)
    return;
  if (pr->watch != 0)
    ks_client_unwatch (pr->client, pr->watch);
  if (pr->out != NULL)
    fclose (pr->out);
  if (!pr->finished)
    g_unlink (pr->tmp);
  g_hash_table_destroy (pr->pods);
  g_hash_table_destroy (pr->notes);
  g_string_free (pr->line, TRUE);
  g_free (pr->tmp);
  g_free (pr->final);
  g_free (pr);
}

static char *
pod_key (const char *namespace, const char *name)
{
  return g_strconcat (namespace != NULL ? namespace : "", "/", name, NULL);
}

void
ks_pod_records_note_outcome (KsPodRecords *pr, const char *namespace, const char *name,
                             const char *outcome)
{
  g_hash_table_replace (pr->notes, pod_key (namespace, name), g_strdup (outcome));
}

/* Seconds as metrics.csv writes them ("12", "12.5"), without printf: a row per pod must cost
 * kubesim run next to nothing. */
static void
append_time (GString *s, gint64 t)
{
  char buf[32];
  char *p = buf + sizeof buf;
  guint64 u, whole, frac;
  gboolean any = FALSE;

  if (t != KS_TIME_NONE)
    {
      u = t < 0 ? 0 - (guint64) t : (guint64) t;
      whole = u / G_USEC_PER_SEC;
      frac = u % G_USEC_PER_SEC;
      if (frac != 0)
        {
          for (int i = 0; i < 6; i++, frac /= 10)
            if (any || frac % 10 != 0)
              {
                *--p = (char) ('0' + frac % 10);
                any = TRUE;
              }
          *--p = '.';
        }
      do
        *--p = (char) ('0' + whole % 10);
      while ((whole /= 10) != 0);
      if (t < 0)
        *--p = '-';
      g_string_append_len (s, p, buf + sizeof buf - p);
    }
  g_string_append_c (s, ',');
}

static void
write_row (KsPodRecords *pr, const Rec *r, gint64 finished, const char *outcome)
{
  GString *s = pr->line;
  char buf[16];
  char *p = buf + sizeof buf;
  guint n = r->attempts;

  g_string_append (s, r->name);
  g_string_append_c (s, ',');
  append_time (s, r->created);
  append_time (s, r->scheduled);
  append_time (s, r->started);
  append_time (s, finished);
  if (r->node != NULL)
    g_string_append (s, r->node);
  g_string_append_c (s, ',');
  do
    *--p = (char) ('0' + n % 10);
  while ((n /= 10) != 0);
  g_string_append_len (s, p, buf + sizeof buf - p);
  g_string_append_c (s, ',');
  g_string_append (s, outcome);
  g_string_append_c (s, '\n');
  if (s->len >= 65536)
    {
      fwrite (s->str, 1, s->len, pr->out);
      g_string_truncate (s, 0);
    }
  pr->rows++;
}

/* The first time one of the pod's containers ran. */
static gint64
first_start (const KsPod *pod)
{
  gint64 t = KS_TIME_NONE;

  if (pod->container_statuses == NULL)
    return t;
  for (guint i = 0; i < pod->spec->n_containers; i++)
    {
      const KsContainerStatus *c = &pod->container_statuses[i];
      gint64 s
          = c->has_last && c->last_started_at != KS_TIME_NONE ? c->last_started_at : c->started_at;
      if (s != KS_TIME_NONE && (t == KS_TIME_NONE || s < t))
        t = s;
    }
  return t;
}

static void
observe (Rec *r, const KsPod *pod, gint64 now)
{
  if (r->node == NULL && pod->node_name != NULL)
    {
      r->node = pod->node_name;
      r->scheduled = now;
    }
  if (r->started == KS_TIME_NONE)
    r->started = first_start (pod);
}

static Rec *
rec_new (KsPodRecords *pr, const KsPod *pod, gint64 now)
{
  const KsObject *o = KS_OBJECT (pod);
  const char *attempt = ks_object_get_annotation (o, ATTEMPT_ANNOTATION);
  gboolean plain = o->meta.namespace == NULL || strcmp (o->meta.namespace, "default") == 0;
  gsize ns_len = plain ? 0 : strlen (o->meta.namespace) + 1;
  gsize name_len = strlen (o->meta.name);
  Rec *r = g_malloc (sizeof (Rec) + ns_len + name_len + 1);
  guint64 n = 1;

  r->uid = o->meta.uid;
  if (!plain)
    {
      memcpy (r->name, o->meta.namespace, ns_len - 1);
      r->name[ns_len - 1] = '/';
    }
  memcpy (r->name + ns_len, o->meta.name, name_len + 1);
  r->node = NULL;
  r->created = o->meta.creation_timestamp != KS_TIME_NONE ? o->meta.creation_timestamp : now;
  r->scheduled = KS_TIME_NONE;
  r->started = KS_TIME_NONE;
  if (attempt != NULL && (!g_ascii_string_to_unsigned (attempt, 10, 1, G_MAXUINT, &n, NULL)))
    n = 1;
  r->attempts = (guint) n;
  g_hash_table_insert (pr->pods, &r->uid, r);
  return r;
}

/* The pod ended: its row, and it is forgotten. */
static void
ended (KsPodRecords *pr, Rec *r, const KsPod *pod, gint64 now, gboolean deleted)
{
  const KsObject *o = KS_OBJECT (pod);
  g_autofree char *key = NULL;
  const char *note = NULL;
  const char *outcome;

  /* Notes are replay's; a run has none and pays no key for them. */
  if (g_hash_table_size (pr->notes) > 0)
    {
      key = pod_key (o->meta.namespace, o->meta.name);
      note = g_hash_table_lookup (pr->notes, key);
    }
  if (note != NULL)
    outcome = note;
  else if (deleted || ks_object_is_being_deleted (o))
    outcome = "Deleted";
  else
    outcome = pod->phase == KS_POD_SUCCEEDED ? "Succeeded" : "Failed";
  write_row (pr, r, now, outcome);
  if (key != NULL)
    g_hash_table_remove (pr->notes, key);
  g_hash_table_remove (pr->pods, &r->uid);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsPodRecords *pr = data;
  const KsPod *pod = KS_POD (event->object);
  gint64 now = ks_clock_now (pr->clock);
  Rec *r = g_hash_table_lookup (pr->pods, &pod->parent.meta.uid);

  if (event->type == KS_WATCH_ADDED)
    {
      if (r != NULL || ks_pod_is_terminal (pod))
        return;
      r = rec_new (pr, pod, now);
      observe (r, pod, now);
      return;
    }
  if (r == NULL)
    return; /* ended already (or terminal when first seen) */
  observe (r, pod, now);
  if (event->type == KS_WATCH_DELETED)
    ended (pr, r, pod, now, TRUE);
  else if (ks_pod_is_terminal (pod))
    ended (pr, r, pod, now, FALSE);
}

void
ks_pod_records_start (KsPodRecords *pr)
{
  pr->watch = ks_client_watch (pr->client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, pr, NULL);
}

static gint
cmp_rec (gconstpointer a, gconstpointer b)
{
  const Rec *ra = *(Rec *const *) a, *rb = *(Rec *const *) b;
  int c = strcmp (ra->name, rb->name);

  if (c != 0)
    return c;
  return ra->created < rb->created ? -1 : ra->created > rb->created;
}

gboolean
ks_pod_records_finish (KsPodRecords *pr, GError **error)
{
  g_autoptr (GPtrArray) left = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  int e = 0;

  if (pr->watch != 0)
    {
      ks_client_unwatch (pr->client, pr->watch);
      pr->watch = 0;
    }
  /* The pods still there, sorted (never in hash order). */
  g_hash_table_iter_init (&iter, pr->pods);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (left, value);
  g_ptr_array_sort (left, cmp_rec);
  for (guint i = 0; i < left->len; i++)
    {
      const Rec *r = g_ptr_array_index (left, i);
      write_row (pr, r, KS_TIME_NONE, r->started != KS_TIME_NONE ? "Running" : "Pending");
    }
  fwrite (pr->line->str, 1, pr->line->len, pr->out);
  g_string_truncate (pr->line, 0);
  if (fflush (pr->out) != 0 || ferror (pr->out))
    e = errno != 0 ? errno : EIO;
  if (fclose (pr->out) != 0 && e == 0)
    e = errno;
  pr->out = NULL;
  if (e == 0 && g_rename (pr->tmp, pr->final) != 0)
    e = errno;
  if (e != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write %s: %s",
                   pr->final, g_strerror (e));
      return FALSE;
    }
  pr->finished = TRUE;
  return TRUE;
}

guint64
ks_pod_records_get_rows (KsPodRecords *pr)
{
  return pr->rows;
}

/* ks-pod-records.c: pods.csv (ks-pod-records.h). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ks-pod-records.h"
#include "ks-totals.h"
#include "src/api/ks-pod.h"

#define ATTEMPT_ANNOTATION "kubesim.io/attempt"

struct _KsPodRecords
{
  KsClient *client;
  KsClock *clock;
  char *tmp, *final;
  FILE *out;
  guint watch;
  gboolean finished;
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
  fputs ("name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome\n",
         pr->out);
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
append_uint (GString *s, guint n)
{
  char buf[16];
  char *p = buf + sizeof buf;

  do
    *--p = (char) ('0' + n % 10);
  while ((n /= 10) != 0);
  g_string_append_len (s, p, buf + sizeof buf - p);
  g_string_append_c (s, ',');
}

/* The pod's row, from the pod itself: no state is kept per pod, so that recording costs a run
 * almost nothing (docs/benchmarks.md).  The store sets PodScheduled=True when it binds the pod
 * (its transition time is the binding's); a pod created with spec.nodeName was "scheduled" when
 * it was created. */
static void
write_row (KsPodRecords *pr, const KsPod *pod, gint64 finished, const char *outcome)
{
  const KsObject *o = KS_OBJECT (pod);
  const KsCondition *sched = &pod->conditions[KS_POD_COND_SCHEDULED];
  const char *attempt = ks_object_get_annotation (o, ATTEMPT_ANNOTATION);
  KsDisruptionKind disruption;
  GString *s = pr->line;
  guint64 n = 1;
  gint64 created = o->meta.creation_timestamp;

  if (o->meta.namespace != NULL && strcmp (o->meta.namespace, "default") != 0)
    {
      g_string_append (s, o->meta.namespace);
      g_string_append_c (s, '/');
    }
  g_string_append (s, o->meta.name);
  g_string_append_c (s, ',');
  append_time (s, created);
  if (pod->node_name == NULL)
    append_time (s, KS_TIME_NONE);
  else
    append_time (s, sched->status == KS_CONDITION_TRUE && sched->last_transition_time != 0
                        ? sched->last_transition_time
                        : created);
  append_time (s, ks_pod_first_start (pod));
  append_time (s, finished);
  if (pod->node_name != NULL)
    g_string_append (s, pod->node_name);
  g_string_append_c (s, ',');
  if (attempt != NULL && (!g_ascii_string_to_unsigned (attempt, 10, 1, G_MAXUINT, &n, NULL)))
    n = 1;
  append_uint (s, (guint) n);
  /* The DisruptionTarget condition as the pod ended, as summary.json's totals count it. */
  disruption = ks_totals_disruption_kind (pod);
  append_uint (s, disruption == KS_DISRUPTION_PREEMPTION);
  append_uint (s, disruption == KS_DISRUPTION_EVICTION);
  g_string_append (s, outcome);
  g_string_append_c (s, '\n');
  if (s->len >= 65536)
    {
      fwrite (s->str, 1, s->len, pr->out);
      g_string_truncate (s, 0);
    }
  pr->rows++;
}

/* The pod ended: its row. */
static void
ended (KsPodRecords *pr, const KsPod *pod, gint64 now, gboolean deleted)
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
  write_row (pr, pod, now, outcome);
  if (key != NULL)
    g_hash_table_remove (pr->notes, key);
}

/* A row when a pod becomes terminal or is deleted before it did; a pod terminal when first seen
 * (there before the recorder started) has none. */
static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsPodRecords *pr = data;
  const KsPod *pod = KS_POD (event->object);

  if (event->type == KS_WATCH_MODIFIED)
    {
      if (ks_pod_is_terminal (pod) && !ks_pod_is_terminal (KS_POD (event->old_object)))
        ended (pr, pod, ks_clock_now (pr->clock), FALSE);
    }
  else if (event->type == KS_WATCH_DELETED && !ks_pod_is_terminal (pod))
    ended (pr, pod, ks_clock_now (pr->clock), TRUE);
}

void
ks_pod_records_start (KsPodRecords *pr)
{
  pr->watch = ks_client_watch (pr->client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, pr, NULL);
}

typedef struct
{
  char *name; /* as the row writes it */
  const KsPod *pod;
} Left;

static gint
cmp_left (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Left *) a)->name, ((const Left *) b)->name);
}

gboolean
ks_pod_records_finish (KsPodRecords *pr, GError **error)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GArray) left = g_array_new (FALSE, FALSE, sizeof (Left));
  int e = 0;

  if (pr->watch != 0)
    {
      ks_client_unwatch (pr->client, pr->watch);
      pr->watch = 0;
    }
  /* The pods still there and not ended, sorted (never in the store's order). */
  pods = ks_client_list (pr->client, ks_kind_get (KS_KIND_POD), NULL, error);
  if (pods == NULL)
    return FALSE;
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsObject *o = KS_OBJECT (pod);
      Left l = { NULL, pod };
      if (ks_pod_is_terminal (pod))
        continue;
      l.name = o->meta.namespace == NULL || strcmp (o->meta.namespace, "default") == 0
                   ? g_strdup (o->meta.name)
                   : pod_key (o->meta.namespace, o->meta.name);
      g_array_append_val (left, l);
    }
  g_array_sort (left, cmp_left);
  for (guint i = 0; i < left->len; i++)
    {
      Left *l = &g_array_index (left, Left, i);
      write_row (pr, l->pod, KS_TIME_NONE,
                 ks_pod_first_start (l->pod) != KS_TIME_NONE ? "Running" : "Pending");
      g_free (l->name);
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

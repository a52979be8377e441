/* ks-replay.c: a trace replayed through a simulated cluster (ks-replay.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-replay.h"
#include "ks-sim-model.h"
#include "ks-sim-private.h"
#include "ks-sim-runtime.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/ks-rng.h"
#include "src/store/ks-store.h"
#include "traces/ks-trace-objects.h"

/* How long the run goes on, after the last known end, while pods still wait for a node: the
 * scheduler's podMaxInUnschedulablePodsDuration (5 minutes), after which it retries them. */
#define WAIT_GRACE (5 * 60 * G_USEC_PER_SEC)
/* Seconds the run goes on, past the last known end, for the kubelets to report pods ended. */
#define MAX_REPORT_STEPS 60

typedef enum
{
  END_NONE,
  END_EXIT,   /* the containers exit with end_code */
  END_DELETE, /* the pod is deleted */
} EndAction;

/* A task of the trace whose pod exists in the sim or whose recorded end has not come yet. */
typedef struct
{
  KsReplay *replay;
  char *key; /* "namespace/name" */
  char *namespace, *name;
  KsUid uid; /* the current attempt's pod */
  guint attempts;
  gint64 trace_start; /* trace µs of the trace's own start (POD_START), or -1 */
  gint64 runtime;     /* sim µs the pod runs (its kubesim.io/duration), or -1 */
  gint64 started;     /* sim time its containers started, or KS_TIME_NONE */
  gboolean sim_ended; /* the pod finished or is gone in the sim */
  gboolean end_seen;  /* the trace's end came */
  EndAction end;      /* what the trace's end does, once it is due */
  gint end_code;
  const char *end_outcome; /* pods.csv's name for a deletion */
  gint64 end_runtime;      /* sim µs after the start, or -1: at once */
  guint64 end_task;
} Live;

struct _KsReplay
{
  KsSim *sim;
  KsClock *clock;
  KsClient *client;
  KsTraceReader *reader;
  KsReplayOptions options;
  KsReplayStats stats;
  guint watch;
  GHashTable *live;    /* key → Live* */
  GHashTable *retries; /* "namespace/name" → attempts so far, of tasks whose last attempt did
                          not succeed (the trace may submit them again) */
  GHashTable *classes; /* PriorityClass names that exist */
  guint64 sample_key;
  gint64 latest_end; /* sim time of the last end known so far */
  guint64 waiting;   /* live pods in the sim that have neither started nor ended */
  KsReplayOutcomeFunc outcome_func;
  gpointer outcome_data;
  GString *scratch;
};

void
ks_replay_options_init (KsReplayOptions *o)
{
  memset (o, 0, sizeof *o);
  o->window_end = -1;
  o->speed = 1.0;
  o->sample = 1.0;
  o->seed = 1;
  o->trace_nodes = TRUE;
}

static void
live_free (gpointer p)
{
  Live *l = p;

  if (l->end_task != 0)
    ks_clock_cancel (l->replay->clock, l->end_task);
  if (l->started == KS_TIME_NONE && !l->sim_ended)
    l->replay->waiting--;
  g_free (l->key);
  g_free (l->namespace);
  g_free (l->name);
  g_free (l);
}

static void on_pod (const KsWatchEvent *event, gpointer data);

KsReplay *
ks_replay_new (KsSim *sim, KsTraceReader *reader, const KsReplayOptions *options)
{
  KsReplay *r = g_new0 (KsReplay, 1);
  g_autoptr (gsl_rng) rng = NULL;

  r->sim = sim;
  r->clock = ks_sim_get_clock (sim);
  r->client = ks_sim_get_client (sim);
  r->reader = reader;
  r->options = *options;
  if (!(r->options.speed > 0))
    r->options.speed = 1.0;
  r->live = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, live_free);
  r->retries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->scratch = g_string_new (NULL);
  /* --sample decides per job with a keyed hash, the key drawn from the run's named stream: the
   * decision needs no memory of the jobs seen, and one seed always keeps the same jobs. */
  rng = ks_rng_new (options->seed, "replay/sample");
  r->sample_key = ((guint64) gsl_rng_get (rng) << 32) ^ gsl_rng_get (rng);
  r->latest_end = 0;
  r->watch = ks_client_watch (r->client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_pod, r, NULL);
  return r;
}

void
ks_replay_free (KsReplay *r)
{
  if (r == NULL)
    return;
  ks_client_unwatch (r->client, r->watch);
  g_hash_table_destroy (r->live);
  g_hash_table_destroy (r->retries);
  g_hash_table_destroy (r->classes);
  g_string_free (r->scratch, TRUE);
  g_free (r);
}

void
ks_replay_set_outcome_func (KsReplay *r, KsReplayOutcomeFunc func, gpointer data)
{
  r->outcome_func = func;
  r->outcome_data = data;
}

const KsReplayStats *
ks_replay_get_stats (KsReplay *r)
{
  return &r->stats;
}

static gint64
sim_time (KsReplay *r, gint64 trace_time)
{
  gint64 t = trace_time - r->options.window_start;
  if (t <= 0)
    return 0;
  return r->options.speed == 1.0 ? t : (gint64) llround ((double) t / r->options.speed);
}

static gint64
sim_duration (KsReplay *r, gint64 d)
{
  if (d < 0 || r->options.speed == 1.0)
    return d;
  return (gint64) llround ((double) d / r->options.speed);
}

/* Whether the job (or the lone task) is in the sample: FNV-1a of the key and the name. */
static gboolean
sampled (KsReplay *r, const char *job)
{
  guint64 h = 14695981039346656037ULL;
  double u;

  if (r->options.sample >= 1.0)
    return TRUE;
  for (guint i = 0; i < 8; i++)
    {
      h ^= (r->sample_key >> (8 * i)) & 0xff;
      h *= 1099511628211ULL;
    }
  for (const char *p = job; *p != '\0'; p++)
    {
      h ^= (guchar) *p;
      h *= 1099511628211ULL;
    }
  /* A final mix so that the low bits of close names spread. */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  u = (double) (h >> 11) / 9007199254740992.0;
  return u < r->options.sample;
}

static gboolean record_error (GError **error, const KsTraceRecord *rec, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

static gboolean
record_error (GError **error, const KsTraceRecord *rec, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": %s",
               rec->file != NULL ? rec->file : "<trace>", rec->line, msg);
  return FALSE;
}

/* Decode a manifest; NULL with error ("file:line: field: message") when it is invalid. */
static KsObject *
decode (const KsTraceRecord *rec, JsonObject *manifest, GError **error)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), manifest);
  KsDecoder dec;
  KsObject *obj;

  ks_decoder_init (&dec, NULL, diag);
  obj = ks_object_decode (&dec, node, KS_TRACE_NAMESPACE);
  ks_decoder_clear (&dec);
  if (obj == NULL || ks_diag_get_count (diag) > 0)
    {
      g_clear_pointer (&obj, ks_object_unref);
      record_error (error, rec, "%s", ks_diag_get (diag, 0));
      return NULL;
    }
  return obj;
}

/* The PriorityClass name exists (a band, or one made for a priority no band has). */
static gboolean
ensure_class (KsReplay *r, const char *name, gint32 value, GError **error)
{
  g_autoptr (JsonObject) manifest = NULL;
  g_autoptr (KsObject) obj = NULL, existing = NULL, created = NULL;
  KsTraceRecord none = { 0 };

  if (name == NULL || g_hash_table_contains (r->classes, name))
    return TRUE;
  existing = ks_client_get (r->client, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, name, NULL);
  if (existing == NULL)
    {
      manifest = ks_trace_priority_class_manifest (name, value, NULL);
      obj = decode (&none, manifest, error);
      if (obj == NULL)
        return FALSE;
      created = ks_client_create (r->client, obj, error);
      if (created == NULL)
        return FALSE;
    }
  g_hash_table_add (r->classes, g_strdup (name));
  return TRUE;
}

static gboolean
create_bands (KsReplay *r, GError **error)
{
  guint n;
  const KsTraceBand *bands = ks_trace_bands (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonObject) manifest
          = ks_trace_priority_class_manifest (bands[i].name, bands[i].value, bands[i].description);
      KsTraceRecord none = { 0 };
      g_autoptr (KsObject) obj = decode (&none, manifest, error);
      g_autoptr (KsObject) existing = NULL, created = NULL;
      if (obj == NULL)
        return FALSE;
      existing = ks_client_get (r->client, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL,
                                obj->meta.name, NULL);
      if (existing == NULL && (created = ks_client_create (r->client, obj, error)) == NULL)
        return FALSE;
      g_hash_table_add (r->classes, g_strdup (bands[i].name));
    }
  return TRUE;
}

/* Pods */

static void
note_end (KsReplay *r, Live *l, gint64 at)
{
  r->latest_end = MAX (r->latest_end, at);
}

static void
force_delete (KsReplay *r, const char *namespace, const char *name)
{
  KsDeleteOptions now = KS_DELETE_OPTIONS_DEFAULT;

  now.grace_period_seconds = 0;
  /* A pod on a node first gets a deletionTimestamp; the second delete removes it, as
   * `kubectl delete --force --grace-period=0` does. */
  if (ks_client_delete (r->client, ks_kind_get (KS_KIND_POD), namespace, name, &now, NULL))
    ks_client_delete (r->client, ks_kind_get (KS_KIND_POD), namespace, name, &now, NULL);
}

/* Do what the trace's end says, now. */
static void
end_now (Live *l)
{
  KsReplay *r = l->replay;

  if (l->sim_ended)
    return;
  if (l->end == END_DELETE || l->started == KS_TIME_NONE)
    {
      /* The deletion's watch event frees l: its names are copied first. */
      g_autofree char *namespace = g_strdup (l->namespace);
      g_autofree char *name = g_strdup (l->name);
      if (r->outcome_func != NULL)
        r->outcome_func (namespace, name, l->end_outcome, r->outcome_data);
      force_delete (r, namespace, name);
      return;
    }
  {
    g_autoptr (KsObject) obj
        = ks_client_get (r->client, ks_kind_get (KS_KIND_POD), l->namespace, l->name, NULL);
    KsRuntime *rt;
    if (obj == NULL || !ks_uid_equal (&obj->meta.uid, &l->uid) || KS_POD (obj)->node_name == NULL)
      return;
    rt = ks_sim_get_node_runtime (r->sim, KS_POD (obj)->node_name);
    if (rt != NULL)
      ks_sim_runtime_end_pod (rt, KS_POD (obj), ks_clock_now (r->clock), l->end_code);
  }
}

static void
end_due (gpointer data)
{
  Live *l = data;

  l->end_task = 0;
  end_now (l);
}

/* The end is known and the pod has started (or the end needs no start): schedule it. */
static void
schedule_end (Live *l)
{
  KsReplay *r = l->replay;
  gint64 now = ks_clock_now (r->clock);
  gint64 at = now;

  if (l->end_runtime >= 0 && l->started != KS_TIME_NONE)
    at = MAX (l->started + l->end_runtime, now);
  if (l->end_task != 0)
    ks_clock_cancel (r->clock, l->end_task);
  /* Never from inside a watch callback: a clock task of its own. */
  l->end_task = ks_clock_schedule (r->clock, at, end_due, l, NULL);
  note_end (r, l, at);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsReplay *r = data;
  const KsObject *o = event->object;
  const KsPod *pod = KS_POD (o);
  Live *l;

  if (event->type == KS_WATCH_ADDED)
    return;
  g_string_printf (r->scratch, "%s/%s", o->meta.namespace != NULL ? o->meta.namespace : "",
                   o->meta.name);
  l = g_hash_table_lookup (r->live, r->scratch->str);
  if (l == NULL || l->sim_ended || !ks_uid_equal (&l->uid, &o->meta.uid))
    return;
  if (l->started == KS_TIME_NONE)
    {
      l->started = ks_pod_first_start (pod);
      if (l->started != KS_TIME_NONE)
        {
          r->waiting--;
          if (l->runtime >= 0)
            note_end (r, l, l->started + l->runtime);
          if (l->end_seen && l->end != END_NONE)
            schedule_end (l);
        }
    }
  if (event->type == KS_WATCH_DELETED || ks_pod_is_terminal (pod))
    {
      if (l->started == KS_TIME_NONE)
        r->waiting--;
      l->sim_ended = TRUE;
      if (l->end_task != 0)
        {
          ks_clock_cancel (r->clock, l->end_task);
          l->end_task = 0;
        }
      if (l->end_seen)
        g_hash_table_remove (r->live, l->key);
    }
}

static char *
key_of (const char *namespace, const char *name)
{
  return g_strconcat (namespace, "/", name, NULL);
}

/* The namespace and name a POD_SUBMIT or POD_END is about. */
static void
pod_ref (const KsTraceRecord *rec, const char **namespace, const char **name)
{
  JsonObject *meta = rec->object != NULL && json_object_has_member (rec->object, "metadata")
                         ? json_object_get_object_member (rec->object, "metadata")
                         : NULL;

  *namespace = KS_TRACE_NAMESPACE;
  *name = rec->id;
  if (meta != NULL)
    {
      if (json_object_has_member (meta, "namespace"))
        *namespace = json_object_get_string_member (meta, "namespace");
      if (json_object_has_member (meta, "name"))
        *name = json_object_get_string_member (meta, "name");
    }
}

static gboolean
submit (KsReplay *r, const KsTraceRecord *rec, GError **error)
{
  const char *namespace, *name;
  g_autofree char *key = NULL;
  g_autoptr (JsonObject) manifest = NULL;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) created = NULL;
  g_autoptr (GError) local = NULL;
  KsTraceRecord scaled = *rec;
  Live *old, *l;
  guint attempts = 1;
  const char *duration;

  r->stats.pods_submitted++;
  if (!sampled (r, rec->job != NULL ? rec->job : rec->id))
    {
      r->stats.sampled_out++;
      return TRUE;
    }
  if (r->options.max_pods > 0 && r->stats.pods_created >= r->options.max_pods)
    {
      r->stats.over_max_pods++;
      return TRUE;
    }
  pod_ref (rec, &namespace, &name);
  key = key_of (namespace, name);
  scaled.runtime = sim_duration (r, rec->runtime);
  manifest = rec->object != NULL ? json_object_ref (rec->object) : ks_trace_pod_manifest (&scaled);
  obj = decode (rec, manifest, error);
  if (obj == NULL)
    return FALSE;
  if (obj->kind->id != KS_KIND_POD)
    return record_error (error, rec, "a pod submission holds a %s", obj->kind->name);
  if (!ensure_class (r, KS_POD (obj)->spec->priority_class_name,
                     (gint32) CLAMP (rec->priority, -1000000000, 1000000000), error))
    return FALSE;
  /* A resubmission: the task's earlier pod goes (whatever it is doing) and the count goes on. */
  old = g_hash_table_lookup (r->live, key);
  if (old != NULL)
    attempts = old->attempts + 1;
  else
    attempts = GPOINTER_TO_UINT (g_hash_table_lookup (r->retries, key)) + 1;
  g_hash_table_remove (r->retries, key);
  if (old != NULL)
    g_hash_table_remove (r->live, key);
  if (attempts > 1)
    {
      g_autofree char *n = g_strdup_printf ("%u", attempts);
      ks_object_set_annotation (obj, KS_TRACE_ANNOTATION_ATTEMPT, n);
      r->stats.resubmissions++;
    }
  /* --speed shortens a native manifest's own run time as it does the trace's times. */
  duration = ks_object_get_annotation (obj, "kubesim.io/duration");
  if (rec->object != NULL && duration != NULL && r->options.speed != 1.0)
    {
      gint64 d;
      if (ks_duration_parse (duration, &d, NULL))
        {
          g_autofree char *text = ks_duration_format (sim_duration (r, d));
          ks_object_set_annotation (obj, "kubesim.io/duration", text);
        }
    }
  created = ks_client_create (r->client, obj, &local);
  if (created == NULL && g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS))
    {
      /* An earlier pod of that name that replay no longer follows (it succeeded). */
      g_clear_error (&local);
      force_delete (r, namespace, name);
      created = ks_client_create (r->client, obj, &local);
    }
  if (created == NULL)
    return record_error (error, rec, "cannot create pod %s: %s", key, local->message);
  r->stats.pods_created++;
  l = g_new0 (Live, 1);
  l->replay = r;
  l->key = g_steal_pointer (&key);
  l->namespace = g_strdup (namespace);
  l->name = g_strdup (name);
  l->uid = created->meta.uid;
  l->attempts = attempts;
  l->trace_start = -1;
  l->started = KS_TIME_NONE;
  l->end_runtime = -1;
  l->runtime = -1;
  duration = ks_object_get_annotation (created, "kubesim.io/duration");
  if (duration != NULL && !ks_duration_parse (duration, &l->runtime, NULL))
    l->runtime = -1;
  r->waiting++;
  /* The pod may have ended already (a watch saw it before the entry existed): not here. */
  g_hash_table_insert (r->live, l->key, l);
  return TRUE;
}

static const char *
outcome_label (KsTraceOutcome outcome)
{
  switch (outcome)
    {
    case KS_TRACE_OUTCOME_SUCCEEDED:
      return "Succeeded";
    case KS_TRACE_OUTCOME_FAILED:
      return "Failed";
    case KS_TRACE_OUTCOME_KILLED:
      return "Killed";
    case KS_TRACE_OUTCOME_EVICTED:
      return "Evicted";
    case KS_TRACE_OUTCOME_LOST:
      return "Lost";
    case KS_TRACE_OUTCOME_NONE:
      break;
    }
  return "Deleted";
}

static void
end_record (KsReplay *r, const KsTraceRecord *rec)
{
  const char *namespace, *name;
  g_autofree char *key = NULL;
  Live *l;
  gint64 runtime;

  pod_ref (rec, &namespace, &name);
  key = key_of (namespace, name);
  l = g_hash_table_lookup (r->live, key);
  if (l == NULL || l->end_seen)
    return; /* not replayed (sampled out, outside the window, over --max-pods) or ended */
  r->stats.ends++;
  l->end_seen = TRUE;
  if (rec->outcome != KS_TRACE_OUTCOME_SUCCEEDED)
    g_hash_table_replace (r->retries, g_strdup (key), GUINT_TO_POINTER (l->attempts));
  if (l->sim_ended)
    {
      g_hash_table_remove (r->live, key);
      return;
    }
  runtime = rec->runtime >= 0     ? sim_duration (r, rec->runtime)
            : l->trace_start >= 0 ? sim_duration (r, MAX (rec->time - l->trace_start, 0))
            : l->runtime >= 0 && rec->outcome != KS_TRACE_OUTCOME_NONE ? l->runtime
                                                                       : -1;
  l->end_outcome = outcome_label (rec->outcome);
  l->end_runtime = runtime;
  switch (rec->outcome)
    {
    case KS_TRACE_OUTCOME_SUCCEEDED:
    case KS_TRACE_OUTCOME_FAILED:
      l->end = END_EXIT;
      l->end_code = rec->outcome == KS_TRACE_OUTCOME_FAILED ? 1 : 0;
      break;
    default:
      l->end = END_DELETE;
      break;
    }
  /* Without a run time (the trace never started it, or a plain delete) it ends now; else R after
   * its start, which may still be to come. */
  if (runtime < 0 || l->started != KS_TIME_NONE)
    schedule_end (l);
}

/* Nodes */

static gboolean
add_node (KsReplay *r, const KsTraceRecord *rec, GError **error)
{
  g_autoptr (JsonObject) manifest
      = rec->object != NULL ? json_object_ref (rec->object) : ks_trace_node_manifest (rec);
  g_autoptr (KsObject) obj = decode (rec, manifest, error);
  g_autoptr (GError) local = NULL;

  if (obj == NULL)
    return FALSE;
  if (obj->kind->id != KS_KIND_NODE)
    return record_error (error, rec, "node-add holds a %s", obj->kind->name);
  if (!ks_sim_add_node (r->sim, KS_NODE (obj), &local))
    {
      /* A machine added twice (Google's ADD after an UPDATE): the first stays. */
      g_printerr ("kubesim replay: warning: %s:%" G_GUINT64_FORMAT ": %s\n",
                  rec->file != NULL ? rec->file : "<trace>", rec->line, local->message);
      return TRUE;
    }
  r->stats.nodes_added++;
  return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
remove_node (KsReplay *r, const char *name)
{
  g_autoptr (GPtrArray) pods = ks_client_list (r->client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  if (ks_sim_get_node_runtime (r->sim, name) == NULL)
    return;
  /* The machine's pods are lost with it (in name order, for determinism). */
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    {
      const KsObject *o = g_ptr_array_index (pods, i);
      if (g_strcmp0 (KS_POD (o)->node_name, name) == 0 && !ks_pod_is_terminal (KS_POD (o)))
        g_ptr_array_add (keys, key_of (o->meta.namespace, o->meta.name));
    }
  g_ptr_array_sort (keys, cmp_str);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      const char *slash = strchr (key, '/');
      g_autofree char *ns = g_strndup (key, (gsize) (slash - key));
      if (r->outcome_func != NULL)
        r->outcome_func (ns, slash + 1, "Lost", r->outcome_data);
      force_delete (r, ns, slash + 1);
    }
  if (ks_sim_delete_node (r->sim, name, NULL))
    r->stats.nodes_removed++;
}

/* Other objects (the native format) */

static gboolean
apply_object (KsReplay *r, const KsTraceRecord *rec, GError **error)
{
  g_autoptr (KsObject) obj = decode (rec, rec->object, error);
  g_autoptr (KsObject) existing = NULL, done = NULL;
  g_autoptr (GError) local = NULL;

  if (obj == NULL)
    return FALSE;
  existing = ks_client_get (r->client, obj->kind, obj->meta.namespace, obj->meta.name, NULL);
  if (rec->delete)
    {
      if (existing != NULL
          && !ks_client_delete (r->client, obj->kind, obj->meta.namespace, obj->meta.name, NULL,
                                &local))
        return record_error (error, rec, "cannot delete %s %s: %s", obj->kind->name, obj->meta.name,
                             local->message);
      return TRUE;
    }
  if (existing != NULL)
    {
      obj->meta.resource_version = existing->meta.resource_version;
      done = ks_client_update (r->client, obj, &local);
    }
  else
    done = ks_client_create (r->client, obj, &local);
  if (done == NULL)
    return record_error (error, rec, "cannot create %s %s: %s", obj->kind->name, obj->meta.name,
                         local->message);
  if (obj->kind->id == KS_KIND_PRIORITY_CLASS)
    g_hash_table_add (r->classes, g_strdup (obj->meta.name));
  return TRUE;
}

static gboolean
apply (KsReplay *r, const KsTraceRecord *rec, GError **error)
{
  gboolean before = rec->time < r->options.window_start;

  switch (rec->op)
    {
    case KS_TRACE_NODE_ADD:
      if (!r->options.trace_nodes)
        break;
      return add_node (r, rec, error);
    case KS_TRACE_NODE_REMOVE:
      if (!r->options.trace_nodes)
        break;
      remove_node (r, rec->id);
      return TRUE;
    case KS_TRACE_POD_SUBMIT:
      if (before)
        {
          r->stats.outside_window++;
          return TRUE;
        }
      /* Every pod would wait forever (and fail scheduling again and again): say so instead. */
      if (r->options.trace_nodes && r->stats.nodes_added == 0 && r->stats.pods_created == 0)
        return record_error (error, rec,
                             "a pod is submitted but the trace has added no machines yet: give "
                             "the trace's machine table (e.g. machine_events, a node list), "
                             "--nodes FILE or --cluster SCENARIO");
      return submit (r, rec, error);
    case KS_TRACE_POD_START:
      {
        const char *namespace, *name;
        g_autofree char *key = NULL;
        Live *l;
        pod_ref (rec, &namespace, &name);
        key = key_of (namespace, name);
        l = g_hash_table_lookup (r->live, key);
        if (l != NULL)
          l->trace_start = rec->time;
        return TRUE;
      }
    case KS_TRACE_POD_END:
      end_record (r, rec);
      return TRUE;
    case KS_TRACE_OBJECT:
      return apply_object (r, rec, error);
    case KS_TRACE_NODE_UPDATE:
    case KS_TRACE_POD_UPDATE:
      break;
    }
  r->stats.ignored++;
  return TRUE;
}

/* Live pods that run and will end (a known run time or a recorded end). */
static guint
ending (KsReplay *r)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, r->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Live *l = value;
      n += !l->sim_ended && l->started != KS_TIME_NONE
           && (l->runtime >= 0 || (l->end_seen && l->end != END_NONE));
    }
  return n;
}

gboolean
ks_replay_run (KsReplay *r, KsSimProgressFunc progress, gpointer data, GError **error)
{
  KsTraceRecord rec;
  gboolean retried = FALSE;
  guint steps = 0;

  if (!create_bands (r, error))
    return FALSE;
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      if (!ks_trace_reader_next (r->reader, &rec, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          break;
        }
      if (r->options.window_end >= 0 && rec.time >= r->options.window_end)
        break;
      /* Everything due before the record happens first. */
      ks_sim_run_until (r->sim, sim_time (r, rec.time), progress, data);
      if (!apply (r, &rec, error))
        return FALSE;
      /* With --max-pods reached and nothing alive, the rest of the trace changes nothing. */
      if (r->options.max_pods > 0 && r->stats.pods_created >= r->options.max_pods
          && g_hash_table_size (r->live) == 0)
        break;
    }
  /* Then the run goes on until every known end has come (those due now first). */
  ks_sim_run_until (r->sim, ks_clock_now (r->clock), progress, data);
  for (;;)
    {
      gint64 now = ks_clock_now (r->clock);
      if (r->latest_end > now)
        {
          ks_sim_run_until (r->sim, r->latest_end, progress, data);
          retried = FALSE;
          continue;
        }
      /* Pods past their end are reported by their kubelet a moment later. */
      if (ending (r) > 0 && steps < MAX_REPORT_STEPS)
        {
          steps++;
          ks_sim_run_until (r->sim, now + G_USEC_PER_SEC, progress, data);
          continue;
        }
      steps = 0;
      if (r->waiting > 0 && !retried)
        {
          gint64 before = r->latest_end;
          retried = TRUE;
          ks_sim_run_until (r->sim, now + WAIT_GRACE, progress, data);
          if (r->latest_end > before)
            retried = FALSE;
          continue;
        }
      break;
    }
  return TRUE;
}

void
ks_replay_append_summary (KsReplay *r, GString *json)
{
  const KsReplayStats *s = &r->stats;

  g_string_append_printf (
      json,
      ",\n  \"replay\": {\n    \"pods_submitted\": %" G_GUINT64_FORMAT
      ",\n    \"pods_created\": %" G_GUINT64_FORMAT ",\n    \"resubmissions\": %" G_GUINT64_FORMAT
      ",\n    \"sampled_out\": %" G_GUINT64_FORMAT ",\n    \"outside_window\": %" G_GUINT64_FORMAT
      ",\n    \"over_max_pods\": %" G_GUINT64_FORMAT ",\n    \"ends\": %" G_GUINT64_FORMAT
      ",\n    \"nodes_added\": %" G_GUINT64_FORMAT ",\n    \"nodes_removed\": %" G_GUINT64_FORMAT
      "\n  }",
      s->pods_submitted, s->pods_created, s->resubmissions, s->sampled_out, s->outside_window,
      s->over_max_pods, s->ends, s->nodes_added, s->nodes_removed);
}

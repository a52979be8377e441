/* ks-recorder.c: events.jsonl, metrics.csv and summary.json. */
#include "config.h"

#include <math.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks-recorder.h"
#include "ks-totals.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-yaml-emit.h"

static const char *const file_names[] = { "events.jsonl", "metrics.csv", "summary.json" };
enum
{
  F_EVENTS,
  F_METRICS,
  F_SUMMARY,
  N_FILES
};

typedef struct
{
  const char *name; /* interned */
  gint64 alloc_cpu, alloc_memory;
  gint64 req_cpu, req_memory;
  guint pods;
  gboolean ready;
  gboolean present;
} NodeStat;

/* One rollout of a Deployment: from the instant its revision annotation moved to a new revision
 * until it was complete (KS_TIME_NONE while it is not). */
typedef struct
{
  gint64 revision;
  gint64 start, end;
} Rollout;

/* What the summary's deployments section says of one Deployment (kept after it is deleted). */
typedef struct
{
  char *key;        /* "namespace/name" */
  gint32 replicas;  /* spec.replicas, last seen */
  gint64 revision;  /* deployment.kubernetes.io/revision, 0 before the controller set one */
  gboolean rolling; /* the last rollout is under way */
  gint64 max_surge, max_unavailable;
  /* The state seen last at instant pending_time (KS_TIME_NONE: none), counted once time moves
   * on: what happens within one instant, between the controllers' reactions, lasts no time. */
  gint64 pending_time, pending_surge, pending_unavailable;
  GArray *rollouts; /* Rollout */
} DeployStat;

/* A ReplicaSet (kept after it is deleted, so that its pods' counts stay right) and its pods. */
typedef struct
{
  char *deployment;   /* "namespace/name" of its controlling Deployment, or NULL */
  gint32 available;   /* status.availableReplicas */
  gint64 pods, ready; /* its active pods (ks_pod_is_active) and those of them Ready */
} RsStat;

/* A node failure (failNode, partitionNode or the failures model), for the summary's failures
 * section. */
typedef struct
{
  char *node;
  gboolean partition;
  gint64 start, end; /* end: its recoverNode or healPartition; KS_TIME_NONE: none */
  /* When every controller that had pods on the node had again as many Ready pods, not being
   * deleted, on nodes that are up, as it wants (KS_TIME_NONE: not by the end). */
  gint64 recovered;
  GPtrArray *controllers; /* KsObject*: the controllers (ReplicaSets, StatefulSets) of its pods */
  GArray *pods;           /* KsUid of its pods (not terminal, not being deleted) at the failure */
  guint evictions;        /* its pods' taint evictions while it was down */
} FailStat;

struct _KsRecorder
{
  KsEventSink sink;
  KsClient *client;
  KsClock *clock;
  char *out_dir;
  char *tmp[N_FILES];
  char *final[N_FILES];
  FILE *events;
  FILE *metrics;
  gint64 sample_every;
  gboolean cluster_only;
  guint64 sample_task;
  gint64 last_sample;
  long sample_offset; /* where the rows of the last sample start in metrics */
  gboolean finished;
  guint watches[4];
  GString *line;

  guint64 created, scheduled, n_events;
  guint phase_count[5];
  guint unbound_pending;
  GArray *latencies; /* gint64 µs, creation → bind */
  GPtrArray *nodes;  /* NodeStat*, creation order */
  GHashTable *nodes_by_name;

  /* Why pods wait (FailedScheduling events): */
  guint64 failed_attempts;
  GHashTable *attempts_by_reason; /* interned reason → count */
  GHashTable *last_reasons;       /* pod's KsUid* (owned) → GPtrArray of interned reasons */

  /* Rollouts: */
  GHashTable *deployments;  /* "namespace/name" (the DeployStat's) → DeployStat* */
  GHashTable *replica_sets; /* "namespace/name" (owned) → RsStat* */

  /* ks_recorder_keep_last_values: "metric,object" → the last value written (double*) */
  GHashTable *last_values;
  /* ks_recorder_set_section, in the order they were set */
  struct
  {
    KsRecorderSampleFunc sample;
    KsRecorderSummaryFunc summary;
    gpointer data;
  } sections[KS_RECORDER_MAX_SECTIONS];
  guint n_sections;

  /* Node failures: */
  GPtrArray *failures;    /* FailStat*, by start */
  GHashTable *down_nodes; /* names (owned) of the nodes failed or partitioned now */
  guint n_unrecovered;    /* failures whose controllers have not recovered yet */

  KsTotals *totals; /* summary.json's "totals", from ks_recorder_start */

  /* ks_recorder_set_usage (NULL: no used ratios), and its cpu_integral at the last sample and
   * the one before (times KS_TIME_NONE: none), for the cpu used over a sample's interval. */
  KsRecorderUsageFunc usage;
  gpointer usage_data;
  gint64 usage_at, usage_prev_at;
  double usage_cpu, usage_prev_cpu;
};

static void
append_seconds (GString *out, gint64 usec)
{
  char buf[32];
  g_string_append (out, ks_format_seconds (usec, buf));
}

/* Events */

/* A FailedScheduling: count its reasons (the nodes' filter reasons; for an error without them,
 * e.g. "no nodes available to schedule pods", the whole message) and keep them as the pod's
 * last reasons until it is bound or gone. */
static void
count_failure (KsRecorder *r, const KsEventRecord *rec)
{
  GPtrArray *reasons = g_ptr_array_new ();

  r->failed_attempts++;
  if (rec->n_reasons > 0)
    for (guint i = 0; i < rec->n_reasons; i++)
      g_ptr_array_add (reasons, (gpointer) ks_intern (rec->reasons[i].reason));
  else
    g_ptr_array_add (reasons, (gpointer) ks_intern (rec->message));
  for (guint i = 0; i < reasons->len; i++)
    {
      gpointer key = g_ptr_array_index (reasons, i);
      gpointer old = g_hash_table_lookup (r->attempts_by_reason, key);
      g_hash_table_insert (r->attempts_by_reason, key,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
    }
  g_hash_table_insert (r->last_reasons, g_memdup2 (&rec->object->meta.uid, sizeof (KsUid)),
                       reasons);
}

/* Node failures */

static void
fail_stat_free (gpointer p)
{
  FailStat *f = p;
  g_free (f->node);
  g_ptr_array_unref (f->controllers);
  g_array_unref (f->pods);
  g_free (f);
}

/* The replicas a controller wants, or -1 for a kind without (whose pods are not counted). */
static gint32
wanted_replicas (const KsObject *controller)
{
  switch (controller->kind->id)
    {
    case KS_KIND_REPLICA_SET:
      return KS_REPLICA_SET (controller)->replicas;
    case KS_KIND_STATEFUL_SET:
      return KS_STATEFUL_SET (controller)->replicas;
    default:
      return -1;
    }
}

/* Whether every controller of f has its replicas Ready on nodes that are up. */
static gboolean
failure_recovered (KsRecorder *r, const FailStat *f)
{
  for (guint i = 0; i < f->controllers->len; i++)
    {
      const KsObject *seen = g_ptr_array_index (f->controllers, i);
      g_autoptr (KsObject) now
          = ks_client_get (r->client, seen->kind, seen->meta.namespace, seen->meta.name, NULL);
      g_autoptr (GPtrArray) pods = NULL;
      gint32 wanted, ready = 0;

      /* A controller deleted since wants nothing. */
      if (now == NULL || !ks_uid_equal (&now->meta.uid, &seen->meta.uid)
          || (wanted = wanted_replicas (now)) < 0)
        continue;
      pods = ks_client_list_dependents (r->client, ks_kind_get (KS_KIND_POD), now, NULL);
      for (guint j = 0; pods != NULL && j < pods->len; j++)
        {
          const KsPod *pod = g_ptr_array_index (pods, j);
          if (ks_pod_is_ready (pod) && !ks_object_is_being_deleted (KS_OBJECT (pod))
              && pod->node_name != NULL && !g_hash_table_contains (r->down_nodes, pod->node_name))
            ready++;
        }
      if (ready < wanted)
        return FALSE;
    }
  return TRUE;
}

static void
check_recovered (KsRecorder *r)
{
  gint64 now = ks_clock_now (r->clock);

  for (guint i = 0; r->n_unrecovered > 0 && i < r->failures->len; i++)
    {
      FailStat *f = g_ptr_array_index (r->failures, i);
      if (f->recovered == KS_TIME_NONE && failure_recovered (r, f))
        {
          f->recovered = now;
          r->n_unrecovered--;
        }
    }
}

static gint
compare_objects (gconstpointer a, gconstpointer b)
{
  const KsObject *x = *(KsObject *const *) a, *y = *(KsObject *const *) b;
  gint c = strcmp (x->kind->name, y->kind->name);
  if (c == 0)
    c = g_strcmp0 (x->meta.namespace, y->meta.namespace);
  return c != 0 ? c : strcmp (x->meta.name, y->meta.name);
}

/* A node went down: what ran there and who owns it. */
static void
failure_start (KsRecorder *r, const char *node, gboolean partition, gint64 t)
{
  FailStat *f = g_new0 (FailStat, 1);
  g_autoptr (GPtrArray) pods = ks_client_list (r->client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  const char *interned = ks_intern (node);

  f->node = g_strdup (node);
  f->partition = partition;
  f->start = t;
  f->end = KS_TIME_NONE;
  f->recovered = KS_TIME_NONE;
  f->controllers = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  f->pods = g_array_new (FALSE, FALSE, sizeof (KsUid));
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsOwnerRef *ref;
      const KsKind *kind;
      KsObject *owner;
      gboolean known = FALSE;

      if (pod->node_name != interned || ks_pod_is_terminal (pod)
          || ks_object_is_being_deleted (KS_OBJECT (pod)))
        continue;
      g_array_append_val (f->pods, pod->parent.meta.uid);
      ref = ks_object_get_controller_ref (KS_OBJECT (pod));
      if (ref == NULL || (kind = ks_kind_lookup (ref->api_version, ref->kind)) == NULL)
        continue;
      for (guint j = 0; j < f->controllers->len; j++)
        known |= ks_uid_equal (&((KsObject *) g_ptr_array_index (f->controllers, j))->meta.uid,
                               &ref->uid);
      if (known)
        continue;
      owner = ks_client_get (r->client, kind, pod->parent.meta.namespace, ref->name, NULL);
      if (owner != NULL)
        g_ptr_array_add (f->controllers, owner);
    }
  g_ptr_array_sort (f->controllers, compare_objects);
  g_ptr_array_add (r->failures, f);
  g_hash_table_add (r->down_nodes, g_strdup (node));
  r->n_unrecovered++;
}

/* The open failure of node (the last one, not yet ended), or NULL. */
static FailStat *
open_failure (KsRecorder *r, const char *node)
{
  for (guint i = r->failures->len; i-- > 0;)
    {
      FailStat *f = g_ptr_array_index (r->failures, i);
      if (strcmp (f->node, node) == 0)
        return f->end == KS_TIME_NONE ? f : NULL;
    }
  return NULL;
}

/* The scenario's node failures and recoveries, and the taint evictions of their pods. */
static void
observe_failures (KsRecorder *r, const KsEventRecord *rec)
{
  gboolean scenario = strcmp (rec->source, "scenario") == 0;
  FailStat *f;

  if (rec->object == NULL || rec->node == NULL)
    return;
  if (scenario && rec->object->kind->id == KS_KIND_NODE)
    {
      gboolean crash = strcmp (rec->reason, "FailNode") == 0;
      if (crash || strcmp (rec->reason, "PartitionNode") == 0)
        failure_start (r, rec->node, !crash, rec->time);
      else if ((strcmp (rec->reason, "RecoverNode") == 0
                || strcmp (rec->reason, "HealPartition") == 0)
               && (f = open_failure (r, rec->node)) != NULL)
        {
          f->end = rec->time;
          g_hash_table_remove (r->down_nodes, rec->node);
        }
      else
        return;
      check_recovered (r);
    }
  else if (rec->object->kind->id == KS_KIND_POD && strcmp (rec->reason, "TaintManagerEviction") == 0
           && g_str_has_prefix (rec->message, "Marking for deletion")
           && (f = open_failure (r, rec->node)) != NULL)
    f->evictions++;
}

static void
record (KsEventSink *sink, const KsEventRecord *rec)
{
  KsRecorder *r = (KsRecorder *) sink;
  GString *l = r->line;

  r->n_events++;
  if (rec->object != NULL && rec->object->kind->id == KS_KIND_POD
      && strcmp (rec->reason, "FailedScheduling") == 0)
    count_failure (r, rec);
  observe_failures (r, rec);
  if (r->events == NULL)
    return;
  g_string_truncate (l, 0);
  g_string_append (l, "{\"t\":");
  append_seconds (l, rec->time);
  g_string_append (l, ",\"event\":");
  ks_json_append_string (l, rec->reason, KS_JSON_ESCAPE_UTF8);
  g_string_append (l, ",\"type\":");
  g_string_append (l, rec->warning ? "\"Warning\"" : "\"Normal\"");
  if (rec->object != NULL)
    {
      g_string_append (l, ",\"kind\":");
      ks_json_append_string (l, rec->object->kind->name, KS_JSON_ESCAPE_UTF8);
      g_string_append (l, ",\"name\":\"");
      ks_object_append_key (rec->object, l);
      g_string_append_c (l, '"');
    }
  if (rec->node != NULL)
    {
      g_string_append (l, ",\"node\":");
      ks_json_append_string (l, rec->node, KS_JSON_ESCAPE_UTF8);
    }
  g_string_append (l, ",\"message\":");
  ks_json_append_string (l, rec->message, KS_JSON_ESCAPE_UTF8);
  g_string_append (l, ",\"source\":");
  ks_json_append_string (l, rec->source, KS_JSON_ESCAPE_UTF8);
  if (rec->n_reasons > 0)
    {
      g_string_append (l, ",\"reasons\":{");
      for (guint i = 0; i < rec->n_reasons; i++)
        {
          if (i > 0)
            g_string_append_c (l, ',');
          ks_json_append_string (l, rec->reasons[i].reason, KS_JSON_ESCAPE_UTF8);
          g_string_append_printf (l, ":%u", rec->reasons[i].count);
        }
      g_string_append_c (l, '}');
    }
  g_string_append (l, "}\n");
  fwrite (l->str, 1, l->len, r->events);
}

static const KsEventSinkOps sink_ops = { record, NULL };

/* Watches */

static NodeStat *
node_stat (KsRecorder *r, const char *name, gboolean create)
{
  const char *interned = ks_intern (name);
  NodeStat *n = g_hash_table_lookup (r->nodes_by_name, interned);

  if (n == NULL && create)
    {
      n = g_new0 (NodeStat, 1);
      n->name = interned;
      g_ptr_array_add (r->nodes, n);
      g_hash_table_insert (r->nodes_by_name, (gpointer) interned, n);
    }
  return n;
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  KsRecorder *r = data;
  const KsNode *node = KS_NODE (event->object);
  NodeStat *n = node_stat (r, node->parent.meta.name, event->type != KS_WATCH_DELETED);

  if (n == NULL)
    return;
  n->present = event->type != KS_WATCH_DELETED;
  n->alloc_cpu = node->allocatable.milli_cpu;
  n->alloc_memory = node->allocatable.memory;
  n->ready = ks_node_is_ready (node);
}

/* A pod holds resources on its node while bound and not terminal. */
static gboolean
counted (const KsPod *pod)
{
  return pod != NULL && pod->node_name != NULL && !ks_pod_is_terminal (pod);
}

static void
account (KsRecorder *r, const KsPod *pod, int sign)
{
  NodeStat *n = node_stat (r, pod->node_name, TRUE);
  n->req_cpu += sign * pod->spec->requests.milli_cpu;
  n->req_memory += sign * pod->spec->requests.memory;
  n->pods += sign;
}

static void rollout_pod (KsRecorder *r, const KsWatchEvent *event);

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsRecorder *r = data;
  const KsPod *pod = KS_POD (event->object);
  const KsPod *old = event->old_object ? KS_POD (event->old_object) : NULL;
  gint64 now = ks_clock_now (r->clock);

  /* A pod that is bound, finished or gone no longer waits. */
  if (g_hash_table_size (r->last_reasons) > 0
      && (event->type == KS_WATCH_DELETED || pod->node_name != NULL || ks_pod_is_terminal (pod)))
    g_hash_table_remove (r->last_reasons, &pod->parent.meta.uid);
  switch (event->type)
    {
    case KS_WATCH_ADDED:
      r->created++;
      r->phase_count[pod->phase]++;
      if (pod->phase == KS_POD_PENDING && pod->node_name == NULL)
        r->unbound_pending++;
      /* A pod created with spec.nodeName never meets the scheduler: no latency. */
      if (counted (pod))
        account (r, pod, +1);
      break;
    case KS_WATCH_MODIFIED:
      r->phase_count[old->phase]--;
      r->phase_count[pod->phase]++;
      if (old->phase == KS_POD_PENDING && old->node_name == NULL)
        r->unbound_pending--;
      if (pod->phase == KS_POD_PENDING && pod->node_name == NULL)
        r->unbound_pending++;
      if (old->node_name == NULL && pod->node_name != NULL)
        {
          gint64 latency = now - pod->parent.meta.creation_timestamp;
          r->scheduled++;
          g_array_append_val (r->latencies, latency);
        }
      if (counted (old) && !counted (pod))
        account (r, old, -1);
      else if (!counted (old) && counted (pod))
        account (r, pod, +1);
      break;
    case KS_WATCH_DELETED:
      r->phase_count[pod->phase]--;
      if (pod->phase == KS_POD_PENDING && pod->node_name == NULL)
        r->unbound_pending--;
      if (counted (pod))
        account (r, pod, -1);
      break;
    }
  rollout_pod (r, event);
  if (r->n_unrecovered > 0)
    check_recovered (r);
}

/* Rollouts.  A rollout starts when a Deployment's revision annotation moves from one revision to
 * another (a changed template or a rollback; the first revision, when the Deployment is created,
 * is not a rollout) and ends when the Deployment is complete (reference §3.5) and has no old pods.
 * While one is under way, every change of the Deployment, its ReplicaSets or their pods updates
 * the surge (active pods of its ReplicaSets over spec.replicas) and the unavailability
 * (spec.replicas over the available pods) observed. */

static void
deploy_stat_free (gpointer data)
{
  DeployStat *d = data;
  g_free (d->key);
  g_array_unref (d->rollouts);
  g_free (d);
}

static void
rs_stat_free (gpointer data)
{
  RsStat *rs = data;
  g_free (rs->deployment);
  g_free (rs);
}

/* "namespace/name" of an object in obj's namespace. */
static char *
namespaced_key (const KsObject *obj, const char *name)
{
  return g_strconcat (obj->meta.namespace != NULL ? obj->meta.namespace : "", "/", name, NULL);
}

static void
fold_pending (DeployStat *d)
{
  if (d->pending_time == KS_TIME_NONE)
    return;
  d->max_surge = MAX (d->max_surge, d->pending_surge);
  d->max_unavailable = MAX (d->max_unavailable, d->pending_unavailable);
  d->pending_time = KS_TIME_NONE;
}

static void
observe_rollout (KsRecorder *r, DeployStat *d)
{
  GHashTableIter iter;
  gpointer value;
  gint64 pods = 0, available = 0;
  gint64 now = ks_clock_now (r->clock);

  if (d->pending_time != KS_TIME_NONE && d->pending_time < now)
    fold_pending (d);
  if (!d->rolling)
    return;
  g_hash_table_iter_init (&iter, r->replica_sets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      RsStat *rs = value;
      if (g_strcmp0 (rs->deployment, d->key) == 0)
        {
          /* The ReplicaSet's status lags its pods: a deleted pod leaves it at once, and a pod
           * past minReadySeconds is available only in the status. */
          pods += rs->pods;
          available += MIN (rs->ready, rs->available);
        }
    }
  d->pending_time = now;
  d->pending_surge = MAX (0, pods - d->replicas);
  d->pending_unavailable = MAX (0, d->replicas - available);
}

static RsStat *
rs_stat (KsRecorder *r, const char *key)
{
  RsStat *rs = g_hash_table_lookup (r->replica_sets, key);

  if (rs == NULL)
    {
      rs = g_new0 (RsStat, 1);
      g_hash_table_insert (r->replica_sets, g_strdup (key), rs);
    }
  return rs;
}

static void
observe_rs (KsRecorder *r, const RsStat *rs)
{
  DeployStat *d
      = rs->deployment != NULL ? g_hash_table_lookup (r->deployments, rs->deployment) : NULL;

  if (d != NULL)
    observe_rollout (r, d);
}

/* A pod's change moves the counts of its ReplicaSet. */
static void
rollout_pod (KsRecorder *r, const KsWatchEvent *event)
{
  const KsObject *obj = event->object;
  const KsOwnerRef *owner = ks_owner_refs_get_controller (obj->meta.owner_refs);
  const KsPod *pod = KS_POD (obj);
  const KsPod *old = event->old_object != NULL ? KS_POD (event->old_object) : NULL;
  g_autofree char *key = NULL;
  RsStat *rs;

  if (owner == NULL || g_strcmp0 (owner->kind, "ReplicaSet") != 0)
    return;
  key = namespaced_key (obj, owner->name);
  rs = rs_stat (r, key);
  /* For DELETED, object is the last state and old_object NULL. */
  if (event->type == KS_WATCH_DELETED)
    old = pod;
  if (old != NULL && ks_pod_is_active (old))
    {
      rs->pods--;
      rs->ready -= ks_pod_is_ready (old);
    }
  if (event->type != KS_WATCH_DELETED && ks_pod_is_active (pod))
    {
      rs->pods++;
      rs->ready += ks_pod_is_ready (pod);
    }
  observe_rs (r, rs);
}

static void
on_replica_set (const KsWatchEvent *event, gpointer data)
{
  KsRecorder *r = data;
  const KsOwnerRef *owner = ks_owner_refs_get_controller (event->object->meta.owner_refs);
  g_autofree char *key = namespaced_key (event->object, event->object->meta.name);
  RsStat *rs = rs_stat (r, key);

  /* The Deployment that lost it (adoption, deletion) sees the change too. */
  observe_rs (r, rs);
  g_clear_pointer (&rs->deployment, g_free);
  rs->available = 0;
  if (event->type != KS_WATCH_DELETED)
    {
      if (owner != NULL && g_strcmp0 (owner->kind, "Deployment") == 0)
        rs->deployment = namespaced_key (event->object, owner->name);
      rs->available = KS_REPLICA_SET (event->object)->status.available_replicas;
      observe_rs (r, rs);
    }
}

static void
on_deployment (const KsWatchEvent *event, gpointer data)
{
  KsRecorder *r = data;
  const KsDeployment *dep = KS_DEPLOYMENT (event->object);
  g_autofree char *key = namespaced_key (event->object, event->object->meta.name);
  DeployStat *d = g_hash_table_lookup (r->deployments, key);
  const char *annotation = ks_object_get_annotation (event->object, KS_ANNOTATION_REVISION);
  gint64 revision = annotation != NULL ? g_ascii_strtoll (annotation, NULL, 10) : 0;
  gint64 now = ks_clock_now (r->clock);

  if (d == NULL)
    {
      if (event->type == KS_WATCH_DELETED)
        return;
      d = g_new0 (DeployStat, 1);
      d->key = g_steal_pointer (&key);
      d->pending_time = KS_TIME_NONE;
      d->rollouts = g_array_new (FALSE, FALSE, sizeof (Rollout));
      g_hash_table_insert (r->deployments, d->key, d);
    }
  if (event->type == KS_WATCH_DELETED)
    {
      /* A rollout cut short by the deletion never ends. */
      d->rolling = FALSE;
      return;
    }
  d->replicas = dep->replicas;
  if (revision > 0 && revision != d->revision)
    {
      if (d->revision > 0)
        {
          /* A rollout superseded by a newer revision keeps no end. */
          Rollout ro = { revision, now, KS_TIME_NONE };
          g_array_append_val (d->rollouts, ro);
          d->rolling = TRUE;
        }
      d->revision = revision;
    }
  observe_rollout (r, d);
  if (d->rolling && dep->status.observed_generation >= dep->parent.meta.generation
      && dep->status.updated_replicas == dep->replicas && dep->status.replicas == dep->replicas
      && dep->status.available_replicas == dep->replicas)
    {
      g_array_index (d->rollouts, Rollout, d->rollouts->len - 1).end = now;
      d->rolling = FALSE;
    }
}

/* Metrics */

static void
metric (KsRecorder *r, gint64 t, const char *name, const char *object, const char *value)
{
  GString *l = r->line;

  g_string_truncate (l, 0);
  append_seconds (l, t);
  g_string_append_printf (l, ",%s,%s,%s\n", name, object, value);
  fwrite (l->str, 1, l->len, r->metrics);
  if (r->last_values != NULL)
    {
      double *v = g_new (double, 1);
      *v = g_ascii_strtod (value, NULL);
      g_hash_table_replace (r->last_values, g_strdup_printf ("%s,%s", name, object), v);
    }
}

static void
metric_int (KsRecorder *r, gint64 t, const char *name, const char *object, gint64 value)
{
  char buf[24];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  metric (r, t, name, object, buf);
}

static void
metric_ratio (KsRecorder *r, gint64 t, const char *name, const char *object, gint64 num, gint64 den)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (den <= 0)
    metric (r, t, name, object, "0");
  else
    metric (r, t, name, object,
            g_ascii_formatd (buf, sizeof buf, "%.6g", (double) num / (double) den));
}

void
ks_recorder_keep_last_values (KsRecorder *r)
{
  if (r->last_values == NULL)
    r->last_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

gboolean
ks_recorder_last_value (KsRecorder *r, const char *name, const char *object, double *out)
{
  g_autofree char *key = g_strdup_printf ("%s,%s", name, object);
  const double *v = r->last_values != NULL ? g_hash_table_lookup (r->last_values, key) : NULL;

  if (v == NULL)
    return FALSE;
  *out = *v;
  return TRUE;
}

gboolean
ks_recorder_cluster_metric (KsRecorder *r, const char *name, double *out)
{
  gint64 cpu = 0, mem = 0, acpu = 0, amem = 0;
  guint nodes = 0, ready = 0;

  for (guint i = 0; i < r->nodes->len; i++)
    {
      NodeStat *n = g_ptr_array_index (r->nodes, i);
      if (!n->present)
        continue;
      nodes++;
      ready += n->ready;
      cpu += n->req_cpu;
      mem += n->req_memory;
      acpu += n->alloc_cpu;
      amem += n->alloc_memory;
    }
  if (strcmp (name, "nodes") == 0)
    *out = nodes;
  else if (strcmp (name, "nodes_ready") == 0)
    *out = ready;
  else if (strcmp (name, "pods_pending") == 0)
    *out = r->phase_count[KS_POD_PENDING];
  else if (strcmp (name, "pods_unscheduled") == 0)
    *out = r->unbound_pending;
  else if (strcmp (name, "pods_running") == 0)
    *out = r->phase_count[KS_POD_RUNNING];
  else if (strcmp (name, "pods_succeeded") == 0)
    *out = r->phase_count[KS_POD_SUCCEEDED];
  else if (strcmp (name, "pods_failed") == 0)
    *out = r->phase_count[KS_POD_FAILED];
  else if (strcmp (name, "cpu_requested_ratio") == 0)
    *out = acpu > 0 ? (double) cpu / (double) acpu : 0;
  else if (strcmp (name, "memory_requested_ratio") == 0)
    *out = amem > 0 ? (double) mem / (double) amem : 0;
  else
    return FALSE;
  return TRUE;
}

/* The cluster's used cpu at a sample at t: the cpu the model used over the interval since the
 * previous sample (CPU time over the interval, as metrics-server reads a counter; requests
 * served count in it), or its usage now at the first sample. */
static double
used_cpu (KsRecorder *r, gint64 t, const KsRecorderUsage *u)
{
  double cpu = u->cpu;

  if (r->usage_at == t)
    {
      /* The last sample taken again: its interval is the one it had. */
      r->usage_at = r->usage_prev_at;
      r->usage_cpu = r->usage_prev_cpu;
    }
  if (r->usage_at != KS_TIME_NONE && t > r->usage_at)
    cpu = (u->cpu_integral - r->usage_cpu) / (double) (t - r->usage_at);
  r->usage_prev_at = r->usage_at;
  r->usage_prev_cpu = r->usage_cpu;
  r->usage_at = t;
  r->usage_cpu = u->cpu_integral;
  return cpu;
}

static void
sample (KsRecorder *r)
{
  gint64 t = ks_clock_now (r->clock);
  gint64 cpu = 0, mem = 0, acpu = 0, amem = 0;
  guint nodes = 0, ready = 0;
  g_autoptr (GPtrArray) deployments = NULL;
  KsRecorderUsage u = { 0 };

  r->last_sample = t;
  if (r->metrics == NULL)
    return;
  r->sample_offset = ftell (r->metrics);
  for (guint i = 0; i < r->nodes->len; i++)
    {
      NodeStat *n = g_ptr_array_index (r->nodes, i);
      if (!n->present)
        continue;
      nodes++;
      ready += n->ready;
      cpu += n->req_cpu;
      mem += n->req_memory;
      acpu += n->alloc_cpu;
      amem += n->alloc_memory;
    }
  metric_int (r, t, "nodes", "cluster", nodes);
  metric_int (r, t, "nodes_ready", "cluster", ready);
  metric_int (r, t, "pods_pending", "cluster", r->phase_count[KS_POD_PENDING]);
  metric_int (r, t, "pods_unscheduled", "cluster", r->unbound_pending);
  metric_int (r, t, "pods_running", "cluster", r->phase_count[KS_POD_RUNNING]);
  metric_int (r, t, "pods_succeeded", "cluster", r->phase_count[KS_POD_SUCCEEDED]);
  metric_int (r, t, "pods_failed", "cluster", r->phase_count[KS_POD_FAILED]);
  metric_ratio (r, t, "cpu_requested_ratio", "cluster", cpu, acpu);
  if (r->usage != NULL)
    {
      r->usage (r->usage_data, &u);
      ks_recorder_metric (r, t, "cpu_used_ratio", "cluster",
                          acpu > 0 ? used_cpu (r, t, &u) / (double) acpu : 0);
    }
  metric_ratio (r, t, "memory_requested_ratio", "cluster", mem, amem);
  if (r->usage != NULL)
    ks_recorder_metric (r, t, "memory_used_ratio", "cluster",
                        amem > 0 ? u.memory / (double) amem : 0);
  for (guint i = 0; i < (r->cluster_only ? 0 : r->nodes->len); i++)
    {
      NodeStat *n = g_ptr_array_index (r->nodes, i);
      if (!n->present)
        continue;
      metric_ratio (r, t, "cpu_requested_ratio", n->name, n->req_cpu, n->alloc_cpu);
      metric_ratio (r, t, "memory_requested_ratio", n->name, n->req_memory, n->alloc_memory);
      metric_int (r, t, "pods", n->name, n->pods);
    }
  deployments = ks_client_list (r->client, ks_kind_get (KS_KIND_DEPLOYMENT), NULL, NULL);
  for (guint i = 0; i < deployments->len; i++)
    {
      const KsDeployment *d = g_ptr_array_index (deployments, i);
      g_autofree char *key = ks_object_key (KS_OBJECT (d));
      metric_int (r, t, "deployment_replicas", key, d->status.replicas);
      metric_int (r, t, "deployment_updated_replicas", key, d->status.updated_replicas);
      metric_int (r, t, "deployment_ready_replicas", key, d->status.ready_replicas);
      metric_int (r, t, "deployment_available_replicas", key, d->status.available_replicas);
    }
  for (guint i = 0; i < r->n_sections; i++)
    if (r->sections[i].sample != NULL)
      r->sections[i].sample (r, t, r->sections[i].data);
}

void
ks_recorder_set_usage (KsRecorder *r, KsRecorderUsageFunc func, gpointer data)
{
  r->usage = func;
  r->usage_data = data;
  if (r->totals != NULL)
    ks_totals_set_usage (r->totals, func, data);
}

void
ks_recorder_set_section (KsRecorder *r, KsRecorderSampleFunc sample_func,
                         KsRecorderSummaryFunc summary_func, gpointer data)
{
  g_return_if_fail (r->n_sections < KS_RECORDER_MAX_SECTIONS);
  r->sections[r->n_sections].sample = sample_func;
  r->sections[r->n_sections].summary = summary_func;
  r->sections[r->n_sections].data = data;
  r->n_sections++;
}

void
ks_recorder_metric (KsRecorder *r, gint64 t, const char *name, const char *object, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (r->metrics != NULL)
    metric (r, t, name, object, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static void
sample_task (gpointer data)
{
  KsRecorder *r = data;
  sample (r);
  r->sample_task
      = ks_clock_schedule (r->clock, r->last_sample + r->sample_every, sample_task, r, NULL);
}

/* Life cycle */

KsRecorder *
ks_recorder_new (KsClient *client, KsClock *clock, const KsRecorderOptions *options, GError **error)
{
  g_autoptr (KsRecorder) r = g_new0 (KsRecorder, 1);

  r->sink.ops = &sink_ops;
  r->client = client;
  r->clock = clock;
  r->sample_every = options->sample_every;
  r->cluster_only = options->cluster_only;
  r->line = g_string_sized_new (256);
  r->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->nodes = g_ptr_array_new_with_free_func (g_free);
  r->nodes_by_name = g_hash_table_new (g_direct_hash, g_direct_equal);
  r->attempts_by_reason = g_hash_table_new (g_direct_hash, g_direct_equal);
  r->last_reasons = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  r->deployments = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, deploy_stat_free);
  r->replica_sets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, rs_stat_free);
  r->failures = g_ptr_array_new_with_free_func (fail_stat_free);
  r->down_nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->last_sample = KS_TIME_NONE;
  r->usage_at = r->usage_prev_at = KS_TIME_NONE;
  if (options->out_dir == NULL)
    return g_steal_pointer (&r);
  r->out_dir = g_strdup (options->out_dir);
  if (g_mkdir_with_parents (r->out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create output directory %s: %s", r->out_dir, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < N_FILES; i++)
    {
      r->final[i] = g_build_filename (r->out_dir, file_names[i], NULL);
      r->tmp[i] = g_strconcat (r->final[i], ".tmp", NULL);
      /* Outputs of an earlier run must not pass for this run's. */
      g_unlink (r->final[i]);
    }
  r->events = g_fopen (r->tmp[F_EVENTS], "w");
  r->metrics = r->events != NULL ? g_fopen (r->tmp[F_METRICS], "w") : NULL;
  if (r->events == NULL || r->metrics == NULL)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot write in %s: %s",
                   r->out_dir, g_strerror (saved));
      return NULL;
    }
  setvbuf (r->events, NULL, _IOFBF, 1 << 16);
  setvbuf (r->metrics, NULL, _IOFBF, 1 << 16);
  fputs ("t,metric,object,value\n", r->metrics);
  return g_steal_pointer (&r);
}

KsEventSink *
ks_recorder_get_sink (KsRecorder *r)
{
  return &r->sink;
}

/* The cluster series the totals know: fragmentation while pods wait, node-hours so far, and the
 * GPU allocation and use of clusters with GPUs. */
static void
totals_sample (KsRecorder *r, gint64 t, gpointer data)
{
  KsTotalsSample s;

  ks_totals_sample (data, &s);
  if (!isnan (s.gpu_requested_ratio))
    ks_recorder_metric (r, t, "gpu_requested_ratio", "cluster", s.gpu_requested_ratio);
  if (!isnan (s.gpu_used_ratio))
    ks_recorder_metric (r, t, "gpu_used_ratio", "cluster", s.gpu_used_ratio);
  if (!isnan (s.fragmentation))
    ks_recorder_metric (r, t, "fragmentation", "cluster", s.fragmentation);
  ks_recorder_metric (r, t, "node_hours", "cluster", s.node_hours);
}

static void
totals_summary (GString *json, gpointer data)
{
  ks_totals_append_summary (data, json);
}

void
ks_recorder_start (KsRecorder *r)
{
  r->watches[0]
      = ks_client_watch (r->client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, r, NULL);
  r->watches[1]
      = ks_client_watch (r->client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, r, NULL);
  r->watches[2] = ks_client_watch (r->client, ks_kind_get (KS_KIND_REPLICA_SET), NULL, TRUE,
                                   on_replica_set, r, NULL);
  r->watches[3] = ks_client_watch (r->client, ks_kind_get (KS_KIND_DEPLOYMENT), NULL, TRUE,
                                   on_deployment, r, NULL);
  r->totals = ks_totals_new (r->client, r->clock);
  if (r->usage != NULL)
    ks_totals_set_usage (r->totals, r->usage, r->usage_data);
  ks_recorder_set_section (r, totals_sample, totals_summary, r->totals);
  if (r->sample_every > 0)
    r->sample_task = ks_clock_schedule (r->clock, ks_clock_now (r->clock), sample_task, r, NULL);
}

void
ks_recorder_free (KsRecorder *r)
{
  if (r == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (r->watches); i++)
    if (r->watches[i] != 0)
      ks_client_unwatch (r->client, r->watches[i]);
  ks_clock_cancel (r->clock, r->sample_task);
  g_clear_pointer (&r->totals, ks_totals_free);
  if (r->events != NULL)
    fclose (r->events);
  if (r->metrics != NULL)
    fclose (r->metrics);
  for (guint i = 0; i < N_FILES; i++)
    {
      if (!r->finished && r->tmp[i] != NULL)
        g_unlink (r->tmp[i]);
      g_free (r->tmp[i]);
      g_free (r->final[i]);
    }
  g_free (r->out_dir);
  g_string_free (r->line, TRUE);
  g_array_unref (r->latencies);
  g_ptr_array_unref (r->nodes);
  g_hash_table_unref (r->nodes_by_name);
  g_hash_table_unref (r->attempts_by_reason);
  g_hash_table_unref (r->last_reasons);
  g_hash_table_unref (r->deployments);
  g_hash_table_unref (r->replica_sets);
  g_ptr_array_unref (r->failures);
  g_hash_table_unref (r->down_nodes);
  g_clear_pointer (&r->last_values, g_hash_table_unref);
  g_free (r);
}

static gint64
quantile (const double *sorted, guint n, double q)
{
  /* GSL interpolates linearly between order statistics; round to whole µs. */
  double v = gsl_stats_quantile_from_sorted_data (sorted, 1, n, q);
  return (gint64) (v + 0.5);
}

void
ks_recorder_get_stats (KsRecorder *r, KsRunStats *s)
{
  guint n = r->latencies->len;

  memset (s, 0, sizeof *s);
  s->created = r->created;
  s->scheduled = r->scheduled;
  s->running = r->phase_count[KS_POD_RUNNING];
  s->pending = r->phase_count[KS_POD_PENDING];
  s->succeeded = r->phase_count[KS_POD_SUCCEEDED];
  s->failed = r->phase_count[KS_POD_FAILED];
  s->events = r->n_events;
  s->unschedulable = g_hash_table_size (r->last_reasons);
  for (guint i = 0; i < r->nodes->len; i++)
    s->nodes += ((NodeStat *) g_ptr_array_index (r->nodes, i))->present;
  if (n > 0)
    {
      g_autofree double *sorted = g_new (double, n);
      for (guint i = 0; i < n; i++)
        sorted[i] = (double) g_array_index (r->latencies, gint64, i);
      gsl_sort (sorted, 1, n);
      s->has_latency = TRUE;
      s->latency_p50 = quantile (sorted, n, 0.50);
      s->latency_p95 = quantile (sorted, n, 0.95);
      s->latency_p99 = quantile (sorted, n, 0.99);
      s->latency_max = (gint64) sorted[n - 1];
    }
}

static int
cmp_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The keys of counts (reason → count), sorted. */
static GPtrArray *
sorted_reasons (GHashTable *counts)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (counts));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  if (keys->len > 1) /* pdata may be NULL when empty, which qsort must not see */
    qsort (keys->pdata, keys->len, sizeof (gpointer), cmp_strings);
  return keys;
}

/* The pods waiting after a failed attempt, counted by each reason of their last one. */
static GHashTable *
pending_by_reason (KsRecorder *r)
{
  GHashTable *counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, r->last_reasons);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *reasons = value;
      for (guint i = 0; i < reasons->len; i++)
        {
          gpointer key = g_ptr_array_index (reasons, i);
          gpointer old = g_hash_table_lookup (counts, key);
          g_hash_table_insert (counts, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
        }
    }
  return counts;
}

char *
ks_recorder_describe_pending (KsRecorder *r)
{
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  GString *s;

  if (g_hash_table_size (r->last_reasons) == 0)
    return NULL;
  counts = pending_by_reason (r);
  keys = sorted_reasons (counts);
  s = g_string_new (NULL);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (s, "%s%s (%u)", i > 0 ? ", " : "", (char *) keys->pdata[i],
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, keys->pdata[i])));
  return g_string_free (s, FALSE);
}

/* "name": {"reason": count, ...} with the reasons sorted, at the summary's second level. */
static void
append_reason_counts (GString *s, const char *name, GHashTable *counts)
{
  g_autoptr (GPtrArray) keys = sorted_reasons (counts);

  g_string_append_printf (s, "    \"%s\": {", name);
  for (guint i = 0; i < keys->len; i++)
    {
      g_string_append (s, i > 0 ? ",\n      " : "\n      ");
      ks_json_append_string (s, keys->pdata[i], KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (s, ": %u",
                              GPOINTER_TO_UINT (g_hash_table_lookup (counts, keys->pdata[i])));
    }
  g_string_append (s, keys->len > 0 ? "\n    }" : "}");
}

/* "deployments": {"namespace/name": {...}, ...}, sorted by key. */
static void
append_deployments (GString *s, KsRecorder *r)
{
  g_autoptr (GPtrArray) keys = sorted_reasons (r->deployments); /* any string keys */

  g_string_append (s, ",\n  \"deployments\": {");
  for (guint i = 0; i < keys->len; i++)
    {
      DeployStat *d = g_hash_table_lookup (r->deployments, keys->pdata[i]);
      fold_pending (d);
      g_string_append (s, i > 0 ? ",\n    " : "\n    ");
      ks_json_append_string (s, d->key, KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (s,
                              ": {\n      \"revision\": %" G_GINT64_FORMAT
                              ",\n      \"rollouts\": %u,\n      \"rollout_history\": [",
                              d->revision, d->rollouts->len);
      for (guint j = 0; j < d->rollouts->len; j++)
        {
          const Rollout *ro = &g_array_index (d->rollouts, Rollout, j);
          g_string_append_printf (s, "%s{\"revision\": %" G_GINT64_FORMAT ", \"start_s\": ",
                                  j > 0 ? ",\n        " : "\n        ", ro->revision);
          append_seconds (s, ro->start);
          g_string_append (s, ", \"end_s\": ");
          if (ro->end == KS_TIME_NONE)
            g_string_append (s, "null");
          else
            append_seconds (s, ro->end);
          g_string_append (s, "}");
        }
      g_string_append (s, d->rollouts->len > 0 ? "\n      ]" : "]");
      g_string_append_printf (s,
                              ",\n      \"max_surge\": %" G_GINT64_FORMAT
                              ",\n      \"max_unavailable\": %" G_GINT64_FORMAT "\n    }",
                              d->max_surge, d->max_unavailable);
    }
  g_string_append (s, keys->len > 0 ? "\n  }" : "}");
}

/* "failures": [{...}, ...] in order of start. */
static void
append_failures (GString *s, KsRecorder *r)
{
  g_autoptr (GPtrArray) pods = ks_client_list (r->client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  g_autoptr (GHashTable) live = g_hash_table_new (ks_uid_hash, ks_uid_equal_func);

  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      if (!ks_object_is_being_deleted (pod))
        g_hash_table_add (live, (gpointer) &pod->meta.uid);
    }
  g_string_append (s, ",\n  \"failures\": [");
  for (guint i = 0; i < r->failures->len; i++)
    {
      const FailStat *f = g_ptr_array_index (r->failures, i);
      guint lost = 0;

      for (guint j = 0; j < f->pods->len; j++)
        lost += !g_hash_table_contains (live, &g_array_index (f->pods, KsUid, j));
      g_string_append (s, i > 0 ? ",\n    {" : "\n    {");
      g_string_append (s, "\"node\": ");
      ks_json_append_string (s, f->node, KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (
          s, ", \"type\": \"%s\", \"start_s\": ", f->partition ? "partition" : "crash");
      append_seconds (s, f->start);
      g_string_append (s, ", \"end_s\": ");
      if (f->end == KS_TIME_NONE)
        g_string_append (s, "null");
      else
        append_seconds (s, f->end);
      g_string_append_printf (s, ", \"pods\": %u, \"controllers\": %u", f->pods->len,
                              f->controllers->len);
      g_string_append (s, ", \"recovered_after_s\": ");
      if (f->recovered == KS_TIME_NONE)
        g_string_append (s, "null");
      else
        append_seconds (s, f->recovered - f->start);
      g_string_append_printf (s, ", \"pods_lost\": %u, \"evictions\": %u}", lost, f->evictions);
    }
  g_string_append (s, r->failures->len > 0 ? "\n  ]" : "]");
}

static char *
summary_json (KsRecorder *r, const KsRunInfo *info)
{
  GString *s = g_string_new ("{\n");
  KsRunStats st;
  char wall[G_ASCII_DTOSTR_BUF_SIZE];

  ks_recorder_get_stats (r, &st);
  g_string_append (s, "  \"kubesim_version\": ");
  ks_json_append_string (s, PACKAGE_VERSION, KS_JSON_ESCAPE_UTF8);
  g_string_append (s, ",\n  \"scenario\": ");
  ks_json_append_string (s, info->scenario, KS_JSON_ESCAPE_UTF8);
  g_string_append_printf (s, ",\n  \"seed\": %" G_GUINT64_FORMAT, info->seed);
  g_string_append (s, ",\n  \"sim_time_s\": ");
  append_seconds (s, info->sim_time);
  /* Not printf's %f: the locale (LC_NUMERIC is set from the environment) may write "0,5". */
  g_string_append_printf (s, ",\n  \"wall_time_s\": %s",
                          g_ascii_formatd (wall, sizeof wall, "%.3f", info->wall_time));
  g_string_append_printf (s, ",\n  \"events_processed\": %" G_GUINT64_FORMAT,
                          info->events_processed);
  g_string_append_printf (s, ",\n  \"nodes\": %u", st.nodes);
  g_string_append_printf (s,
                          ",\n  \"pods\": {\n    \"created\": %" G_GUINT64_FORMAT
                          ",\n    \"scheduled\": %" G_GUINT64_FORMAT
                          ",\n    \"running\": %u,\n    \"pending\": %u,\n    \"succeeded\": %u,\n"
                          "    \"failed\": %u\n  }",
                          st.created, st.scheduled, st.running, st.pending, st.succeeded,
                          st.failed);
  g_string_append (s, ",\n  \"scheduling_latency_s\": ");
  if (!st.has_latency)
    g_string_append (
        s, "{\n    \"p50\": null,\n    \"p95\": null,\n    \"p99\": null,\n    \"max\": null\n  }");
  else
    {
      g_string_append (s, "{\n    \"p50\": ");
      append_seconds (s, st.latency_p50);
      g_string_append (s, ",\n    \"p95\": ");
      append_seconds (s, st.latency_p95);
      g_string_append (s, ",\n    \"p99\": ");
      append_seconds (s, st.latency_p99);
      g_string_append (s, ",\n    \"max\": ");
      append_seconds (s, st.latency_max);
      g_string_append (s, "\n  }");
    }
  if (info->scheduler != NULL)
    g_string_append_printf (s,
                            ",\n  \"preemption\": {\n    \"attempts\": %" G_GUINT64_FORMAT
                            ",\n    \"preemptions\": %" G_GUINT64_FORMAT
                            ",\n    \"victims\": %" G_GUINT64_FORMAT "\n  }",
                            info->scheduler->preemption_attempts, info->scheduler->preemptions,
                            info->scheduler->victims);
  {
    g_autoptr (GHashTable) pending = pending_by_reason (r);
    g_string_append_printf (s, ",\n  \"unschedulable\": {\n    \"pending_pods\": %u,\n",
                            st.unschedulable);
    append_reason_counts (s, "pending_by_reason", pending);
    g_string_append_printf (s, ",\n    \"failed_attempts\": %" G_GUINT64_FORMAT ",\n",
                            r->failed_attempts);
    append_reason_counts (s, "attempts_by_reason", r->attempts_by_reason);
    g_string_append (s, "\n  }");
  }
  append_deployments (s, r);
  append_failures (s, r);
  for (guint i = 0; i < r->n_sections; i++)
    if (r->sections[i].summary != NULL)
      r->sections[i].summary (s, r->sections[i].data);
  g_string_append (s, "\n}\n");
  return g_string_free (s, FALSE);
}

gboolean
ks_recorder_finish (KsRecorder *r, const KsRunInfo *info, GError **error)
{
  g_autofree char *summary = NULL;
  gboolean ok = TRUE;

  ks_clock_cancel (r->clock, r->sample_task);
  r->sample_task = 0;
  if (r->sample_every > 0)
    {
      /* A periodic sample due at the end ran before what else happened at that instant (tasks
       * run in insertion order): take the last sample again, in its place, so that it agrees
       * with the summary. */
      if (r->metrics != NULL && r->last_sample == ks_clock_now (r->clock))
        ok = fflush (r->metrics) == 0 && r->sample_offset >= 0
             && ftruncate (fileno (r->metrics), r->sample_offset) == 0
             && fseek (r->metrics, r->sample_offset, SEEK_SET) == 0;
      if (ok)
        sample (r);
    }
  if (r->out_dir == NULL)
    {
      r->finished = TRUE;
      return TRUE;
    }
  summary = summary_json (r, info);
  /* A write that failed during the run (a full disk) leaves the stream's error flag set even
   * when the final flush succeeds. */
  ok = ok && !ferror (r->events) && !ferror (r->metrics);
  ok &= fclose (r->events) == 0;
  r->events = NULL;
  ok &= fclose (r->metrics) == 0;
  r->metrics = NULL;
  if (!ok || !g_file_set_contents (r->tmp[F_SUMMARY], summary, -1, error))
    {
      if (!ok)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write the outputs in %s",
                     r->out_dir);
      return FALSE;
    }
  /* summary.json last: it says the run is complete.  When a rename fails, the files already
   * renamed go too, so that no final name is left half of a run. */
  for (guint i = 0; i < N_FILES; i++)
    if (g_rename (r->tmp[i], r->final[i]) != 0)
      {
        int saved = errno;
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot rename %s: %s",
                     r->tmp[i], g_strerror (saved));
        while (i-- > 0)
          g_unlink (r->final[i]);
        return FALSE;
      }
  r->finished = TRUE;
  return TRUE;
}

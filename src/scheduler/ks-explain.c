/* ks-explain.c: one pod's scheduling explained node by node (ks-explain.h). */
#include "config.h"

#include <string.h>

#include "ks-explain.h"
#include "ks-framework.h"
#include "ks-sched-cache.h"
#include "src/api/ks-yaml-emit.h"
#include "src/store/ks-bootstrap.h"
#include "src/store/ks-client.h"

/* A clock that stays at time 0: the explanation happens at one instant, and the store only
 * reads the time for creation timestamps. */
typedef struct
{
  KsClock parent;
  guint64 last_id;
} FrozenClock;

static gint64
frozen_now (KsClock *clock)
{
  return 0;
}

static guint64
frozen_schedule (KsClock *clock, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  /* Nothing runs later: nothing waits for a later instant. */
  if (destroy != NULL)
    destroy (data);
  return ++((FrozenClock *) clock)->last_id;
}

static void
frozen_cancel (KsClock *clock, guint64 id)
{
}

static const KsClockOps frozen_ops = { frozen_now, frozen_schedule, frozen_cancel };

/* A decoded document and where it came from. */
typedef struct
{
  KsObject *obj;
  JsonNode *doc;
} Doc;

static void
doc_clear (gpointer p)
{
  Doc *d = p;
  ks_object_unref (d->obj);
}

typedef struct
{
  FrozenClock clock;
  KsStore *store;
  KsClient *client;
  KsSchedCache *cache;
  GPtrArray *cached; /* the state's Nodes and Pods, in file order, for the cache */
  KsFramework *frameworks[2];
  KsDiag *diag;
} Cluster;

static void
cluster_clear (Cluster *c)
{
  /* The cache's observer reaches the frameworks: the cache goes first. */
  g_clear_pointer (&c->cache, ks_sched_cache_free);
  for (guint i = 0; i < G_N_ELEMENTS (c->frameworks); i++)
    g_clear_pointer (&c->frameworks[i], ks_framework_free);
  g_clear_pointer (&c->cached, g_ptr_array_unref);
  g_clear_pointer (&c->client, ks_client_free);
  g_clear_pointer (&c->store, ks_store_free);
}

/* Report a problem about document doc of source (at the member path.field when given). */
static void report (KsSource *source, KsDiag *diag, JsonNode *doc, const char *parent,
                    const char *field, const char *format, ...) G_GNUC_PRINTF (6, 7);

static void
report (KsSource *source, KsDiag *diag, JsonNode *doc, const char *parent, const char *field,
        const char *format, ...)
{
  g_autofree char *message = NULL;
  KsDecoder dec;
  JsonNode *at = doc;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ks_decoder_init (&dec, source, diag);
  if (parent != NULL && ks_decoder_member (doc, parent) != NULL)
    {
      at = ks_decoder_member (doc, parent);
      ks_decoder_push (&dec, parent);
    }
  else if (parent != NULL)
    ks_decoder_push (&dec, parent);
  if (field != NULL)
    ks_decoder_error_field (&dec, at, field, "%s", message);
  else
    ks_decoder_error (&dec, at, "%s", message);
  ks_decoder_clear (&dec);
}

/* Decode every document of source into docs; FALSE after problems. */
static gboolean
decode_all (KsSource *source, KsDiag *diag, GArray *docs)
{
  guint errors = ks_diag_get_count (diag);
  KsDecoder dec;

  ks_decoder_init (&dec, source, diag);
  for (guint i = 0; i < ks_source_get_n_documents (source); i++)
    {
      JsonNode *node = ks_source_get_document (source, i);
      KsObject *obj = ks_object_decode (&dec, node, "default");
      if (obj != NULL)
        {
          Doc d = { obj, node };
          g_array_append_val (docs, d);
        }
    }
  ks_decoder_clear (&dec);
  return ks_diag_get_count (diag) == errors;
}

/* Create an object as the API server would (admission included); report a refusal at its
 * document. */
static gboolean
create (Cluster *c, KsSource *source, const Doc *d)
{
  g_autoptr (GError) error = NULL;

  if (ks_store_create (c->store, d->obj, &error) != NULL)
    return TRUE;
  if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND) && d->obj->kind->namespaced
      && d->obj->meta.namespace != NULL
      && ks_store_get (c->store, ks_kind_get (KS_KIND_NAMESPACE), NULL, d->obj->meta.namespace)
             == NULL)
    report (source, c->diag, d->doc, "metadata", "namespace",
            "%s; add a Namespace document to the state (default, kube-system, kube-public and "
            "kube-node-lease exist)",
            error->message);
  else if (d->obj->kind->id == KS_KIND_POD && KS_POD (d->obj)->spec->priority_class_name != NULL
           && strstr (error->message, "PriorityClass") != NULL)
    report (source, c->diag, d->doc, "spec", "priorityClassName",
            "%s; add the PriorityClass to the state", error->message);
  else
    report (source, c->diag, d->doc, NULL, NULL, "%s %s: %s", d->obj->kind->name,
            d->obj->meta.name != NULL ? d->obj->meta.name : "", error->message);
  return FALSE;
}

/* The state: Namespaces and PriorityClasses first (others refer to them), then the rest in
 * file order; nodes and pods enter the cache in that order. */
static gboolean
load_state (Cluster *c, KsSource *source)
{
  g_autoptr (GArray) docs = g_array_new (FALSE, FALSE, sizeof (Doc));
  g_autoptr (GHashTable) node_names = g_hash_table_new (g_str_hash, g_str_equal);
  guint errors = ks_diag_get_count (c->diag);

  g_array_set_clear_func (docs, doc_clear);
  if (!decode_all (source, c->diag, docs))
    return FALSE;
  for (guint i = 0; i < docs->len; i++)
    {
      const Doc *d = &g_array_index (docs, Doc, i);
      if (d->obj->kind->id == KS_KIND_NODE)
        g_hash_table_add (node_names, d->obj->meta.name);
    }
  for (guint i = 0; i < docs->len; i++)
    {
      const Doc *d = &g_array_index (docs, Doc, i);
      const KsPod *pod = d->obj->kind->id == KS_KIND_POD ? KS_POD (d->obj) : NULL;
      if (pod == NULL)
        continue;
      if (pod->node_name == NULL)
        report (source, c->diag, d->doc, "spec", "nodeName",
                "required field is missing: the pods of the state are bound to a node; the pod "
                "to schedule goes in the POD file");
      else if (!g_hash_table_contains (node_names, pod->node_name))
        report (source, c->diag, d->doc, "spec", "nodeName",
                "node \"%s\" is not in the state (no Node document of that name)", pod->node_name);
    }
  if (ks_diag_get_count (c->diag) != errors)
    return FALSE;

  for (guint pass = 0; pass < 3; pass++)
    for (guint i = 0; i < docs->len; i++)
      {
        const Doc *d = &g_array_index (docs, Doc, i);
        KsKindId id = d->obj->kind->id;
        guint want = id == KS_KIND_NAMESPACE ? 0 : id == KS_KIND_PRIORITY_CLASS ? 1 : 2;
        if (want == pass && create (c, source, d) && (id == KS_KIND_NODE || id == KS_KIND_POD))
          g_ptr_array_add (c->cached, ks_object_ref (d->obj));
      }
  return ks_diag_get_count (c->diag) == errors;
}

/* The pod to schedule, admitted; NULL after problems. */
static KsPod *
load_pod (Cluster *c, KsSource *source)
{
  g_autoptr (GArray) docs = g_array_new (FALSE, FALSE, sizeof (Doc));
  const Doc *d;
  guint n = ks_source_get_n_documents (source);

  g_array_set_clear_func (docs, doc_clear);
  if (n != 1)
    {
      ks_diag_add (c->diag, ks_source_get_name (source), 0, 0, NULL,
                   "expected one Pod document (the pod to schedule), found %u documents", n);
      return NULL;
    }
  if (!decode_all (source, c->diag, docs))
    return NULL;
  d = &g_array_index (docs, Doc, 0);
  if (d->obj->kind->id != KS_KIND_POD)
    {
      report (source, c->diag, d->doc, NULL, "kind", "expected a Pod (the pod to schedule), got %s",
              d->obj->kind->name);
      return NULL;
    }
  if (KS_POD (d->obj)->node_name != NULL)
    {
      report (source, c->diag, d->doc, "spec", "nodeName",
              "the pod is already bound to node \"%s\": the pod to schedule has no nodeName",
              KS_POD (d->obj)->node_name);
      return NULL;
    }
  if (!create (c, source, d))
    return NULL;
  return KS_POD (ks_object_ref (d->obj));
}

/* The handle's list_objects: the state's objects. */
static GPtrArray *
list_objects (gpointer data, KsKindId kind, const char *ns)
{
  GPtrArray *objects = ks_client_list (data, ks_kind_get (kind), ns, NULL);

  return objects != NULL ? objects
                         : g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
}

static char *
profile_names (KsSchedulerConfig *config)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < config->profiles->len; i++)
    {
      const KsProfileConfig *p = g_ptr_array_index (config->profiles, i);
      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", p->scheduler_name);
    }
  return g_string_free (s, FALSE);
}

static KsFramework *
framework_new (KsProfileConfig *profile, KsSchedulerConfig *config, guint64 seed, Cluster *c)
{
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (profile, config->percentage_of_nodes_to_score, seed, &error);

  if (fw == NULL)
    {
      ks_diag_add (c->diag, NULL, 0, 0, NULL, "%s", error->message);
      return NULL;
    }
  ks_framework_set_lister (fw, list_objects, c->client);
  return fw;
}

/* The handle's nodes_with_image: the cache's counts, as the scheduler's. */
static guint
nodes_with_image (gpointer data, const char *image)
{
  return ks_sched_cache_nodes_with_image (data, image);
}

/* The cache's changes go to the plugins that observe the cluster, in both frameworks, as the
 * scheduler's cache tells its frameworks. */
static void
observe_pod (gpointer data, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  Cluster *c = data;
  for (guint i = 0; i < G_N_ELEMENTS (c->frameworks); i++)
    ks_framework_observe_pod (c->frameworks[i], pod, node, added);
}

static void
observe_node (gpointer data, const KsNode *old_node, const KsNode *node)
{
  Cluster *c = data;
  for (guint i = 0; i < G_N_ELEMENTS (c->frameworks); i++)
    ks_framework_observe_node (c->frameworks[i], old_node, node);
}

/* The cache, filled with the state in file order once the frameworks (and their observers)
 * exist, as the scheduler's watches would fill it. */
static void
fill_cache (Cluster *c)
{
  static const KsSchedCacheObserver observer = { observe_pod, observe_node };

  c->cache = ks_sched_cache_new ();
  for (guint i = 0; i < G_N_ELEMENTS (c->frameworks); i++)
    ks_framework_set_image_counter (c->frameworks[i], nodes_with_image, c->cache);
  if (ks_framework_has_observers (c->frameworks[0]))
    ks_sched_cache_set_observer (c->cache, &observer, c);
  for (guint i = 0; i < c->cached->len; i++)
    {
      KsObject *obj = g_ptr_array_index (c->cached, i);
      if (obj->kind->id == KS_KIND_NODE)
        ks_sched_cache_set_node (c->cache, KS_NODE (obj));
      else
        ks_sched_cache_set_pod (c->cache, KS_POD (obj));
    }
}

/* The scheduler's own cycle: what it decides. */
static void
run_cycle (KsExplanation *e, KsFramework *fw, const KsPod *pod, KsNodeInfo *const *nodes, guint n,
           guint *n_feasible)
{
  KsScheduleResult r;

  ks_framework_schedule (fw, pod, nodes, n, 0, &r);
  e->selected = r.node;
  e->nominated = r.nominated;
  e->message = g_strdup (r.node == NULL && r.message != NULL ? r.message : "");
  e->n_filtered = r.n_evaluated;
  *n_feasible = r.n_feasible;
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
}

/* The explain-mode cycle: every node's status and every feasible node's scores. */
static void
run_explain (KsExplanation *e, KsFramework *fw, const KsProfileConfig *profile, const KsPod *pod,
             KsNodeInfo *const *nodes, guint n)
{
  KsScheduleResult r;
  KsNodeInfo *const *feasible;
  guint n_feasible;
  GPtrArray *skipped = g_ptr_array_new ();

  ks_framework_schedule (fw, pod, nodes, n, 0, &r);
  e->n_nodes = n;
  e->nodes = g_new0 (KsExplainNode, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      KsExplainNode *en = &e->nodes[i];
      const KsStatus *st = ks_framework_last_status (fw, i);
      en->name = nodes[i]->name;
      en->code = st->code;
      en->feasible = st->code == KS_STATUS_SUCCESS;
      en->n_reasons = st->n_reasons;
      memcpy (en->reasons, st->reasons, sizeof en->reasons);
    }
  feasible = ks_framework_last_feasible (fw, &n_feasible);
  /* A plugin's invalid score ends the cycle early: then nothing was scored completely (the
   * scheduler's message says why). */
  if (n_feasible > 0 && (r.node != NULL || r.rejected))
    {
      e->n_plugins = ks_framework_last_n_score_plugins (fw);
      e->plugins = g_new0 (const char *, MAX (e->n_plugins, 1));
      e->weights = g_new0 (gint32, MAX (e->n_plugins, 1));
      for (guint p = 0; p < e->n_plugins; p++)
        e->plugins[p] = ks_framework_last_score_plugin (fw, p, &e->weights[p]);
      for (guint i = 0; i < n_feasible; i++)
        {
          KsExplainNode *en = &e->nodes[feasible[i]->index];
          en->raw = g_new0 (gint64, MAX (e->n_plugins, 1));
          en->normalized = g_new0 (gint64, MAX (e->n_plugins, 1));
          for (guint p = 0; p < e->n_plugins; p++)
            {
              en->raw[p] = ks_framework_last_raw_score (fw, p, i);
              en->normalized[p] = ks_framework_last_score (fw, p, i);
            }
          en->total = ks_framework_last_total (fw, i);
        }
      for (guint k = 0; k < profile->points[KS_POINT_SCORE]->len; k++)
        {
          const KsPluginEntry *entry
              = &g_array_index (profile->points[KS_POINT_SCORE], KsPluginEntry, k);
          gboolean ran = FALSE;
          for (guint p = 0; p < e->n_plugins && !ran; p++)
            ran = strcmp (e->plugins[p], entry->plugin->name) == 0;
          if (!ran)
            g_ptr_array_add (skipped, g_strdup (entry->plugin->name));
        }
    }
  g_ptr_array_add (skipped, NULL);
  e->skipped = (char **) g_ptr_array_free (skipped, FALSE);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
}

/* Where the scheduler's cycle saw less than the explanation. */
static char *
make_note (const KsExplanation *e, KsFramework *fw, const KsProfileConfig *profile,
           guint real_feasible, guint64 seed)
{
  GString *s = g_string_new (NULL);
  guint explained_feasible = 0, n_best = 0;
  gint64 best = G_MININT64;

  for (guint i = 0; i < e->n_nodes; i++)
    {
      const KsExplainNode *en = &e->nodes[i];
      explained_feasible += en->feasible;
      if (en->raw != NULL && en->total > best)
        best = en->total, n_best = 1;
      else if (en->raw != NULL && en->total == best)
        n_best++;
    }
  if (e->selected != NULL && e->n_filtered < e->n_nodes)
    {
      guint to_find = profile->points[KS_POINT_SCORE]->len == 0
                          ? 1
                          : ks_framework_num_feasible_nodes_to_find (fw, e->n_nodes);
      g_string_append_printf (
          s,
          "percentageOfNodesToScore: the scheduler stops filtering once %u node%s fit "
          "(numFeasibleNodesToFind for %u nodes); it filtered the first %u nodes and compared "
          "the %u that fit. This explanation filters all %u nodes and scores the %u that fit, "
          "normalizing over them, so its scores may differ from those the scheduler compared.",
          to_find, to_find == 1 ? "" : "s", e->n_nodes, e->n_filtered, real_feasible, e->n_nodes,
          explained_feasible);
    }
  /* A tie is the scheduler's only when it compared the same nodes. */
  if (e->selected != NULL && e->n_filtered == e->n_nodes && real_feasible > 1 && n_best > 1)
    g_string_append_printf (s,
                            "%u nodes share the highest total, %" G_GINT64_FORMAT
                            ": the scheduler drew %s among them at random (seed %" G_GUINT64_FORMAT
                            ").",
                            n_best, best, e->selected, seed);
  if (e->selected != NULL && real_feasible == 1 && e->n_plugins > 0)
    g_string_append_printf (s,
                            "%sOnly one node fit in the scheduler's cycle: it takes that node "
                            "without scoring; the scores are shown for information.",
                            s->len > 0 ? " " : "");
  return g_string_free (s, FALSE);
}

KsExplanation *
ks_explain (KsSource *state_source, KsSource *pod_source, KsSchedulerConfig *config, guint64 seed,
            KsDiag *diag)
{
  Cluster c = { .clock = { { &frozen_ops }, 0 }, .diag = diag };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (KsExplanation) e = NULL;
  KsFramework *fw = NULL, *fx = NULL;
  KsProfileConfig *profile;
  KsNodeInfo *const *nodes;
  guint n, real_feasible = 0;
  gboolean state_ok;

  c.store = ks_store_new (&c.clock.parent, seed);
  c.client = ks_store_client_new (c.store);
  c.cached = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  if (!ks_bootstrap_objects (c.client, &error))
    {
      ks_diag_add (diag, NULL, 0, 0, NULL, "%s", error->message);
      cluster_clear (&c);
      return NULL;
    }
  /* Both files are checked, so that one run reports the problems of both. */
  state_ok = load_state (&c, state_source);
  pod = state_ok ? load_pod (&c, pod_source) : NULL;
  if (!state_ok)
    {
      g_autoptr (GArray) docs = g_array_new (FALSE, FALSE, sizeof (Doc));
      g_array_set_clear_func (docs, doc_clear);
      decode_all (pod_source, diag, docs);
    }
  if (pod == NULL)
    {
      cluster_clear (&c);
      return NULL;
    }
  profile = ks_scheduler_config_get_profile (config, pod->spec->scheduler_name);
  if (profile == NULL)
    {
      g_autofree char *names = profile_names (config);
      report (pod_source, diag, ks_source_get_document (pod_source, 0), "spec", "schedulerName",
              "no scheduler profile is named \"%s\"; the configuration's profiles: %s",
              pod->spec->scheduler_name, names);
      cluster_clear (&c);
      return NULL;
    }
  fw = c.frameworks[0] = framework_new (profile, config, seed, &c);
  fx = c.frameworks[1] = fw != NULL ? framework_new (profile, config, seed, &c) : NULL;
  if (fx == NULL)
    {
      cluster_clear (&c);
      return NULL;
    }
  ks_framework_set_explain (fx, TRUE);
  fill_cache (&c);

  e = g_new0 (KsExplanation, 1);
  e->pod = ks_object_key (KS_OBJECT (pod));
  e->profile = g_strdup (profile->scheduler_name);
  nodes = ks_sched_cache_list_nodes (c.cache, &n);
  run_cycle (e, fw, pod, nodes, n, &real_feasible);
  run_explain (e, fx, profile, pod, nodes, n);
  e->note = make_note (e, fw, profile, real_feasible, seed);
  cluster_clear (&c);
  return g_steal_pointer (&e);
}

void
ks_explanation_free (KsExplanation *e)
{
  if (e == NULL)
    return;
  for (guint i = 0; i < e->n_nodes; i++)
    {
      g_free (e->nodes[i].raw);
      g_free (e->nodes[i].normalized);
    }
  g_free (e->nodes);
  g_free (e->plugins);
  g_free (e->weights);
  g_strfreev (e->skipped);
  g_free (e->pod);
  g_free (e->profile);
  g_free (e->message);
  g_free (e->note);
  g_free (e);
}

/* Output */

/* s as a JSON string; NULL as null. */
static void
json_string (GString *out, const char *s)
{
  if (s == NULL)
    g_string_append (out, "null");
  else
    ks_json_append_string (out, s, KS_JSON_ESCAPE_PLAIN);
}

void
ks_explanation_to_json (const KsExplanation *e, GString *out)
{
  g_string_append (out, "{\n  \"pod\": ");
  json_string (out, e->pod);
  g_string_append (out, ",\n  \"profile\": ");
  json_string (out, e->profile);
  g_string_append (out, ",\n  \"selected\": ");
  json_string (out, e->selected);
  g_string_append (out, ",\n  \"nominated\": ");
  json_string (out, e->nominated);
  g_string_append (out, ",\n  \"message\": ");
  json_string (out, e->message);
  g_string_append (out, ",\n  \"note\": ");
  json_string (out, e->note);
  g_string_append_printf (out, ",\n  \"filtered\": %u,\n  \"skipped\": [", e->n_filtered);
  for (guint i = 0; e->skipped[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      json_string (out, e->skipped[i]);
    }
  g_string_append (out, "],\n  \"nodes\": [");
  for (guint i = 0; i < e->n_nodes; i++)
    {
      const KsExplainNode *en = &e->nodes[i];
      g_string_append (out, i > 0 ? ",\n    {\n      \"name\": " : "\n    {\n      \"name\": ");
      json_string (out, en->name);
      g_string_append_printf (out, ",\n      \"feasible\": %s,\n      \"reasons\": [",
                              en->feasible ? "true" : "false");
      for (guint k = 0; k < en->n_reasons; k++)
        {
          if (k > 0)
            g_string_append (out, ", ");
          json_string (out, en->reasons[k]);
        }
      g_string_append (out, "],\n      \"scores\": {");
      for (guint p = 0; en->raw != NULL && p < e->n_plugins; p++)
        {
          g_string_append (out, p > 0 ? ",\n        " : "\n        ");
          json_string (out, e->plugins[p]);
          g_string_append_printf (
              out,
              ": {\"raw\": %" G_GINT64_FORMAT ", \"normalized\": %" G_GINT64_FORMAT
              ", \"weight\": %d, \"weighted\": %" G_GINT64_FORMAT "}",
              en->raw[p], en->normalized[p], e->weights[p], en->normalized[p] * e->weights[p]);
        }
      g_string_append (out, en->raw != NULL && e->n_plugins > 0 ? "\n      }," : "},");
      if (en->raw != NULL)
        g_string_append_printf (out, "\n      \"total\": %" G_GINT64_FORMAT "\n    }", en->total);
      else
        g_string_append (out, "\n      \"total\": null\n    }");
    }
  g_string_append (out, e->n_nodes > 0 ? "\n  ]\n}\n" : "]\n}\n");
}

/* A table aligned as kubectl's printers align theirs (Go's tabwriter: each column as wide as its
 * widest cell plus 3 spaces; the last column not padded). */
static void
print_table (GPtrArray *rows, guint n_columns, GString *out)
{
  g_autofree gsize *widths = g_new0 (gsize, n_columns);

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      for (guint k = 0; k < n_columns; k++)
        widths[k] = MAX (widths[k], (gsize) g_utf8_strlen (row[k], -1));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      gsize mark = out->len;
      for (guint k = 0; k < n_columns; k++)
        {
          g_string_append (out, row[k]);
          if (k + 1 < n_columns)
            for (gsize pad = (gsize) g_utf8_strlen (row[k], -1); pad < widths[k] + 3; pad++)
              g_string_append_c (out, ' ');
        }
      /* An empty last cell leaves no trailing blanks. */
      while (out->len > mark && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
}

void
ks_explanation_to_table (const KsExplanation *e, GString *out)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) head = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint n_columns = e->n_plugins + 4;
  GPtrArray *row;

  g_ptr_array_add (head, g_strdupv ((char *[]){ "Pod:", e->pod, NULL }));
  g_ptr_array_add (head, g_strdupv ((char *[]){ "Profile:", e->profile, NULL }));
  g_ptr_array_add (head, g_strdupv ((char *[]){
                             "Selected:", (char *) (e->selected ? e->selected : "<none>"), NULL }));
  if (e->nominated != NULL)
    g_ptr_array_add (head, g_strdupv ((char *[]){ "Nominated:", (char *) e->nominated, NULL }));
  if (e->message[0] != '\0')
    g_ptr_array_add (head, g_strdupv ((char *[]){ "Message:", e->message, NULL }));
  {
    g_autofree char *filtered = g_strdup_printf ("%u of %u nodes", e->n_filtered, e->n_nodes);
    g_ptr_array_add (head, g_strdupv ((char *[]){ "Filtered:", filtered, NULL }));
  }
  if (e->skipped[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", e->skipped);
      g_autofree char *text = g_strdup_printf ("%s (PreScore: nothing to score, adds 0)", list);
      g_ptr_array_add (head, g_strdupv ((char *[]){ "Skipped:", text, NULL }));
    }
  if (e->note[0] != '\0')
    g_ptr_array_add (head, g_strdupv ((char *[]){ "Note:", e->note, NULL }));
  print_table (head, 2, out);
  if (e->n_nodes == 0)
    return;

  row = g_ptr_array_new ();
  g_ptr_array_add (row, g_strdup ("NODE"));
  g_ptr_array_add (row, g_strdup ("FEASIBLE"));
  for (guint p = 0; p < e->n_plugins; p++)
    g_ptr_array_add (row, g_strdup_printf ("%s*%d", e->plugins[p], e->weights[p]));
  g_ptr_array_add (row, g_strdup ("TOTAL"));
  g_ptr_array_add (row, g_strdup ("REASONS"));
  g_ptr_array_add (row, NULL);
  g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
  for (guint i = 0; i < e->n_nodes; i++)
    {
      const KsExplainNode *en = &e->nodes[i];
      GString *reasons = g_string_new (NULL);
      row = g_ptr_array_new ();
      g_ptr_array_add (row, g_strdup (en->name));
      g_ptr_array_add (row, g_strdup (en->feasible ? "yes" : "no"));
      for (guint p = 0; p < e->n_plugins; p++)
        if (en->raw == NULL)
          g_ptr_array_add (row, g_strdup ("-"));
        else if (en->raw[p] == en->normalized[p])
          g_ptr_array_add (row, g_strdup_printf ("%" G_GINT64_FORMAT, en->normalized[p]));
        else
          g_ptr_array_add (row, g_strdup_printf ("%" G_GINT64_FORMAT " (raw %" G_GINT64_FORMAT ")",
                                                 en->normalized[p], en->raw[p]));
      g_ptr_array_add (row, en->raw != NULL ? g_strdup_printf ("%" G_GINT64_FORMAT, en->total)
                                            : g_strdup ("-"));
      for (guint k = 0; k < en->n_reasons; k++)
        g_string_append_printf (reasons, "%s%s", k > 0 ? ", " : "", en->reasons[k]);
      g_ptr_array_add (row, g_string_free (reasons, FALSE));
      g_ptr_array_add (row, NULL);
      g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
    }
  g_string_append_c (out, '\n');
  print_table (rows, n_columns, out);
  if (e->n_plugins > 0)
    g_string_append (out, "\nScores: the plugin's normalized score (its raw score when "
                          "NormalizeScore changed it); *N is the plugin's weight;\n"
                          "TOTAL = sum of normalized score x weight. The highest TOTAL wins; ties "
                          "are drawn at random (--seed).\n");
}

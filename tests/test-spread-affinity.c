/* test-spread-affinity.c: pod affinity, anti-affinity and topology spread constraints: their
 * decoding (validation messages with field paths, encode → decode round trips), the
 * PodTopologySpread and InterPodAffinity plugins against hand-computed kube-scheduler v1.32
 * values (reference kubernetes.md §1.7.7, §1.7.8), their PreFilter extensions (AddPod,
 * RemovePod, cloned cycle states), and the scheduler cache's lists of pods with affinity.
 *
 * Every expected number is worked out by hand in the comments: ln 3 = 1.0986123,
 * ln 4 = 1.3862944, ln 5 = 1.6094379. */
#include "config.h"

#include <string.h>

#include "policies/ks-policy.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-service.h"
#include "src/api/ks-yaml.h"
#include "src/scheduler/ks-sched-cache.h"
#include "tests/ks-test.h"

/* ---- objects ----------------------------------------------------------------------------- */

/* A pod: name, its labels (a YAML flow mapping or NULL), its spec's extra fields (the inside of
 * a flow mapping, or NULL), in namespace ns (NULL: default). */
static KsPod *
pod_ns (const char *name, const char *ns, const char *labels, const char *extra)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s%s%s}\n"
                         "spec: {containers: [{name: c, image: busybox}]%s%s}\n",
                         name, ns ? ns : "default", labels ? ", labels: " : "",
                         labels ? labels : "", extra ? ", " : "", extra ? extra : "");
  KsPod *pod = KS_POD (ks_test_decode (text));
  static guint32 uid;

  uid++;
  pod->parent.meta.uid.bytes[0] = 0x42;
  memcpy (&pod->parent.meta.uid.bytes[12], &uid, sizeof uid);
  return pod;
}

static KsPod *
pod_new (const char *name, const char *labels, const char *extra)
{
  return pod_ns (name, NULL, labels, extra);
}

static KsNode *
node_new (const char *name, const char *labels, const char *spec)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\nmetadata: {name: %s%s%s}\n%s%s%s"
                         "status: {allocatable: {cpu: \"8\", memory: 16Gi}}\n",
                         name, labels ? ", labels: " : "", labels ? labels : "",
                         spec ? "spec: " : "", spec ? spec : "", spec ? "\n" : "");
  return KS_NODE (ks_test_decode (text));
}

/* ---- hand-built node views --------------------------------------------------------------- */

typedef struct
{
  GPtrArray *nodes;   /* KsNodeInfo* */
  GPtrArray *objects; /* what the handle lists: KsObject* */
  KsFrameworkHandle handle;
} World;

static void
ni_free (gpointer p)
{
  KsNodeInfo *ni = p;

  g_ptr_array_unref (ni->pods);
  if (ni->pods_with_affinity != NULL)
    g_ptr_array_unref (ni->pods_with_affinity);
  if (ni->pods_with_required_anti_affinity != NULL)
    g_ptr_array_unref (ni->pods_with_required_anti_affinity);
  ks_object_unref (KS_OBJECT ((KsNode *) ni->node));
  g_free (ni);
}

static GPtrArray *
list_objects (gpointer data, KsKindId kind, const char *ns)
{
  World *w = data;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  for (guint i = 0; i < w->objects->len; i++)
    {
      KsObject *o = g_ptr_array_index (w->objects, i);
      if (o->kind->id == kind && (ns == NULL || g_strcmp0 (o->meta.namespace, ns) == 0))
        g_ptr_array_add (out, ks_object_ref (o));
    }
  return out;
}

static void
world_init (World *w)
{
  memset (w, 0, sizeof *w);
  w->nodes = g_ptr_array_new_with_free_func (ni_free);
  w->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  w->handle.data = w;
  w->handle.list_objects = list_objects;
}

static void
world_clear (World *w)
{
  g_ptr_array_unref (w->nodes);
  g_ptr_array_unref (w->objects);
}

/* Add a node (name, labels as a flow mapping, spec or NULL); returns its view. */
static KsNodeInfo *
world_node (World *w, const char *name, const char *labels, const char *spec)
{
  KsNodeInfo *ni = g_new0 (KsNodeInfo, 1);
  KsNode *node = node_new (name, labels, spec);

  ni->node = node;
  ni->name = ks_intern (name);
  ni->index = w->nodes->len;
  ni->n_taints = node->n_taints;
  ni->pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_ptr_array_add (w->nodes, ni);
  return ni;
}

/* Put pod (a new reference is taken) on ni, as the cache does. */
static void
ni_add (KsNodeInfo *ni, KsPod *pod)
{
  const KsPodSpec *spec = pod->spec;

  g_ptr_array_add (ni->pods, ks_object_ref (KS_OBJECT (pod)));
  ni->n_pods = ni->pods->len;
  if (spec->pod_affinity != NULL || spec->pod_anti_affinity != NULL)
    {
      if (ni->pods_with_affinity == NULL)
        ni->pods_with_affinity = g_ptr_array_new ();
      g_ptr_array_add (ni->pods_with_affinity, pod);
    }
  if (spec->pod_anti_affinity != NULL && spec->pod_anti_affinity->n_required > 0)
    {
      if (ni->pods_with_required_anti_affinity == NULL)
        ni->pods_with_required_anti_affinity = g_ptr_array_new ();
      g_ptr_array_add (ni->pods_with_required_anti_affinity, pod);
    }
}

/* n pods labelled labels on ni. */
static void
ni_add_n (KsNodeInfo *ni, guint n, const char *labels)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-p%u", ni->name, ni->pods->len);
      g_autoptr (KsPod) p = pod_new (name, labels, NULL);
      ni_add (ni, p);
    }
}

#define NODES(w) ((KsNodeInfo *const *) (w)->nodes->pdata)
#define NODE(w, i) ((KsNodeInfo *) g_ptr_array_index ((w)->nodes, i))

/* ---- one plugin --------------------------------------------------------------------------- */

typedef struct
{
  const KsSchedulerPlugin *plugin;
  KsPluginCtx ctx;
} Plug;

static void
plug_init (Plug *p, World *w, const char *name, const char *args_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = NULL;
  gboolean ok;

  memset (p, 0, sizeof *p);
  p->plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_assert_nonnull (p->plugin);
  if (args_json != NULL)
    {
      args = json_from_string (args_json, &error);
      g_assert_no_error (error);
    }
  ok = p->plugin->init (args, &p->ctx.instance, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  p->ctx.handle = &w->handle;
  p->ctx.all_nodes = NODES (w);
  p->ctx.n_all_nodes = w->nodes->len;
}

static void
plug_end_cycle (Plug *p)
{
  if (p->ctx.cycle != NULL)
    p->plugin->free_cycle (p->ctx.cycle);
  p->ctx.cycle = NULL;
}

static void
plug_clear (Plug *p)
{
  plug_end_cycle (p);
  p->plugin->destroy (p->ctx.instance);
}

/* The args' error message. */
static char *
init_error (const char *name, const char *args_json)
{
  const KsSchedulerPlugin *plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = json_from_string (args_json, &error);
  gpointer instance = NULL;

  g_assert_no_error (error);
  g_assert_false (plugin->init (args, &instance, &error));
  g_assert_error (error, KS_POLICY_ERROR, 0);
  plugin->destroy (instance);
  return g_strdup (error->message);
}

static KsStatusCode
plug_pre_filter (Plug *p, KsPod *pod)
{
  KsStatus st = { 0 };
  plug_end_cycle (p);
  return p->plugin->pre_filter (&p->ctx, pod, &st);
}

/* Filter pod on node i: "" when it passes, else "U: reason" (Unschedulable) or
 * "UU: reason" (UnschedulableAndUnresolvable). */
static char *
plug_filter (Plug *p, World *w, KsPod *pod, guint i)
{
  KsStatus st = { 0 };
  KsStatusCode code = p->plugin->filter (&p->ctx, pod, NODE (w, i), &st);

  if (code == KS_STATUS_SUCCESS)
    return g_strdup ("");
  g_assert_cmpuint (st.n_reasons, ==, 1);
  return g_strdup_printf ("%s: %s", code == KS_STATUS_UNSCHEDULABLE ? "U" : "UU", st.reasons[0]);
}

/* Filter on every node, results joined by " | ". */
static char *
plug_filter_all (Plug *p, World *w, KsPod *pod)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < w->nodes->len; i++)
    {
      g_autofree char *r = plug_filter (p, w, pod, i);
      g_string_append_printf (s, "%s%s", i ? " | " : "", r);
    }
  return g_string_free (s, FALSE);
}

/* PreScore over the feasible nodes nodes[0..n), then Score and NormalizeScore; the raw and
 * normalized scores joined by spaces. */
static KsStatusCode
plug_scores (Plug *p, KsPod *pod, KsNodeInfo **nodes, guint n, char **raw, char **normalized)
{
  KsStatusCode code;
  gint64 *scores = g_newa (gint64, n);
  GString *r = g_string_new (NULL), *s = g_string_new (NULL);

  plug_end_cycle (p);
  code = p->plugin->pre_score (&p->ctx, pod, nodes, n);
  for (guint i = 0; code == KS_STATUS_SUCCESS && i < n; i++)
    {
      scores[i] = p->plugin->score (&p->ctx, pod, nodes[i]);
      g_string_append_printf (r, "%s%" G_GINT64_FORMAT, i ? " " : "", scores[i]);
    }
  if (code == KS_STATUS_SUCCESS)
    p->plugin->normalize (&p->ctx, pod, nodes, scores, n);
  for (guint i = 0; code == KS_STATUS_SUCCESS && i < n; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? " " : "", scores[i]);
  *raw = g_string_free (r, FALSE);
  *normalized = g_string_free (s, FALSE);
  return code;
}

/* Score over every node of the world. */
static KsStatusCode
plug_scores_all (Plug *p, World *w, KsPod *pod, char **raw, char **normalized)
{
  return plug_scores (p, pod, (KsNodeInfo **) w->nodes->pdata, w->nodes->len, raw, normalized);
}

/* ---- decoding ---------------------------------------------------------------------------- */

static const char *const full_spec
    = "affinity:\n"
      "    podAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "      - labelSelector: {matchLabels: {app: db}}\n"
      "        namespaces: [prod, staging]\n"
      "        topologyKey: topology.kubernetes.io/zone\n"
      "        matchLabelKeys: [release]\n"
      "      preferredDuringSchedulingIgnoredDuringExecution:\n"
      "      - weight: 40\n"
      "        podAffinityTerm:\n"
      "          labelSelector: {matchExpressions: [{key: tier, operator: In, values: [b, a]}]}\n"
      "          namespaceSelector: {}\n"
      "          topologyKey: kubernetes.io/hostname\n"
      "          mismatchLabelKeys: [team]\n"
      "    podAntiAffinity: {}\n"
      "  topologySpreadConstraints:\n"
      "  - maxSkew: 2\n"
      "    topologyKey: topology.kubernetes.io/zone\n"
      "    whenUnsatisfiable: DoNotSchedule\n"
      "    labelSelector: {matchLabels: {app: web}}\n"
      "    minDomains: 3\n"
      "    nodeAffinityPolicy: Ignore\n"
      "    nodeTaintsPolicy: Honor\n"
      "    matchLabelKeys: [pod-template-hash]\n"
      "  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}\n";

static KsPod *
pod_with_spec_yaml (const char *spec_extra)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                           "spec:\n  containers: [{name: c, image: busybox}]\n  %s",
                                           spec_extra);
  return KS_POD (ks_test_decode (text));
}

static void
test_decode_fields (void)
{
  g_autoptr (KsPod) pod = pod_with_spec_yaml (full_spec);
  const KsPodAffinity *a = pod->spec->pod_affinity, *aa = pod->spec->pod_anti_affinity;
  const KsTopologySpreadConstraints *c = pod->spec->topology_spread_constraints;
  const KsPodAffinityTerm *t;

  g_assert_nonnull (a);
  g_assert_cmpuint (a->n_required, ==, 1);
  t = &a->required[0];
  g_assert_cmpstr (ks_str_map_lookup (t->label_selector->match_labels, "app"), ==, "db");
  g_assert_cmpstr (t->namespaces[0], ==, "prod");
  g_assert_cmpstr (t->namespaces[1], ==, "staging");
  g_assert_null (t->namespaces[2]);
  g_assert_null (t->namespace_selector);
  g_assert_cmpstr (t->topology_key, ==, "topology.kubernetes.io/zone");
  g_assert_cmpstr (t->match_label_keys[0], ==, "release");
  g_assert_null (t->mismatch_label_keys);
  g_assert_cmpuint (a->n_preferred, ==, 1);
  g_assert_cmpint (a->preferred[0].weight, ==, 40);
  t = &a->preferred[0].term;
  g_assert_null (t->namespaces);
  g_assert_nonnull (t->namespace_selector);
  g_assert_true (ks_label_selector_is_empty (t->namespace_selector));
  g_assert_cmpstr (t->mismatch_label_keys[0], ==, "team");
  /* an empty podAntiAffinity is kept, without terms */
  g_assert_nonnull (aa);
  g_assert_cmpuint (aa->n_required + aa->n_preferred, ==, 0);

  g_assert_nonnull (c);
  g_assert_cmpuint (c->n, ==, 2);
  g_assert_cmpint (c->items[0].max_skew, ==, 2);
  g_assert_cmpstr (c->items[0].topology_key, ==, "topology.kubernetes.io/zone");
  g_assert_cmpint (c->items[0].when_unsatisfiable, ==, KS_DO_NOT_SCHEDULE);
  g_assert_cmpint (c->items[0].min_domains, ==, 3);
  g_assert_cmpint (c->items[0].node_affinity_policy, ==, KS_NODE_INCLUSION_IGNORE);
  g_assert_cmpint (c->items[0].node_taints_policy, ==, KS_NODE_INCLUSION_HONOR);
  g_assert_cmpstr (c->items[0].match_label_keys[0], ==, "pod-template-hash");
  /* unset: no selector (selects nothing), minDomains 0 (1), policies unset (defaults) */
  g_assert_cmpint (c->items[1].when_unsatisfiable, ==, KS_SCHEDULE_ANYWAY);
  g_assert_null (c->items[1].label_selector);
  g_assert_cmpint (c->items[1].min_domains, ==, 0);
  g_assert_cmpint (c->items[1].node_affinity_policy, ==, KS_NODE_INCLUSION_UNSET);
  g_assert_cmpint (c->items[1].node_taints_policy, ==, KS_NODE_INCLUSION_UNSET);
}

/* Encode, decode the JSON as a stored object, encode again: the same text, in the Go structs'
 * field order. */
static void
test_decode_round_trip (void)
{
  g_autoptr (KsPod) pod = pod_with_spec_yaml (full_spec);
  g_autofree char *json1 = ks_object_to_json (KS_OBJECT (pod), KS_DEFAULT_EPOCH);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("rt.json", json1, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) second = NULL;
  g_autofree char *json2 = NULL;
  KsDecoder dec;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  dec.mode = KS_DECODE_STORED;
  second = ks_object_decode (&dec, ks_source_get_document (source, 0), NULL);
  ks_decoder_clear (&dec);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  json2 = ks_object_to_json (second, KS_DEFAULT_EPOCH);
  g_assert_cmpstr (json2, ==, json1);
  g_assert_nonnull (strstr (
      json1, "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
             "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"db\"}},\"namespaces\":[\"prod\","
             "\"staging\"],\"topologyKey\":\"topology.kubernetes.io/zone\",\"matchLabelKeys\":"
             "[\"release\"]}],\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":40,"
             "\"podAffinityTerm\":{\"labelSelector\":{\"matchExpressions\":[{\"key\":\"tier\","
             "\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]},\"topologyKey\":"
             "\"kubernetes.io/hostname\",\"namespaceSelector\":{},\"mismatchLabelKeys\":"
             "[\"team\"]}}]},\"podAntiAffinity\":{}}"));
  g_assert_nonnull (strstr (
      json1, "\"topologySpreadConstraints\":[{\"maxSkew\":2,\"topologyKey\":"
             "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
             "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}},\"minDomains\":3,"
             "\"nodeAffinityPolicy\":\"Ignore\",\"nodeTaintsPolicy\":\"Honor\",\"matchLabelKeys\":"
             "[\"pod-template-hash\"]},{\"maxSkew\":1,\"topologyKey\":\"kubernetes.io/hostname\","
             "\"whenUnsatisfiable\":\"ScheduleAnyway\"}]"));
  /* pods of one template share the terms (a copy of the spec shares them too) */
  {
    KsPodSpec *copy = ks_pod_spec_copy (pod->spec);
    g_assert_true (copy->pod_affinity == pod->spec->pod_affinity);
    g_assert_true (copy->topology_spread_constraints == pod->spec->topology_spread_constraints);
    ks_pod_spec_unref (copy);
  }
}

/* The problems of a pod whose spec has spec_extra, one per line. */
static char *
decode_problems (const char *spec_extra)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                           "spec:\n  containers: [{name: c, image: busybox}]\n  %s",
                                           spec_extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("p.yaml", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = NULL;
  GString *s = g_string_new (NULL);
  KsDecoder dec;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_null (obj);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_string_append_printf (s, "%s\n", ks_diag_get (diag, i));
  return g_string_free (s, FALSE);
}

#define ASSERT_PROBLEMS(spec, expected)                                                            \
  do                                                                                               \
    {                                                                                              \
      g_autofree char *got_ = decode_problems (spec);                                              \
      g_assert_cmpstr (got_, ==, expected);                                                        \
    }                                                                                              \
  while (0)

static void
test_decode_affinity_errors (void)
{
#define ANTI_REQ "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"
#define AFF_PREF "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution"
  ASSERT_PROBLEMS (
      "affinity:\n"
      "    podAntiAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "      - labelSelector: {matchLabels: {app: web}}\n"
      "      - {topologyKey: \"\", namespaces: [Bad_NS]}\n"
      "      - {topologyKey: \"a b\", matchLabelKeys: [x]}\n"
      "      - {labelSelector: {}, topologyKey: zone, matchLabelKeys: [x], mismatchLabelKeys: "
      "[x]}\n",
      "p.yaml:9:9: " ANTI_REQ "[0].topologyKey: Required value: can not be empty\n"
      "p.yaml:10:40: " ANTI_REQ "[1].namespaces[0]: Invalid value: \"Bad_NS\": must be a lowercase "
      "RFC 1123 label: at most 63 characters, lowercase letters, digits and '-', starting and "
      "ending with a letter or digit (e.g. \"my-name\")\n"
      "p.yaml:10:23: " ANTI_REQ "[1].topologyKey: Required value: can not be empty\n"
      "p.yaml:11:23: " ANTI_REQ
      "[2].topologyKey: Invalid value: \"a b\": must be a qualified name: "
      "an optional DNS subdomain prefix and '/', then at most 63 characters of letters, digits, "
      "'-', '_' and '.', starting and ending with a letter or digit (e.g. \"app\" or "
      "\"example.com/tier\")\n"
      "p.yaml:11:9: " ANTI_REQ "[2].labelSelector: Forbidden: must not be nil when matchLabelKeys "
      "or mismatchLabelKeys is specified\n"
      "p.yaml:12:65: " ANTI_REQ "[3].matchLabelKeys[0]: Invalid value: \"x\": exists in both "
      "matchLabelKeys and mismatchLabelKeys\n");
  ASSERT_PROBLEMS ("affinity:\n"
                   "    podAffinity:\n"
                   "      preferredDuringSchedulingIgnoredDuringExecution:\n"
                   "      - {weight: 0, podAffinityTerm: {topologyKey: zone}}\n"
                   "      - {weight: 101}\n"
                   "      - podAffinityTerm: {topologyKey: zone}\n",
                   "p.yaml:9:18: " AFF_PREF "[0].weight: Invalid value: 0: must be in the range "
                   "1-100\n"
                   "p.yaml:10:18: " AFF_PREF "[1].weight: Invalid value: 101: must be in the range "
                   "1-100\n"
                   "p.yaml:10:9: " AFF_PREF "[1].podAffinityTerm: Required value\n"
                   "p.yaml:11:9: " AFF_PREF "[2].weight: Invalid value: 0: must be in the range "
                   "1-100\n");
#undef ANTI_REQ
#undef AFF_PREF
}

static void
test_decode_spread_errors (void)
{
#define TSC "spec.topologySpreadConstraints"
  ASSERT_PROBLEMS (
      "topologySpreadConstraints:\n"
      "  - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n"
      "  - {maxSkew: 1, whenUnsatisfiable: Sometimes}\n"
      "  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 0}\n"
      "  - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, nodeAffinityPolicy: "
      "Maybe}\n"
      "  - {maxSkew: 1, topologyKey: k2, whenUnsatisfiable: DoNotSchedule, matchLabelKeys: [a]}\n"
      "  - {maxSkew: 1, topologyKey: k3, whenUnsatisfiable: DoNotSchedule, labelSelector: "
      "{matchLabels: {a: b}}, matchLabelKeys: [a]}\n",
      "p.yaml:7:15: " TSC "[0].maxSkew: Invalid value: 0: must be greater than zero\n"
      "p.yaml:8:5: " TSC "[1].topologyKey: Required value: can not be empty\n"
      "p.yaml:8:37: " TSC "[1].whenUnsatisfiable: unsupported value \"Sometimes\": supported "
      "values: DoNotSchedule, ScheduleAnyway\n"
      "p.yaml:9:84: " TSC "[2].minDomains: Invalid value: 0: must be greater than zero\n"
      "p.yaml:9:84: " TSC "[2].minDomains: Invalid value: 0: can only use minDomains if "
      "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway\n"
      "p.yaml:10:88: " TSC "[3].nodeAffinityPolicy: unsupported value \"Maybe\": supported "
      "values: Honor, Ignore\n"
      "p.yaml:11:85: " TSC "[4].matchLabelKeys: Forbidden: must not be specified when "
      "labelSelector is not set\n"
      "p.yaml:12:124: " TSC "[5].matchLabelKeys[0]: Invalid value: \"a\": exists in both "
      "matchLabelKeys and labelSelector\n");
  /* each {topologyKey, whenUnsatisfiable} once: the first of a pair is reported */
  ASSERT_PROBLEMS ("topologySpreadConstraints:\n"
                   "  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n"
                   "  - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}\n"
                   "  - {maxSkew: 3, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n",
                   "p.yaml:7:5: " TSC "[0]: Duplicate value: \"{zone, DoNotSchedule}\": "
                   "{topologyKey, whenUnsatisfiable} must be unique\n");
#undef TSC
}

/* ---- PodTopologySpread: Filter ----------------------------------------------------------- */

/* Zones a (a1, a2), b (b1), c (c1) and a node without a zone label (d1). */
static void
spread_world (World *w)
{
  world_init (w);
  world_node (w, "a1", "{zone: a, disk: ssd}", NULL);
  world_node (w, "a2", "{zone: a, disk: ssd}", NULL);
  world_node (w, "b1", "{zone: b}", NULL);
  world_node (w, "c1", "{zone: c}", "{taints: [{key: gpu, effect: NoSchedule}]}");
  world_node (w, "d1", "{disk: ssd}", NULL);
}

static KsPod *
spread_pod (const char *labels, const char *constraint)
{
  g_autofree char *extra = g_strdup_printf ("topologySpreadConstraints: [%s]", constraint);
  return pod_new ("incoming", labels, extra);
}

static void
test_spread_filter_skew (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) pod
      = spread_pod ("{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
                                  "DoNotSchedule, labelSelector: {matchLabels: {app: web}}}");
  g_autoptr (KsPod) other_ns = pod_ns ("other", "prod", "{app: web}", NULL);
  g_autoptr (KsPod) deleting = pod_new ("deleting", "{app: web}", NULL);
  g_autofree char *r1 = NULL, *r2 = NULL;

  spread_world (&w);
  /* matching pods: a1 2, a2 1, b1 1, c1 0, d1 3 (no zone: not counted) */
  ni_add_n (NODE (&w, 0), 2, "{app: web}");
  ni_add_n (NODE (&w, 1), 1, "{app: web}");
  ni_add_n (NODE (&w, 2), 1, "{app: web}");
  ni_add_n (NODE (&w, 4), 3, "{app: web}");
  /* neither counts: another namespace, being deleted; nor pods with other labels */
  ni_add (NODE (&w, 2), other_ns);
  deleting->parent.meta.deletion_timestamp = 5;
  ni_add (NODE (&w, 2), deleting);
  ni_add_n (NODE (&w, 3), 2, "{app: db}");
  plug_init (&p, &w, "PodTopologySpread", NULL);

  /* counts a 3, b 1, c 0 → min 0; skew = count + 1 − 0: a 4, b 2 > 1; c 1 ≤ 1 */
  g_assert_cmpint (plug_pre_filter (&p, pod), ==, KS_STATUS_SUCCESS);
  r1 = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (r1, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  /* one more pod in c: counts a 3, b 1, c 1 → min 1: a 3 + 1 − 1 = 3 > 1; b, c 1 + 1 − 1 = 1 */
  ni_add_n (NODE (&w, 3), 1, "{app: web}");
  g_assert_cmpint (plug_pre_filter (&p, pod), ==, KS_STATUS_SUCCESS);
  r2 = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (r2, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  plug_clear (&p);
  world_clear (&w);
}

static void
test_spread_filter_min_domains (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) skew1 = spread_pod (
      "{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                    "minDomains: 4, labelSelector: {matchLabels: {app: web}}}");
  g_autoptr (KsPod) skew2 = spread_pod (
      "{app: web}", "{maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                    "minDomains: 4, labelSelector: {matchLabels: {app: web}}}");
  g_autoptr (KsPod) enough = spread_pod (
      "{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                    "minDomains: 3, labelSelector: {matchLabels: {app: web}}}");
  g_autoptr (KsPod) no_self = spread_pod (
      "{app: other}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                      "minDomains: 4, labelSelector: {matchLabels: {app: web}}}");
  g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;

  spread_world (&w);
  /* counts a 3, b 1, c 1: 3 domains */
  ni_add_n (NODE (&w, 0), 3, "{app: web}");
  ni_add_n (NODE (&w, 2), 1, "{app: web}");
  ni_add_n (NODE (&w, 3), 1, "{app: web}");
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* 3 domains < minDomains 4: the global minimum counts as 0; b, c: 1 + 1 − 0 = 2 > 1 */
  plug_pre_filter (&p, skew1);
  r1 = plug_filter_all (&p, &w, skew1);
  g_assert_cmpstr (r1, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  /* maxSkew 2: b, c 2 ≤ 2; a 3 + 1 − 0 = 4 > 2 */
  plug_pre_filter (&p, skew2);
  r2 = plug_filter_all (&p, &w, skew2);
  g_assert_cmpstr (r2, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  /* minDomains 3 = 3 domains: the minimum 1 counts; b, c 1 + 1 − 1 = 1 */
  plug_pre_filter (&p, enough);
  r3 = plug_filter_all (&p, &w, enough);
  g_assert_cmpstr (r3, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  /* a pod its selector does not match adds 0: b, c 1 + 0 − 0 = 1; a 3 > 1 */
  plug_pre_filter (&p, no_self);
  r4 = plug_filter_all (&p, &w, no_self);
  g_assert_cmpstr (r4, ==, r3);
  plug_clear (&p);
  world_clear (&w);
}

static void
test_spread_filter_inclusion_policies (void)
{
  World w;
  Plug p;
  /* nodeSelector disk: ssd with nodeAffinityPolicy Honor (the default): only a1 and a2 count
   * (d1 has no zone): one domain, a 3, the minimum 3: a 3 + 1 − 3 = 1; b and c read 0:
   * 0 + 1 − 3 < 1.  (NodeAffinity rejects b1, c1 and d1 anyway.) */
  g_autoptr (KsPod) honor = pod_new (
      "honor", "{app: web}",
      "nodeSelector: {disk: ssd}, topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, "
      "whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]");
  /* Ignore: every zone counts, a 3, b 1, c 0 */
  g_autoptr (KsPod) ignore = pod_new (
      "ignore", "{app: web}",
      "nodeSelector: {disk: ssd}, topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, "
      "whenUnsatisfiable: DoNotSchedule, nodeAffinityPolicy: Ignore, labelSelector: "
      "{matchLabels: {app: web}}}]");
  /* nodeTaintsPolicy Honor: c1's untolerated NoSchedule taint leaves c out: a 3, b 1 → min 1;
   * b 1 + 1 − 1 = 1 passes; c reads 0: 0 + 1 − 1 = 0 */
  g_autoptr (KsPod) taints = spread_pod (
      "{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                    "nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: web}}}");
  g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;

  spread_world (&w);
  ni_add_n (NODE (&w, 0), 2, "{app: web}");
  ni_add_n (NODE (&w, 1), 1, "{app: web}");
  ni_add_n (NODE (&w, 2), 1, "{app: web}");
  plug_init (&p, &w, "PodTopologySpread", NULL);
  plug_pre_filter (&p, honor);
  r1 = plug_filter_all (&p, &w, honor);
  g_assert_cmpstr (r1, ==,
                   " |  |  |  | UU: node(s) didn't match pod topology spread constraints (missing "
                   "required label)");
  plug_pre_filter (&p, ignore);
  r2 = plug_filter_all (&p, &w, ignore);
  g_assert_cmpstr (r2, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  plug_pre_filter (&p, taints);
  r3 = plug_filter_all (&p, &w, taints);
  g_assert_cmpstr (r3, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  plug_clear (&p);
  world_clear (&w);
}

static void
test_spread_match_label_keys (void)
{
  World w;
  Plug p;
  /* matchLabelKeys [rev]: the selector becomes app=web,rev=2: only a1's rev-2 pod counts:
   * a 1, b 0, c 0 → min 0; a 1 + 1 − 0 = 2 > 1 */
  g_autoptr (KsPod) pod = spread_pod (
      "{app: web, rev: \"2\"}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
                                "labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [rev]}");
  g_autofree char *r = NULL;

  spread_world (&w);
  ni_add_n (NODE (&w, 0), 1, "{app: web, rev: \"2\"}");
  ni_add_n (NODE (&w, 2), 3, "{app: web, rev: \"1\"}");
  plug_init (&p, &w, "PodTopologySpread", NULL);
  plug_pre_filter (&p, pod);
  r = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (r, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  plug_clear (&p);
  world_clear (&w);
}

/* AddPod/RemovePod on a cloned state change the clone only. */
static void
test_spread_add_remove_clone (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) pod
      = spread_pod ("{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
                                  "DoNotSchedule, labelSelector: {matchLabels: {app: web}}}");
  g_autoptr (KsPod) extra = pod_new ("extra", "{app: web}", NULL);
  gpointer original, clone;
  g_autofree char *before = NULL, *removed = NULL, *after = NULL, *added = NULL;

  spread_world (&w);
  ni_add_n (NODE (&w, 0), 2, "{app: web}");
  ni_add_n (NODE (&w, 2), 1, "{app: web}");
  ni_add_n (NODE (&w, 3), 1, "{app: web}");
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* a 2, b 1, c 1: a 2 + 1 − 1 = 2 fails, b and c pass */
  plug_pre_filter (&p, pod);
  before = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (before, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  original = p.ctx.cycle;
  clone = p.plugin->clone_cycle (original);
  p.ctx.cycle = clone;
  /* the clone without one of a1's pods: a 1, b 1, c 1 → every zoned node passes */
  p.plugin->remove_pod (&p.ctx, pod, g_ptr_array_index (NODE (&w, 0)->pods, 0), NODE (&w, 0));
  removed = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (removed, ==,
                   " |  |  |  | UU: node(s) didn't match pod topology spread constraints "
                   "(missing required label)");
  /* and with a pod added on b1: a 1, b 2, c 1 → b fails */
  p.plugin->add_pod (&p.ctx, pod, extra, NODE (&w, 2));
  added = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (added, ==,
                   " |  | U: node(s) didn't match pod topology spread constraints |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  p.plugin->free_cycle (clone);
  p.ctx.cycle = original;
  after = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (after, ==, before);
  plug_clear (&p);
  world_clear (&w);
}

static void
test_spread_skip (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) bare = pod_new ("bare", "{app: web}", NULL);
  g_autoptr (KsPod) soft
      = spread_pod ("{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
                                  "ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}");
  g_autofree char *raw = NULL, *norm = NULL;

  spread_world (&w);
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* no constraints of its own, no Service or ReplicaSet selecting it: nothing to spread */
  g_assert_cmpint (plug_pre_filter (&p, bare), ==, KS_STATUS_SKIP);
  g_assert_cmpint (plug_scores_all (&p, &w, bare, &raw, &norm), ==, KS_STATUS_SKIP);
  /* ScheduleAnyway constraints only: nothing to filter */
  g_assert_cmpint (plug_pre_filter (&p, soft), ==, KS_STATUS_SKIP);
  plug_clear (&p);
  world_clear (&w);
}

/* ---- PodTopologySpread: Score ------------------------------------------------------------ */

static void
test_spread_score (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) pod = pod_new (
      "incoming", "{app: web}",
      "topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
      "ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}, {maxSkew: 2, topologyKey: "
      "kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: "
      "{app: web}}}]");
  g_autofree char *raw = NULL, *norm = NULL;

  world_init (&w);
  world_node (&w, "n1", "{zone: a, kubernetes.io/hostname: n1}", NULL);
  world_node (&w, "n2", "{zone: a, kubernetes.io/hostname: n2}", NULL);
  world_node (&w, "n3", "{zone: b, kubernetes.io/hostname: n3}", NULL);
  world_node (&w, "n4", "{kubernetes.io/hostname: n4}", NULL);
  world_node (&w, "n5", "{zone: b, kubernetes.io/hostname: n5}", NULL);
  ni_add_n (NODE (&w, 0), 2, "{app: web}");
  ni_add_n (NODE (&w, 2), 1, "{app: web}");
  ni_add_n (NODE (&w, 3), 5, "{app: web}");
  ni_add_n (NODE (&w, 4), 3, "{app: web}");
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* Feasible: n1..n4 (n5 did not pass the filters but its pods count for its zone).  n4 lacks
   * the zone label: ignored (the pod's own constraints need every key), scores 0.
   * Zones among the scored nodes: {a, b}: weight ln(2 + 2) = 1.3862944;
   * hostname: 4 feasible − 1 ignored = 3 nodes: weight ln(3 + 2) = 1.6094379.
   * Zone counts over every node: a = 2 + 0 = 2, b = 1 + 3 = 4.
   *   n1: 2·1.3862944 + 0 + 2·1.6094379 + 1 = 6.9914645 → 7
   *   n2: 2·1.3862944 + 0 + 0 + 1 = 3.7725887 → 4
   *   n3: 4·1.3862944 + 0 + 1·1.6094379 + 1 = 8.1546154 → 8
   * Normalize with min 4, max 8: 100·(8 + 4 − s) div 8: n1 500 div 8 = 62, n2 100, n3 50. */
  g_assert_cmpint (plug_scores (&p, pod, (KsNodeInfo **) w.nodes->pdata, 4, &raw, &norm), ==,
                   KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw, ==, "7 4 8 0");
  g_assert_cmpstr (norm, ==, "62 100 50 0");
  plug_clear (&p);
  world_clear (&w);
}

/* Every score 0: each scored node gets 100. */
static void
test_spread_score_zero (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) pod
      = spread_pod ("{app: web}", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
                                  "ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}");
  g_autofree char *raw = NULL, *norm = NULL;

  spread_world (&w);
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* no matching pod, maxSkew 1: every zoned node 0; d1 ignored */
  g_assert_cmpint (plug_scores_all (&p, &w, pod, &raw, &norm), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw, ==, "0 0 0 0 0");
  g_assert_cmpstr (norm, ==, "100 100 100 100 0");
  plug_clear (&p);
  world_clear (&w);
}

/* The system default constraints, with the selector of the pod's Service and ReplicaSet. */
static void
test_spread_system_defaults (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) owned = pod_new ("web-x", "{app: web, tier: fe}", NULL);
  g_autoptr (KsPod) other_owner = NULL;
  g_autofree char *raw = NULL, *norm = NULL, *raw2 = NULL, *norm2 = NULL;
  KsOwnerRef ref = { 0 };

  world_init (&w);
  world_node (&w, "n1", "{kubernetes.io/hostname: n1}", NULL);
  world_node (&w, "n2", "{kubernetes.io/hostname: n2}", NULL);
  world_node (&w, "n3", "{kubernetes.io/hostname: n3}", NULL);
  ni_add_n (NODE (&w, 0), 2, "{app: web, tier: fe}");
  ni_add_n (NODE (&w, 2), 1, "{app: web, tier: fe}");
  ni_add_n (NODE (&w, 2), 1, "{app: web, tier: be}");
  g_ptr_array_add (w.objects,
                   ks_test_decode ("apiVersion: apps/v1\nkind: ReplicaSet\n"
                                   "metadata: {name: web-rs, namespace: default}\n"
                                   "spec:\n  selector: {matchLabels: {app: web}}\n"
                                   "  template:\n    metadata: {labels: {app: web}}\n"
                                   "    spec: {containers: [{name: c, image: busybox}]}\n"));
  /* a Service selecting tier: fe narrows the selector to app=web,tier=fe */
  g_ptr_array_add (w.objects,
                   ks_test_decode ("apiVersion: v1\nkind: Service\n"
                                   "metadata: {name: fe, namespace: default}\n"
                                   "spec: {selector: {tier: fe}, ports: [{port: 80}]}\n"));
  ref.api_version = (char *) "apps/v1";
  ref.kind = (char *) "ReplicaSet";
  ref.name = (char *) "web-rs";
  ref.controller = TRUE;
  {
    g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);
    ks_object_set_owner_refs (KS_OBJECT (owned), refs);
  }
  plug_init (&p, &w, "PodTopologySpread", NULL);
  /* System defaults: hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway; no node has a zone
   * label, which is allowed (only hostname spreading then).  Hostname: 3 nodes, weight
   * ln 5 = 1.6094379:
   *   n1: 2·1.6094379 + 2 = 5.2188758 → 5;  n2: 0 + 2 = 2;
   *   n3: 1·1.6094379 + 2 = 3.6094379 → 4 (the tier: be pod does not match)
   * Normalize with min 2, max 5: 100·(7 − s) div 5: 40, 100, 60. */
  g_assert_cmpint (plug_scores_all (&p, &w, owned, &raw, &norm), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw, ==, "5 2 4");
  g_assert_cmpstr (norm, ==, "40 100 60");
  /* nothing to filter: the defaults are ScheduleAnyway */
  g_assert_cmpint (plug_pre_filter (&p, owned), ==, KS_STATUS_SKIP);
  plug_clear (&p);

  /* Without the Service, only the ReplicaSet's app=web: n3 counts 2: 2·1.6094379 + 2 → 5:
   * raw 5 2 5, normalized 40 100 40. */
  g_ptr_array_remove_index (w.objects, 1);
  plug_init (&p, &w, "PodTopologySpread", NULL);
  g_assert_cmpint (plug_scores_all (&p, &w, owned, &raw2, &norm2), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw2, ==, "5 2 5");
  g_assert_cmpstr (norm2, ==, "40 100 40");
  /* An owner of another API version is not that ReplicaSet: no selector, nothing to score. */
  other_owner = pod_new ("x", "{app: web}", NULL);
  ref.api_version = (char *) "apps/v1beta2";
  {
    g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);
    g_autofree char *r = NULL, *n = NULL;
    ks_object_set_owner_refs (KS_OBJECT (other_owner), refs);
    g_assert_cmpint (plug_scores_all (&p, &w, other_owner, &r, &n), ==, KS_STATUS_SKIP);
  }
  plug_clear (&p);
  world_clear (&w);
}

/* defaultingType List with a DoNotSchedule default constraint filters too. */
static void
test_spread_list_defaults (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) pod = pod_new ("web-x", "{app: web}", NULL);
  g_autofree char *r = NULL;
  KsOwnerRef ref
      = { (char *) "apps/v1", (char *) "ReplicaSet", (char *) "web-rs", { { 0 } }, TRUE, TRUE };
  g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);

  spread_world (&w);
  ni_add_n (NODE (&w, 0), 2, "{app: web}");
  g_ptr_array_add (w.objects,
                   ks_test_decode ("apiVersion: apps/v1\nkind: ReplicaSet\n"
                                   "metadata: {name: web-rs, namespace: default}\n"
                                   "spec:\n  selector: {matchLabels: {app: web}}\n"
                                   "  template:\n    metadata: {labels: {app: web}}\n"
                                   "    spec: {containers: [{name: c, image: busybox}]}\n"));
  ks_object_set_owner_refs (KS_OBJECT (pod), refs);
  plug_init (&p, &w, "PodTopologySpread",
             "{\"defaultingType\": \"List\", \"defaultConstraints\": [{\"maxSkew\": 1, "
             "\"topologyKey\": \"zone\", \"whenUnsatisfiable\": \"DoNotSchedule\"}]}");
  /* a 2, b 0, c 0: a 2 + 1 − 0 = 3 > 1 */
  g_assert_cmpint (plug_pre_filter (&p, pod), ==, KS_STATUS_SUCCESS);
  r = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (r, ==,
                   "U: node(s) didn't match pod topology spread constraints | "
                   "U: node(s) didn't match pod topology spread constraints |  |  | "
                   "UU: node(s) didn't match pod topology spread constraints (missing required "
                   "label)");
  plug_clear (&p);
  world_clear (&w);
}

static void
test_spread_args (void)
{
  g_autofree char *e1 = init_error (
      "PodTopologySpread", "{\"defaultConstraints\": [{\"maxSkew\": 0, \"topologyKey\": \"zone\", "
                           "\"whenUnsatisfiable\": \"DoNotSchedule\"}]}");
  g_autofree char *e2 = init_error ("PodTopologySpread", "{\"defaultingType\": \"Sometimes\"}");
  g_autofree char *e3 = init_error (
      "PodTopologySpread",
      "{\"defaultingType\": \"List\", \"defaultConstraints\": [{\"maxSkew\": 1, \"topologyKey\": "
      "\"zone\", \"whenUnsatisfiable\": \"DoNotSchedule\", \"labelSelector\": {}}, {\"maxSkew\": "
      "2, \"topologyKey\": \"host\", \"whenUnsatisfiable\": \"DoNotSchedule\"}]}");
  g_autofree char *e4
      = init_error ("PodTopologySpread",
                    "{\"defaultingType\": \"List\", \"defaultConstraints\": [{\"maxSkew\": 1, "
                    "\"topologyKey\": \"zone\", \"whenUnsatisfiable\": \"DoNotSchedule\"}, "
                    "{\"maxSkew\": 2, \"topologyKey\": \"zone\", \"whenUnsatisfiable\": "
                    "\"DoNotSchedule\"}]}");

  g_assert_cmpstr (e1, ==,
                   "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)\n"
                   "defaultingType: Invalid value: \"System\": when .defaultConstraints are not "
                   "empty");
  g_assert_cmpstr (e2, ==,
                   "defaultingType: Unsupported value: \"Sometimes\": supported values: "
                   "\"System\", \"List\"");
  g_assert_cmpstr (e3, ==,
                   "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a "
                   "selector, as they deduced for each pod");
  g_assert_cmpstr (e4, ==, "defaultConstraints[1]: Duplicate value: \"{zone, DoNotSchedule}\"");
  {
    /* decoded strictly, as kube-scheduler decodes its configuration */
    g_autofree char *e5 = init_error (
        "PodTopologySpread",
        "{\"kind\": \"PodTopologySpreadArgs\", \"defaultingType\": \"List\", \"extra\": 1, "
        "\"defaultConstraints\": [{\"maxSkew\": 1, \"topologyKey\": \"zone\", "
        "\"whenUnsatisfiable\": \"DoNotSchedule\", \"maxskew\": 2}]}");
    g_assert_cmpstr (e5, ==,
                     "extra: unknown field \"extra\"; valid fields: defaultConstraints, "
                     "defaultingType, apiVersion, kind\n"
                     "defaultConstraints[0].maxskew: unknown field \"maxskew\"; valid fields: "
                     "maxSkew, topologyKey, whenUnsatisfiable, labelSelector, minDomains, "
                     "nodeAffinityPolicy, nodeTaintsPolicy, matchLabelKeys");
  }
}

/* ---- InterPodAffinity: Filter ------------------------------------------------------------ */

/* z1a, z1b (zone 1), z2a (zone 2), nz (no zone).  db (app=db) on z1a; cache (app=cache) on z2a
 * with required anti-affinity against app=web in its zone. */
static void
ipa_world (World *w)
{
  g_autoptr (KsPod) db = pod_new ("db", "{app: db}", NULL);
  g_autoptr (KsPod) cache
      = pod_new ("cache", "{app: cache}",
                 "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}]}}");

  world_init (w);
  world_node (w, "z1a", "{zone: \"1\"}", NULL);
  world_node (w, "z1b", "{zone: \"1\"}", NULL);
  world_node (w, "z2a", "{zone: \"2\"}", NULL);
  world_node (w, "nz", "{disk: ssd}", NULL);
  ni_add (NODE (w, 0), db);
  ni_add (NODE (w, 2), cache);
}

#define AFFINITY                                                                                   \
  "U"                                                                                              \
  "U: node(s) didn't match pod affinity rules"
#define ANTI "U: node(s) didn't match pod anti-affinity rules"
#define EXISTING "U: node(s) didn't satisfy existing pods anti-affinity rules"

static void
test_ipa_required_affinity (void)
{
  World w;
  Plug p;
  /* needs an app=db pod in its zone: zone 1 only (z2a has none; nz has no zone label) */
  g_autoptr (KsPod) near_db
      = pod_new ("near-db", "{app: api}",
                 "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: db}}, topologyKey: zone}]}}");
  /* the first pod of a group with affinity to itself: no app=group pod anywhere, and it
   * matches its own term: any node with a zone label */
  g_autoptr (KsPod) first
      = pod_new ("first", "{app: group}",
                 "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: group}}, topologyKey: zone}]}}");
  /* no pod matches and it does not match itself: nowhere */
  g_autoptr (KsPod) lonely
      = pod_new ("lonely", "{app: api}",
                 "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: nothing}}, topologyKey: zone}]}}");
  /* db lives in namespace default: a term for namespace prod does not see it */
  g_autoptr (KsPod) prod
      = pod_ns ("prod-api", "prod", "{app: api}",
                "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                "[{labelSelector: {matchLabels: {app: db}}, topologyKey: zone}]}}");
  /* ... unless it lists it, or selects every namespace */
  g_autoptr (KsPod) listed = pod_ns (
      "prod-listed", "prod", "{app: api}",
      "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: db}}, namespaces: [default], topologyKey: zone}]}}");
  g_autoptr (KsPod) all_ns = pod_ns (
      "prod-all", "prod", "{app: api}",
      "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: db}}, namespaceSelector: {}, topologyKey: zone}]}}");
  g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL, *r5 = NULL, *r6 = NULL;

  ipa_world (&w);
  plug_init (&p, &w, "InterPodAffinity", NULL);
  g_assert_cmpint (plug_pre_filter (&p, near_db), ==, KS_STATUS_SUCCESS);
  r1 = plug_filter_all (&p, &w, near_db);
  g_assert_cmpstr (r1, ==, " |  | " AFFINITY " | " AFFINITY);
  plug_pre_filter (&p, first);
  r2 = plug_filter_all (&p, &w, first);
  g_assert_cmpstr (r2, ==, " |  |  | " AFFINITY);
  plug_pre_filter (&p, lonely);
  r3 = plug_filter_all (&p, &w, lonely);
  g_assert_cmpstr (r3, ==, AFFINITY " | " AFFINITY " | " AFFINITY " | " AFFINITY);
  plug_pre_filter (&p, prod);
  r4 = plug_filter_all (&p, &w, prod);
  g_assert_cmpstr (r4, ==, r3);
  plug_pre_filter (&p, listed);
  r5 = plug_filter_all (&p, &w, listed);
  g_assert_cmpstr (r5, ==, r1);
  plug_pre_filter (&p, all_ns);
  r6 = plug_filter_all (&p, &w, all_ns);
  g_assert_cmpstr (r6, ==, r1);
  plug_clear (&p);
  world_clear (&w);
}

static void
test_ipa_required_anti_affinity (void)
{
  World w;
  Plug p;
  /* keeps away from app=db in its zone (zone 1), and is app=web, which cache (zone 2) keeps
   * away: only nz is left */
  g_autoptr (KsPod) web
      = pod_new ("web", "{app: web}",
                 "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: db}}, topologyKey: zone}]}}");
  /* no terms of its own: only the symmetric check against cache */
  g_autoptr (KsPod) plain = pod_new ("plain", "{app: web}", NULL);
  g_autoptr (KsPod) other = pod_new ("other", "{app: other}", NULL);
  g_autofree char *r1 = NULL, *r2 = NULL;

  ipa_world (&w);
  plug_init (&p, &w, "InterPodAffinity", NULL);
  g_assert_cmpint (plug_pre_filter (&p, web), ==, KS_STATUS_SUCCESS);
  r1 = plug_filter_all (&p, &w, web);
  g_assert_cmpstr (r1, ==, ANTI " | " ANTI " | " EXISTING " | ");
  g_assert_cmpint (plug_pre_filter (&p, plain), ==, KS_STATUS_SUCCESS);
  r2 = plug_filter_all (&p, &w, plain);
  g_assert_cmpstr (r2, ==, " |  | " EXISTING " | ");
  /* nothing concerns a pod no term selects: PreFilter skips */
  g_assert_cmpint (plug_pre_filter (&p, other), ==, KS_STATUS_SKIP);
  plug_clear (&p);
  world_clear (&w);
}

/* An existing pod's term with a namespaceSelector: the incoming pod's namespace labels. */
static void
test_ipa_namespace_selector (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) guard = pod_new (
      "guard", "{app: guard}",
      "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: web}}, namespaceSelector: {matchLabels: {team: a}}, "
      "topologyKey: zone}]}}");
  g_autoptr (KsPod) web_a = pod_ns ("web", "team-a", "{app: web}", NULL);
  g_autoptr (KsPod) web_b = pod_ns ("web", "team-b", "{app: web}", NULL);
  g_autofree char *r1 = NULL;

  world_init (&w);
  world_node (&w, "z1", "{zone: \"1\"}", NULL);
  world_node (&w, "z2", "{zone: \"2\"}", NULL);
  ni_add (NODE (&w, 0), guard);
  g_ptr_array_add (w.objects, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                              "metadata: {name: team-a, labels: {team: a}}\n"));
  g_ptr_array_add (w.objects, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                              "metadata: {name: team-b, labels: {team: b}}\n"));
  plug_init (&p, &w, "InterPodAffinity", NULL);
  g_assert_cmpint (plug_pre_filter (&p, web_a), ==, KS_STATUS_SUCCESS);
  r1 = plug_filter_all (&p, &w, web_a);
  g_assert_cmpstr (r1, ==, EXISTING " | ");
  g_assert_cmpint (plug_pre_filter (&p, web_b), ==, KS_STATUS_SKIP);
  plug_clear (&p);
  world_clear (&w);
}

static void
test_ipa_match_label_keys (void)
{
  World w;
  Plug p;
  /* away from pods of its own app and release: matchLabelKeys [release] adds release=2 */
  g_autoptr (KsPod) pod = pod_new (
      "web", "{app: web, release: \"2\"}",
      "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [release], topologyKey: "
      "zone}]}}");
  /* mismatchLabelKeys [release]: pods of another release */
  g_autoptr (KsPod) mismatch = pod_new (
      "web", "{app: web, release: \"2\"}",
      "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: web}}, mismatchLabelKeys: [release], topologyKey: "
      "zone}]}}");
  g_autofree char *r1 = NULL, *r2 = NULL;

  world_init (&w);
  world_node (&w, "z1", "{zone: \"1\"}", NULL);
  world_node (&w, "z2", "{zone: \"2\"}", NULL);
  world_node (&w, "z3", "{zone: \"3\"}", NULL);
  ni_add_n (NODE (&w, 0), 1, "{app: web, release: \"1\"}");
  ni_add_n (NODE (&w, 1), 1, "{app: web, release: \"2\"}");
  plug_init (&p, &w, "InterPodAffinity", NULL);
  plug_pre_filter (&p, pod);
  r1 = plug_filter_all (&p, &w, pod);
  g_assert_cmpstr (r1, ==, " | " ANTI " | ");
  plug_pre_filter (&p, mismatch);
  r2 = plug_filter_all (&p, &w, mismatch);
  g_assert_cmpstr (r2, ==, ANTI " |  | ");
  plug_clear (&p);
  world_clear (&w);
}

static void
test_ipa_add_remove_clone (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) web
      = pod_new ("web", "{app: web}",
                 "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                 "[{labelSelector: {matchLabels: {app: db}}, topologyKey: zone}]}}");
  g_autoptr (KsPod) db2 = pod_new ("db2", "{app: db}", NULL);
  gpointer original, clone;
  g_autofree char *before = NULL, *removed = NULL, *added = NULL, *after = NULL;

  ipa_world (&w);
  plug_init (&p, &w, "InterPodAffinity", NULL);
  plug_pre_filter (&p, web);
  before = plug_filter_all (&p, &w, web);
  g_assert_cmpstr (before, ==, ANTI " | " ANTI " | " EXISTING " | ");
  original = p.ctx.cycle;
  clone = p.plugin->clone_cycle (original);
  p.ctx.cycle = clone;
  /* without db (zone 1) and cache (zone 2), every node passes */
  p.plugin->remove_pod (&p.ctx, web, g_ptr_array_index (NODE (&w, 0)->pods, 0), NODE (&w, 0));
  p.plugin->remove_pod (&p.ctx, web, g_ptr_array_index (NODE (&w, 2)->pods, 0), NODE (&w, 2));
  removed = plug_filter_all (&p, &w, web);
  g_assert_cmpstr (removed, ==, " |  |  | ");
  /* a db pod added in zone 2 */
  p.plugin->add_pod (&p.ctx, web, db2, NODE (&w, 2));
  added = plug_filter_all (&p, &w, web);
  g_assert_cmpstr (added, ==, " |  | " ANTI " | ");
  p.plugin->free_cycle (clone);
  p.ctx.cycle = original;
  after = plug_filter_all (&p, &w, web);
  g_assert_cmpstr (after, ==, before);
  plug_clear (&p);
  world_clear (&w);
}

/* ---- InterPodAffinity: Score ------------------------------------------------------------- */

/* n1, n2 in zone a, n3 in zone b, n4 in zone c. */
static void
ipa_score_world (World *w)
{
  g_autoptr (KsPod) db1 = pod_new ("db1", "{app: db}", NULL);
  g_autoptr (KsPod) web1 = pod_new ("web1", "{app: web}", NULL);
  g_autoptr (KsPod) db2 = pod_new (
      "db2", "{app: db}",
      "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}]}, podAntiAffinity: "
      "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 5, podAffinityTerm: "
      "{labelSelector: {matchLabels: {tier: fe}}, topologyKey: zone}}]}}");
  g_autoptr (KsPod) x = pod_new (
      "x", "{app: other}",
      "affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 3, "
      "podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}]}}");

  world_init (w);
  world_node (w, "n1", "{zone: a}", NULL);
  world_node (w, "n2", "{zone: a}", NULL);
  world_node (w, "n3", "{zone: b}", NULL);
  world_node (w, "n4", "{zone: c}", NULL);
  ni_add (NODE (w, 0), db1);
  ni_add (NODE (w, 2), web1);
  ni_add (NODE (w, 2), db2);
  ni_add (NODE (w, 3), x);
}

static void
test_ipa_score (void)
{
  World w;
  Plug p, hard0, ignore;
  g_autoptr (KsPod) pod = pod_new (
      "p", "{app: web, tier: fe}",
      "affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, "
      "podAffinityTerm: {labelSelector: {matchLabels: {app: db}}, topologyKey: zone}}]}, "
      "podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 7, "
      "podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}]}}");
  g_autoptr (KsPod) plain = pod_new ("q", "{app: web}", NULL);
  g_autofree char *raw = NULL, *norm = NULL, *raw0 = NULL, *norm0 = NULL, *raw2 = NULL,
                  *norm2 = NULL, *r = NULL, *n = NULL;

  ipa_score_world (&w);
  plug_init (&p, &w, "InterPodAffinity", NULL);
  /* zone a: +10 (db1 matches p's preferred affinity)
   * zone b: −7 (web1 matches p's preferred anti-affinity) + 10 (db2 matches p's preferred
   *         affinity) + 1 (p matches db2's required affinity: hardPodAffinityWeight 1)
   *         − 5 (p matches db2's preferred anti-affinity) = −1
   * zone c: +3 (p matches x's preferred affinity)
   * Normalize with min −1, max 10, diff 11: 100·(s + 1)/11: 100, 100, 0, 36 (36.4) */
  g_assert_cmpint (plug_scores_all (&p, &w, pod, &raw, &norm), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw, ==, "10 10 -1 3");
  g_assert_cmpstr (norm, ==, "100 100 0 36");

  /* hardPodAffinityWeight 0: zone b −2; 100·(s + 2)/12: 100, 100, 0, 41 (41.7) */
  plug_init (&hard0, &w, "InterPodAffinity", "{\"hardPodAffinityWeight\": 0}");
  g_assert_cmpint (plug_scores_all (&hard0, &w, pod, &raw0, &norm0), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw0, ==, "10 10 -2 3");
  g_assert_cmpstr (norm0, ==, "100 100 0 41");

  /* A pod without preferred terms: only existing pods' terms: zone b +1 (db2's required
   * affinity), zone c +3: 0 0 1 3 → 0, 0, 33, 100 */
  g_assert_cmpint (plug_scores_all (&p, &w, plain, &raw2, &norm2), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw2, ==, "0 0 1 3");
  g_assert_cmpstr (norm2, ==, "0 0 33 100");
  /* ... which ignorePreferredTermsOfExistingPods skips */
  plug_init (&ignore, &w, "InterPodAffinity", "{\"ignorePreferredTermsOfExistingPods\": true}");
  g_assert_cmpint (plug_scores_all (&ignore, &w, plain, &r, &n), ==, KS_STATUS_SKIP);
  plug_clear (&p);
  plug_clear (&hard0);
  plug_clear (&ignore);
  world_clear (&w);
}

/* Only negative scores: the minimum maps to 0, the highest (0) to 100. */
static void
test_ipa_score_negative (void)
{
  World w;
  Plug p;
  g_autoptr (KsPod) web1 = pod_new ("web1", "{app: web}", NULL);
  g_autoptr (KsPod) web2 = pod_new ("web2", "{app: web}", NULL);
  g_autoptr (KsPod) pod = pod_new (
      "p", "{app: web}",
      "affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 7, "
      "podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}]}}");
  g_autoptr (KsPod) none = pod_new ("none", "{app: api}", NULL);
  g_autofree char *raw = NULL, *norm = NULL, *r = NULL, *n = NULL;

  world_init (&w);
  world_node (&w, "n1", "{zone: a}", NULL);
  world_node (&w, "n2", "{zone: b}", NULL);
  world_node (&w, "n3", "{zone: c}", NULL);
  ni_add (NODE (&w, 0), web1);
  ni_add (NODE (&w, 0), web2);
  ni_add_n (NODE (&w, 1), 1, "{app: web}");
  plug_init (&p, &w, "InterPodAffinity", NULL);
  /* zone a −14, zone b −7, zone c 0: min −14, max 0: 100·(s + 14)/14: 0, 50, 100 */
  g_assert_cmpint (plug_scores_all (&p, &w, pod, &raw, &norm), ==, KS_STATUS_SUCCESS);
  g_assert_cmpstr (raw, ==, "-14 -7 0");
  g_assert_cmpstr (norm, ==, "0 50 100");
  /* no terms anywhere: PreScore skips */
  g_assert_cmpint (plug_scores_all (&p, &w, none, &r, &n), ==, KS_STATUS_SKIP);
  plug_clear (&p);
  world_clear (&w);
}

static void
test_ipa_args (void)
{
  g_autofree char *e1 = init_error ("InterPodAffinity", "{\"hardPodAffinityWeight\": 101}");
  g_autofree char *e2 = init_error ("InterPodAffinity", "{\"hardPodAffinityWeight\": \"x\"}");
  g_autofree char *e3
      = init_error ("InterPodAffinity", "{\"ignorePreferredTermsOfExistingPods\": 1}");

  g_assert_cmpstr (e1, ==,
                   "hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]");
  g_assert_cmpstr (e2, ==, "hardPodAffinityWeight: expected an integer, got a string");
  g_assert_cmpstr (e3, ==,
                   "ignorePreferredTermsOfExistingPods: expected true or false, got an integer");
  {
    g_autofree char *e4 = init_error (
        "InterPodAffinity", "{\"kind\": \"NodeAffinityArgs\", \"hardPodAffinityWeigth\": 5}");
    g_assert_cmpstr (
        e4, ==,
        "kind: must be \"InterPodAffinityArgs\"\n"
        "hardPodAffinityWeigth: unknown field \"hardPodAffinityWeigth\"; valid fields: "
        "hardPodAffinityWeight, ignorePreferredTermsOfExistingPods, apiVersion, kind");
  }
}

/* ---- the scheduler cache ----------------------------------------------------------------- */

static void
test_cache_affinity_lists (void)
{
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (KsNode) node = node_new ("node-1", NULL, NULL);
  g_autoptr (KsPod) plain = pod_new ("plain", NULL, "nodeName: node-1");
  g_autoptr (KsPod) pref = pod_new (
      "pref", NULL,
      "nodeName: node-1, affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: "
      "[{weight: 1, podAffinityTerm: {labelSelector: {}, topologyKey: zone}}]}}");
  g_autoptr (KsPod) anti = pod_new ("anti", NULL,
                                    "nodeName: node-1, affinity: {podAntiAffinity: "
                                    "{requiredDuringSchedulingIgnoredDuringExecution: "
                                    "[{labelSelector: {}, topologyKey: zone}]}}");
  g_autoptr (KsPod) anti2 = NULL;
  KsNodeInfo *ni;
  guint64 g0, g1;
  guint with_affinity, with_anti;

  ks_sched_cache_set_node (cache, node);
  ni = ks_sched_cache_get_node (cache, "node-1");
  g0 = ni->generation;
  g_assert_cmpuint (g0, >, 0);
  ks_sched_cache_set_pod (cache, plain);
  g_assert_null (ni->pods_with_affinity);
  g_assert_null (ni->pods_with_required_anti_affinity);
  g1 = ni->generation;
  g_assert_cmpuint (g1, >, g0);
  ks_sched_cache_set_pod (cache, pref);
  ks_sched_cache_set_pod (cache, anti);
  g_assert_cmpuint (ni->pods_with_affinity->len, ==, 2);
  g_assert_true (g_ptr_array_index (ni->pods_with_affinity, 0) == pref);
  g_assert_true (g_ptr_array_index (ni->pods_with_affinity, 1) == anti);
  g_assert_cmpuint (ni->pods_with_required_anti_affinity->len, ==, 1);
  g_assert_true (g_ptr_array_index (ni->pods_with_required_anti_affinity, 0) == anti);
  /* one node with pods with affinity, one with pods with required anti-affinity */
  ks_sched_cache_affinity_counts (cache, &with_affinity, &with_anti);
  g_assert_cmpuint (with_affinity, ==, 1);
  g_assert_cmpuint (with_anti, ==, 1);
  /* a newer version of a pod replaces the old one in the lists */
  anti2 = KS_POD (ks_object_copy (KS_OBJECT (anti)));
  ks_sched_cache_set_pod (cache, anti2);
  g_assert_cmpuint (ni->pods_with_affinity->len, ==, 2);
  g_assert_true (g_ptr_array_index (ni->pods_with_required_anti_affinity, 0) == anti2);
  g_assert_cmpuint (ni->generation, >, g1);
  /* removals; empty lists are NULL again */
  ks_sched_cache_affinity_counts (cache, &with_affinity, &with_anti);
  g_assert_cmpuint (with_affinity, ==, 1);
  g_assert_cmpuint (with_anti, ==, 1);
  ks_sched_cache_remove_pod (cache, anti2);
  g_assert_cmpuint (ni->pods_with_affinity->len, ==, 1);
  g_assert_null (ni->pods_with_required_anti_affinity);
  ks_sched_cache_affinity_counts (cache, &with_affinity, &with_anti);
  g_assert_cmpuint (with_affinity, ==, 1);
  g_assert_cmpuint (with_anti, ==, 0);
  ks_sched_cache_remove_pod (cache, pref);
  g_assert_null (ni->pods_with_affinity);
  ks_sched_cache_affinity_counts (cache, &with_affinity, &with_anti);
  g_assert_cmpuint (with_affinity, ==, 0);
  ks_sched_cache_free (cache);
}

/* ---- per-node counts kept between cycles ------------------------------------------------- */

/* Everything one plugin decides for pod over nodes: PreFilter's code, each node's Filter result,
 * PreScore's code, raw and normalized scores. */
static char *
decide (Plug *p, KsPod *pod, KsNodeInfo *const *nodes, guint n, KsSchedCache *counts)
{
  GString *s = g_string_new (NULL);
  KsStatus st = { 0 };
  KsStatusCode code;
  g_autofree gint64 *scores = g_new0 (gint64, MAX (n, 1));

  p->ctx.all_nodes = nodes;
  p->ctx.n_all_nodes = n;
  /* the counts of nodes with affinity pods, as the scheduler gives them, or unknown */
  p->ctx.affinity_counts_known = counts != NULL;
  if (counts != NULL)
    ks_sched_cache_affinity_counts (counts, &p->ctx.n_nodes_with_affinity,
                                    &p->ctx.n_nodes_with_required_anti_affinity);
  plug_end_cycle (p);
  code = p->plugin->pre_filter (&p->ctx, pod, &st);
  g_string_append_printf (s, "prefilter %d:", code);
  for (guint i = 0; code == KS_STATUS_SUCCESS && i < n; i++)
    {
      KsStatus fs = { 0 };
      KsStatusCode fc = p->plugin->filter (&p->ctx, pod, nodes[i], &fs);
      g_string_append_printf (s, " %s=%d", nodes[i]->name, fc);
    }
  code = p->plugin->pre_score (&p->ctx, pod, (KsNodeInfo **) nodes, n);
  g_string_append_printf (s, "; prescore %d:", code);
  if (code == KS_STATUS_SUCCESS)
    {
      for (guint i = 0; i < n; i++)
        {
          scores[i] = p->plugin->score (&p->ctx, pod, nodes[i]);
          g_string_append_printf (s, " %" G_GINT64_FORMAT, scores[i]);
        }
      p->plugin->normalize (&p->ctx, pod, (KsNodeInfo **) nodes, scores, n);
      g_string_append (s, " →");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (s, " %" G_GINT64_FORMAT, scores[i]);
    }
  plug_end_cycle (p);
  return g_string_free (s, FALSE);
}

static KsNode *
zone_node (const char *name, const char *zone)
{
  g_autofree char *labels = g_strdup_printf ("{zone: %s, kubernetes.io/hostname: %s}", zone, name);
  return node_new (name, labels, NULL);
}

/* After random changes to the cluster (pods added and removed, nodes relabelled into other
 * zones), plugins that kept their per-node counts across cycles, and were told the cache's
 * counts of nodes with affinity pods, decide exactly as new ones that look at every node. */
static void
test_memo_consistency (void)
{
  static const char *const zones[] = { "a", "b", "c" };
  static const char *const labels[] = { "{app: web}", "{app: db}", "{app: web, tier: fe}" };
  static const char *const specs[] = {
    NULL,
    "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
    "[{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}]}}",
    "affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 4, "
    "podAffinityTerm: {labelSelector: {matchLabels: {tier: fe}}, topologyKey: zone}}]}}",
  };
  g_autoptr (KsPod) spread = pod_new (
      "spread", "{app: web}",
      "topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
      "DoNotSchedule, labelSelector: {matchLabels: {app: web}}}, {maxSkew: 2, topologyKey: "
      "kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: "
      "{app: web}}}, {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, "
      "labelSelector: {matchLabels: {app: db}}}]");
  g_autoptr (KsPod) affine = pod_new (
      "affine", "{app: web, tier: fe}",
      "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
      "[{labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}], "
      "preferredDuringSchedulingIgnoredDuringExecution: [{weight: 5, podAffinityTerm: "
      "{labelSelector: {matchLabels: {app: web}}, topologyKey: zone}}]}, podAffinity: "
      "{requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: "
      "db}}, topologyKey: zone}], preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, "
      "podAffinityTerm: {labelSelector: {matchLabels: {app: db}}, topologyKey: zone}}]}}");
  /* a pod of a ReplicaSet: the system default constraints, selector app=web */
  g_autoptr (KsPod) owned = pod_new ("owned", "{app: web}", NULL);
  KsOwnerRef ref
      = { (char *) "apps/v1", (char *) "ReplicaSet", (char *) "web-rs", { { 0 } }, TRUE, TRUE };
  g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);
  KsPod *incoming[] = { spread, affine, owned };
  const char *plugins[] = { "PodTopologySpread", "InterPodAffinity" };
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (GPtrArray) placed = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  World w;
  Plug kept[2];
  guint checks = 0;

  world_init (&w);
  ks_object_set_owner_refs (KS_OBJECT (owned), refs);
  g_ptr_array_add (w.objects,
                   ks_test_decode ("apiVersion: apps/v1\nkind: ReplicaSet\n"
                                   "metadata: {name: web-rs, namespace: default}\n"
                                   "spec:\n  selector: {matchLabels: {app: web}}\n"
                                   "  template:\n    metadata: {labels: {app: web}}\n"
                                   "    spec: {containers: [{name: c, image: busybox}]}\n"));
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("node-%u", i);
      g_autoptr (KsNode) node = zone_node (name, zones[i % 3]);
      ks_sched_cache_set_node (cache, node);
    }
  for (guint k = 0; k < 2; k++)
    plug_init (&kept[k], &w, plugins[k], NULL);
  for (guint step = 0; step < 120; step++)
    {
      guint n;
      KsNodeInfo *const *nodes;
      guint r = g_rand_int_range (rand, 0, 100);
      if (r < 65 || placed->len == 0)
        {
          g_autofree char *name = g_strdup_printf ("pod-%u", step);
          KsPod *pod = pod_new (name, labels[g_rand_int_range (rand, 0, 3)],
                                specs[g_rand_int_range (rand, 0, 3)]);
          g_autofree char *node = g_strdup_printf ("node-%d", g_rand_int_range (rand, 0, 6));
          ks_sched_cache_assume_pod (cache, pod, ks_intern (node));
          g_ptr_array_add (placed, pod);
        }
      else if (r < 95)
        {
          guint i = g_rand_int_range (rand, 0, placed->len);
          ks_sched_cache_remove_pod (cache, g_ptr_array_index (placed, i));
          g_ptr_array_remove_index_fast (placed, i);
        }
      else
        {
          /* a node moves to another zone (and so in the node list) */
          g_autofree char *name = g_strdup_printf ("node-%d", g_rand_int_range (rand, 0, 6));
          g_autoptr (KsNode) node = zone_node (name, zones[g_rand_int_range (rand, 0, 3)]);
          ks_sched_cache_set_node (cache, node);
        }
      nodes = ks_sched_cache_list_nodes (cache, &n);
      for (guint k = 0; k < 2; k++)
        for (guint q = 0; q < G_N_ELEMENTS (incoming); q++)
          {
            Plug fresh;
            g_autofree char *a = decide (&kept[k], incoming[q], nodes, n, cache);
            g_autofree char *b = NULL;
            plug_init (&fresh, &w, plugins[k], NULL);
            b = decide (&fresh, incoming[q], nodes, n, NULL);
            plug_clear (&fresh);
            g_assert_cmpstr (a, ==, b);
            checks++;
          }
    }
  g_assert_cmpuint (checks, ==, 120 * 2 * G_N_ELEMENTS (incoming));
  for (guint k = 0; k < 2; k++)
    plug_clear (&kept[k]);
  ks_sched_cache_free (cache);
  world_clear (&w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spread-affinity/decode/fields", test_decode_fields);
  g_test_add_func ("/spread-affinity/decode/round-trip", test_decode_round_trip);
  g_test_add_func ("/spread-affinity/decode/affinity-errors", test_decode_affinity_errors);
  g_test_add_func ("/spread-affinity/decode/spread-errors", test_decode_spread_errors);

  g_test_add_func ("/spread-affinity/spread/filter-skew", test_spread_filter_skew);
  g_test_add_func ("/spread-affinity/spread/filter-min-domains", test_spread_filter_min_domains);
  g_test_add_func ("/spread-affinity/spread/filter-inclusion-policies",
                   test_spread_filter_inclusion_policies);
  g_test_add_func ("/spread-affinity/spread/match-label-keys", test_spread_match_label_keys);
  g_test_add_func ("/spread-affinity/spread/add-remove-clone", test_spread_add_remove_clone);
  g_test_add_func ("/spread-affinity/spread/skip", test_spread_skip);
  g_test_add_func ("/spread-affinity/spread/score", test_spread_score);
  g_test_add_func ("/spread-affinity/spread/score-zero", test_spread_score_zero);
  g_test_add_func ("/spread-affinity/spread/system-defaults", test_spread_system_defaults);
  g_test_add_func ("/spread-affinity/spread/list-defaults", test_spread_list_defaults);
  g_test_add_func ("/spread-affinity/spread/args", test_spread_args);

  g_test_add_func ("/spread-affinity/ipa/required-affinity", test_ipa_required_affinity);
  g_test_add_func ("/spread-affinity/ipa/required-anti-affinity", test_ipa_required_anti_affinity);
  g_test_add_func ("/spread-affinity/ipa/namespace-selector", test_ipa_namespace_selector);
  g_test_add_func ("/spread-affinity/ipa/match-label-keys", test_ipa_match_label_keys);
  g_test_add_func ("/spread-affinity/ipa/add-remove-clone", test_ipa_add_remove_clone);
  g_test_add_func ("/spread-affinity/ipa/score", test_ipa_score);
  g_test_add_func ("/spread-affinity/ipa/score-negative", test_ipa_score_negative);
  g_test_add_func ("/spread-affinity/ipa/args", test_ipa_args);

  g_test_add_func ("/spread-affinity/cache/affinity-lists", test_cache_affinity_lists);
  g_test_add_func ("/spread-affinity/memo/consistency", test_memo_consistency);

  return g_test_run ();
}

/* test-api.c: tests for the API object model (src/api/): string maps, label and node selectors,
 * resource lists and pod effective requests (reference §1.7.1), QoS classes, decoding of every
 * kind from YAML with its defaults (§3.1) and its error reports (file:line:column: path:
 * message), and the encode → decode round trip.
 *
 * Expected values are worked out by hand from the Kubernetes reference, not taken from runs. */
#include "config.h"

#include <string.h>

#include "src/api/ks-apps.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-object.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-resources.h"
#include "src/api/ks-selector.h"
#include "src/api/ks-strmap.h"
#include "src/api/ks-yaml.h"
#include "src/ks-clock.h"

#define MI (G_GINT64_CONSTANT (1024) * 1024)
#define GI (MI * 1024)

/* ---- helpers ---------------------------------------------------------------------------- */

static KsSource *
source_new (const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  KsSource *source = ks_source_new_from_data (name, text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (source);
  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  return source;
}

/* Decode the single document of text (named "test.yaml") with default namespace "default".
 * Problems go to diag; returns the object or NULL. */
static KsObject *
decode_in (const char *text, KsDiag *diag)
{
  g_autoptr (KsSource) source = source_new ("test.yaml", text);
  KsDecoder dec;
  KsObject *obj;

  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  return obj;
}

/* Decode text that must be valid. */
static KsObject *
decode_ok (const char *text)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsObject *obj = decode_in (text, diag);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("unexpected problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (obj);
  return obj;
}

/* Decode text that must fail; returns the problems. */
static KsDiag *
decode_fail (const char *text)
{
  KsDiag *diag = ks_diag_new ();
  KsObject *obj = decode_in (text, diag);

  g_assert_null (obj);
  g_assert_cmpuint (ks_diag_get_count (diag), >, 0);
  return diag;
}

/* The one problem reported for text, which must equal expected. */
static void
assert_single_problem (const char *text, const char *expected)
{
  g_autoptr (KsDiag) diag = decode_fail (text);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 1);
  g_assert_cmpstr (ks_diag_get (diag, 0), ==, expected);
}

/* The number of problems of diag starting with prefix. */
static guint
diag_count_prefix (KsDiag *diag, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    if (g_str_has_prefix (ks_diag_get (diag, i), prefix))
      n++;
  return n;
}

static KsPod *
decode_pod (const char *text)
{
  KsObject *obj = decode_ok (text);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_POD));
  return KS_POD (obj);
}

/* A pod whose spec is "spec_body" (indented by two spaces, starting with "containers:" or
 * similar). */
static KsPod *
pod_with_spec (const char *spec_body)
{
  g_autofree char *text = g_strconcat ("apiVersion: v1\n"
                                       "kind: Pod\n"
                                       "metadata:\n"
                                       "  name: p\n"
                                       "spec:\n",
                                       spec_body, NULL);
  return decode_pod (text);
}

static KsLabelSelector *
label_selector_from (const char *text, KsDiag *diag)
{
  g_autoptr (KsSource) source = source_new ("test.yaml", text);
  KsDecoder dec;
  KsLabelSelector *selector;

  ks_decoder_init (&dec, source, diag);
  selector = ks_label_selector_decode (&dec, ks_source_get_document (source, 0));
  ks_decoder_clear (&dec);
  return selector;
}

static KsLabelSelector *
label_selector_ok (const char *text)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsLabelSelector *selector = label_selector_from (text, diag);

  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (selector);
  return selector;
}

static KsNodeAffinity *
node_affinity_from (const char *text, KsDiag *diag)
{
  g_autoptr (KsSource) source = source_new ("test.yaml", text);
  KsDecoder dec;
  KsNodeAffinity *affinity;

  ks_decoder_init (&dec, source, diag);
  affinity = ks_node_affinity_decode (&dec, ks_source_get_document (source, 0));
  ks_decoder_clear (&dec);
  return affinity;
}

static KsNodeAffinity *
node_affinity_ok (const char *text)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsNodeAffinity *affinity = node_affinity_from (text, diag);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("unexpected problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (affinity);
  return affinity;
}

/* ---- KsStrMap ------------------------------------------------------------------------------ */

static void
test_strmap_sorted (void)
{
  const char *keys[] = { "zone", "app", "tier", "app" };
  const char *values[] = { "a", "old", "web", "new" };
  g_autoptr (KsStrMap) map = ks_str_map_new (keys, values, 4);

  /* Sorted by key; of the two "app" entries the later one wins. */
  g_assert_cmpuint (ks_str_map_size (map), ==, 3);
  g_assert_cmpstr (ks_str_map_key (map, 0), ==, "app");
  g_assert_cmpstr (ks_str_map_value (map, 0), ==, "new");
  g_assert_cmpstr (ks_str_map_key (map, 1), ==, "tier");
  g_assert_cmpstr (ks_str_map_value (map, 1), ==, "web");
  g_assert_cmpstr (ks_str_map_key (map, 2), ==, "zone");
  g_assert_cmpstr (ks_str_map_value (map, 2), ==, "a");
  g_assert_null (ks_str_map_new (keys, values, 0));
}

static void
test_strmap_pairs (void)
{
  g_autoptr (KsStrMap) map = ks_str_map_new_pairs ("b", "2", "a", "1", "c", "3", NULL);

  g_assert_cmpuint (ks_str_map_size (map), ==, 3);
  g_assert_cmpstr (ks_str_map_key (map, 0), ==, "a");
  g_assert_cmpstr (ks_str_map_key (map, 1), ==, "b");
  g_assert_cmpstr (ks_str_map_key (map, 2), ==, "c");
  g_assert_null (ks_str_map_new_pairs (NULL, NULL));
}

static void
test_strmap_lookup (void)
{
  g_autoptr (KsStrMap) map
      = ks_str_map_new_pairs ("app", "web", "tier", "", "example.com/x", "y", "zone", "b", NULL);

  g_assert_cmpstr (ks_str_map_lookup (map, "app"), ==, "web");
  g_assert_cmpstr (ks_str_map_lookup (map, "zone"), ==, "b");
  g_assert_cmpstr (ks_str_map_lookup (map, "example.com/x"), ==, "y");
  /* An empty value is present, unlike an absent key. */
  g_assert_cmpstr (ks_str_map_lookup (map, "tier"), ==, "");
  g_assert_true (ks_str_map_contains (map, "tier"));
  g_assert_null (ks_str_map_lookup (map, "ap"));
  g_assert_null (ks_str_map_lookup (map, "zzz"));
  g_assert_null (ks_str_map_lookup (map, "a"));
  g_assert_false (ks_str_map_contains (map, "missing"));
}

static void
test_strmap_with (void)
{
  g_autoptr (KsStrMap) map = ks_str_map_new_pairs ("app", "web", "zone", "a", NULL);
  g_autoptr (KsStrMap) added = ks_str_map_with (map, "tier", "db");
  g_autoptr (KsStrMap) replaced = ks_str_map_with (map, "app", "api");
  g_autoptr (KsStrMap) removed = ks_str_map_with (map, "app", NULL);
  g_autoptr (KsStrMap) same = ks_str_map_with (map, "zone", "a");
  g_autoptr (KsStrMap) absent = ks_str_map_with (map, "nope", NULL);
  g_autoptr (KsStrMap) from_null = ks_str_map_with (NULL, "k", "v");
  g_autoptr (KsStrMap) emptied = ks_str_map_with (from_null, "k", NULL);

  /* The original is never modified. */
  g_assert_cmpuint (ks_str_map_size (map), ==, 2);
  g_assert_cmpstr (ks_str_map_lookup (map, "app"), ==, "web");
  g_assert_null (ks_str_map_lookup (map, "tier"));

  g_assert_cmpuint (ks_str_map_size (added), ==, 3);
  g_assert_cmpstr (ks_str_map_key (added, 1), ==, "tier");
  g_assert_cmpstr (ks_str_map_lookup (added, "tier"), ==, "db");

  g_assert_cmpuint (ks_str_map_size (replaced), ==, 2);
  g_assert_cmpstr (ks_str_map_lookup (replaced, "app"), ==, "api");

  g_assert_cmpuint (ks_str_map_size (removed), ==, 1);
  g_assert_null (ks_str_map_lookup (removed, "app"));
  g_assert_cmpstr (ks_str_map_key (removed, 0), ==, "zone");

  /* No change: the same map comes back. */
  g_assert_true (same == map);
  g_assert_true (absent == map);

  g_assert_cmpuint (ks_str_map_size (from_null), ==, 1);
  g_assert_cmpstr (ks_str_map_lookup (from_null, "k"), ==, "v");
  /* Removing the last key gives the empty map, NULL. */
  g_assert_null (emptied);
}

static void
test_strmap_equal (void)
{
  g_autoptr (KsStrMap) a = ks_str_map_new_pairs ("x", "1", "y", "2", NULL);
  g_autoptr (KsStrMap) b = ks_str_map_new_pairs ("y", "2", "x", "1", NULL);
  g_autoptr (KsStrMap) c = ks_str_map_new_pairs ("x", "1", "y", "3", NULL);
  g_autoptr (KsStrMap) d = ks_str_map_new_pairs ("x", "1", NULL);
  g_autoptr (KsStrMap) e = ks_str_map_new_pairs ("x", "1", "z", "2", NULL);

  g_assert_true (ks_str_map_equal (a, b));
  g_assert_false (ks_str_map_equal (a, c));
  g_assert_false (ks_str_map_equal (a, d));
  g_assert_false (ks_str_map_equal (d, a));
  g_assert_false (ks_str_map_equal (a, e));
  g_assert_false (ks_str_map_equal (a, NULL));
}

static void
test_strmap_subset (void)
{
  g_autoptr (KsStrMap) map = ks_str_map_new_pairs ("app", "web", "tier", "fe", "zone", "a", NULL);
  g_autoptr (KsStrMap) sub = ks_str_map_new_pairs ("app", "web", "zone", "a", NULL);
  g_autoptr (KsStrMap) wrong_value = ks_str_map_new_pairs ("app", "api", NULL);
  g_autoptr (KsStrMap) extra = ks_str_map_new_pairs ("app", "web", "other", "x", NULL);

  g_assert_true (ks_str_map_is_subset (sub, map));
  g_assert_true (ks_str_map_is_subset (map, map));
  g_assert_false (ks_str_map_is_subset (map, sub));
  g_assert_false (ks_str_map_is_subset (wrong_value, map));
  g_assert_false (ks_str_map_is_subset (extra, map));
}

static void
test_strmap_null (void)
{
  g_autoptr (KsStrMap) map = ks_str_map_new_pairs ("k", "v", NULL);

  g_assert_cmpuint (ks_str_map_size (NULL), ==, 0);
  g_assert_null (ks_str_map_lookup (NULL, "k"));
  g_assert_false (ks_str_map_contains (NULL, "k"));
  g_assert_true (ks_str_map_equal (NULL, NULL));
  g_assert_false (ks_str_map_equal (NULL, map));
  g_assert_true (ks_str_map_is_subset (NULL, map));
  g_assert_true (ks_str_map_is_subset (NULL, NULL));
  g_assert_false (ks_str_map_is_subset (map, NULL));
  g_assert_null (ks_str_map_ref (NULL));
  ks_str_map_unref (NULL);
}

/* ---- label selectors ------------------------------------------------------------------------ */

static void
test_selector_match_labels (void)
{
  g_autoptr (KsLabelSelector) s = label_selector_ok ("matchLabels:\n"
                                                     "  app: web\n"
                                                     "  tier: fe\n");
  g_autoptr (KsStrMap) both = ks_str_map_new_pairs ("app", "web", "tier", "fe", "x", "y", NULL);
  g_autoptr (KsStrMap) one = ks_str_map_new_pairs ("app", "web", NULL);
  g_autoptr (KsStrMap) other = ks_str_map_new_pairs ("app", "web", "tier", "be", NULL);

  g_assert_true (ks_label_selector_matches (s, both));
  g_assert_false (ks_label_selector_matches (s, one));
  g_assert_false (ks_label_selector_matches (s, other));
  g_assert_false (ks_label_selector_matches (s, NULL));
  g_assert_false (ks_label_selector_is_empty (s));
}

static void
test_selector_in (void)
{
  g_autoptr (KsLabelSelector) s = label_selector_ok ("matchExpressions:\n"
                                                     "- key: tier\n"
                                                     "  operator: In\n"
                                                     "  values: [fe, be]\n");
  g_autoptr (KsStrMap) fe = ks_str_map_new_pairs ("tier", "fe", NULL);
  g_autoptr (KsStrMap) be = ks_str_map_new_pairs ("tier", "be", NULL);
  g_autoptr (KsStrMap) db = ks_str_map_new_pairs ("tier", "db", NULL);
  g_autoptr (KsStrMap) none = ks_str_map_new_pairs ("app", "web", NULL);

  g_assert_cmpuint (s->n_expressions, ==, 1);
  g_assert_cmpint (s->expressions[0].op, ==, KS_SELECTOR_IN);
  g_assert_true (ks_label_selector_matches (s, fe));
  g_assert_true (ks_label_selector_matches (s, be));
  g_assert_false (ks_label_selector_matches (s, db));
  g_assert_false (ks_label_selector_matches (s, none));
}

static void
test_selector_not_in (void)
{
  g_autoptr (KsLabelSelector) s = label_selector_ok ("matchExpressions:\n"
                                                     "- key: tier\n"
                                                     "  operator: NotIn\n"
                                                     "  values: [fe]\n");
  g_autoptr (KsStrMap) fe = ks_str_map_new_pairs ("tier", "fe", NULL);
  g_autoptr (KsStrMap) be = ks_str_map_new_pairs ("tier", "be", NULL);
  g_autoptr (KsStrMap) none = ks_str_map_new_pairs ("app", "web", NULL);

  g_assert_false (ks_label_selector_matches (s, fe));
  g_assert_true (ks_label_selector_matches (s, be));
  /* Kubernetes: NotIn holds when the key is absent. */
  g_assert_true (ks_label_selector_matches (s, none));
  g_assert_true (ks_label_selector_matches (s, NULL));
}

static void
test_selector_exists (void)
{
  g_autoptr (KsLabelSelector) exists = label_selector_ok ("matchExpressions:\n"
                                                          "- key: gpu\n"
                                                          "  operator: Exists\n");
  g_autoptr (KsLabelSelector) absent = label_selector_ok ("matchExpressions:\n"
                                                          "- key: gpu\n"
                                                          "  operator: DoesNotExist\n");
  g_autoptr (KsStrMap) empty_value = ks_str_map_new_pairs ("gpu", "", NULL);
  g_autoptr (KsStrMap) other = ks_str_map_new_pairs ("cpu", "x", NULL);

  g_assert_true (ks_label_selector_matches (exists, empty_value));
  g_assert_false (ks_label_selector_matches (exists, other));
  g_assert_false (ks_label_selector_matches (absent, empty_value));
  g_assert_true (ks_label_selector_matches (absent, other));
  g_assert_true (ks_label_selector_matches (absent, NULL));
}

static void
test_selector_combined (void)
{
  /* matchLabels and every expression are ANDed. */
  g_autoptr (KsLabelSelector) s = label_selector_ok ("matchLabels: {app: web}\n"
                                                     "matchExpressions:\n"
                                                     "- {key: tier, operator: In, values: [fe, "
                                                     "be]}\n"
                                                     "- {key: canary, operator: DoesNotExist}\n");
  g_autoptr (KsStrMap) ok = ks_str_map_new_pairs ("app", "web", "tier", "be", NULL);
  g_autoptr (KsStrMap) canary
      = ks_str_map_new_pairs ("app", "web", "tier", "be", "canary", "1", NULL);
  g_autoptr (KsStrMap) wrong_app = ks_str_map_new_pairs ("app", "api", "tier", "be", NULL);
  g_autofree char *text = ks_label_selector_to_string (s);

  g_assert_true (ks_label_selector_matches (s, ok));
  g_assert_false (ks_label_selector_matches (s, canary));
  g_assert_false (ks_label_selector_matches (s, wrong_app));
  /* kubectl's rendering, values sorted. */
  g_assert_cmpstr (text, ==, "app=web,tier in (be,fe),!canary");
}

static void
test_selector_nil_and_empty (void)
{
  g_autoptr (KsLabelSelector) empty = label_selector_ok ("{}\n");
  g_autoptr (KsLabelSelector) built = ks_label_selector_new (NULL);
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("app", "web", NULL);

  /* A nil selector selects nothing; an empty one everything. */
  g_assert_false (ks_label_selector_matches (NULL, labels));
  g_assert_false (ks_label_selector_matches (NULL, NULL));
  g_assert_false (ks_label_selector_is_empty (NULL));
  g_assert_true (ks_label_selector_is_empty (empty));
  g_assert_true (ks_label_selector_matches (empty, labels));
  g_assert_true (ks_label_selector_matches (empty, NULL));
  g_assert_true (ks_label_selector_matches (built, labels));
  g_assert_true (ks_label_selector_equal (empty, built));
}

static void
test_selector_equal (void)
{
  g_autoptr (KsLabelSelector) a = label_selector_ok ("matchLabels: {app: web}\n"
                                                     "matchExpressions:\n"
                                                     "- {key: t, operator: In, values: [b, a]}\n");
  /* Values are sorted on decode, so order does not matter. */
  g_autoptr (KsLabelSelector) b = label_selector_ok ("matchLabels: {app: web}\n"
                                                     "matchExpressions:\n"
                                                     "- {key: t, operator: In, values: [a, b]}\n");
  g_autoptr (KsLabelSelector) c = label_selector_ok ("matchLabels: {app: web}\n"
                                                     "matchExpressions:\n"
                                                     "- {key: t, operator: NotIn, values: [a, "
                                                     "b]}\n");
  g_autoptr (KsLabelSelector) d = label_selector_ok ("matchLabels: {app: web}\n");

  g_assert_true (ks_label_selector_equal (a, b));
  g_assert_false (ks_label_selector_equal (a, c));
  g_assert_false (ks_label_selector_equal (a, d));
  g_assert_false (ks_label_selector_equal (a, NULL));
  g_assert_true (ks_label_selector_equal (NULL, NULL));
}

static void
assert_selector_problems (const char *text, const char *const *expected)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsLabelSelector) s = label_selector_from (text, diag);
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_null (s);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (ks_diag_get (diag, i), ==, expected[i]);
}

static void
test_selector_decode_errors (void)
{
  static const char *const in_empty[] = {
    "test.yaml:4:11: matchExpressions[0].values: must be non-empty when the operator is In or "
    "NotIn",
    NULL
  };
  static const char *const exists_values[] = {
    "test.yaml:4:11: matchExpressions[0].values: must be empty when the operator is Exists or "
    "DoesNotExist",
    NULL
  };
  static const char *const bad_op[] = {
    "test.yaml:3:13: matchExpressions[0].operator: unsupported value \"Maybe\": supported values: "
    "In, NotIn, Exists, DoesNotExist",
    NULL
  };
  /* Gt and Lt are node-selector operators only. */
  static const char *const gt[] = {
    "test.yaml:2:26: matchExpressions[0].operator: unsupported value \"Gt\": supported values: In, "
    "NotIn, Exists, DoesNotExist",
    NULL
  };
  static const char *const several[] = {
    "test.yaml:2:34: matchExpressions[0].values: must be non-empty when the operator is In or "
    "NotIn",
    "test.yaml:3:38: matchExpressions[1].values: must be empty when the operator is Exists or "
    "DoesNotExist",
    "test.yaml:4:3: matchExpressions[2].key: required field is missing", NULL
  };

  assert_selector_problems ("matchExpressions:\n"
                            "- key: app\n"
                            "  operator: In\n"
                            "  values: []\n",
                            in_empty);
  assert_selector_problems ("matchExpressions:\n"
                            "- key: app\n"
                            "  operator: Exists\n"
                            "  values: [a]\n",
                            exists_values);
  assert_selector_problems ("matchExpressions:\n"
                            "- key: app\n"
                            "  operator: Maybe\n"
                            "  values: [a]\n",
                            bad_op);
  assert_selector_problems ("matchExpressions:\n"
                            "- {key: cores, operator: Gt, values: [\"4\"]}\n",
                            gt);
  assert_selector_problems ("matchExpressions:\n"
                            "- {key: a, operator: In, values: []}\n"
                            "- {key: b, operator: Exists, values: [x]}\n"
                            "- {operator: Exists}\n",
                            several);
}

/* ---- node selectors -------------------------------------------------------------------------- */

static void
test_node_selector_gt_lt (void)
{
  KsNodeAffinity *a = NULL;
  g_autoptr (KsStrMap) big_new = ks_str_map_new_pairs ("cores", "16", "gen", "3", NULL);
  g_autoptr (KsStrMap) equal = ks_str_map_new_pairs ("cores", "8", "gen", "3", NULL);
  g_autoptr (KsStrMap) old = ks_str_map_new_pairs ("cores", "16", "gen", "5", NULL);
  g_autoptr (KsStrMap) not_int = ks_str_map_new_pairs ("cores", "many", "gen", "3", NULL);
  g_autoptr (KsStrMap) missing = ks_str_map_new_pairs ("gen", "3", NULL);

  a = node_affinity_ok ("requiredDuringSchedulingIgnoredDuringExecution:\n"
                        "  nodeSelectorTerms:\n"
                        "  - matchExpressions:\n"
                        "    - key: cores\n"
                        "      operator: Gt\n"
                        "      values: [\"8\"]\n"
                        "    - key: gen\n"
                        "      operator: Lt\n"
                        "      values: [\"5\"]\n");
  g_assert_nonnull (a->required);
  g_assert_cmpuint (a->required->n_terms, ==, 1);
  g_assert_cmpint (a->required->terms[0].expressions[0].number, ==, 8);
  g_assert_true (ks_node_selector_matches (a->required, big_new, "n1"));
  /* Gt is strict. */
  g_assert_false (ks_node_selector_matches (a->required, equal, "n1"));
  g_assert_false (ks_node_selector_matches (a->required, old, "n1"));
  /* A label that is not an integer, or is absent, fails Gt/Lt. */
  g_assert_false (ks_node_selector_matches (a->required, not_int, "n1"));
  g_assert_false (ks_node_selector_matches (a->required, missing, "n1"));
  ks_node_affinity_free (a);
}

static void
test_node_selector_fields (void)
{
  KsNodeAffinity *a = NULL;
  g_autoptr (KsStrMap) zone_a = ks_str_map_new_pairs ("zone", "a", NULL);
  g_autoptr (KsStrMap) zone_b = ks_str_map_new_pairs ("zone", "b", NULL);

  /* Two terms, ORed: (name in {node-a, node-b}) or (zone=b and name not in {node-c}). */
  a = node_affinity_ok ("requiredDuringSchedulingIgnoredDuringExecution:\n"
                        "  nodeSelectorTerms:\n"
                        "  - matchFields:\n"
                        "    - key: metadata.name\n"
                        "      operator: In\n"
                        "      values: [node-b, node-a]\n"
                        "  - matchExpressions:\n"
                        "    - {key: zone, operator: In, values: [b]}\n"
                        "    matchFields:\n"
                        "    - {key: metadata.name, operator: NotIn, values: [node-c]}\n"
                        "preferredDuringSchedulingIgnoredDuringExecution:\n"
                        "- weight: 20\n"
                        "  preference:\n"
                        "    matchExpressions:\n"
                        "    - {key: zone, operator: In, values: [a]}\n");
  g_assert_cmpuint (a->required->n_terms, ==, 2);
  g_assert_true (ks_node_selector_term_matches (&a->required->terms[0], zone_a, "node-a"));
  g_assert_true (ks_node_selector_term_matches (&a->required->terms[0], zone_a, "node-b"));
  g_assert_false (ks_node_selector_term_matches (&a->required->terms[0], zone_a, "node-d"));
  g_assert_true (ks_node_selector_term_matches (&a->required->terms[1], zone_b, "node-d"));
  g_assert_false (ks_node_selector_term_matches (&a->required->terms[1], zone_b, "node-c"));
  g_assert_false (ks_node_selector_term_matches (&a->required->terms[1], zone_a, "node-d"));
  g_assert_true (ks_node_selector_matches (a->required, zone_a, "node-b"));
  g_assert_true (ks_node_selector_matches (a->required, zone_b, "node-x"));
  g_assert_false (ks_node_selector_matches (a->required, zone_a, "node-x"));
  g_assert_false (ks_node_selector_matches (a->required, zone_b, "node-c"));
  g_assert_cmpuint (a->n_preferred, ==, 1);
  g_assert_cmpint (a->preferred[0].weight, ==, 20);
  g_assert_true (ks_node_selector_term_matches (&a->preferred[0].term, zone_a, "x"));
  g_assert_false (ks_node_selector_term_matches (&a->preferred[0].term, zone_b, "x"));
  ks_node_affinity_free (a);
}

static void
test_node_selector_empty_term (void)
{
  KsNodeAffinity *a = NULL;
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("zone", "a", NULL);

  /* A term with neither expressions nor fields matches nothing. */
  a = node_affinity_ok ("requiredDuringSchedulingIgnoredDuringExecution:\n"
                        "  nodeSelectorTerms:\n"
                        "  - {}\n");
  g_assert_cmpuint (a->required->n_terms, ==, 1);
  g_assert_false (ks_node_selector_term_matches (&a->required->terms[0], labels, "n"));
  g_assert_false (ks_node_selector_matches (a->required, labels, "n"));
  ks_node_affinity_free (a);
}

static void
test_node_selector_decode_errors (void)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsNodeAffinity *a = NULL;
  static const char *const expected[] = {
    "test.yaml:4:42: requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    ".matchExpressions[0].values: must be a single integer when the operator is Gt or Lt",
    "test.yaml:5:42: requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    ".matchExpressions[1].values: must be a single integer when the operator is Gt or Lt",
    "test.yaml:7:13: requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    ".matchFields[0].key: unsupported field \"metadata.labels\": only metadata.name can be "
    "selected",
    "test.yaml:8:38: requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    ".matchFields[1].operator: matchFields supports only the operators In and NotIn",
  };

  a = node_affinity_from ("requiredDuringSchedulingIgnoredDuringExecution:\n"
                          "  nodeSelectorTerms:\n"
                          "  - matchExpressions:\n"
                          "    - {key: cores, operator: Gt, values: [\"x\"]}\n"
                          "    - {key: cores, operator: Lt, values: [\"1\", \"2\"]}\n"
                          "    matchFields:\n"
                          "    - {key: metadata.labels, operator: In, values: [a]}\n"
                          "    - {key: metadata.name, operator: Exists}\n",
                          diag);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_null (a);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (ks_diag_get (diag, i), ==, expected[i]);
}

/* ---- resources ---------------------------------------------------------------------------- */

static void
test_resources_set_get (void)
{
  KsResources r = { 0 };

  g_assert_false (ks_resources_has (&r, "cpu"));
  g_assert_cmpint (ks_resources_get (&r, "cpu"), ==, 0);
  ks_resources_set (&r, "cpu", 0);
  /* An explicit 0 is set, unlike an absent value. */
  g_assert_true (ks_resources_has (&r, "cpu"));
  g_assert_cmpint (r.set, ==, KS_RES_SET_CPU);
  ks_resources_set (&r, "memory", 2 * GI);
  ks_resources_set (&r, "pods", 10);
  ks_resources_set (&r, "nvidia.com/gpu", 2);
  ks_resources_set (&r, "example.com/a", 5);
  ks_resources_set (&r, "nvidia.com/gpu", 4);
  g_assert_cmpint (ks_resources_get (&r, "memory"), ==, 2 * GI);
  g_assert_cmpint (r.memory, ==, 2 * GI);
  g_assert_cmpint (ks_resources_get (&r, "pods"), ==, 10);
  g_assert_false (ks_resources_has (&r, "ephemeral-storage"));
  g_assert_cmpuint (r.n_scalar, ==, 2);
  /* Scalars sorted by name, updated in place. */
  g_assert_cmpstr (r.scalar[0].name, ==, "example.com/a");
  g_assert_cmpstr (r.scalar[1].name, ==, "nvidia.com/gpu");
  g_assert_cmpint (ks_resources_get (&r, "nvidia.com/gpu"), ==, 4);
  g_assert_true (ks_resources_has (&r, "example.com/a"));
  g_assert_false (ks_resources_has (&r, "example.com/b"));
  g_assert_cmpint (ks_resources_get (&r, "example.com/b"), ==, 0);
  g_assert_false (ks_resources_is_zero (&r));
  ks_resources_clear (&r);
  g_assert_true (ks_resources_is_zero (&r));
  g_assert_cmpuint (r.n_scalar, ==, 0);
}

static void
test_resources_arithmetic (void)
{
  KsResources a = { 0 }, b = { 0 }, c = { 0 };

  ks_resources_set (&a, "cpu", 500);
  ks_resources_set (&a, "memory", GI);
  ks_resources_set (&a, "example.com/x", 1);
  ks_resources_set (&b, "cpu", 250);
  ks_resources_set (&b, "ephemeral-storage", 3 * GI);
  ks_resources_set (&b, "example.com/y", 2);
  ks_resources_set (&b, "example.com/x", 3);

  ks_resources_copy (&c, &a);
  ks_resources_add (&c, &b);
  g_assert_cmpint (c.milli_cpu, ==, 750);
  g_assert_cmpint (c.memory, ==, GI);
  g_assert_cmpint (c.ephemeral_storage, ==, 3 * GI);
  g_assert_cmpint (ks_resources_get (&c, "example.com/x"), ==, 4);
  g_assert_cmpint (ks_resources_get (&c, "example.com/y"), ==, 2);
  g_assert_cmpint (c.set, ==, KS_RES_SET_CPU | KS_RES_SET_MEMORY | KS_RES_SET_EPHEMERAL);
  /* The copy is independent of its source. */
  g_assert_cmpint (ks_resources_get (&a, "example.com/x"), ==, 1);
  g_assert_cmpuint (a.n_scalar, ==, 1);

  ks_resources_sub (&c, &b);
  g_assert_cmpint (c.milli_cpu, ==, 500);
  g_assert_cmpint (c.ephemeral_storage, ==, 0);
  g_assert_cmpint (ks_resources_get (&c, "example.com/x"), ==, 1);
  g_assert_cmpint (ks_resources_get (&c, "example.com/y"), ==, 0);

  ks_resources_max (&a, &b);
  g_assert_cmpint (a.milli_cpu, ==, 500);
  g_assert_cmpint (a.memory, ==, GI);
  g_assert_cmpint (a.ephemeral_storage, ==, 3 * GI);
  g_assert_cmpint (ks_resources_get (&a, "example.com/x"), ==, 3);
  g_assert_cmpint (ks_resources_get (&a, "example.com/y"), ==, 2);

  ks_resources_clear (&a);
  ks_resources_clear (&b);
  ks_resources_clear (&c);
}

static void
test_resources_equal (void)
{
  KsResources a = { 0 }, b = { 0 };

  ks_resources_set (&a, "cpu", 100);
  ks_resources_set (&b, "cpu", 100);
  g_assert_true (ks_resources_equal (&a, &b));
  ks_resources_set (&b, "memory", 0);
  /* Memory given as 0 differs from memory absent. */
  g_assert_false (ks_resources_equal (&a, &b));
  ks_resources_set (&a, "memory", 0);
  g_assert_true (ks_resources_equal (&a, &b));
  ks_resources_set (&a, "example.com/x", 1);
  g_assert_false (ks_resources_equal (&a, &b));
  ks_resources_set (&b, "example.com/x", 2);
  g_assert_false (ks_resources_equal (&a, &b));
  ks_resources_set (&b, "example.com/x", 1);
  g_assert_true (ks_resources_equal (&a, &b));
  ks_resources_clear (&a);
  ks_resources_clear (&b);
}

static void
test_resources_names (void)
{
  g_assert_true (ks_resource_name_is_valid ("cpu"));
  g_assert_true (ks_resource_name_is_valid ("memory"));
  g_assert_true (ks_resource_name_is_valid ("ephemeral-storage"));
  g_assert_true (ks_resource_name_is_valid ("pods"));
  g_assert_true (ks_resource_name_is_valid ("hugepages-2Mi"));
  g_assert_true (ks_resource_name_is_valid ("nvidia.com/gpu"));
  g_assert_false (ks_resource_name_is_valid ("gpu"));
  g_assert_false (ks_resource_name_is_valid ("hugepages-"));
  g_assert_false (ks_resource_name_is_valid ("CPU"));

  g_assert_true (ks_resource_name_is_extended ("nvidia.com/gpu"));
  g_assert_false (ks_resource_name_is_extended ("cpu"));
  g_assert_false (ks_resource_name_is_extended ("hugepages-2Mi"));
  g_assert_false (ks_resource_name_is_extended ("kubernetes.io/foo"));
  g_assert_false (ks_resource_name_is_extended ("node.kubernetes.io/foo"));
}

static void
test_resources_decode (void)
{
  g_autoptr (KsSource) source = source_new ("test.yaml", "cpu: 0.5\n"
                                                         "memory: 1Gi\n"
                                                         "ephemeral-storage: 1G\n"
                                                         "nvidia.com/gpu: 2\n"
                                                         "hugepages-2Mi: 4Mi\n");
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsResources r = { 0 };
  KsDecoder dec;

  ks_decoder_init (&dec, source, diag);
  g_assert_true (ks_resources_decode (&dec, ks_source_get_document (source, 0), &r));
  ks_decoder_clear (&dec);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_cmpint (r.milli_cpu, ==, 500);
  g_assert_cmpint (r.memory, ==, GI);
  g_assert_cmpint (r.ephemeral_storage, ==, 1000000000);
  g_assert_cmpint (ks_resources_get (&r, "nvidia.com/gpu"), ==, 2);
  g_assert_cmpint (ks_resources_get (&r, "hugepages-2Mi"), ==, 4 * MI);
  ks_resources_clear (&r);
}

static void
test_resources_decode_errors (void)
{
  g_autoptr (KsSource) source = source_new ("test.yaml", "cpu: -1\n"
                                                         "memory: lots\n"
                                                         "gpu: 1\n"
                                                         "example.com/dev: 500m\n");
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsResources r = { 0 };
  KsDecoder dec;

  ks_decoder_init (&dec, source, diag);
  g_assert_false (ks_resources_decode (&dec, ks_source_get_document (source, 0), &r));
  ks_decoder_clear (&dec);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  /* Every problem is reported (in the order json-glib iterates the mapping). */
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 4);
  g_assert_cmpuint (diag_count_prefix (diag, "test.yaml:1:6: cpu: must be greater than or equal "
                                             "to 0"),
                    ==, 1);
  g_assert_cmpuint (diag_count_prefix (diag, "test.yaml:2:9: memory: invalid quantity \"lots\": "),
                    ==, 1);
  g_assert_cmpuint (diag_count_prefix (diag, "test.yaml:3:6: gpu: unknown resource name \"gpu\": "),
                    ==, 1);
  g_assert_cmpuint (diag_count_prefix (diag, "test.yaml:4:18: [\"example.com/dev\"]: must be a "
                                             "whole number: extended resources cannot be "
                                             "fractional"),
                    ==, 1);
  /* Nothing half-decoded is kept for the bad entries. */
  g_assert_false (ks_resources_has (&r, "memory"));
  ks_resources_clear (&r);
}

/* ---- pod effective requests (§1.7.1) ------------------------------------------------------- */

static void
test_requests_containers_sum (void)
{
  g_autoptr (KsPod) pod = pod_with_spec ("  containers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 100m, memory: 1Gi}\n"
                                         "  - name: b\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 250m, nvidia.com/gpu: 1}\n"
                                         "      limits: {nvidia.com/gpu: 1}\n");
  const KsPodSpec *s = pod->spec;

  g_assert_cmpint (s->requests.milli_cpu, ==, 350);
  g_assert_cmpint (s->requests.memory, ==, GI);
  g_assert_cmpint (ks_resources_get (&s->requests, "nvidia.com/gpu"), ==, 1);
  /* Container b has no memory request: it counts 200Mi for scoring. */
  g_assert_cmpint (s->nonzero_milli_cpu, ==, 350);
  g_assert_cmpint (s->nonzero_memory, ==, GI + 200 * MI);
}

static void
test_requests_init_max (void)
{
  /* max(Σ containers, max init): cpu max(300m, 1) = 1; memory max(1Gi, 512Mi) = 1Gi. */
  g_autoptr (KsPod) pod = pod_with_spec ("  initContainers:\n"
                                         "  - name: setup\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: \"1\", memory: 512Mi}\n"
                                         "  - name: migrate\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 600m, memory: 256Mi}\n"
                                         "  containers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 100m, memory: 768Mi}\n"
                                         "  - name: b\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 200m, memory: 256Mi}\n");
  const KsPodSpec *s = pod->spec;

  g_assert_cmpint (s->requests.milli_cpu, ==, 1000);
  g_assert_cmpint (s->requests.memory, ==, GI);
  g_assert_cmpint (s->nonzero_milli_cpu, ==, 1000);
  g_assert_cmpint (s->nonzero_memory, ==, GI);
}

static void
test_requests_sidecar (void)
{
  /* Init order: sidecar A (200m), init B (500m), sidecar C (100m); container 300m.
   *   A: sum 300+200 = 500, sidecars 200, candidate 200
   *   B: candidate 500 + 200 = 700
   *   C: sum 500+100 = 600, sidecars 300, candidate 300
   * request = max(600, 700) = 700m.
   * Memory is never set: 200Mi per container for scoring, requests 0:
   *   sum 200 (main) + 200 (A) + 200 (C) = 600Mi; B: 200 + 200 = 400Mi → 600Mi. */
  g_autoptr (KsPod) pod = pod_with_spec ("  initContainers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    restartPolicy: Always\n"
                                         "    resources: {requests: {cpu: 200m}}\n"
                                         "  - name: b\n"
                                         "    image: x\n"
                                         "    resources: {requests: {cpu: 500m}}\n"
                                         "  - name: c\n"
                                         "    image: x\n"
                                         "    restartPolicy: Always\n"
                                         "    resources: {requests: {cpu: 100m}}\n"
                                         "  containers:\n"
                                         "  - name: main\n"
                                         "    image: x\n"
                                         "    resources: {requests: {cpu: 300m}}\n");
  const KsPodSpec *s = pod->spec;

  g_assert_true (s->init_containers[0].restart_always);
  g_assert_false (s->init_containers[1].restart_always);
  g_assert_cmpint (s->requests.milli_cpu, ==, 700);
  g_assert_false (s->requests.set & KS_RES_SET_MEMORY);
  g_assert_cmpint (s->requests.memory, ==, 0);
  g_assert_cmpint (s->nonzero_milli_cpu, ==, 700);
  g_assert_cmpint (s->nonzero_memory, ==, 600 * MI);
}

static void
test_requests_sidecar_dominates (void)
{
  /* Sidecars count in the container sum: 1 + 200m + 100m = 1300m beats init b's 500m + 200m. */
  g_autoptr (KsPod) pod = pod_with_spec ("  initContainers:\n"
                                         "  - {name: a, image: x, restartPolicy: Always,"
                                         " resources: {requests: {cpu: 200m}}}\n"
                                         "  - {name: b, image: x, resources: {requests: {cpu: "
                                         "500m}}}\n"
                                         "  - {name: c, image: x, restartPolicy: Always,"
                                         " resources: {requests: {cpu: 100m}}}\n"
                                         "  containers:\n"
                                         "  - {name: main, image: x, resources: {requests: {cpu: "
                                         "\"1\"}}}\n");

  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, 1300);
  g_assert_cmpint (pod->spec->nonzero_milli_cpu, ==, 1300);
}

static void
test_requests_sidecar_before_init (void)
{
  /* A sidecar started after an init container does not add to it: init b (900m) comes
   * before sidecar c (400m): candidates b 900, c 400; sum 100 + 400 = 500 → 900m. */
  g_autoptr (KsPod) pod = pod_with_spec ("  initContainers:\n"
                                         "  - {name: b, image: x, resources: {requests: {cpu: "
                                         "900m}}}\n"
                                         "  - {name: c, image: x, restartPolicy: Always,"
                                         " resources: {requests: {cpu: 400m}}}\n"
                                         "  containers:\n"
                                         "  - {name: main, image: x, resources: {requests: {cpu: "
                                         "100m}}}\n");

  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, 900);
}

static void
test_requests_overhead (void)
{
  g_autoptr (KsPod) pod = pod_with_spec ("  overhead: {cpu: 250m, memory: 120Mi}\n"
                                         "  containers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    resources: {requests: {cpu: 500m, memory: 1Gi}}\n"
                                         "  - name: b\n"
                                         "    image: x\n");
  KsPodSpec *spec = NULL;
  const KsPodSpec *s = pod->spec;

  g_assert_cmpint (s->requests.milli_cpu, ==, 750);
  g_assert_cmpint (s->requests.memory, ==, GI + 120 * MI);
  /* b counts 100m / 200Mi for scoring; overhead is added to the non-zero sums too. */
  g_assert_cmpint (s->nonzero_milli_cpu, ==, 500 + 100 + 250);
  g_assert_cmpint (s->nonzero_memory, ==, GI + 200 * MI + 120 * MI);

  /* ks_pod_spec_finish recomputes after a change. */
  spec = ks_pod_spec_copy (s);
  ks_resources_set (&spec->overhead, "cpu", 1000);
  ks_pod_spec_finish (spec);
  g_assert_cmpint (spec->requests.milli_cpu, ==, 1500);
  g_assert_cmpint (spec->nonzero_milli_cpu, ==, 1600);
  g_assert_cmpint (s->requests.milli_cpu, ==, 750);
  ks_pod_spec_unref (spec);
}

static void
test_requests_limits_default (void)
{
  g_autoptr (KsPod) pod = pod_with_spec ("  containers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      limits: {cpu: \"2\", memory: 1Gi, "
                                         "example.com/dev: 3}\n"
                                         "  - name: b\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 100m}\n"
                                         "      limits: {cpu: 500m}\n");
  const KsContainer *a = &pod->spec->containers[0], *b = &pod->spec->containers[1];

  /* A limit without a request sets the request. */
  g_assert_true (ks_resources_has (&a->requests, "cpu"));
  g_assert_cmpint (a->requests.milli_cpu, ==, 2000);
  g_assert_cmpint (a->requests.memory, ==, GI);
  g_assert_cmpint (ks_resources_get (&a->requests, "example.com/dev"), ==, 3);
  /* An explicit request stays. */
  g_assert_cmpint (b->requests.milli_cpu, ==, 100);
  g_assert_false (ks_resources_has (&b->requests, "memory"));
  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, 2100);
  g_assert_cmpint (pod->spec->requests.memory, ==, GI);
  g_assert_cmpint (pod->spec->nonzero_memory, ==, GI + 200 * MI);
}

static void
test_requests_explicit_zero (void)
{
  g_autoptr (KsPod) pod = pod_with_spec ("  containers:\n"
                                         "  - name: a\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: \"0\", memory: \"0\"}\n"
                                         "  - name: b\n"
                                         "    image: x\n"
                                         "    resources:\n"
                                         "      requests: {cpu: \"0\"}\n");

  /* Explicit zero stays zero; only b's missing memory gets the 200Mi default. */
  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, 0);
  g_assert_true (pod->spec->requests.set & KS_RES_SET_CPU);
  g_assert_cmpint (pod->spec->nonzero_milli_cpu, ==, 0);
  g_assert_cmpint (pod->spec->nonzero_memory, ==, 200 * MI);
}

static void
test_requests_nonzero_defaults (void)
{
  g_autoptr (KsPod) pod = pod_with_spec ("  initContainers:\n"
                                         "  - {name: i, image: x}\n"
                                         "  containers:\n"
                                         "  - {name: a, image: x}\n"
                                         "  - {name: b, image: x}\n");
  KsPodSpec *empty = ks_pod_spec_new ();

  /* Per container: 2 × 100m vs the init container's 100m. */
  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, 0);
  g_assert_cmpint (pod->spec->requests.memory, ==, 0);
  g_assert_cmpint (pod->spec->nonzero_milli_cpu, ==, 2 * KS_DEFAULT_MILLI_CPU_REQUEST);
  g_assert_cmpint (pod->spec->nonzero_memory, ==, 2 * G_GINT64_CONSTANT (209715200));
  g_assert_cmpint (KS_DEFAULT_MEMORY_REQUEST, ==, 200 * MI);

  /* No containers adds nothing. */
  ks_pod_spec_finish (empty);
  g_assert_cmpint (empty->nonzero_milli_cpu, ==, 0);
  g_assert_cmpint (empty->nonzero_memory, ==, 0);
  g_assert_true (ks_resources_is_zero (&empty->requests));
  ks_pod_spec_unref (empty);
}

static void
test_pod_qos (void)
{
  g_autoptr (KsPod) best_effort = pod_with_spec ("  containers:\n"
                                                 "  - {name: a, image: x}\n");
  g_autoptr (KsPod) zeros = pod_with_spec ("  containers:\n"
                                           "  - {name: a, image: x, resources: {requests:"
                                           " {cpu: \"0\", memory: \"0\"}}}\n");
  g_autoptr (KsPod) burstable = pod_with_spec ("  containers:\n"
                                               "  - {name: a, image: x, resources: {requests:"
                                               " {cpu: 100m}}}\n");
  g_autoptr (KsPod) guaranteed = pod_with_spec ("  containers:\n"
                                                "  - {name: a, image: x, resources: {limits:"
                                                " {cpu: \"1\", memory: 1Gi}}}\n"
                                                "  - {name: b, image: x, resources: {requests:"
                                                " {cpu: 200m, memory: 1Mi}, limits: {cpu: 200m,"
                                                " memory: 1Mi}}}\n");
  g_autoptr (KsPod) partial = pod_with_spec ("  containers:\n"
                                             "  - {name: a, image: x, resources: {limits:"
                                             " {cpu: \"1\", memory: 1Gi}}}\n"
                                             "  - {name: b, image: x}\n");
  g_autoptr (KsPod) below = pod_with_spec ("  containers:\n"
                                           "  - {name: a, image: x, resources: {requests:"
                                           " {cpu: 500m, memory: 1Gi}, limits: {cpu: \"1\","
                                           " memory: 1Gi}}}\n");
  g_autoptr (KsPod) cpu_only = pod_with_spec ("  containers:\n"
                                              "  - {name: a, image: x, resources: {limits:"
                                              " {cpu: \"1\"}}}\n");
  /* A zero limit is not a limit for QoS (ComputePodQOS counts only limits > 0). */
  g_autoptr (KsPod) zero_limit = pod_with_spec ("  containers:\n"
                                                "  - {name: a, image: x, resources: {limits:"
                                                " {cpu: \"0\", memory: 1Gi}}}\n");
  /* Init containers count too. */
  g_autoptr (KsPod) init_missing = pod_with_spec ("  initContainers:\n"
                                                  "  - {name: i, image: x}\n"
                                                  "  containers:\n"
                                                  "  - {name: a, image: x, resources: {limits:"
                                                  " {cpu: \"1\", memory: 1Gi}}}\n");

  g_assert_cmpint (best_effort->spec->qos_class, ==, KS_QOS_BEST_EFFORT);
  g_assert_cmpint (zeros->spec->qos_class, ==, KS_QOS_BEST_EFFORT);
  g_assert_cmpint (burstable->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpint (guaranteed->spec->qos_class, ==, KS_QOS_GUARANTEED);
  g_assert_cmpint (partial->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpint (below->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpint (cpu_only->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpint (zero_limit->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpint (init_missing->spec->qos_class, ==, KS_QOS_BURSTABLE);
  g_assert_cmpstr (ks_qos_class_name (KS_QOS_GUARANTEED), ==, "Guaranteed");
}

/* ---- object decoding ---------------------------------------------------------------------- */

static const char pod_yaml[] = "apiVersion: v1\n"
                               "kind: Pod\n"
                               "metadata:\n"
                               "  name: web-0\n"
                               "  labels:\n"
                               "    app: web\n"
                               "  annotations:\n"
                               "    note: hello\n"
                               "spec:\n"
                               "  containers:\n"
                               "  - name: app\n"
                               "    image: nginx\n"
                               "    ports:\n"
                               "    - containerPort: 80\n"
                               "  - name: tagged\n"
                               "    image: registry.example.com:5000/nginx:1.25\n"
                               "    env:\n"
                               "    - name: MODE\n"
                               "      value: fast\n"
                               "  nodeSelector:\n"
                               "    disk: ssd\n"
                               "  tolerations:\n"
                               "  - key: dedicated\n"
                               "    operator: Equal\n"
                               "    value: gpu\n"
                               "    effect: NoSchedule\n";

static void
test_decode_pod (void)
{
  g_autoptr (KsPod) pod = decode_pod (pod_yaml);
  const KsObjectMeta *m = &pod->parent.meta;
  const KsPodSpec *s = pod->spec;

  g_assert_cmpstr (KS_OBJECT (pod)->kind->name, ==, "Pod");
  g_assert_cmpstr (m->name, ==, "web-0");
  g_assert_cmpstr (m->namespace, ==, "default");
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (pod), "app"), ==, "web");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (pod), "note"), ==, "hello");
  g_assert_false (ks_uid_is_set (&m->uid));
  g_assert_cmpint (m->deletion_timestamp, ==, KS_TIME_NONE);
  g_assert_cmpuint (s->n_containers, ==, 2);
  g_assert_cmpstr (s->containers[0].name, ==, "app");
  /* Defaults. */
  g_assert_cmpint (s->restart_policy, ==, KS_RESTART_ALWAYS);
  g_assert_cmpint (s->termination_grace_period_seconds, ==, 30);
  g_assert_cmpstr (s->scheduler_name, ==, "default-scheduler");
  g_assert_cmpint (s->active_deadline_seconds, ==, -1);
  g_assert_false (s->has_priority);
  g_assert_cmpstr (s->containers[0].image_pull_policy, ==, "Always");
  g_assert_cmpstr (s->containers[1].image_pull_policy, ==, "IfNotPresent");
  g_assert_cmpstr (s->containers[0].ports[0].protocol, ==, "TCP");
  g_assert_cmpint (s->containers[0].ports[0].container_port, ==, 80);
  g_assert_cmpstr (s->containers[1].env[0].value, ==, "fast");
  g_assert_cmpstr (ks_str_map_lookup (s->node_selector, "disk"), ==, "ssd");
  g_assert_cmpuint (s->n_tolerations, ==, 1);
  g_assert_cmpint (s->tolerations[0].effect, ==, KS_TAINT_NO_SCHEDULE);
  g_assert_cmpint (pod->phase, ==, KS_POD_PENDING);
  g_assert_null (pod->node_name);
  g_assert_cmpint (ks_pod_get_priority (pod), ==, 0);
}

static void
test_decode_pod_explicit (void)
{
  g_autoptr (KsPod) pod = decode_pod ("apiVersion: v1\n"
                                      "kind: Pod\n"
                                      "metadata:\n"
                                      "  name: job\n"
                                      "  namespace: batch\n"
                                      "spec:\n"
                                      "  restartPolicy: OnFailure\n"
                                      "  terminationGracePeriodSeconds: 5\n"
                                      "  schedulerName: my-scheduler\n"
                                      "  nodeName: node-1\n"
                                      "  priorityClassName: high\n"
                                      "  containers:\n"
                                      "  - {name: a, image: busybox:latest}\n");

  g_assert_cmpstr (pod->parent.meta.namespace, ==, "batch");
  g_assert_cmpint (pod->spec->restart_policy, ==, KS_RESTART_ON_FAILURE);
  g_assert_cmpint (pod->spec->termination_grace_period_seconds, ==, 5);
  g_assert_cmpstr (pod->spec->scheduler_name, ==, "my-scheduler");
  g_assert_cmpstr (pod->spec->priority_class_name, ==, "high");
  /* A pod's nodeName is its binding. */
  g_assert_cmpstr (pod->node_name, ==, "node-1");
  g_assert_cmpstr (pod->spec->containers[0].image_pull_policy, ==, "Always");
}

static void
test_decode_node (void)
{
  g_autoptr (KsObject) obj = decode_ok ("apiVersion: v1\n"
                                        "kind: Node\n"
                                        "metadata:\n"
                                        "  name: node-1\n"
                                        "  labels: {zone: a}\n"
                                        "spec:\n"
                                        "  taints:\n"
                                        "  - {key: dedicated, value: gpu, effect: NoSchedule}\n"
                                        "status:\n"
                                        "  capacity:\n"
                                        "    cpu: \"4\"\n"
                                        "    memory: 8Gi\n"
                                        "    nvidia.com/gpu: 2\n");
  g_autoptr (KsObject) obj2 = decode_ok ("apiVersion: v1\n"
                                         "kind: Node\n"
                                         "metadata: {name: node-2}\n"
                                         "status:\n"
                                         "  capacity: {cpu: \"8\", memory: 16Gi, pods: 50}\n"
                                         "  allocatable: {cpu: 7500m, memory: 15Gi}\n");
  KsNode *node = KS_NODE (obj), *node2 = KS_NODE (obj2);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_NODE));
  /* Cluster-scoped: the default namespace does not apply. */
  g_assert_null (obj->meta.namespace);
  g_assert_cmpstr (ks_object_get_label (obj, "zone"), ==, "a");
  g_assert_cmpuint (node->n_taints, ==, 1);
  g_assert_cmpstr (node->taints[0].key, ==, "dedicated");
  g_assert_cmpstr (node->taints[0].value, ==, "gpu");
  g_assert_cmpint (node->taints[0].effect, ==, KS_TAINT_NO_SCHEDULE);
  g_assert_cmpint (node->capacity.milli_cpu, ==, 4000);
  g_assert_cmpint (node->capacity.memory, ==, 8 * GI);
  /* Allocatable defaults to capacity; pods to 110. */
  g_assert_cmpint (node->allocatable.milli_cpu, ==, 4000);
  g_assert_cmpint (node->allocatable.memory, ==, 8 * GI);
  g_assert_cmpint (ks_resources_get (&node->allocatable, "nvidia.com/gpu"), ==, 2);
  g_assert_cmpint (node->capacity.pods, ==, 110);
  g_assert_cmpint (node->allocatable.pods, ==, 110);
  g_assert_false (node->unschedulable);

  g_assert_cmpint (node2->allocatable.milli_cpu, ==, 7500);
  g_assert_cmpint (node2->allocatable.memory, ==, 15 * GI);
  g_assert_cmpint (node2->capacity.pods, ==, 50);
  g_assert_cmpint (node2->allocatable.pods, ==, 50);
}

static const char deployment_yaml[] = "apiVersion: apps/v1\n"
                                      "kind: Deployment\n"
                                      "metadata:\n"
                                      "  name: web\n"
                                      "spec:\n"
                                      "  selector:\n"
                                      "    matchLabels:\n"
                                      "      app: web\n"
                                      "  template:\n"
                                      "    metadata:\n"
                                      "      labels:\n"
                                      "        app: web\n"
                                      "    spec:\n"
                                      "      containers:\n"
                                      "      - name: app\n"
                                      "        image: nginx:1.25\n"
                                      "        resources:\n"
                                      "          requests: {cpu: 100m, memory: 128Mi}\n";

static void
test_decode_deployment (void)
{
  g_autoptr (KsObject) obj = decode_ok (deployment_yaml);
  KsDeployment *d = KS_DEPLOYMENT (obj);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_DEPLOYMENT));
  g_assert_cmpstr (obj->meta.namespace, ==, "default");
  g_assert_cmpint (d->replicas, ==, 1);
  g_assert_cmpint (d->strategy, ==, KS_DEPLOY_ROLLING_UPDATE);
  g_assert_true (d->max_surge.set);
  g_assert_true (d->max_surge.percent);
  g_assert_cmpint (d->max_surge.value, ==, 25);
  g_assert_true (d->max_unavailable.set);
  g_assert_true (d->max_unavailable.percent);
  g_assert_cmpint (d->max_unavailable.value, ==, 25);
  g_assert_cmpint (d->revision_history_limit, ==, 10);
  g_assert_cmpint (d->progress_deadline_seconds, ==, 600);
  g_assert_cmpint (d->min_ready_seconds, ==, 0);
  g_assert_false (d->paused);
  g_assert_cmpstr (ks_str_map_lookup (d->selector->match_labels, "app"), ==, "web");
  g_assert_cmpstr (ks_str_map_lookup (d->template.labels, "app"), ==, "web");
  g_assert_cmpint (d->template.spec->restart_policy, ==, KS_RESTART_ALWAYS);
  g_assert_cmpint (d->template.spec->termination_grace_period_seconds, ==, 30);
  g_assert_cmpstr (d->template.spec->scheduler_name, ==, "default-scheduler");
  g_assert_cmpint (d->template.spec->requests.milli_cpu, ==, 100);
  /* Scaled defaults (§3.2 table): 25% of 10 → surge 3 (up), unavailable 2 (down). */
  g_assert_cmpint (ks_int_or_percent_scaled (&d->max_surge, 10, TRUE), ==, 3);
  g_assert_cmpint (ks_int_or_percent_scaled (&d->max_unavailable, 10, FALSE), ==, 2);
  g_assert_cmpint (ks_int_or_percent_scaled (&d->max_surge, 3, TRUE), ==, 1);
  g_assert_cmpint (ks_int_or_percent_scaled (&d->max_unavailable, 3, FALSE), ==, 0);
}

static void
test_decode_deployment_strategy (void)
{
  g_autoptr (KsObject) rolling = decode_ok ("apiVersion: apps/v1\n"
                                            "kind: Deployment\n"
                                            "metadata: {name: web}\n"
                                            "spec:\n"
                                            "  replicas: 4\n"
                                            "  minReadySeconds: 5\n"
                                            "  revisionHistoryLimit: 2\n"
                                            "  progressDeadlineSeconds: 60\n"
                                            "  strategy:\n"
                                            "    rollingUpdate: {maxSurge: 2, maxUnavailable: "
                                            "50%}\n"
                                            "  selector: {matchLabels: {app: web}}\n"
                                            "  template:\n"
                                            "    metadata: {labels: {app: web}}\n"
                                            "    spec: {containers: [{name: a, image: x}]}\n");
  g_autoptr (KsObject) recreate = decode_ok ("apiVersion: apps/v1\n"
                                             "kind: Deployment\n"
                                             "metadata: {name: web}\n"
                                             "spec:\n"
                                             "  strategy: {type: Recreate}\n"
                                             "  selector: {matchLabels: {app: web}}\n"
                                             "  template:\n"
                                             "    metadata: {labels: {app: web}}\n"
                                             "    spec: {containers: [{name: a, image: x}]}\n");
  KsDeployment *r = KS_DEPLOYMENT (rolling), *c = KS_DEPLOYMENT (recreate);

  g_assert_cmpint (r->replicas, ==, 4);
  g_assert_cmpint (r->min_ready_seconds, ==, 5);
  g_assert_cmpint (r->revision_history_limit, ==, 2);
  g_assert_cmpint (r->progress_deadline_seconds, ==, 60);
  g_assert_false (r->max_surge.percent);
  g_assert_cmpint (r->max_surge.value, ==, 2);
  g_assert_true (r->max_unavailable.percent);
  g_assert_cmpint (r->max_unavailable.value, ==, 50);
  g_assert_cmpint (ks_int_or_percent_scaled (&r->max_unavailable, 5, FALSE), ==, 2);
  g_assert_cmpint (ks_int_or_percent_scaled (&r->max_unavailable, 5, TRUE), ==, 3);
  g_assert_cmpint (c->strategy, ==, KS_DEPLOY_RECREATE);
  g_assert_false (c->max_surge.set);
  g_assert_false (c->max_unavailable.set);
}

static void
test_decode_replica_set (void)
{
  g_autoptr (KsObject) obj = decode_ok ("apiVersion: apps/v1\n"
                                        "kind: ReplicaSet\n"
                                        "metadata:\n"
                                        "  name: web-rs\n"
                                        "  namespace: prod\n"
                                        "spec:\n"
                                        "  selector:\n"
                                        "    matchExpressions:\n"
                                        "    - {key: app, operator: In, values: [web, api]}\n"
                                        "  template:\n"
                                        "    metadata:\n"
                                        "      labels: {app: api, tier: be}\n"
                                        "    spec:\n"
                                        "      containers: [{name: a, image: x}]\n");
  KsReplicaSet *rs = KS_REPLICA_SET (obj);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_REPLICA_SET));
  g_assert_cmpstr (obj->meta.namespace, ==, "prod");
  g_assert_cmpint (rs->replicas, ==, 1);
  g_assert_cmpint (rs->min_ready_seconds, ==, 0);
  g_assert_cmpuint (rs->selector->n_expressions, ==, 1);
  g_assert_true (ks_label_selector_matches (rs->selector, rs->template.labels));
  g_assert_cmpstr (ks_str_map_lookup (rs->template.labels, "tier"), ==, "be");
  g_assert_cmpuint (rs->template.spec->n_containers, ==, 1);
}

static void
test_decode_namespace (void)
{
  g_autoptr (KsObject) obj = decode_ok ("apiVersion: v1\n"
                                        "kind: Namespace\n"
                                        "metadata:\n"
                                        "  name: team-a\n");

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_NAMESPACE));
  g_assert_cmpstr (obj->meta.name, ==, "team-a");
  g_assert_null (obj->meta.namespace);
  g_assert_false (KS_NAMESPACE (obj)->terminating);
  /* Namespace names are DNS labels: no dots. */
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Namespace\n"
                         "metadata:\n"
                         "  name: team.a\n",
                         "test.yaml:4:9: metadata.name: invalid name \"team.a\": must be a "
                         "lowercase RFC 1123 label: at most 63 characters, lowercase letters, "
                         "digits and '-', starting and ending with a letter or digit (e.g. "
                         "\"my-name\")");
}

static void
test_decode_priority_class (void)
{
  g_autoptr (KsObject) obj = decode_ok ("apiVersion: scheduling.k8s.io/v1\n"
                                        "kind: PriorityClass\n"
                                        "metadata:\n"
                                        "  name: high\n"
                                        "value: 1000\n"
                                        "globalDefault: true\n"
                                        "description: important\n");
  g_autoptr (KsObject) never = decode_ok ("apiVersion: scheduling.k8s.io/v1\n"
                                          "kind: PriorityClass\n"
                                          "metadata: {name: batch}\n"
                                          "value: -5\n"
                                          "preemptionPolicy: Never\n");
  g_autoptr (KsObject) system = decode_ok ("apiVersion: scheduling.k8s.io/v1\n"
                                           "kind: PriorityClass\n"
                                           "metadata: {name: system-important}\n"
                                           "value: 2000000000\n");
  KsPriorityClass *pc = KS_PRIORITY_CLASS (obj);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_PRIORITY_CLASS));
  g_assert_null (obj->meta.namespace);
  g_assert_cmpint (pc->value, ==, 1000);
  g_assert_true (pc->global_default);
  g_assert_cmpint (pc->preemption_policy, ==, KS_PREEMPT_LOWER_PRIORITY);
  g_assert_cmpstr (pc->description, ==, "important");
  g_assert_cmpint (KS_PRIORITY_CLASS (never)->value, ==, -5);
  g_assert_false (KS_PRIORITY_CLASS (never)->global_default);
  g_assert_cmpint (KS_PRIORITY_CLASS (never)->preemption_policy, ==, KS_PREEMPT_NEVER);
  g_assert_cmpint (KS_PRIORITY_CLASS (system)->value, ==, KS_SYSTEM_CRITICAL_PRIORITY);

  assert_single_problem ("apiVersion: scheduling.k8s.io/v1\n"
                         "kind: PriorityClass\n"
                         "metadata: {name: huge}\n"
                         "value: 1000000001\n",
                         "test.yaml:4:8: value: must be at most 1000000000: higher values are "
                         "reserved for system-* priority classes");
  assert_single_problem ("apiVersion: scheduling.k8s.io/v1\n"
                         "kind: PriorityClass\n"
                         "metadata: {name: nothing}\n",
                         "test.yaml:1:1: value: required field is missing (an integer priority)");
}

/* ---- decode errors ------------------------------------------------------------------------ */

static void
test_error_quantity (void)
{
  g_autoptr (KsDiag) diag = decode_fail ("apiVersion: v1\n"
                                         "kind: Pod\n"
                                         "metadata:\n"
                                         "  name: web\n"
                                         "spec:\n"
                                         "  containers:\n"
                                         "  - name: app\n"
                                         "    image: nginx\n"
                                         "    resources:\n"
                                         "      requests:\n"
                                         "        cpu: 1x\n");

  g_assert_cmpuint (ks_diag_get_count (diag), ==, 1);
  g_assert_true (g_str_has_prefix (ks_diag_get (diag, 0),
                                   "test.yaml:11:14: spec.containers[0].resources.requests.cpu: "
                                   "invalid quantity \"1x\": "));
}

static void
test_error_wrong_type (void)
{
  assert_single_problem ("apiVersion: apps/v1\n"
                         "kind: Deployment\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  replicas: \"3\"\n"
                         "  selector:\n"
                         "    matchLabels:\n"
                         "      app: web\n"
                         "  template:\n"
                         "    metadata:\n"
                         "      labels:\n"
                         "        app: web\n"
                         "    spec:\n"
                         "      containers:\n"
                         "      - name: app\n"
                         "        image: nginx\n",
                         "test.yaml:6:13: spec.replicas: expected an integer, got a string");
  /* A number where a string belongs says how to quote it. */
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - name: app\n"
                         "    image: 1.5\n",
                         "test.yaml:8:12: spec.containers[0].image: expected a string, got a "
                         "number (write it in quotes: \"1.5\")");
}

static void
test_error_unknown_kind (void)
{
  assert_single_problem (
      "apiVersion: v1\n"
      "kind: Widget\n"
      "metadata:\n"
      "  name: x\n",
      "test.yaml:2:7: kind: unknown kind \"Widget\" (apiVersion \"v1\"); "
      "kubesim knows: v1 Namespace, v1 Node, scheduling.k8s.io/v1 "
      "PriorityClass, v1 Pod, apps/v1 ReplicaSet, apps/v1 Deployment, v1 "
      "Service, v1 Endpoints, v1 Event, coordination.k8s.io/v1 Lease, policy/v1 "
      "PodDisruptionBudget, apps/v1 StatefulSet, batch/v1 Job, discovery.k8s.io/v1 "
      "EndpointSlice, storage.k8s.io/v1 StorageClass, v1 PersistentVolume, v1 "
      "PersistentVolumeClaim, autoscaling/v2 HorizontalPodAutoscaler");
  assert_single_problem ("apiVersion: v1\n"
                         "metadata:\n"
                         "  name: x\n",
                         "test.yaml:1:1: kind: required field is missing (one of: v1 Namespace, "
                         "v1 Node, scheduling.k8s.io/v1 PriorityClass, v1 Pod, apps/v1 "
                         "ReplicaSet, apps/v1 Deployment, v1 Service, v1 Endpoints, v1 Event, "
                         "coordination.k8s.io/v1 Lease, policy/v1 PodDisruptionBudget, "
                         "apps/v1 StatefulSet, batch/v1 Job, discovery.k8s.io/v1 EndpointSlice, "
                         "storage.k8s.io/v1 StorageClass, v1 PersistentVolume, v1 "
                         "PersistentVolumeClaim, autoscaling/v2 HorizontalPodAutoscaler)");
}

static void
test_error_api_version (void)
{
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Deployment\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec: {}\n",
                         "test.yaml:1:13: apiVersion: no kind \"Deployment\" in apiVersion \"v1\": "
                         "use apiVersion \"apps/v1\"");
  assert_single_problem ("kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n",
                         "test.yaml:1:1: apiVersion: required field is missing");
}

static void
test_error_missing_name (void)
{
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  namespace: default\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - {name: a, image: x}\n",
                         "test.yaml:4:3: metadata.name: required field is missing");
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - {name: a, image: x}\n",
                         "test.yaml:1:1: metadata: required field is missing (metadata.name)");
}

static void
test_error_missing_containers (void)
{
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  restartPolicy: Never\n",
                         "test.yaml:6:3: spec.containers: required field is missing: a pod needs "
                         "at least one container");
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  containers: []\n",
                         "test.yaml:6:15: spec.containers: a pod needs at least one container");
}

static void
test_error_selector_mismatch (void)
{
  assert_single_problem ("apiVersion: apps/v1\n"
                         "kind: Deployment\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  selector:\n"
                         "    matchLabels:\n"
                         "      app: web\n"
                         "  template:\n"
                         "    metadata:\n"
                         "      labels:\n"
                         "        app: api\n"
                         "    spec:\n"
                         "      containers:\n"
                         "      - name: app\n"
                         "        image: nginx\n",
                         "test.yaml:12:9: spec.template.metadata.labels: `selector` does not "
                         "match template `labels`");
  assert_single_problem ("apiVersion: apps/v1\n"
                         "kind: ReplicaSet\n"
                         "metadata: {name: rs}\n"
                         "spec:\n"
                         "  selector: {}\n"
                         "  template:\n"
                         "    metadata: {labels: {app: web}}\n"
                         "    spec: {containers: [{name: a, image: x}]}\n",
                         "test.yaml:5:13: spec.selector: empty selector is invalid: it would "
                         "select every pod");
}

static void
test_error_label_value (void)
{
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "  labels:\n"
                         "    app: -web\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - {name: a, image: x}\n",
                         "test.yaml:6:10: metadata.labels.app: invalid label value \"-web\": a "
                         "label value must be empty or at most 63 characters of letters, digits, "
                         "'-', '_' and '.', starting and ending with a letter or digit");
  /* A key that is not a plain identifier is quoted in the path. */
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "  labels:\n"
                         "    example.com/tier: \"a b\"\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - {name: a, image: x}\n",
                         "test.yaml:6:23: metadata.labels[\"example.com/tier\"]: invalid label "
                         "value \"a b\": a label value must be empty or at most 63 characters of "
                         "letters, digits, '-', '_' and '.', starting and ending with a letter or "
                         "digit");
}

static void
test_error_limits_below_requests (void)
{
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: web\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - name: app\n"
                         "    image: nginx\n"
                         "    resources:\n"
                         "      requests:\n"
                         "        cpu: \"2\"\n"
                         "        memory: 1Gi\n"
                         "      limits:\n"
                         "        cpu: \"1\"\n"
                         "        memory: 1Gi\n",
                         "test.yaml:11:14: spec.containers[0].resources.requests.cpu: must be "
                         "less than or equal to the cpu limit");
}

static void
test_error_several (void)
{
  g_autoptr (KsDiag) diag = decode_fail ("apiVersion: v1\n"
                                         "kind: Pod\n"
                                         "metadata:\n"
                                         "  name: Web\n"
                                         "spec:\n"
                                         "  containers:\n"
                                         "  - name: app\n"
                                         "    resources:\n"
                                         "      requests: {cpu: 1x}\n"
                                         "  - name: app2\n"
                                         "    image: nginx\n"
                                         "    ports:\n"
                                         "    - containerPort: 70000\n"
                                         "  restartPolicy: Sometimes\n"
                                         "  terminationGracePeriodSeconds: -1\n");
  static const char *const expected[] = {
    "test.yaml:4:9: metadata.name: invalid name \"Web\": must be a lowercase RFC 1123 "
    "subdomain: at most 253 characters, lowercase letters, digits, '-' and '.', starting and "
    "ending with a letter or digit (e.g. \"example.com\")",
    "test.yaml:7:5: spec.containers[0].image: required field is missing",
    "test.yaml:9:23: spec.containers[0].resources.requests.cpu: invalid quantity \"1x\": ",
    "test.yaml:13:22: spec.containers[1].ports[0].containerPort: must be between 1 and 65535, "
    "got 70000",
    "test.yaml:14:18: spec.restartPolicy: unsupported value \"Sometimes\": supported values: "
    "Always, OnFailure, Never",
    "test.yaml:15:34: spec.terminationGracePeriodSeconds: must be greater than or equal to 0",
  };

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      if (i == 2)
        g_assert_true (g_str_has_prefix (ks_diag_get (diag, i), expected[i]));
      else
        g_assert_cmpstr (ks_diag_get (diag, i), ==, expected[i]);
    }
}

static void
test_error_owner_references (void)
{
  g_autoptr (KsObject) ok = decode_ok ("apiVersion: v1\n"
                                       "kind: Pod\n"
                                       "metadata:\n"
                                       "  name: p\n"
                                       "  ownerReferences:\n"
                                       "  - apiVersion: apps/v1\n"
                                       "    kind: ReplicaSet\n"
                                       "    name: rs\n"
                                       "    uid: 0a1b2c3d-0000-4000-8000-00000000abcd\n"
                                       "    controller: true\n"
                                       "spec: {containers: [{name: a, image: x}]}\n");
  const KsOwnerRef *ref = ks_object_get_controller_ref (ok);
  char uid[KS_UID_STRING_LEN];

  g_assert_nonnull (ref);
  g_assert_cmpstr (ref->kind, ==, "ReplicaSet");
  g_assert_cmpstr (ref->name, ==, "rs");
  g_assert_false (ref->block_owner_deletion);
  g_assert_cmpstr (ks_uid_to_string (&ref->uid, uid), ==, "0a1b2c3d-0000-4000-8000-00000000abcd");

  /* A bad reference followed by a good one: reported, and nothing of it kept. */
  assert_single_problem ("apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  name: p\n"
                         "  ownerReferences:\n"
                         "  - {apiVersion: apps/v1, kind: ReplicaSet, name: a, uid: zzz}\n"
                         "  - {apiVersion: apps/v1, kind: ReplicaSet, name: b,"
                         " uid: 0a1b2c3d-0000-4000-8000-00000000abcd}\n"
                         "spec: {containers: [{name: a, image: x}]}\n",
                         "test.yaml:6:59: metadata.ownerReferences[0].uid: invalid uid \"zzz\": "
                         "expected a UUID");
}

static void assert_round_trip (const char *yaml, const char *must_contain);

/* env valueFrom: the downward API's fieldRef, kept and written back; other sources refused. */
static void
test_env_value_from (void)
{
  g_autoptr (KsPod) pod
      = decode_pod ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                    "  - name: c\n    image: x\n    env:\n"
                    "    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n"
                    "    - {name: ZONE, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: "
                    "\"metadata.labels['zone']\"}}}\n"
                    "    - {name: PLAIN, value: x}\n");
  const KsContainer *c = &pod->spec->containers[0];

  g_assert_cmpuint (c->n_env, ==, 3);
  g_assert_cmpstr (c->env[0].field_path, ==, "metadata.name");
  g_assert_cmpstr (c->env[0].value, ==, "");
  g_assert_cmpstr (c->env[1].field_path, ==, "metadata.labels['zone']");
  g_assert_null (c->env[2].field_path);
  assert_round_trip ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                     "  - name: c\n    image: x\n    env:\n"
                     "    - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n",
                     "\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":"
                     "\"status.podIP\"}}");
  assert_single_problem (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
      "  - name: c\n    image: x\n    env:\n"
      "    - {name: A, valueFrom: {fieldRef: {fieldPath: spec.hostname}}}\n",
      "test.yaml:9:51: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
      "\"spec.hostname\": supported values: \"metadata.name\", \"metadata.namespace\", "
      "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", "
      "\"status.hostIPs\", \"status.podIP\", \"status.podIPs\", metadata.labels['<KEY>'], "
      "metadata.annotations['<KEY>']");
  assert_single_problem ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                         "  - name: c\n    image: x\n    env:\n"
                         "    - {name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}\n",
                         "test.yaml:9:43: spec.containers[0].env[0].valueFrom.secretKeyRef: "
                         "Unsupported value: kubesim "
                         "supports only fieldRef (the downward API) in valueFrom");
  assert_single_problem (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
      "  - name: c\n    image: x\n    env:\n"
      "    - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n",
      "test.yaml:9:38: spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be "
      "specified when `value` is not empty");
  assert_single_problem (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
      "  - name: c\n    image: x\n    env:\n"
      "    - {name: A, valueFrom: {}}\n",
      "test.yaml:9:28: spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one "
      "of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
}

static void
test_error_to_gerror (void)
{
  g_autoptr (KsDiag) diag = decode_fail ("apiVersion: v1\n"
                                         "kind: Pod\n"
                                         "metadata: {name: \"x_y\"}\n"
                                         "spec: {}\n");
  g_autoptr (KsDiag) none = ks_diag_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (ks_diag_get_count (diag), ==, 2);
  g_assert_false (ks_diag_to_error (diag, &error));
  g_assert_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID);
  /* Every problem, one per line. */
  g_assert_nonnull (strchr (error->message, '\n'));
  g_assert_true (g_str_has_prefix (error->message, "test.yaml:3:18: metadata.name: invalid name"));
  g_assert_nonnull (strstr (error->message, "\ntest.yaml:4:7: spec.containers: required field"));
  g_assert_true (ks_diag_to_error (none, NULL));
}

/* ---- encode round trip -------------------------------------------------------------------- */

static void
assert_round_trip (const char *yaml, const char *must_contain)
{
  g_autoptr (KsObject) first = decode_ok (yaml);
  g_autofree char *json1 = ks_object_to_json (first, KS_DEFAULT_EPOCH);
  g_autoptr (KsSource) source = source_new ("roundtrip.json", json1);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) second = NULL;
  g_autofree char *json2 = NULL;
  KsDecoder dec;

  g_test_message ("json: %s", json1);
  g_assert_nonnull (strstr (json1, must_contain));
  ks_decoder_init (&dec, source, diag);
  second = ks_object_decode (&dec, ks_source_get_document (source, 0), NULL);
  ks_decoder_clear (&dec);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (second);
  g_assert_true (second->kind == first->kind);
  json2 = ks_object_to_json (second, KS_DEFAULT_EPOCH);
  g_assert_cmpstr (json2, ==, json1);
}

static void
test_round_trip (void)
{
  assert_round_trip (pod_yaml, "\"namespace\":\"default\"");
  assert_round_trip (deployment_yaml, "\"maxSurge\":\"25%\"");
  assert_round_trip ("apiVersion: v1\n"
                     "kind: Pod\n"
                     "metadata: {name: side}\n"
                     "spec:\n"
                     "  overhead: {cpu: 250m}\n"
                     "  initContainers:\n"
                     "  - {name: s, image: x, restartPolicy: Always, resources: {limits: {memory: "
                     "1Gi}}}\n"
                     "  containers:\n"
                     "  - {name: a, image: x, resources: {requests: {cpu: 1500m, nvidia.com/gpu: "
                     "1},"
                     " limits: {nvidia.com/gpu: 1}}}\n"
                     "  affinity:\n"
                     "    nodeAffinity:\n"
                     "      requiredDuringSchedulingIgnoredDuringExecution:\n"
                     "        nodeSelectorTerms:\n"
                     "        - matchExpressions: [{key: cores, operator: Gt, values: [\"4\"]}]\n",
                     "\"cpu\":\"1500m\"");
  assert_round_trip ("apiVersion: apps/v1\n"
                     "kind: ReplicaSet\n"
                     "metadata: {name: rs, labels: {app: web}}\n"
                     "spec:\n"
                     "  replicas: 3\n"
                     "  selector: {matchExpressions: [{key: app, operator: Exists}]}\n"
                     "  template:\n"
                     "    metadata: {labels: {app: web}, annotations: {a: b}}\n"
                     "    spec: {containers: [{name: a, image: x}]}\n",
                     "\"operator\":\"Exists\"");
  assert_round_trip ("apiVersion: apps/v1\n"
                     "kind: Deployment\n"
                     "metadata: {name: web}\n"
                     "spec:\n"
                     "  strategy: {type: Recreate}\n"
                     "  selector: {matchLabels: {app: web}}\n"
                     "  template:\n"
                     "    metadata: {labels: {app: web}}\n"
                     "    spec: {containers: [{name: a, image: x}]}\n",
                     "\"type\":\"Recreate\"");
  assert_round_trip ("apiVersion: v1\n"
                     "kind: Node\n"
                     "metadata: {name: n1, labels: {zone: a}}\n"
                     "spec: {taints: [{key: k, effect: NoExecute}]}\n"
                     "status: {capacity: {cpu: \"4\", memory: 8Gi}}\n",
                     "\"pods\":\"110\"");
  assert_round_trip ("apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n",
                     "\"phase\":\"Active\"");
  assert_round_trip ("apiVersion: scheduling.k8s.io/v1\n"
                     "kind: PriorityClass\n"
                     "metadata: {name: high}\n"
                     "value: 100\n"
                     "globalDefault: true\n",
                     "\"globalDefault\":true");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/strmap/sorted", test_strmap_sorted);
  g_test_add_func ("/api/strmap/pairs", test_strmap_pairs);
  g_test_add_func ("/api/strmap/lookup", test_strmap_lookup);
  g_test_add_func ("/api/strmap/with", test_strmap_with);
  g_test_add_func ("/api/strmap/equal", test_strmap_equal);
  g_test_add_func ("/api/strmap/subset", test_strmap_subset);
  g_test_add_func ("/api/strmap/null", test_strmap_null);

  g_test_add_func ("/api/selector/match-labels", test_selector_match_labels);
  g_test_add_func ("/api/selector/in", test_selector_in);
  g_test_add_func ("/api/selector/not-in", test_selector_not_in);
  g_test_add_func ("/api/selector/exists", test_selector_exists);
  g_test_add_func ("/api/selector/combined", test_selector_combined);
  g_test_add_func ("/api/selector/nil-and-empty", test_selector_nil_and_empty);
  g_test_add_func ("/api/selector/equal", test_selector_equal);
  g_test_add_func ("/api/selector/decode-errors", test_selector_decode_errors);
  g_test_add_func ("/api/pod/env-value-from", test_env_value_from);
  g_test_add_func ("/api/selector/node/gt-lt", test_node_selector_gt_lt);
  g_test_add_func ("/api/selector/node/fields", test_node_selector_fields);
  g_test_add_func ("/api/selector/node/empty-term", test_node_selector_empty_term);
  g_test_add_func ("/api/selector/node/decode-errors", test_node_selector_decode_errors);

  g_test_add_func ("/api/resources/set-get", test_resources_set_get);
  g_test_add_func ("/api/resources/arithmetic", test_resources_arithmetic);
  g_test_add_func ("/api/resources/equal", test_resources_equal);
  g_test_add_func ("/api/resources/names", test_resources_names);
  g_test_add_func ("/api/resources/decode", test_resources_decode);
  g_test_add_func ("/api/resources/decode-errors", test_resources_decode_errors);

  g_test_add_func ("/api/pod/requests/containers-sum", test_requests_containers_sum);
  g_test_add_func ("/api/pod/requests/init-max", test_requests_init_max);
  g_test_add_func ("/api/pod/requests/sidecar", test_requests_sidecar);
  g_test_add_func ("/api/pod/requests/sidecar-dominates", test_requests_sidecar_dominates);
  g_test_add_func ("/api/pod/requests/sidecar-after-init", test_requests_sidecar_before_init);
  g_test_add_func ("/api/pod/requests/overhead", test_requests_overhead);
  g_test_add_func ("/api/pod/requests/limits-default", test_requests_limits_default);
  g_test_add_func ("/api/pod/requests/explicit-zero", test_requests_explicit_zero);
  g_test_add_func ("/api/pod/requests/nonzero-defaults", test_requests_nonzero_defaults);
  g_test_add_func ("/api/pod/qos", test_pod_qos);

  g_test_add_func ("/api/decode/pod", test_decode_pod);
  g_test_add_func ("/api/decode/pod-explicit", test_decode_pod_explicit);
  g_test_add_func ("/api/decode/node", test_decode_node);
  g_test_add_func ("/api/decode/deployment", test_decode_deployment);
  g_test_add_func ("/api/decode/deployment-strategy", test_decode_deployment_strategy);
  g_test_add_func ("/api/decode/replica-set", test_decode_replica_set);
  g_test_add_func ("/api/decode/namespace", test_decode_namespace);
  g_test_add_func ("/api/decode/priority-class", test_decode_priority_class);

  g_test_add_func ("/api/decode/error/quantity", test_error_quantity);
  g_test_add_func ("/api/decode/error/wrong-type", test_error_wrong_type);
  g_test_add_func ("/api/decode/error/unknown-kind", test_error_unknown_kind);
  g_test_add_func ("/api/decode/error/api-version", test_error_api_version);
  g_test_add_func ("/api/decode/error/missing-name", test_error_missing_name);
  g_test_add_func ("/api/decode/error/missing-containers", test_error_missing_containers);
  g_test_add_func ("/api/decode/error/selector-mismatch", test_error_selector_mismatch);
  g_test_add_func ("/api/decode/error/label-value", test_error_label_value);
  g_test_add_func ("/api/decode/error/limits-below-requests", test_error_limits_below_requests);
  g_test_add_func ("/api/decode/error/several", test_error_several);
  g_test_add_func ("/api/decode/error/owner-references", test_error_owner_references);
  g_test_add_func ("/api/decode/error/to-gerror", test_error_to_gerror);

  g_test_add_func ("/api/encode/round-trip", test_round_trip);

  return g_test_run ();
}

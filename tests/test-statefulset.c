/* test-statefulset.c: the StatefulSet controller (src/controllers/ks-statefulset-controller.c,
 * reference §4) on a store, a store client and a simulated clock.  No kubelet runs: the test
 * binds pods and makes them Running and Ready itself, and finishes a graceful deletion by
 * deleting again with grace 0, so each step of the ordering is visible.
 *
 * Covered: ordinal names, labels, hostname/subdomain and DNS name; OrderedReady creation one at a
 * time waiting for readiness; reverse one-at-a-time scale-down; Parallel; the partitioned
 * RollingUpdate from the highest ordinal down; OnDelete; status; garbage collection. */
#include "config.h"

#include <string.h>

#include "real/ks-printers.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-statefulset.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsControllerManager *manager;
  gint64 t; /* seconds */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  f->manager
      = ks_controller_manager_new (f->client, ks_sim_clock_get_clock (f->sim), &f->sink.parent);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_controller_manager_free (f->manager);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

/* Let the controllers work one more second. */
static void
step (Fixture *f)
{
  f->t++;
  ks_sim_clock_run_until (f->sim, f->t * SEC);
}

static KsObject *
get (Fixture *f, KsKindId kind, const char *name)
{
  return ks_store_get (f->store, ks_kind_get (kind), "default", name);
}

static KsStatefulSet *
sts (Fixture *f)
{
  return KS_STATEFUL_SET (get (f, KS_KIND_STATEFUL_SET, "web"));
}

/* "web-0 web-1*" : the pods in name order, '*' marking those being deleted. */
static char *
pods (Fixture *f)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  GString *s = g_string_new (NULL);

  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "default", list);
  for (guint i = 0; i < list->len; i++)
    {
      KsObject *pod = g_ptr_array_index (list, i);
      g_string_append_printf (s, "%s%s%s", i ? " " : "", pod->meta.name,
                              ks_object_is_being_deleted (pod) ? "*" : "");
    }
  return g_string_free (s, FALSE);
}

#define assert_pods(f, expected)                                                                   \
  do                                                                                               \
    {                                                                                              \
      g_autofree char *got_ = pods (f);                                                            \
      g_assert_cmpstr (got_, ==, expected);                                                        \
    }                                                                                              \
  while (0)

/* Bind the pod and make it Running and Ready. */
static void
make_ready (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  KsObject *pod = get (f, KS_KIND_POD, name);
  KsPod *copy;
  gint64 now = f->t * SEC;

  g_assert_nonnull (pod);
  if (KS_POD (pod)->node_name == NULL)
    {
      g_assert_true (ks_store_bind (f->store, "default", name, NULL, "node-1", &error));
      g_assert_no_error (error);
    }
  copy = ks_pod_copy (KS_POD (get (f, KS_KIND_POD, name)));
  copy->phase = KS_POD_RUNNING;
  ks_pod_set_condition (copy, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL, now);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

/* Delete a pod (graceful when bound: it gets a deletionTimestamp). */
static void
delete_pod (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", name, NULL, &error));
  g_assert_no_error (error);
}

/* The kubelet's part of a graceful deletion: the pod goes. */
static void
finish_delete (Fixture *f, const char *name)
{
  KsDeleteOptions now = { .grace_period_seconds = 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", name, &now, &error));
  g_assert_no_error (error);
}

static gboolean
sink_has (Fixture *f, const char *line)
{
  for (guint i = 0; i < f->sink.lines->len; i++)
    if (strcmp (g_ptr_array_index (f->sink.lines, i), line) == 0)
      return TRUE;
  return FALSE;
}

#define STS_YAML                                                                                   \
  "apiVersion: apps/v1\n"                                                                          \
  "kind: StatefulSet\n"                                                                            \
  "metadata: {name: web, namespace: default}\n"                                                    \
  "spec:\n"                                                                                        \
  "  replicas: 3\n"                                                                                \
  "  serviceName: nginx\n"                                                                         \
  "  podManagementPolicy: %s\n"                                                                    \
  "  updateStrategy: %s\n"                                                                         \
  "  selector: {matchLabels: {app: web}}\n"                                                        \
  "  template:\n"                                                                                  \
  "    metadata: {labels: {app: web}}\n"                                                           \
  "    spec:\n"                                                                                    \
  "      containers: [{name: c, image: nginx:1.27}]\n"

static void
create_sts (Fixture *f, const char *policy, const char *strategy)
{
  g_autofree char *text = g_strdup_printf (STS_YAML, policy, strategy);
  ks_test_create (f->store, ks_test_decode (text));
}

/* Create a 3-pod set and bring it up, ready. */
static void
bring_up (Fixture *f, const char *strategy)
{
  create_sts (f, "OrderedReady", strategy);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("web-%d", i);
      step (f);
      make_ready (f, name);
    }
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
}

static void
set_image (KsObject *copy, const char *image)
{
  KsPodTemplate *t = &KS_STATEFUL_SET (copy)->template;
  KsPodSpec *spec = ks_pod_spec_copy (t->spec);

  g_free (spec->containers[0].image);
  spec->containers[0].image = g_strdup (image);
  ks_pod_spec_unref (t->spec);
  t->spec = spec;
}

static void
update_sts (Fixture *f, const char *image, gint32 partition)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (get (f, KS_KIND_STATEFUL_SET, "web"));

  if (image != NULL)
    set_image (copy, image);
  if (partition >= 0)
    KS_STATEFUL_SET (copy)->partition = partition;
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

static void
scale (Fixture *f, gint32 replicas)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (get (f, KS_KIND_STATEFUL_SET, "web"));

  KS_STATEFUL_SET (copy)->replicas = replicas;
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

static const char *
revision (Fixture *f, const char *pod)
{
  return ks_object_get_label (get (f, KS_KIND_POD, pod), KS_LABEL_CONTROLLER_REVISION_HASH);
}

static void
test_ordered_create (Fixture *f, gconstpointer data)
{
  KsObject *pod;
  const KsOwnerRef *ref;
  g_autofree char *dns = NULL;
  KsStatefulSet *s;

  create_sts (f, "OrderedReady", "{type: RollingUpdate}");
  step (f);
  /* One at a time: web-1 waits for web-0 to be Running and Ready. */
  assert_pods (f, "web-0");
  step (f);
  step (f);
  assert_pods (f, "web-0");

  pod = get (f, KS_KIND_POD, "web-0");
  g_assert_cmpstr (ks_object_get_label (pod, KS_LABEL_STS_POD_NAME), ==, "web-0");
  g_assert_cmpstr (ks_object_get_label (pod, KS_LABEL_POD_INDEX), ==, "0");
  g_assert_cmpstr (ks_object_get_label (pod, "app"), ==, "web");
  g_assert_true (g_str_has_prefix (revision (f, "web-0"), "web-"));
  g_assert_cmpstr (KS_POD (pod)->spec->hostname, ==, "web-0");
  g_assert_cmpstr (KS_POD (pod)->spec->subdomain, ==, "nginx");
  dns = ks_pod_dns_name (pod);
  g_assert_cmpstr (dns, ==, "web-0.nginx.default.svc.cluster.local");
  ref = ks_object_get_controller_ref (pod);
  g_assert_nonnull (ref);
  g_assert_cmpstr (ref->kind, ==, "StatefulSet");
  g_assert_cmpstr (ref->name, ==, "web");
  s = sts (f);
  g_assert_cmpint (s->status.replicas, ==, 1);
  g_assert_cmpint (s->status.ready_replicas, ==, 0);
  g_assert_cmpint (s->status.observed_generation, ==, 1);
  g_assert_cmpstr (s->status.update_revision, ==, revision (f, "web-0"));

  make_ready (f, "web-0");
  step (f);
  assert_pods (f, "web-0 web-1");
  make_ready (f, "web-1");
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
  make_ready (f, "web-2");
  step (f);
  s = sts (f);
  g_assert_cmpint (s->status.replicas, ==, 3);
  g_assert_cmpint (s->status.ready_replicas, ==, 3);
  g_assert_cmpint (s->status.available_replicas, ==, 3);
  g_assert_cmpint (s->status.current_replicas, ==, 3);
  g_assert_cmpint (s->status.updated_replicas, ==, 3);
  g_assert_cmpstr (s->status.current_revision, ==, s->status.update_revision);
  g_assert_true (sink_has (f, "SuccessfulCreate StatefulSet default/web: "
                              "create Pod web-2 in StatefulSet web successful"));
}

static void
test_scale_down_reverse (Fixture *f, gconstpointer data)
{
  bring_up (f, "{type: RollingUpdate}");
  scale (f, 1);
  step (f);
  /* Highest ordinal first, and the next only once it is gone. */
  assert_pods (f, "web-0 web-1 web-2*");
  step (f);
  assert_pods (f, "web-0 web-1 web-2*");
  finish_delete (f, "web-2");
  step (f);
  assert_pods (f, "web-0 web-1*");
  finish_delete (f, "web-1");
  step (f);
  assert_pods (f, "web-0");
  g_assert_cmpint (sts (f)->status.replicas, ==, 1);
}

static void
test_scale_down_waits_unhealthy (Fixture *f, gconstpointer data)
{
  KsPod *copy;

  bring_up (f, "{type: RollingUpdate}");
  /* web-0 becomes not ready: OrderedReady does not scale down while another pod is unhealthy. */
  copy = ks_pod_copy (KS_POD (get (f, KS_KIND_POD, "web-0")));
  ks_pod_set_condition (copy, KS_POD_COND_READY, KS_CONDITION_FALSE, NULL, NULL, f->t * SEC);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), TRUE, NULL));
  ks_object_unref (KS_OBJECT (copy));
  scale (f, 2);
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
  make_ready (f, "web-0");
  step (f);
  assert_pods (f, "web-0 web-1 web-2*");
}

static void
test_parallel (Fixture *f, gconstpointer data)
{
  create_sts (f, "Parallel", "{type: RollingUpdate}");
  step (f);
  /* All at once, without waiting for readiness. */
  assert_pods (f, "web-0 web-1 web-2");
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("web-%d", i);
      make_ready (f, name);
    }
  scale (f, 0);
  step (f);
  /* Condemned pods deleted together. */
  assert_pods (f, "web-0* web-1* web-2*");
}

static void
test_rolling_partition (Fixture *f, gconstpointer data)
{
  g_autofree char *old = NULL;
  g_autofree char *new_rev = NULL;
  KsStatefulSet *s;

  bring_up (f, "{type: RollingUpdate, rollingUpdate: {partition: 1}}");
  old = g_strdup (revision (f, "web-0"));
  update_sts (f, "nginx:1.28", -1);
  step (f);
  s = sts (f);
  new_rev = g_strdup (s->status.update_revision);
  g_assert_cmpstr (new_rev, !=, old);
  g_assert_cmpstr (s->status.current_revision, ==, old);
  /* The highest ordinal first. */
  assert_pods (f, "web-0 web-1 web-2*");
  finish_delete (f, "web-2");
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
  g_assert_cmpstr (revision (f, "web-2"), ==, new_rev);
  g_assert_cmpstr (KS_POD (get (f, KS_KIND_POD, "web-2"))->spec->containers[0].image, ==,
                   "nginx:1.28");
  /* Waits for web-2 to be Running and Ready before web-1. */
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
  make_ready (f, "web-2");
  step (f);
  assert_pods (f, "web-0 web-1* web-2");
  finish_delete (f, "web-1");
  step (f);
  make_ready (f, "web-1");
  step (f);
  step (f);
  /* web-0 is below the partition: it keeps the current revision. */
  assert_pods (f, "web-0 web-1 web-2");
  g_assert_cmpstr (revision (f, "web-0"), ==, old);
  g_assert_cmpstr (revision (f, "web-1"), ==, new_rev);
  s = sts (f);
  g_assert_cmpint (s->status.updated_replicas, ==, 2);
  g_assert_cmpint (s->status.current_replicas, ==, 1);
  g_assert_cmpstr (s->status.current_revision, ==, old);
  /* Deleted by hand, web-0 comes back at the current revision. */
  delete_pod (f, "web-0");
  finish_delete (f, "web-0");
  step (f);
  g_assert_cmpstr (revision (f, "web-0"), ==, old);
  /* Partition 0: web-0 updates and the update completes. */
  make_ready (f, "web-0");
  update_sts (f, NULL, 0);
  step (f);
  assert_pods (f, "web-0* web-1 web-2");
  finish_delete (f, "web-0");
  step (f);
  make_ready (f, "web-0");
  step (f);
  s = sts (f);
  g_assert_cmpstr (revision (f, "web-0"), ==, new_rev);
  g_assert_cmpint (s->status.updated_replicas, ==, 3);
  g_assert_cmpint (s->status.current_replicas, ==, 3);
  g_assert_cmpstr (s->status.current_revision, ==, new_rev);
}

static void
test_on_delete (Fixture *f, gconstpointer data)
{
  g_autofree char *old = NULL;

  bring_up (f, "{type: OnDelete}");
  old = g_strdup (revision (f, "web-0"));
  update_sts (f, "nginx:1.28", -1);
  step (f);
  step (f);
  /* Nothing is deleted to update. */
  assert_pods (f, "web-0 web-1 web-2");
  g_assert_cmpint (sts (f)->status.updated_replicas, ==, 0);
  delete_pod (f, "web-1");
  finish_delete (f, "web-1");
  step (f);
  g_assert_cmpstr (revision (f, "web-1"), !=, old);
  g_assert_cmpstr (revision (f, "web-1"), ==, sts (f)->status.update_revision);
  g_assert_cmpstr (revision (f, "web-0"), ==, old);
}

static void
test_delete_cascades (Fixture *f, gconstpointer data)
{
  create_sts (f, "Parallel", "{type: RollingUpdate}");
  step (f);
  assert_pods (f, "web-0 web-1 web-2");
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_STATEFUL_SET), "default", "web", NULL, NULL));
  step (f);
  assert_pods (f, "");
}

/* kubectl get statefulsets: NAME READY AGE (and CONTAINERS IMAGES with -o wide). */
static void
test_printer (void)
{
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) wide = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;
  g_autofree char *text = g_strdup_printf (STS_YAML, "OrderedReady", "{type: OnDelete}");
  KsObject *obj = ks_test_decode (text);

  KS_STATEFUL_SET (obj)->status.ready_replicas = 2;
  obj->meta.creation_timestamp = 0;
  g_ptr_array_add (sets, obj);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_STATEFUL_SET), sets, 90 * SEC, FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME   READY   AGE\n"
                   "web    2/3     90s\n");
  ks_table_print (table, TRUE, FALSE, wide);
  g_assert_cmpstr (wide->str, ==,
                   "NAME   READY   AGE   CONTAINERS   IMAGES\n"
                   "web    2/3     90s   c            nginx:1.27\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/statefulset/printer", test_printer);
  ADD ("/statefulset/ordered-create", test_ordered_create);
  ADD ("/statefulset/scale-down-reverse", test_scale_down_reverse);
  ADD ("/statefulset/scale-down-waits-unhealthy", test_scale_down_waits_unhealthy);
  ADD ("/statefulset/parallel", test_parallel);
  ADD ("/statefulset/rolling-partition", test_rolling_partition);
  ADD ("/statefulset/on-delete", test_on_delete);
  ADD ("/statefulset/delete-cascades", test_delete_cascades);
  return g_test_run ();
}

/* test-volumes.c: StorageClass, PersistentVolume and PersistentVolumeClaim (decode, defaults,
 * validation), volume matching (reference §6.1), the PV controller (binding, provisioning with
 * its modelled delay, reclaim), and the scheduler's volume plugins with VolumeBinding's PreBind
 * (WaitForFirstConsumer, local volumes' node affinity, zones, ReadWriteOncePod, volume limits).
 * A store, the controllers and the scheduler run on a simulated clock; no kubelet runs, so every
 * time below is exact. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-storage.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-controllers.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-client.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define GI G_GINT64_CONSTANT (1073741824)

/* ---- decoding -------------------------------------------------------------------------------- */

static void
assert_decode_fails (const char *text, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("v.yaml", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *obj;
  gboolean found = FALSE;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_null (obj);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    {
      g_test_message ("problem: %s", ks_diag_get (diag, i));
      found |= strstr (ks_diag_get (diag, i), want) != NULL;
    }
  if (!found)
    g_test_message ("wanted: %s", want);
  g_assert_true (found);
}

#define PV_HEAD "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
#define PVC_HEAD "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n"
#define SC_HEAD "apiVersion: storage.k8s.io/v1\nkind: StorageClass\n"

static void
test_decode_defaults (void)
{
  g_autoptr (KsObject) pv = ks_test_decode (
      PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], hostPath: {path: "
              "/d}}\n");
  g_autoptr (KsObject) pvc = ks_test_decode (
      PVC_HEAD "spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}\n");
  g_autoptr (KsObject) sc
      = ks_test_decode (SC_HEAD "metadata: {name: fast}\nprovisioner: csi.example.com\n");
  const KsPersistentVolume *v = KS_PERSISTENT_VOLUME (pv);
  const KsPersistentVolumeClaim *c = KS_PERSISTENT_VOLUME_CLAIM (pvc);
  const KsStorageClass *s = KS_STORAGE_CLASS (sc);
  g_autofree char *json = ks_object_to_json (pv, 0);

  g_assert_true (ks_kind_lookup_resource ("pv") == pv->kind);
  g_assert_true (ks_kind_lookup_resource ("pvc") == pvc->kind);
  g_assert_true (ks_kind_lookup_resource ("sc") == sc->kind);
  g_assert_null (pv->meta.namespace);
  g_assert_cmpint (v->capacity, ==, 5 * GI);
  g_assert_cmpuint (v->access_modes, ==, KS_ACCESS_RWO);
  g_assert_cmpint (v->reclaim_policy, ==, KS_RECLAIM_RETAIN);
  g_assert_cmpint (v->volume_mode, ==, KS_VOLUME_FILESYSTEM);
  g_assert_cmpint (v->status.phase, ==, KS_PV_PENDING);
  g_assert_cmpstr (ks_pv_class (v), ==, "");
  g_assert_nonnull (strstr (json, "\"persistentVolumeReclaimPolicy\":\"Retain\""));
  g_assert_nonnull (strstr (json, "\"hostPath\":{\"path\":\"/d\"}"));
  g_assert_nonnull (strstr (json, "\"phase\":\"Pending\""));
  g_assert_cmpstr (pvc->meta.namespace, ==, "default");
  g_assert_cmpint (c->request, ==, GI);
  g_assert_cmpuint (c->access_modes, ==, KS_ACCESS_RWX);
  g_assert_null (c->storage_class_name);
  g_assert_cmpint (c->status.phase, ==, KS_PVC_PENDING);
  g_assert_cmpint (s->reclaim_policy, ==, KS_RECLAIM_DELETE);
  g_assert_cmpint (s->volume_binding_mode, ==, KS_BINDING_IMMEDIATE);
  g_assert_cmpint (s->provisioning_delay, ==, 0);
  {
    g_autofree char *modes = ks_access_modes_to_string (KS_ACCESS_RWO | KS_ACCESS_RWX);
    g_assert_cmpstr (modes, ==, "RWO,RWX");
  }
}

static void
test_decode_errors (void)
{
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, hostPath: {path: /d}}\n",
                       "spec.accessModes: Required value: at least 1 access mode is required");
  assert_decode_fails (PV_HEAD "spec: {accessModes: [ReadWriteOnce], hostPath: {path: /d}}\n",
                       "spec.capacity: Required value");
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce]}\n",
                       "spec: Required value: must specify a volume type");
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], "
                               "local: {path: /d}}\n",
                       "spec.nodeAffinity: Required value: Local volume requires node affinity");
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOncePod, "
                               "ReadWriteOnce], hostPath: {path: /d}}\n",
                       "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other "
                       "access modes");
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWrite], "
                               "hostPath: {path: /d}}\n",
                       "spec.accessModes[0]: Unsupported value: \"ReadWrite\"");
  assert_decode_fails (PV_HEAD "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], "
                               "persistentVolumeReclaimPolicy: Keep, hostPath: {path: /d}}\n",
                       "spec.persistentVolumeReclaimPolicy");
  assert_decode_fails (PVC_HEAD "spec: {accessModes: [ReadWriteOnce]}\n",
                       "spec.resources.requests.storage: Required value");
  assert_decode_fails (PVC_HEAD "spec: {accessModes: [ReadWriteOnce], resources: {requests: "
                                "{storage: 0}}}\n",
                       "spec.resources.requests.storage: Invalid value: must be greater than "
                       "zero");
  assert_decode_fails (PVC_HEAD "spec: {resources: {requests: {storage: 1Gi}}}\n",
                       "spec.accessModes: Required value");
  assert_decode_fails (SC_HEAD "metadata: {name: s}\n", "provisioner: required field is missing");
  assert_decode_fails (SC_HEAD "metadata: {name: s}\nprovisioner: p\nreclaimPolicy: Recycle\n",
                       "reclaimPolicy: Unsupported value: \"Recycle\"");
  assert_decode_fails (SC_HEAD "metadata: {name: s}\nprovisioner: p\nvolumeBindingMode: Later\n",
                       "volumeBindingMode");
  assert_decode_fails (
      SC_HEAD "metadata:\n  name: s\n  annotations: {kubesim.io/provisioning-delay: "
              "soon}\nprovisioner: p\n",
      "v.yaml:5:48: metadata.annotations[\"kubesim.io/provisioning-delay\"]: invalid duration "
      "\"soon\"");
  assert_decode_fails ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                       "  containers: [{name: c, image: i}]\n"
                       "  volumes: [{name: d, persistentVolumeClaim: {}}]\n",
                       "spec.volumes[0].persistentVolumeClaim.claimName: required field is "
                       "missing");
  assert_decode_fails ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                       "  containers: [{name: c, image: i}]\n"
                       "  volumes: [{name: d, emptyDir: {}}, {name: d, emptyDir: {}}]\n",
                       "spec.volumes[1].name: Duplicate value: \"d\"");
}

static void
test_pod_volumes (void)
{
  g_autoptr (KsObject) obj = ks_test_decode (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
      "  containers: [{name: c, image: i}]\n"
      "  volumes: [{name: a, persistentVolumeClaim: {claimName: one}}, {name: t, emptyDir: {}},\n"
      "            {name: b, persistentVolumeClaim: {claimName: two, readOnly: true}}]\n");
  g_autofree char *json = ks_object_to_json (obj, 0);
  char **names = ks_pod_claim_names (KS_POD (obj));

  g_assert_nonnull (names);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "one");
  g_assert_cmpstr (names[1], ==, "two");
  g_assert_nonnull (strstr (json, "\"volumes\":[{\"name\":\"a\",\"persistentVolumeClaim\":"
                                  "{\"claimName\":\"one\"}},{\"name\":\"t\",\"emptyDir\":{}}"));
}

static void
test_volume_mounts (void)
{
  g_autoptr (KsObject) obj = ks_test_decode (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
      "  containers: [{name: c, image: i, volumeMounts: [{name: t, mountPath: /a},\n"
      "    {name: t, mountPath: /b, subPath: x/y, readOnly: true}]}]\n"
      "  volumes: [{name: t, emptyDir: {}}]\n");
  g_autofree char *json = ks_object_to_json (obj, 0);
  const KsContainer *c = &KS_POD (obj)->spec->containers[0];
  KsPodSpec *copy = ks_pod_spec_copy (KS_POD (obj)->spec);

  g_assert_cmpuint (c->n_volume_mounts, ==, 2);
  g_assert_cmpstr (c->volume_mounts[1].sub_path, ==, "x/y");
  g_assert_true (c->volume_mounts[1].read_only);
  g_assert_false (c->volume_mounts[0].read_only);
  g_assert_cmpstr (copy->containers[0].volume_mounts[1].mount_path, ==, "/b");
  ks_pod_spec_unref (copy);
  g_assert_nonnull (strstr (json, "\"volumeMounts\":[{\"name\":\"t\",\"mountPath\":\"/a\"},"
                                  "{\"name\":\"t\",\"mountPath\":\"/b\",\"subPath\":\"x/y\","
                                  "\"readOnly\":true}]"));
  assert_decode_fails (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
      "  containers: [{name: c, image: i, volumeMounts: [{name: v, mountPath: /a}]}]\n",
      "spec.containers[0].volumeMounts[0].name: Not found: \"v\"");
}

/* ---- matching -------------------------------------------------------------------------------- */

static KsObject *
pv_obj (const char *name, const char *size, const char *modes, const char *extra)
{
  g_autofree char *text = g_strdup_printf (
      "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: %s, labels: {disk: %s}}\n"
      "spec: {capacity: {storage: %s}, accessModes: [%s], hostPath: {path: /d}%s}\n",
      name, strstr (name, "ssd") ? "ssd" : "hdd", size, modes, extra ? extra : "");
  KsObject *o = ks_test_decode (text);
  KS_PERSISTENT_VOLUME (o)->status.phase = KS_PV_AVAILABLE;
  return o;
}

static const char *
match (GPtrArray *pvs, const char *claim_spec)
{
  g_autofree char *text = g_strdup_printf (PVC_HEAD "spec: {%s}\n", claim_spec);
  g_autoptr (KsObject) pvc = ks_test_decode (text);
  KsPersistentVolume *pv
      = ks_pv_find_matching (pvs, KS_PERSISTENT_VOLUME_CLAIM (pvc), NULL, FALSE, NULL);
  return pv != NULL ? pv->parent.meta.name : "none";
}

static void
test_matching (void)
{
  g_autoptr (GPtrArray) pvs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  const char *rwo = "accessModes: [ReadWriteOnce]";

  g_ptr_array_add (pvs, pv_obj ("big", "10Gi", "ReadWriteOnce", NULL));
  g_ptr_array_add (pvs, pv_obj ("small", "2Gi", "ReadWriteOnce", NULL));
  g_ptr_array_add (pvs, pv_obj ("tiny", "500Mi", "ReadWriteOnce", NULL));
  g_ptr_array_add (pvs, pv_obj ("multi", "1Gi", "ReadWriteOnce, ReadOnlyMany", NULL));
  g_ptr_array_add (pvs, pv_obj ("shared", "3Gi", "ReadWriteMany", NULL));
  g_ptr_array_add (pvs, pv_obj ("ssd-1", "4Gi", "ReadWriteOnce", ", storageClassName: fast"));
  g_ptr_array_add (pvs, pv_obj ("block", "1Gi", "ReadWriteOnce", ", volumeMode: Block"));

  /* the smallest fitting volume of the smallest superset of modes: "multi" (1Gi) fits 1Gi but
   * has two modes, so "small" (2Gi, one mode) wins */
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], resources: {requests: {storage: "
                               "1Gi}}"),
                   ==, "small");
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], resources: {requests: {storage: "
                               "100Mi}}"),
                   ==, "tiny");
  g_assert_cmpstr (match (pvs, "accessModes: [ReadOnlyMany], resources: {requests: {storage: "
                               "100Mi}}"),
                   ==, "multi");
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteMany], resources: {requests: {storage: "
                               "4Gi}}"),
                   ==, "none");
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], resources: {requests: {storage: "
                               "20Gi}}"),
                   ==, "none");
  /* class: "" matches only ""; a class only its own */
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], storageClassName: fast, resources: "
                               "{requests: {storage: 1Gi}}"),
                   ==, "ssd-1");
  /* selector */
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], selector: {matchLabels: {disk: "
                               "ssd}}, resources: {requests: {storage: 1Gi}}"),
                   ==, "none");
  /* volume mode */
  g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], volumeMode: Block, resources: "
                               "{requests: {storage: 1Gi}}"),
                   ==, "block");
  /* a volume bound to another claim is skipped; one pre-bound to this claim wins at once */
  {
    KsPersistentVolume *small = g_ptr_array_index (pvs, 1);
    KsPersistentVolume *big = g_ptr_array_index (pvs, 0);
    small->has_claim_ref = TRUE;
    small->claim_ref.namespace = g_strdup ("default");
    small->claim_ref.name = g_strdup ("other");
    g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], resources: {requests: {storage: "
                                 "1Gi}}"),
                     ==, "big");
    big->has_claim_ref = TRUE;
    big->claim_ref.namespace = g_strdup ("default");
    big->claim_ref.name = g_strdup ("c");
    big->status.phase = KS_PV_BOUND;
    g_assert_cmpstr (match (pvs, "accessModes: [ReadWriteOnce], resources: {requests: {storage: "
                                 "100Mi}}"),
                     ==, "big");
  }
  (void) rwo;
}

/* ---- the cluster ----------------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsControllerManager *manager;
  KsSchedulerConfig *config;
  KsScheduler *scheduler;
} Fixture;

static void
create (Fixture *f, const char *text)
{
  ks_test_create (f->store, ks_test_decode (text));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *zones[] = { "a", "b", "b" };

  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf (
          "apiVersion: v1\nkind: Node\n"
          "metadata: {name: node-%u, labels: {kubernetes.io/hostname: node-%u, "
          "topology.kubernetes.io/zone: %s}}\n"
          "status: {allocatable: {cpu: '4', memory: 8Gi, pods: '110'%s}}\n",
          i + 1, i + 1, zones[i], i == 2 ? ", attachable-volumes-csi-csi.example.com: '1'" : "");
      create (f, text);
    }
  f->manager = ks_controller_manager_new (f->client, f->clock, &f->sink.parent);
  f->config = ks_scheduler_config_new_default ();
  f->scheduler = ks_scheduler_new (f->client, f->clock, f->config, &f->sink.parent, 1, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_scheduler_free (f->scheduler);
  ks_scheduler_config_free (f->config);
  ks_controller_manager_free (f->manager);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
run_to (Fixture *f, gint64 seconds)
{
  ks_test_run_to (f->sim, seconds * SEC, 100000);
}

static KsPersistentVolume *
pv (Fixture *f, const char *name)
{
  return KS_PERSISTENT_VOLUME (
      ks_store_get (f->store, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, name));
}

static KsPersistentVolumeClaim *
pvc (Fixture *f, const char *name)
{
  return KS_PERSISTENT_VOLUME_CLAIM (
      ks_store_get (f->store, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), "default", name));
}

static KsPod *
pod (Fixture *f, const char *name)
{
  return KS_POD (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", name));
}

static void
create_pv (Fixture *f, const char *name, const char *size, const char *extra)
{
  g_autofree char *text = g_strdup_printf (
      "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: %s}\n"
      "spec: {capacity: {storage: %s}, accessModes: [ReadWriteOnce], hostPath: {path: /d}%s}\n",
      name, size, extra ? extra : "");
  create (f, text);
}

static void
create_pvc (Fixture *f, const char *name, const char *size, const char *extra)
{
  g_autofree char *text = g_strdup_printf (
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: %s}\n"
      "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: %s}}%s}\n",
      name, size, extra ? extra : "");
  create (f, text);
}

static void
create_pod (Fixture *f, const char *name, const char *claim)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\n"
                         "spec:\n  containers: [{name: c, image: busybox}]\n"
                         "  volumes: [{name: d, persistentVolumeClaim: {claimName: %s}}]\n",
                         name, claim);
  create (f, text);
}

static void delete (Fixture *f, KsKindId kind, const char *ns, const char *name)
{
  KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
  g_autoptr (GError) error = NULL;

  options.grace_period_seconds = 0;
  g_assert_true (ks_client_delete (f->client, ks_kind_get (kind), ns, name, &options, &error));
  g_assert_no_error (error);
}

/* The first line of the sink starting with prefix, or NULL. */
static const char *
find_line (Fixture *f, const char *prefix)
{
  for (guint i = 0; i < f->sink.lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (f->sink.lines, i), prefix))
      return g_ptr_array_index (f->sink.lines, i);
  return NULL;
}

/* The last line of the sink starting with prefix, or NULL. */
static const char *
find_last_line (Fixture *f, const char *prefix)
{
  for (guint i = f->sink.lines->len; i-- > 0;)
    if (g_str_has_prefix (g_ptr_array_index (f->sink.lines, i), prefix))
      return g_ptr_array_index (f->sink.lines, i);
  return NULL;
}

/* When the event with reason on object was first recorded, or -1. */
static gint64
event_time (Fixture *f, const char *reason, const char *object)
{
  for (guint i = 0; i < f->sink.records->len; i++)
    {
      const KsTestRecord *r = g_ptr_array_index (f->sink.records, i);
      if (strcmp (r->reason, reason) == 0 && strcmp (r->object, object) == 0)
        return r->time;
    }
  return -1;
}

static void
test_static_binding (Fixture *f, gconstpointer data)
{
  char uid[KS_UID_STRING_LEN];

  create_pv (f, "pv-10g", "10Gi", NULL);
  create_pv (f, "pv-2g", "2Gi", NULL);
  create_pv (f, "pv-1g", "1Gi", NULL);
  create_pvc (f, "data", "1500Mi", ", storageClassName: ''");
  run_to (f, 1);
  /* the smallest that fits: 2Gi */
  g_assert_cmpstr (pvc (f, "data")->volume_name, ==, "pv-2g");
  g_assert_cmpint (pvc (f, "data")->status.phase, ==, KS_PVC_BOUND);
  g_assert_cmpint (pvc (f, "data")->status.capacity, ==, 2 * GI);
  g_assert_cmpuint (pvc (f, "data")->status.access_modes, ==, KS_ACCESS_RWO);
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (pvc (f, "data")), KS_ANN_BIND_COMPLETED),
                   ==, "yes");
  g_assert_cmpstr (
      ks_object_get_annotation (KS_OBJECT (pvc (f, "data")), KS_ANN_BOUND_BY_CONTROLLER), ==,
      "yes");
  g_assert_true (pv (f, "pv-2g")->has_claim_ref);
  g_assert_cmpstr (pv (f, "pv-2g")->claim_ref.name, ==, "data");
  g_assert_cmpstr (
      ks_uid_to_string (&pv (f, "pv-2g")->claim_ref.uid, uid), ==,
      ks_uid_to_string (&KS_OBJECT (pvc (f, "data"))->meta.uid, (char[KS_UID_STRING_LEN]){ 0 }));
  g_assert_cmpint (pv (f, "pv-2g")->status.phase, ==, KS_PV_BOUND);
  g_assert_cmpint (pv (f, "pv-1g")->status.phase, ==, KS_PV_AVAILABLE);
  g_assert_cmpint (pv (f, "pv-10g")->status.phase, ==, KS_PV_AVAILABLE);

  /* a claim nothing fits stays Pending, with the event once */
  create_pvc (f, "huge", "100Gi", ", storageClassName: ''");
  run_to (f, 20);
  g_assert_cmpint (pvc (f, "huge")->status.phase, ==, KS_PVC_PENDING);
  g_assert_nonnull (find_line (f, "FailedBinding PersistentVolumeClaim default/huge: no persistent "
                                  "volumes available for this claim and no storage class is set"));
  /* a new volume that fits binds it at once */
  create_pv (f, "pv-100g", "100Gi", NULL);
  run_to (f, 21);
  g_assert_cmpstr (pvc (f, "huge")->volume_name, ==, "pv-100g");

  /* reclaim: Retain → Released (claimRef kept); Delete → the volume goes */
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "data");
  run_to (f, 22);
  g_assert_cmpint (pv (f, "pv-2g")->status.phase, ==, KS_PV_RELEASED);
  g_assert_true (pv (f, "pv-2g")->has_claim_ref);
  create_pv (f, "pv-del", "1Gi", ", persistentVolumeReclaimPolicy: Delete");
  create_pvc (f, "tmp", "1Gi", ", storageClassName: ''");
  run_to (f, 23);
  g_assert_cmpstr (pvc (f, "tmp")->volume_name, ==, "pv-1g"); /* created first of the two */
  create_pvc (f, "tmp2", "1Gi", ", storageClassName: ''");
  run_to (f, 24);
  g_assert_cmpstr (pvc (f, "tmp2")->volume_name, ==, "pv-del");
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "tmp2");
  run_to (f, 25);
  g_assert_null (pv (f, "pv-del"));
  /* pv-protection: a Bound volume's deletion waits */
  delete (f, KS_KIND_PERSISTENT_VOLUME, NULL, "pv-1g");
  run_to (f, 26);
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pv (f, "pv-1g"))));
  g_assert_cmpint (pvc (f, "tmp")->status.phase, ==, KS_PVC_BOUND);
  /* ... until an administrator removes the finalizer: the claim is then Lost */
  {
    KsObject *copy = ks_object_copy (KS_OBJECT (pv (f, "pv-1g")));
    g_autoptr (GError) error = NULL;
    ks_object_remove_finalizer (copy, KS_FINALIZER_PV_PROTECTION);
    g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
    g_assert_no_error (error);
    ks_object_unref (copy);
  }
  g_assert_null (pv (f, "pv-1g"));
  run_to (f, 27);
  g_assert_cmpint (pvc (f, "tmp")->status.phase, ==, KS_PVC_LOST);
  g_assert_nonnull (find_line (f, "!ClaimLost PersistentVolumeClaim default/tmp"));
}

static void
test_default_class_and_provisioning (Fixture *f, gconstpointer data)
{
  g_autofree char *name = NULL;
  char uid[KS_UID_STRING_LEN];

  create (f, SC_HEAD "metadata:\n  name: standard\n  annotations:\n"
                     "    storageclass.kubernetes.io/is-default-class: 'true'\n"
                     "    kubesim.io/provisioning-delay: 5s\n"
                     "provisioner: csi.example.com\n");
  create_pvc (f, "data", "3Gi", NULL);
  create_pod (f, "app", "data");
  /* DefaultStorageClass admission */
  g_assert_cmpstr (pvc (f, "data")->storage_class_name, ==, "standard");
  run_to (f, 1);
  g_assert_cmpstr (
      ks_object_get_annotation (KS_OBJECT (pvc (f, "data")), KS_ANN_STORAGE_PROVISIONER), ==,
      "csi.example.com");
  /* the pod waits, Pending with VolumeBinding's reason */
  g_assert_null (pod (f, "app")->node_name);
  g_assert_nonnull (find_line (f, "!FailedScheduling Pod default/app: 0/3 nodes are available: pod "
                                  "has unbound immediate PersistentVolumeClaims."));
  g_assert_cmpstr (pod (f, "app")->conditions[KS_POD_COND_SCHEDULED].reason, ==, "Unschedulable");
  run_to (f, 4);
  g_assert_cmpint (pvc (f, "data")->status.phase, ==, KS_PVC_PENDING);
  run_to (f, 6);
  name = g_strconcat ("pvc-", ks_uid_to_string (&KS_OBJECT (pvc (f, "data"))->meta.uid, uid), NULL);
  g_assert_nonnull (pv (f, name));
  g_assert_cmpint (pv (f, name)->reclaim_policy, ==, KS_RECLAIM_DELETE);
  g_assert_cmpint (pv (f, name)->capacity, ==, 3 * GI);
  g_assert_cmpstr (pv (f, name)->storage_class_name, ==, "standard");
  g_assert_null (pv (f, name)->node_affinity);
  g_assert_cmpstr (pvc (f, "data")->volume_name, ==, name);
  g_assert_cmpint (event_time (f, "ProvisioningSucceeded", "default/data"), ==, 5 * SEC);
  /* the claim bound at 5 s: the pod is scheduled then */
  g_assert_nonnull (pod (f, "app")->node_name);
  g_assert_cmpint (event_time (f, "Scheduled", "default/app"), ==, 5 * SEC);
  /* Delete: the claim's deletion deletes the volume */
  delete (f, KS_KIND_POD, "default", "app");
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "data");
  run_to (f, 7);
  g_assert_null (pv (f, name));

  /* a claim of a class that does not exist */
  create_pvc (f, "lost", "1Gi", ", storageClassName: nosuch");
  run_to (f, 8);
  g_assert_nonnull (find_line (f, "!ProvisioningFailed PersistentVolumeClaim default/lost: "
                                  "storageclass.storage.k8s.io \"nosuch\" not found"));
}

/* The kubesim.io/hostpath provisioner with a directory (real mode's): hostPath volumes
 * <dir>/<pv>, made for the selected node; deleting a Delete volume calls the deleter with that
 * path first, and a deleter that fails leaves the volume Failed. */
static GPtrArray *deleted_paths;
static gboolean fail_delete;

static gboolean
record_delete (const char *dir, const char *path, GError **error)
{
  g_assert_cmpstr (dir, ==, "/vols");
  g_ptr_array_add (deleted_paths, g_strdup (path));
  if (fail_delete)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "cannot remove %s", path);
      return FALSE;
    }
  return TRUE;
}

static void
test_hostpath_provisioner (Fixture *f, gconstpointer data)
{
  KsControllerOptions options;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name2 = NULL;
  char uid[KS_UID_STRING_LEN];
  JsonObject *source;

  deleted_paths = g_ptr_array_new_with_free_func (g_free);
  fail_delete = FALSE;
  ks_controller_manager_free (f->manager);
  ks_controller_options_init (&options);
  options.hostpath_dir = "/vols";
  options.hostpath_delete = record_delete;
  f->manager = ks_controller_manager_new_full (f->client, f->clock, &f->sink.parent, &options);

  create (f, SC_HEAD "metadata: {name: hp}\nprovisioner: kubesim.io/hostpath\n"
                     "volumeBindingMode: WaitForFirstConsumer\n");
  create_pvc (f, "data", "1Gi", ", storageClassName: hp");
  create_pod (f, "app", "data");
  run_to (f, 1);
  name = g_strconcat ("pvc-", ks_uid_to_string (&KS_OBJECT (pvc (f, "data"))->meta.uid, uid), NULL);
  path = g_strconcat ("/vols/", name, NULL);
  g_assert_nonnull (pv (f, name));
  g_assert_cmpstr (pv (f, name)->source_type, ==, "hostPath");
  source = json_node_get_object (pv (f, name)->source);
  g_assert_cmpstr (json_object_get_string_member (source, "path"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (source, "type"), ==, "DirectoryOrCreate");
  g_assert_nonnull (pv (f, name)->node_affinity);
  g_assert_nonnull (pod (f, "app")->node_name);
  g_assert_true (
      ks_pv_matches_node (pv (f, name), ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL,
                                                      pod (f, "app")->node_name)));
  g_assert_cmpuint (deleted_paths->len, ==, 0);

  delete (f, KS_KIND_POD, "default", "app");
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "data");
  run_to (f, 2);
  g_assert_null (pv (f, name));
  g_assert_cmpuint (deleted_paths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (deleted_paths, 0), ==, path);

  /* The deleter fails: the volume stays, Failed, with the deleter's message. */
  fail_delete = TRUE;
  create_pvc (f, "more", "1Gi", ", storageClassName: hp");
  create_pod (f, "app2", "more");
  run_to (f, 3);
  name2
      = g_strconcat ("pvc-", ks_uid_to_string (&KS_OBJECT (pvc (f, "more"))->meta.uid, uid), NULL);
  g_assert_nonnull (pv (f, name2));
  delete (f, KS_KIND_POD, "default", "app2");
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "more");
  run_to (f, 4);
  g_assert_nonnull (pv (f, name2));
  g_assert_cmpint (pv (f, name2)->status.phase, ==, KS_PV_FAILED);
  g_assert_nonnull (find_line (f, "!VolumeFailedDelete PersistentVolume "));
  g_clear_pointer (&deleted_paths, g_ptr_array_unref);
}

static void
test_wait_for_first_consumer (Fixture *f, gconstpointer data)
{
  g_autofree char *name = NULL;
  char uid[KS_UID_STRING_LEN];
  g_autofree char *node = NULL;

  create (f, SC_HEAD "metadata:\n  name: topo\n  annotations: {kubesim.io/provisioning-delay: 3s}\n"
                     "provisioner: csi.example.com\nvolumeBindingMode: WaitForFirstConsumer\n");
  create_pvc (f, "data", "1Gi", ", storageClassName: topo");
  run_to (f, 10);
  /* no consumer, no volume */
  g_assert_cmpint (pvc (f, "data")->status.phase, ==, KS_PVC_PENDING);
  g_assert_nonnull (find_line (f, "WaitForFirstConsumer PersistentVolumeClaim default/data: "
                                  "waiting for first consumer to be created before binding"));
  create_pod (f, "app", "data");
  run_to (f, 11);
  /* the scheduler chose a node, named it on the claim, and waits for the volume */
  node = g_strdup (ks_object_get_annotation (KS_OBJECT (pvc (f, "data")), KS_ANN_SELECTED_NODE));
  g_assert_nonnull (node);
  g_assert_null (pod (f, "app")->node_name);
  run_to (f, 12);
  g_assert_null (pod (f, "app")->node_name);
  run_to (f, 14);
  name = g_strconcat ("pvc-", ks_uid_to_string (&KS_OBJECT (pvc (f, "data"))->meta.uid, uid), NULL);
  g_assert_nonnull (pv (f, name));
  /* node affinity to the selected node */
  g_assert_nonnull (pv (f, name)->node_affinity);
  g_assert_cmpint (event_time (f, "ProvisioningSucceeded", "default/data"), ==, 13 * SEC);
  g_assert_cmpstr (pod (f, "app")->node_name, ==, node);
  g_assert_cmpint (event_time (f, "Scheduled", "default/app"), ==, 13 * SEC);
}

/* Local volumes: the scheduler picks a node with an available volume, pre-binds it, and a pod
 * using the claim again goes back to that node. */
static void
test_local_volumes (Fixture *f, gconstpointer data)
{
  create (f, SC_HEAD "metadata: {name: local}\nprovisioner: kubernetes.io/no-provisioner\n"
                     "volumeBindingMode: WaitForFirstConsumer\n");
  for (guint i = 2; i <= 3; i++)
    {
      g_autofree char *text = g_strdup_printf (
          "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local-%u}\n"
          "spec:\n  capacity: {storage: 10Gi}\n  accessModes: [ReadWriteOnce]\n"
          "  storageClassName: local\n  local: {path: /mnt/disk}\n"
          "  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: "
          "kubernetes.io/hostname, operator: In, values: [node-%u]}]}]}}\n",
          i, i);
      create (f, text);
    }
  create_pvc (f, "a", "1Gi", ", storageClassName: local");
  create_pvc (f, "b", "1Gi", ", storageClassName: local");
  create_pvc (f, "c", "1Gi", ", storageClassName: local");
  run_to (f, 1);
  create_pod (f, "pa", "a");
  run_to (f, 2);
  g_assert_nonnull (pod (f, "pa")->node_name);
  g_assert_cmpstr (pod (f, "pa")->node_name, !=, "node-1");
  {
    const char *node = pod (f, "pa")->node_name;
    g_autofree char *volume = g_strdup_printf ("local-%c", node[5]);
    g_assert_cmpstr (pvc (f, "a")->volume_name, ==, volume);
    g_assert_cmpint (pv (f, volume)->status.phase, ==, KS_PV_BOUND);
  }
  create_pod (f, "pb", "b");
  run_to (f, 3);
  g_assert_nonnull (pod (f, "pb")->node_name);
  g_assert_cmpstr (pod (f, "pb")->node_name, !=, pod (f, "pa")->node_name);
  /* no volume left for c */
  create_pod (f, "pc", "c");
  run_to (f, 4);
  g_assert_null (pod (f, "pc")->node_name);
  g_assert_nonnull (find_line (f, "!FailedScheduling Pod default/pc: 0/3 nodes are available: 3 "
                                  "node(s) didn't find available persistent volumes to bind."));
  /* rescheduling: pa's replacement goes where its volume is */
  {
    g_autofree char *was = g_strdup (pod (f, "pa")->node_name);
    delete (f, KS_KIND_POD, "default", "pa");
    run_to (f, 40);
    g_assert_null (pod (f, "pa"));
    create_pod (f, "pa", "a");
    run_to (f, 41);
    g_assert_cmpstr (pod (f, "pa")->node_name, ==, was);
  }
  /* a bound local volume's node affinity excludes the others */
  {
    g_autofree char *text
        = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: pinned}\n"
                           "spec:\n  containers: [{name: c, image: busybox}]\n"
                           "  nodeSelector: {kubernetes.io/hostname: node-1}\n"
                           "  volumes: [{name: d, persistentVolumeClaim: {claimName: b}}]\n");
    create (f, text);
    run_to (f, 42);
    g_assert_null (pod (f, "pinned")->node_name);
    g_assert_nonnull (strstr (find_line (f, "!FailedScheduling Pod default/pinned"),
                              "node(s) had volume node affinity conflict"));
  }
}

static void
test_zone_rwop_limits (Fixture *f, gconstpointer data)
{
  /* VolumeZone: a volume in zone b admits node-2 and node-3 only */
  create (f, "apiVersion: v1\nkind: PersistentVolume\n"
             "metadata: {name: zonal, labels: {topology.kubernetes.io/zone: b}}\n"
             "spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOncePod], "
             "csi: {driver: other.example.com, volumeHandle: z}}\n");
  create_pvc (f, "z", "1Gi", ", storageClassName: ''");
  g_assert_cmpint (0, ==, 0);
  {
    /* a ReadWriteOncePod claim */
    KsObject *o = KS_OBJECT (pvc (f, "z"));
    KsPersistentVolumeClaim *copy = KS_PERSISTENT_VOLUME_CLAIM (ks_object_copy (o));
    g_autoptr (GError) error = NULL;
    KsObject *updated;
    copy->access_modes = KS_ACCESS_RWOP;
    updated = ks_store_update (f->store, KS_OBJECT (copy), FALSE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (updated);
    ks_object_unref (KS_OBJECT (copy));
  }
  run_to (f, 1);
  g_assert_cmpstr (pvc (f, "z")->volume_name, ==, "zonal");
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("z%u", i);
      create_pod (f, name, "z");
      run_to (f, 2 + i);
    }
  g_assert_nonnull (pod (f, "z0")->node_name);
  g_assert_cmpstr (pod (f, "z0")->node_name, !=, "node-1");
  /* VolumeRestrictions: the claim is in use by z0 */
  g_assert_null (pod (f, "z1")->node_name);
  g_assert_nonnull (strstr (find_line (f, "!FailedScheduling Pod default/z1"),
                            "3 node has pod using PersistentVolumeClaim with the same name and "
                            "ReadWriteOncePod access mode"));

  /* NodeVolumeLimits: node-3 takes one volume of csi.example.com */
  create (f, SC_HEAD "metadata: {name: csi}\nprovisioner: csi.example.com\n");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *claim = g_strdup_printf ("v%u", i);
      g_autofree char *text
          = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: p%u}\n"
                             "spec:\n  containers: [{name: c, image: busybox}]\n"
                             "  nodeSelector: {kubernetes.io/hostname: node-3}\n"
                             "  volumes: [{name: d, persistentVolumeClaim: {claimName: v%u}}]\n",
                             i, i);
      create_pvc (f, claim, "1Gi", ", storageClassName: csi");
      create (f, text);
      run_to (f, 10 + 10 * i);
    }
  g_assert_cmpstr (pod (f, "p0")->node_name, ==, "node-3");
  g_assert_null (pod (f, "p1")->node_name);
  g_assert_nonnull (strstr (find_last_line (f, "!FailedScheduling Pod default/p1"),
                            "1 node(s) exceed max volume count"));
}

/* StatefulSet volumeClaimTemplates: claims data-web-<i>, kept when pods go; a pod created again
 * for an ordinal finds its claim and, through its local volume's node affinity, its node. */
static void
test_statefulset_claims (Fixture *f, gconstpointer data)
{
  g_autofree char *was = NULL;

  create (f, SC_HEAD "metadata: {name: local}\nprovisioner: kubernetes.io/no-provisioner\n"
                     "volumeBindingMode: WaitForFirstConsumer\n");
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *text = g_strdup_printf (
          "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local-%u}\n"
          "spec:\n  capacity: {storage: 10Gi}\n  accessModes: [ReadWriteOnce]\n"
          "  storageClassName: local\n  local: {path: /mnt/disk}\n"
          "  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: "
          "kubernetes.io/hostname, operator: In, values: [node-%u]}]}]}}\n",
          i, i);
      create (f, text);
    }
  create (f, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\n"
             "spec:\n  replicas: 3\n  serviceName: web\n  podManagementPolicy: Parallel\n"
             "  selector: {matchLabels: {app: web}}\n"
             "  template:\n    metadata: {labels: {app: web}}\n"
             "    spec:\n      containers: [{name: c, image: nginx}]\n"
             "      volumes: [{name: data, emptyDir: {}}, {name: scratch, emptyDir: {}}]\n"
             "  volumeClaimTemplates:\n"
             "    - metadata: {name: data, labels: {tier: db}}\n"
             "      spec: {accessModes: [ReadWriteOnce], storageClassName: local,\n"
             "             resources: {requests: {storage: 1Gi}}}\n");
  run_to (f, 5);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *claim = g_strdup_printf ("data-web-%u", i);
      g_autofree char *name = g_strdup_printf ("web-%u", i);
      KsPersistentVolumeClaim *c = pvc (f, claim);
      KsPod *p = pod (f, name);
      g_autofree char *json = NULL;
      g_assert_nonnull (c);
      g_assert_cmpstr (ks_object_get_label (KS_OBJECT (c), "app"), ==, "web");
      g_assert_cmpstr (ks_object_get_label (KS_OBJECT (c), "tier"), ==, "db");
      g_assert_null (KS_OBJECT (c)->meta.owner_refs); /* Retain: not owned */
      g_assert_cmpint (c->status.phase, ==, KS_PVC_BOUND);
      g_assert_nonnull (p);
      g_assert_nonnull (p->node_name);
      /* the template's volume "data" is replaced by the claim's; "scratch" stays */
      g_assert_cmpuint (g_strv_length (ks_pod_claim_names (p)), ==, 1);
      g_assert_cmpstr (ks_pod_claim_names (p)[0], ==, claim);
      json = json_to_string (p->spec->volumes, FALSE);
      g_assert_nonnull (strstr (json, "\"scratch\""));
      g_assert_null (strstr (json, "emptyDir\":{}},{\"name\":\"data\",\"emptyDir"));
      {
        g_autofree char *volume = g_strdup_printf ("local-%c", p->node_name[5]);
        g_assert_cmpstr (c->volume_name, ==, volume);
      }
    }
  g_assert_nonnull (find_line (f, "SuccessfulCreate StatefulSet default/web: create Claim "
                                  "data-web-0 Pod web-0 in StatefulSet web success"));
  /* web-1 goes; its replacement comes back to its volume's node */
  was = g_strdup (pod (f, "web-1")->node_name);
  delete (f, KS_KIND_POD, "default", "web-1");
  run_to (f, 60);
  g_assert_nonnull (pod (f, "web-1"));
  g_assert_cmpstr (pod (f, "web-1")->node_name, ==, was);
  g_assert_cmpstr (ks_pod_claim_names (pod (f, "web-1"))[0], ==, "data-web-1");
  /* scale down: the claims stay (whenScaled Retain) */
  {
    KsObject *set = ks_store_get (f->store, ks_kind_get (KS_KIND_STATEFUL_SET), "default", "web");
    KsStatefulSet *copy = KS_STATEFUL_SET (ks_object_copy (set));
    g_autoptr (GError) error = NULL;
    copy->replicas = 1;
    g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), FALSE, &error));
    g_assert_no_error (error);
    ks_object_unref (KS_OBJECT (copy));
  }
  run_to (f, 120);
  /* (terminating: no kubelet runs here to finish the deletion) */
  g_assert_true (pod (f, "web-2") == NULL
                 || ks_object_is_being_deleted (KS_OBJECT (pod (f, "web-2"))));
  g_assert_nonnull (pvc (f, "data-web-2"));
  g_assert_cmpint (pvc (f, "data-web-2")->status.phase, ==, KS_PVC_BOUND);
}

/* whenScaled: Delete: a scaled-down pod's claim goes with the pod; whenDeleted: Delete: the
 * claims are owned by the set. */
static void
test_statefulset_retention (Fixture *f, gconstpointer data)
{
  create (f, SC_HEAD "metadata: {name: fast}\nprovisioner: csi.example.com\n");
  create (f, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
             "spec:\n  replicas: 2\n  serviceName: db\n  podManagementPolicy: Parallel\n"
             "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}\n"
             "  selector: {matchLabels: {app: db}}\n"
             "  template:\n    metadata: {labels: {app: db}}\n"
             "    spec:\n      containers: [{name: c, image: postgres}]\n"
             "  volumeClaimTemplates:\n"
             "    - metadata: {name: data}\n"
             "      spec: {accessModes: [ReadWriteOnce], storageClassName: fast,\n"
             "             resources: {requests: {storage: 1Gi}}}\n");
  run_to (f, 5);
  g_assert_cmpint (pvc (f, "data-db-1")->status.phase, ==, KS_PVC_BOUND);
  {
    const KsOwnerRefs *refs = KS_OBJECT (pvc (f, "data-db-0"))->meta.owner_refs;
    g_assert_nonnull (refs);
    g_assert_cmpuint (refs->n, ==, 1);
    g_assert_cmpstr (refs->refs[0].kind, ==, "StatefulSet");
    g_assert_false (refs->refs[0].controller);
  }
  {
    KsObject *set = ks_store_get (f->store, ks_kind_get (KS_KIND_STATEFUL_SET), "default", "db");
    KsStatefulSet *copy = KS_STATEFUL_SET (ks_object_copy (set));
    g_autoptr (GError) error = NULL;
    copy->replicas = 1;
    g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), FALSE, &error));
    g_assert_no_error (error);
    ks_object_unref (KS_OBJECT (copy));
  }
  run_to (f, 6);
  /* db-1 is terminating: its claim is now owned by it instead of the set */
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod (f, "db-1"))));
  g_assert_cmpuint (KS_OBJECT (pvc (f, "data-db-1"))->meta.owner_refs->n, ==, 1);
  g_assert_cmpstr (KS_OBJECT (pvc (f, "data-db-1"))->meta.owner_refs->refs[0].kind, ==, "Pod");
  /* the kubelet's part: the pod is gone */
  delete (f, KS_KIND_POD, "default", "db-1");
  run_to (f, 7);
  g_assert_null (pvc (f, "data-db-1"));
  g_assert_nonnull (pvc (f, "data-db-0"));
  /* and its provisioned volume (reclaim Delete) */
  run_to (f, 8);
  {
    g_autoptr (GPtrArray) pvs = g_ptr_array_new ();
    ks_store_list (f->store, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, pvs);
    g_assert_cmpuint (pvs->len, ==, 1);
  }
  /* whenDeleted Delete: the set's deletion takes data-db-0 */
  delete (f, KS_KIND_STATEFUL_SET, "default", "db");
  run_to (f, 9);
  /* (pvc-protection: it waits for db-0, terminating, which no kubelet here finishes) */
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pvc (f, "data-db-0"))));
  delete (f, KS_KIND_POD, "default", "db-0");
  run_to (f, 10);
  g_assert_null (pvc (f, "data-db-0"));
}

/* pvc-protection: a claim in use stays (Terminating) until its last pod is gone; then its
 * volume is reclaimed.  The admission gives both their finalizers. */
static void
test_protection (Fixture *f, gconstpointer data)
{
  create_pv (f, "pv", "1Gi", NULL);
  create_pvc (f, "data", "1Gi", ", storageClassName: ''");
  g_assert_true (ks_object_has_finalizer (KS_OBJECT (pv (f, "pv")), KS_FINALIZER_PV_PROTECTION));
  g_assert_true (
      ks_object_has_finalizer (KS_OBJECT (pvc (f, "data")), KS_FINALIZER_PVC_PROTECTION));
  create_pod (f, "a", "data");
  create_pod (f, "b", "data");
  run_to (f, 1);
  g_assert_nonnull (pod (f, "a")->node_name);
  delete (f, KS_KIND_PERSISTENT_VOLUME_CLAIM, "default", "data");
  run_to (f, 2);
  g_assert_nonnull (pvc (f, "data"));
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pvc (f, "data"))));
  g_assert_cmpint (pv (f, "pv")->status.phase, ==, KS_PV_BOUND);
  {
    g_autofree char *json = ks_object_to_json (KS_OBJECT (pvc (f, "data")), 0);
    g_assert_nonnull (strstr (json, "\"finalizers\":[\"kubernetes.io/pvc-protection\"]"));
    g_assert_nonnull (strstr (json, "\"deletionTimestamp\""));
  }
  /* a new pod using a claim being deleted is not scheduled */
  create_pod (f, "c", "data");
  run_to (f, 3);
  g_assert_null (pod (f, "c")->node_name);
  g_assert_nonnull (find_line (f, "!FailedScheduling Pod default/c: 0/3 nodes are available: "
                                  "persistentvolumeclaim \"data\" is being deleted."));
  delete (f, KS_KIND_POD, "default", "a");
  run_to (f, 4);
  g_assert_nonnull (pvc (f, "data")); /* b still uses it (c, not scheduled, does not count) */
  delete (f, KS_KIND_POD, "default", "b");
  run_to (f, 5);
  g_assert_null (pvc (f, "data"));
  g_assert_cmpint (pv (f, "pv")->status.phase, ==, KS_PV_RELEASED);
  /* a Released volume is not protected */
  delete (f, KS_KIND_PERSISTENT_VOLUME, NULL, "pv");
  run_to (f, 6);
  g_assert_null (pv (f, "pv"));
}

/* allowedTopologies: a class provisions only for nodes of its topologies. */
static void
test_allowed_topologies (Fixture *f, gconstpointer data)
{
  g_autoptr (KsObject) sc = NULL;
  g_autofree char *json = NULL;

  create (f, SC_HEAD "metadata: {name: zonal}\nprovisioner: csi.example.com\n"
                     "volumeBindingMode: WaitForFirstConsumer\n"
                     "allowedTopologies:\n"
                     "  - matchLabelExpressions:\n"
                     "      - {key: topology.kubernetes.io/zone, values: [b]}\n");
  sc = ks_object_ref (ks_store_get (f->store, ks_kind_get (KS_KIND_STORAGE_CLASS), NULL, "zonal"));
  json = ks_object_to_json (sc, 0);
  g_assert_nonnull (strstr (json, "\"allowedTopologies\":[{\"matchLabelExpressions\":[{\"key\":"
                                  "\"topology.kubernetes.io/zone\",\"values\":[\"b\"]}]}]"));
  create_pvc (f, "a", "1Gi", ", storageClassName: zonal");
  create_pvc (f, "b", "1Gi", ", storageClassName: zonal");
  create (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: pinned}\n"
             "spec:\n  containers: [{name: c, image: busybox}]\n"
             "  nodeSelector: {kubernetes.io/hostname: node-1}\n"
             "  volumes: [{name: d, persistentVolumeClaim: {claimName: a}}]\n");
  create_pod (f, "free", "b");
  run_to (f, 2);
  g_assert_null (pod (f, "pinned")->node_name);
  g_assert_nonnull (strstr (find_line (f, "!FailedScheduling Pod default/pinned"),
                            "1 node(s) didn't find available persistent volumes to bind"));
  g_assert_nonnull (pod (f, "free")->node_name);
  g_assert_cmpstr (pod (f, "free")->node_name, !=, "node-1");
  assert_decode_fails (SC_HEAD
                       "metadata: {name: s}\nprovisioner: p\n"
                       "allowedTopologies: [{matchLabelExpressions: [{key: k, values: []}]}]\n",
                       "allowedTopologies[0].matchLabelExpressions[0].values: Required value");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/volumes/decode/defaults", test_decode_defaults);
  g_test_add_func ("/volumes/decode/errors", test_decode_errors);
  g_test_add_func ("/volumes/decode/pod-volumes", test_pod_volumes);
  g_test_add_func ("/volumes/decode/volume-mounts", test_volume_mounts);
  g_test_add_func ("/volumes/matching", test_matching);
  ADD ("/volumes/static-binding", test_static_binding);
  ADD ("/volumes/provisioning", test_default_class_and_provisioning);
  ADD ("/volumes/hostpath-provisioner", test_hostpath_provisioner);
  ADD ("/volumes/wait-for-first-consumer", test_wait_for_first_consumer);
  ADD ("/volumes/local", test_local_volumes);
  ADD ("/volumes/zone-rwop-limits", test_zone_rwop_limits);
  ADD ("/volumes/statefulset-claims", test_statefulset_claims);
  ADD ("/volumes/statefulset-retention", test_statefulset_retention);
  ADD ("/volumes/protection", test_protection);
  ADD ("/volumes/allowed-topologies", test_allowed_topologies);
  return g_test_run ();
}

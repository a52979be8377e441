/* test-printers.c: kubectl's output conventions (real/ks-printers.c): HumanDuration (the cases of
 * apimachinery's duration_test.go and the table's boundaries), printPod's STATUS, READY and
 * RESTARTS cells, the table layout of `kubectl get pods`, node status, -o name names, Go's
 * tabwriter as `kubectl describe` sets it up, and the ENDPOINTS cell. */
#include "config.h"

#include "real/ks-printers.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/api/ks-storage.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define MINUTE KS_USEC_PER_MIN
#define HOUR KS_USEC_PER_HOUR

static void
check_duration (gint64 d, const char *want)
{
  g_autofree char *got = ks_human_duration (d);
  g_assert_cmpstr (got, ==, want);
}

static void
test_human_duration (void)
{
  /* apimachinery/pkg/util/duration/duration_test.go */
  check_duration (1 * SEC, "1s");
  check_duration (70 * SEC, "70s");
  check_duration (190 * SEC, "3m10s");
  check_duration (70 * MINUTE, "70m");
  check_duration (47 * HOUR, "47h");
  check_duration (49 * HOUR, "2d1h");
  check_duration ((8 * 24 + 2) * HOUR, "8d");
  check_duration ((367 * 24) * HOUR, "367d");
  check_duration ((365 * 2 * 24 + 25) * HOUR, "2y1d");
  check_duration ((365 * 8 * 24 + 2) * HOUR, "8y");
  /* The boundaries of the table. */
  check_duration (-2 * SEC, "<invalid>");
  check_duration (-1 * SEC - 500 * KS_USEC_PER_MSEC, "0s"); /* truncated to -1 */
  check_duration (0, "0s");
  check_duration (119 * SEC + 999999, "119s");
  check_duration (120 * SEC, "2m");
  check_duration (9 * MINUTE + 59 * SEC, "9m59s");
  check_duration (10 * MINUTE + 59 * SEC, "10m");
  check_duration (179 * MINUTE, "179m");
  check_duration (3 * HOUR + 5 * MINUTE, "3h5m");
  check_duration (7 * HOUR, "7h");
  check_duration (8 * HOUR + 30 * MINUTE, "8h");
  check_duration (7 * 24 * HOUR, "7d");
  check_duration (365 * 3 * 24 * HOUR, "3y");
}

static const char pod_yaml[] = "apiVersion: v1\n"
                               "kind: Pod\n"
                               "metadata: {name: web-5d9c7-x2k4p}\n"
                               "spec:\n"
                               "  containers:\n"
                               "    - {name: a, image: busybox}\n"
                               "    - {name: b, image: busybox}\n";

static KsPod *
pod_new (void)
{
  /* A fresh decoded object is not shared yet: it may be changed in place. */
  KsPod *pod = KS_POD (ks_test_decode (pod_yaml));

  pod->parent.meta.creation_timestamp = 0;
  return pod;
}

static void
set_state (KsPod *pod, guint i, KsContainerState state, const char *reason, gboolean ready)
{
  KsContainerStatus *cs = &pod->container_statuses[i];

  cs->state = state;
  cs->reason = reason != NULL ? ks_intern (reason) : NULL;
  cs->ready = ready;
}

static void
check_status (KsPod *pod, const char *want)
{
  g_autofree char *got = ks_pod_display_status (KS_OBJECT (pod));
  g_assert_cmpstr (got, ==, want);
}

static void
test_pod_status (void)
{
  g_autoptr (KsPod) pod = pod_new ();

  check_status (pod, "Pending");
  ks_pod_ensure_container_statuses (pod);
  check_status (pod, "ContainerCreating");
  pod->phase = KS_POD_RUNNING;
  set_state (pod, 0, KS_CONTAINER_RUNNING, NULL, TRUE);
  set_state (pod, 1, KS_CONTAINER_RUNNING, NULL, TRUE);
  check_status (pod, "Running");
  /* The first container's waiting reason wins over the second's (walked last to first). */
  set_state (pod, 0, KS_CONTAINER_WAITING, "CrashLoopBackOff", FALSE);
  check_status (pod, "CrashLoopBackOff");
  set_state (pod, 0, KS_CONTAINER_TERMINATED, "Completed", FALSE);
  /* Completed with a running container: Running if the pod is Ready, else NotReady. */
  check_status (pod, "NotReady");
  ks_pod_set_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL, 0);
  check_status (pod, "Running");
  set_state (pod, 0, KS_CONTAINER_TERMINATED, NULL, FALSE);
  pod->container_statuses[0].exit_code = 2;
  check_status (pod, "ExitCode:2");
  /* A status reason replaces the phase; deletion shows Terminating, or Unknown for NodeLost. */
  set_state (pod, 0, KS_CONTAINER_RUNNING, NULL, TRUE);
  ks_pod_set_status_string (pod, KS_POD_REASON, "Evicted");
  check_status (pod, "Evicted");
  pod->parent.meta.deletion_timestamp = 5 * SEC;
  check_status (pod, "Terminating");
  ks_pod_set_status_string (pod, KS_POD_REASON, "NodeLost");
  check_status (pod, "Unknown");
}

static const char init_pod_yaml[] = "apiVersion: v1\n"
                                    "kind: Pod\n"
                                    "metadata: {name: p}\n"
                                    "spec:\n"
                                    "  initContainers:\n"
                                    "    - {name: i1, image: busybox}\n"
                                    "    - {name: i2, image: busybox}\n"
                                    "  containers:\n"
                                    "    - {name: a, image: busybox}\n";

static void
test_pod_status_init (void)
{
  g_autoptr (KsPod) pod = KS_POD (ks_test_decode (init_pod_yaml));
  KsContainerStatus *init;

  ks_pod_ensure_container_statuses (pod);
  init = ks_pod_init_container_statuses (pod);
  g_assert_nonnull (init);
  init[0].state = KS_CONTAINER_WAITING;
  init[0].reason = NULL;
  check_status (pod, "Init:0/2");
  init[0].state = KS_CONTAINER_TERMINATED;
  init[0].exit_code = 0;
  init[1].state = KS_CONTAINER_RUNNING;
  check_status (pod, "Init:1/2");
  init[1].state = KS_CONTAINER_TERMINATED;
  init[1].exit_code = 1;
  init[1].reason = ks_intern ("Error");
  check_status (pod, "Init:Error");
  init[1].reason = NULL;
  check_status (pod, "Init:ExitCode:1");
  init[1].state = KS_CONTAINER_WAITING;
  init[1].reason = ks_intern ("CrashLoopBackOff");
  check_status (pod, "Init:CrashLoopBackOff");
}

/* The layout of `kubectl get pods` and `-o wide`, from a real kubectl session's output shape:
 * columns padded to the widest cell + 3, at least 6 wide, the last one unpadded. */
static void
test_pod_table (void)
{
  g_autoptr (KsPod) a = pod_new ();
  g_autoptr (KsPod) b = pod_new ();
  g_autoptr (GPtrArray) pods = g_ptr_array_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;
  gint64 now = 312 * SEC;

  ks_pod_ensure_container_statuses (a);
  a->phase = KS_POD_RUNNING;
  set_state (a, 0, KS_CONTAINER_RUNNING, NULL, TRUE);
  set_state (a, 1, KS_CONTAINER_RUNNING, NULL, TRUE);
  a->container_statuses[1].restart_count = 3;
  a->container_statuses[1].has_last = TRUE;
  a->container_statuses[1].last_finished_at = 192 * SEC;
  a->node_name = ks_intern ("node-1");
  ks_pod_set_status_string (a, KS_POD_POD_IP, "10.244.1.3");
  g_free (b->parent.meta.name);
  b->parent.meta.name = g_strdup ("db");
  g_ptr_array_add (pods, a);
  g_ptr_array_add (pods, b);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_POD), pods, now, FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME              READY   STATUS    RESTARTS     AGE\n"
                   "web-5d9c7-x2k4p   2/2     Running   3 (2m ago)   5m12s\n"
                   "db                0/2     Pending   0            5m12s\n");
  g_string_truncate (out, 0);
  ks_table_print (table, TRUE, TRUE, out);
  g_assert_cmpstr (out->str, ==,
                   "web-5d9c7-x2k4p   2/2   Running   3 (2m ago)   5m12s   10.244.1.3   node-1   "
                   "<none>   <none>\n"
                   "db                0/2   Pending   0            5m12s   <none>       <none>   "
                   "<none>   <none>\n");
  g_ptr_array_set_size (pods, 0);
  g_ptr_array_add (pods, b);
  g_clear_pointer (&table, ks_table_free);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_POD), pods, now, TRUE);
  g_string_truncate (out, 0);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE\n"
                   "default     db     0/2     Pending   0          5m12s\n");
}

static void
test_node_table (void)
{
  g_autoptr (KsNode) node = ks_node_new ("node-0");
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;

  node->parent.meta.creation_timestamp = 0;
  node->parent.meta.labels = ks_str_map_new_pairs (
      "node-role.kubernetes.io/worker", "", "node-role.kubernetes.io/control-plane", "", NULL);
  g_ptr_array_add (nodes, node);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_NODE), nodes, 49 * HOUR, FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME     STATUS    ROLES                  AGE    VERSION\n"
                   "node-0   Unknown   control-plane,worker   2d1h   \n");
  ks_node_set_condition (node, KS_NODE_COND_READY, KS_CONDITION_UNKNOWN, "NodeStatusUnknown", NULL,
                         0);
  node->unschedulable = TRUE;
  g_clear_pointer (&table, ks_table_free);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_NODE), nodes, 49 * HOUR, FALSE);
  g_string_truncate (out, 0);
  ks_table_print (table, FALSE, TRUE, out);
  g_assert_true (g_str_has_prefix (out->str, "node-0   NotReady,SchedulingDisabled   "));

  /* -o wide: without nodeInfo the versions are unknown; with it, the agent's. */
  g_string_truncate (out, 0);
  ks_table_print (table, TRUE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME     STATUS                        ROLES                  AGE    VERSION   "
                   "INTERNAL-IP   EXTERNAL-IP   OS-IMAGE    KERNEL-VERSION   CONTAINER-RUNTIME\n"
                   "node-0   NotReady,SchedulingDisabled   control-plane,worker   2d1h             "
                   "<none>        <none>        <unknown>   <unknown>        <unknown>\n");
  node->internal_ip = g_strdup ("10.244.0.1");
  node->node_info = g_new0 (KsNodeSystemInfo, 1);
  node->node_info->kubelet_version = g_strdup ("v1.32.0+kubesim-0.1");
  node->node_info->os_image = g_strdup ("Debian GNU/Linux 12 (bookworm)");
  node->node_info->kernel_version = g_strdup ("6.1.0-18-amd64");
  node->node_info->container_runtime_version = g_strdup ("runc://1.1.5+ds1");
  node->unschedulable = FALSE;
  ks_node_set_condition (node, KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady", NULL, 0);
  g_clear_pointer (&table, ks_table_free);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_NODE), nodes, 49 * HOUR, FALSE);
  g_string_truncate (out, 0);
  ks_table_print (table, TRUE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME     STATUS   ROLES                  AGE    VERSION               "
                   "INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   "
                   "CONTAINER-RUNTIME\n"
                   "node-0   Ready    control-plane,worker   2d1h   v1.32.0+kubesim-0.1   "
                   "10.244.0.1    <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-18-amd64   "
                   "runc://1.1.5+ds1\n");
}

/* kubectl get pdb: N/A for the bound not given. */
static void
test_pdb_table (void)
{
  g_autoptr (GPtrArray) pdbs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;
  KsPodDisruptionBudget *a
      = KS_POD_DISRUPTION_BUDGET (ks_object_new (ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET)));
  KsPodDisruptionBudget *b
      = KS_POD_DISRUPTION_BUDGET (ks_object_new (ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET)));

  a->parent.meta.name = g_strdup ("db");
  a->parent.meta.creation_timestamp = 0;
  a->min_available = (KsIntOrPercent){ TRUE, FALSE, 2 };
  a->status.disruptions_allowed = 1;
  b->parent.meta.name = g_strdup ("web");
  b->parent.meta.creation_timestamp = 0;
  b->max_unavailable = (KsIntOrPercent){ TRUE, TRUE, 25 };
  g_ptr_array_add (pdbs, a);
  g_ptr_array_add (pdbs, b);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), pdbs, 90 * 1000000,
                                FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\n"
                   "db     2               N/A               1                     90s\n"
                   "web    N/A             25%               0                     90s\n");
}

static KsJob *
job_new (const char *name, const char *spec)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: %s}\nspec:\n%s"
                         "  template:\n    spec:\n      restartPolicy: Never\n"
                         "      containers: [{name: pi, image: perl}]\n",
                         name, spec);
  KsJob *job = KS_JOB (ks_test_decode (text));

  job->parent.meta.creation_timestamp = 0;
  return job;
}

/* kubectl's printJob: status from the conditions, completions, duration. */
static void
test_job_table (void)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;
  KsJob *done = job_new ("done", "  completions: 3\n");
  KsJob *failed = job_new ("failed", "");
  KsJob *queue = job_new ("queue", "  parallelism: 3\n");
  KsJob *running = job_new ("running", "  completions: 5\n");
  KsJob *waiting = job_new ("waiting", "");

  done->status.start_time = 0;
  done->status.completion_time = 65 * 1000000;
  done->status.succeeded = 3;
  ks_job_set_condition (done, KS_JOB_COND_SUCCESS_CRITERIA_MET, KS_CONDITION_TRUE, "x", NULL, 0);
  ks_job_set_condition (done, KS_JOB_COND_COMPLETE, KS_CONDITION_TRUE, "x", NULL, 0);
  failed->status.start_time = 10 * 1000000;
  ks_job_set_condition (failed, KS_JOB_COND_FAILURE_TARGET, KS_CONDITION_TRUE, "x", NULL, 0);
  queue->status.start_time = 30 * 1000000;
  queue->status.succeeded = 1;
  ks_job_set_condition (queue, KS_JOB_COND_SUCCESS_CRITERIA_MET, KS_CONDITION_TRUE, "x", NULL, 0);
  running->status.start_time = 20 * 1000000;
  running->status.succeeded = 2;
  g_ptr_array_add (jobs, done);
  g_ptr_array_add (jobs, failed);
  g_ptr_array_add (jobs, queue);
  g_ptr_array_add (jobs, running);
  g_ptr_array_add (jobs, waiting);
  table = ks_table_for_objects (ks_kind_get (KS_KIND_JOB), jobs, 100 * 1000000, FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME      STATUS               COMPLETIONS   DURATION   AGE\n"
                   "done      Complete             3/3           65s        100s\n"
                   "failed    FailureTarget        0/1           90s        100s\n"
                   "queue     SuccessCriteriaMet   1/1 of 3      70s        100s\n"
                   "running   Running              2/5           80s        100s\n"
                   "waiting   Running              0/1                      100s\n");
}

/* kubectl's printEndpointSlice: at most three ports and addresses, then " + N more...";
 * "<unset>" for none. */
static void
test_endpoint_slice_table (void)
{
  g_autoptr (GPtrArray) slices = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) table = NULL;

  g_ptr_array_add (slices, ks_test_decode ("apiVersion: discovery.k8s.io/v1\n"
                                           "kind: EndpointSlice\n"
                                           "metadata: {name: empty-x, namespace: default}\n"
                                           "addressType: IPv4\n"));
  g_ptr_array_add (
      slices, ks_test_decode ("apiVersion: discovery.k8s.io/v1\n"
                              "kind: EndpointSlice\n"
                              "metadata: {name: web-abcde, namespace: default}\n"
                              "addressType: IPv4\n"
                              "endpoints: [{addresses: [10.244.1.2]}, {addresses: [10.244.1.3]},\n"
                              "  {addresses: [10.244.2.2]}, {addresses: [10.244.2.3]},\n"
                              "  {addresses: [10.244.2.4]}]\n"
                              "ports: [{name: a, port: 80}, {name: b, port: 81}, {name: c, port: "
                              "82},\n"
                              "  {name: d, port: 83}]\n"));
  for (guint i = 0; i < slices->len; i++)
    ((KsObject *) g_ptr_array_index (slices, i))->meta.creation_timestamp = 0;
  table = ks_table_for_objects (ks_kind_get (KS_KIND_ENDPOINT_SLICE), slices, 100 * 1000000, FALSE);
  ks_table_print (table, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME        ADDRESSTYPE   PORTS                  ENDPOINTS                    "
                   "                  AGE\n"
                   "empty-x     IPv4          <unset>                <unset>                      "
                   "                  100s\n"
                   "web-abcde   IPv4          80,81,82 + 1 more...   10.244.1.2,10.244.1.3,10.244."
                   "2.2 + 2 more...   100s\n");
}

/* kubectl get pv, pvc, sc (printers.go v1.32). */
static void
test_storage_tables (void)
{
  g_autoptr (GPtrArray) pvs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) pvcs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) scs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) t1 = NULL;
  g_autoptr (KsTable) t2 = NULL;
  g_autoptr (KsTable) t3 = NULL;
  KsObject *pv = ks_test_decode ("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\n"
                                 "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce, "
                                 "ReadOnlyMany], storageClassName: local, hostPath: {path: /d}}\n");
  KsObject *pvc = ks_test_decode ("apiVersion: v1\nkind: PersistentVolumeClaim\n"
                                  "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce],"
                                  " storageClassName: local, volumeName: pv1, resources: "
                                  "{requests: {storage: 1Gi}}}\n");
  KsObject *waiting = ks_test_decode ("apiVersion: v1\nkind: PersistentVolumeClaim\n"
                                      "metadata: {name: waiting}\nspec: {accessModes: "
                                      "[ReadWriteMany], resources: {requests: {storage: 1Gi}}}\n");
  KsObject *sc = ks_test_decode ("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n"
                                 "  name: std\n  annotations: "
                                 "{storageclass.kubernetes.io/is-default-class: 'true'}\n"
                                 "provisioner: csi.example.com\nallowVolumeExpansion: true\n");
  KsObject *local = ks_test_decode ("apiVersion: storage.k8s.io/v1\nkind: StorageClass\n"
                                    "metadata: {name: local}\nprovisioner: "
                                    "kubernetes.io/no-provisioner\nreclaimPolicy: Retain\n"
                                    "volumeBindingMode: WaitForFirstConsumer\n");

  KS_PERSISTENT_VOLUME (pv)->status.phase = KS_PV_BOUND;
  KS_PERSISTENT_VOLUME (pv)->has_claim_ref = TRUE;
  KS_PERSISTENT_VOLUME (pv)->claim_ref.namespace = g_strdup ("default");
  KS_PERSISTENT_VOLUME (pv)->claim_ref.name = g_strdup ("data");
  KS_PERSISTENT_VOLUME_CLAIM (pvc)->status.phase = KS_PVC_BOUND;
  KS_PERSISTENT_VOLUME_CLAIM (pvc)->status.capacity = 5 * G_GINT64_CONSTANT (1073741824);
  KS_PERSISTENT_VOLUME_CLAIM (pvc)->status.access_modes = KS_ACCESS_RWO | KS_ACCESS_ROX;
  pv->meta.creation_timestamp = pvc->meta.creation_timestamp = waiting->meta.creation_timestamp
      = sc->meta.creation_timestamp = local->meta.creation_timestamp = 0;
  g_ptr_array_add (pvs, pv);
  g_ptr_array_add (pvcs, pvc);
  g_ptr_array_add (pvcs, waiting);
  g_ptr_array_add (scs, local);
  g_ptr_array_add (scs, sc);
  t1 = ks_table_for_objects (ks_kind_get (KS_KIND_PERSISTENT_VOLUME), pvs, 60 * 1000000, FALSE);
  ks_table_print (t1, FALSE, FALSE, out);
  t2 = ks_table_for_objects (ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), pvcs, 60 * 1000000,
                             FALSE);
  ks_table_print (t2, FALSE, FALSE, out);
  t3 = ks_table_for_objects (ks_kind_get (KS_KIND_STORAGE_CLASS), scs, 60 * 1000000, FALSE);
  ks_table_print (t3, FALSE, FALSE, out);
  g_assert_cmpstr (
      out->str, ==,
      "NAME   CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM          STORAGECLASS   "
      "VOLUMEATTRIBUTESCLASS   REASON   AGE\n"
      "pv1    5Gi        RWO,ROX        Retain           Bound    default/data   local          "
      "<unset>                          60s\n"
      "NAME      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS "
      "  "
      "AGE\n"
      "data      Bound     pv1      5Gi        RWO,ROX        local          <unset>               "
      "  "
      "60s\n"
      "waiting   Pending                                                     <unset>               "
      "  "
      "60s\n"
      "NAME            PROVISIONER                    RECLAIMPOLICY   VOLUMEBINDINGMODE      "
      "ALLOWVOLUMEEXPANSION   AGE\n"
      "local           kubernetes.io/no-provisioner   Retain          WaitForFirstConsumer   "
      "false                  60s\n"
      "std (default)   csi.example.com                Delete          Immediate              "
      "true                   60s\n");
}

static void
test_names (void)
{
  g_autoptr (KsPod) pod = pod_new ();
  KsObject *deploy = ks_object_new (ks_kind_get (KS_KIND_DEPLOYMENT));
  g_autofree char *pod_name = ks_object_type_name (KS_OBJECT (pod));
  g_autofree char *deploy_name = NULL;
  g_autofree char *pc = ks_kind_type_name (ks_kind_get (KS_KIND_PRIORITY_CLASS));

  deploy->meta.name = g_strdup ("web");
  deploy_name = ks_object_type_name (deploy);
  g_assert_cmpstr (pod_name, ==, "pod/web-5d9c7-x2k4p");
  g_assert_cmpstr (deploy_name, ==, "deployment.apps/web");
  g_assert_cmpstr (pc, ==, "priorityclass.scheduling.k8s.io");
  ks_object_unref (deploy);
}

/* Go's text/tabwriter (minwidth 0, padding 2), as kubectl describe uses it. */
static void
test_tab_writer (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  KsTabWriter *w = ks_tab_writer_new (out);

  /* A column block is a run of lines with a cell there; a line without a tab ends it. */
  ks_tab_writer_write (w, "Name:\tweb\nNamespace:\tdefault\nLabels:\ta=b\n\tc=d\n");
  ks_tab_writer_write (w, "Containers:\n");
  ks_tab_writer_write (w, "  x:\t1\n  longer one:\t2\nConditions:\n");
  /* Columns inside a block are blocks of their own; the last cell is never padded. */
  ks_tab_writer_write (w, "  Type\tStatus\tReason\n  Ready \tTrue\t\nAnother:\tvalue\n");
  /* Non-ASCII characters count once. */
  ks_tab_writer_write (w, "Ünïcode:\tok\nx:\ty\n");
  ks_tab_writer_flush (w);
  /* After a flush, columns start again. */
  ks_tab_writer_printf (w, "%s\t%d\n", "A", 1);
  ks_tab_writer_free (w);
  g_assert_cmpstr (out->str, ==,
                   "Name:       web\n"
                   "Namespace:  default\n"
                   "Labels:     a=b\n"
                   "            c=d\n"
                   "Containers:\n"
                   "  x:           1\n"
                   "  longer one:  2\n"
                   "Conditions:\n"
                   "  Type    Status  Reason\n"
                   "  Ready   True    \n"
                   "Another:  value\n"
                   "Ünïcode:  ok\n"
                   "x:        y\n"
                   "A  1\n");
}

/* cli-runtime's GetNewTabWriter (kubectl top): minwidth 6, padding 3; a cell shorter than the
 * minimum is padded to it, empty cells too. */
static void
test_tab_writer_min_width (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  KsTabWriter *w = ks_tab_writer_new_full (out, 6, 3);

  ks_tab_writer_write (w, "A\tBB\tCCCC\t\n\t\tlonger one\t\n");
  ks_tab_writer_free (w);
  g_assert_cmpstr (out->str, ==,
                   "A     BB    CCCC         \n"
                   "            longer one   \n");
}

/* formatEndpoints: ready addresses with each port, three at most. */
static void
test_format_endpoints (void)
{
  KsEndpoints *ep = ks_endpoints_new ("default", "web");
  KsEndpointSubset *subsets = g_new0 (KsEndpointSubset, 2);
  g_autofree char *none = ks_format_endpoints (ep);
  g_autofree char *text = NULL;

  g_assert_cmpstr (none, ==, "<none>");
  subsets[0].n_addresses = 2;
  subsets[0].addresses = g_new0 (KsEndpointAddress, 2);
  subsets[0].addresses[0].ip = g_strdup ("10.244.1.2");
  subsets[0].addresses[1].ip = g_strdup ("fd00::2");
  subsets[0].n_ports = 2;
  subsets[0].ports = g_new0 (KsEndpointPort, 2);
  subsets[0].ports[0].port = 80;
  subsets[0].ports[0].protocol = "TCP";
  subsets[0].ports[1].port = 443;
  subsets[0].ports[1].protocol = "TCP";
  /* A subset without ports (a headless Service): the addresses alone. */
  subsets[1].n_addresses = 1;
  subsets[1].addresses = g_new0 (KsEndpointAddress, 1);
  subsets[1].addresses[0].ip = g_strdup ("10.244.2.2");
  ks_endpoints_take_subsets (ep, subsets, 2);
  text = ks_format_endpoints (ep);
  g_assert_cmpstr (text, ==, "10.244.1.2:80,[fd00::2]:80,10.244.1.2:443 + 2 more...");
  ks_object_unref (KS_OBJECT (ep));
}

/* kubectl get hpa: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE; <unknown> before the
 * first metrics. */
static void
test_hpa_table (void)
{
  g_autoptr (GPtrArray) hpas = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTable) t = NULL;
  KsObject *a = ks_test_decode ("apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n"
                                "metadata: {name: web}\nspec: {scaleTargetRef: {apiVersion: "
                                "apps/v1, kind: Deployment, name: web}, minReplicas: 2, "
                                "maxReplicas: 10, targetCPUUtilizationPercentage: 80}\n");
  KsObject *b = ks_test_decode ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                                "metadata: {name: api}\nspec: {scaleTargetRef: {kind: "
                                "StatefulSet, name: api}, maxReplicas: 5, metrics: [{type: Pods, "
                                "pods: {metric: {name: rps}, target: {type: AverageValue, "
                                "averageValue: 10}}}]}\n");
  KsMetricStatus st = { 0 };

  st.type = KS_METRIC_SOURCE_RESOURCE;
  st.name = (char *) "cpu";
  st.has_utilization = TRUE;
  st.average_utilization = 45;
  ks_hpa_set_current_metrics (KS_HPA (a), &st, 1);
  KS_HPA (a)->status.current_replicas = 3;
  a->meta.creation_timestamp = b->meta.creation_timestamp = 0;
  g_ptr_array_add (hpas, a);
  g_ptr_array_add (hpas, b);
  t = ks_table_for_objects (ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER), hpas, 60 * 1000000,
                            FALSE);
  ks_table_print (t, FALSE, FALSE, out);
  g_assert_cmpstr (out->str, ==,
                   "NAME   REFERENCE         TARGETS        MINPODS   MAXPODS   REPLICAS   AGE\n"
                   "web    Deployment/web    cpu: 45%/80%   2         10        3          60s\n"
                   "api    StatefulSet/api   <unknown>/10   1         5         0          60s\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/real/printers/human-duration", test_human_duration);
  g_test_add_func ("/real/printers/pod-status", test_pod_status);
  g_test_add_func ("/real/printers/pod-status-init", test_pod_status_init);
  g_test_add_func ("/real/printers/pod-table", test_pod_table);
  g_test_add_func ("/real/printers/node-table", test_node_table);
  g_test_add_func ("/real/printers/pdb-table", test_pdb_table);
  g_test_add_func ("/real/printers/job-table", test_job_table);
  g_test_add_func ("/real/printers/storage-tables", test_storage_tables);
  g_test_add_func ("/real/printers/names", test_names);
  g_test_add_func ("/real/printers/tab-writer", test_tab_writer);
  g_test_add_func ("/real/printers/tab-writer/min-width", test_tab_writer_min_width);
  g_test_add_func ("/real/printers/format-endpoints", test_format_endpoints);
  g_test_add_func ("/real/printers/endpoint-slice-table", test_endpoint_slice_table);
  g_test_add_func ("/real/printers/hpa-table", test_hpa_table);
  return g_test_run ();
}

/* test-oci-bundle.c: containers' OCI configs (real/ks-oci-bundle.c) against values computed by
 * hand from the kubelet's and containerd's rules, and runc's command lines (real/ks-runc.c).
 * Needs neither root nor runc. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "real/ks-fsutil.h"
#include "real/ks-oci-bundle.h"
#include "real/ks-runc.h"
#include "tests/ks-test.h"

#define MI (G_GINT64_CONSTANT (1024) * 1024)
#define GI (1024 * MI)

/* A member of node by path "a.b.c", or NULL. */
static JsonNode *
get (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      JsonObject *o;
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      o = json_node_get_object (node);
      if (!json_object_has_member (o, parts[i]))
        return NULL;
      node = json_object_get_member (o, parts[i]);
    }
  return node;
}

static gint64
get_int (JsonNode *node, const char *path)
{
  JsonNode *n = get (node, path);
  g_assert_nonnull (n);
  return json_node_get_int (n);
}

static const char *
get_string (JsonNode *node, const char *path)
{
  JsonNode *n = get (node, path);
  g_assert_nonnull (n);
  return json_node_get_string (n);
}

/* An array of strings at path, joined with spaces. */
static char *
get_joined (JsonNode *node, const char *path)
{
  JsonNode *n = get (node, path);
  JsonArray *a;
  GString *s = g_string_new (NULL);

  g_assert_nonnull (n);
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", json_array_get_string_element (a, i));
  return g_string_free (s, FALSE);
}

static KsPod *
pod_from (const char *yaml)
{
  KsPod *pod = KS_POD (ks_test_decode (yaml));
  for (guint i = 0; i < 16; i++)
    pod->parent.meta.uid.bytes[i] = (guint8) (i * 17 + 1);
  return pod;
}

static JsonNode *
build (const KsPod *pod, const KsContainer *c, const KsImageConfig *image, const char *netns,
       gboolean v2)
{
  KsOciSpec spec = {
    .pod = pod,
    .container = c,
    .image = image,
    .rootfs = "/data/images/docker.io/library/busybox/latest/rootfs",
    .netns = netns,
    .ipcns = "/data/pod/sandbox.d/ipcns",
    .hosts = "/data/pod/sandbox.d/hosts",
    .hostname = "/data/pod/sandbox.d/hostname",
    .resolv_conf = "/data/pod/sandbox.d/resolv.conf",
    .cgroups_path = "/kubesim/node-1/podx/c",
    .cgroup_namespace = TRUE,
    .cgroup_v2 = v2,
    .node_memory = 8 * GI,
  };
  g_autoptr (GError) error = NULL;
  JsonNode *config = ks_oci_config_new (&spec, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static void
test_cpu_math (void)
{
  /* cm.MilliCPUToShares: milli × 1024 / 1000, clamped to [2, 262144]. */
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (0), ==, 2);
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (1), ==, 2);     /* 1024/1000 = 1 → 2 */
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (100), ==, 102); /* 102400/1000 */
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (250), ==, 256);
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (1000), ==, 1024);
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (1500), ==, 1536);
  g_assert_cmpint (ks_oci_milli_cpu_to_shares (300000), ==, 262144); /* 307200 clamped */
  /* milliCPUToQuota: milli × period / 1000, at least 1000; 0 is no limit. */
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (0, 100000), ==, 0);
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (1, 100000), ==, 1000); /* 100 → 1000 */
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (9, 100000), ==, 1000); /* 900 → 1000 */
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (10, 100000), ==, 1000);
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (11, 100000), ==, 1100);
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (250, 100000), ==, 25000);
  g_assert_cmpint (ks_oci_milli_cpu_to_quota (2000, 100000), ==, 200000);
  /* runc's v2 weight: 1 + (shares - 2) × 9999 / 262142. */
  g_assert_cmpint (ks_oci_shares_to_weight (2), ==, 1);
  g_assert_cmpint (ks_oci_shares_to_weight (1024), ==, 39); /* 1 + 10218978/262142 = 1 + 38 */
  g_assert_cmpint (ks_oci_shares_to_weight (262144), ==, 10000);
}

static void
test_resources (void)
{
  g_autoptr (KsPod) pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                                    "  containers:\n"
                                    "  - name: both\n    image: busybox\n"
                                    "    resources:\n"
                                    "      requests: {cpu: 250m, memory: 64Mi}\n"
                                    "      limits: {cpu: 500m, memory: 128Mi}\n"
                                    "  - name: request-only\n    image: busybox\n"
                                    "    resources: {requests: {cpu: 100m}}\n"
                                    "  - name: limit-only\n    image: busybox\n"
                                    "    resources: {limits: {cpu: 1500m, memory: 1Gi}}\n"
                                    "  - name: none\n    image: busybox\n");
  KsImageConfig image = { .cmd = (char *[]){ (char *) "sh", NULL } };
  JsonNode *c;

  /* requests 250m, limits 500m / 128Mi: shares 256, quota 50000, memory 134217728. */
  c = build (pod, &pod->spec->containers[0], &image, NULL, FALSE);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.shares"), ==, 256);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.quota"), ==, 50000);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.period"), ==, 100000);
  g_assert_cmpint (get_int (c, "linux.resources.memory.limit"), ==, 128 * MI);
  g_assert_null (get (c, "linux.resources.unified"));
  json_node_unref (c);

  /* A request without a limit: shares from it, no quota, no memory limit. */
  c = build (pod, &pod->spec->containers[1], &image, NULL, FALSE);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.shares"), ==, 102);
  g_assert_null (get (c, "linux.resources.cpu.quota"));
  g_assert_null (get (c, "linux.resources.memory"));
  json_node_unref (c);

  /* A limit without a request: the request is the limit (shares 1536), quota 150000. */
  c = build (pod, &pod->spec->containers[2], &image, NULL, TRUE);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.shares"), ==, 1536);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.quota"), ==, 150000);
  g_assert_cmpint (get_int (c, "linux.resources.memory.limit"), ==, GI);
  g_assert_nonnull (get (c, "linux.resources.unified"));
  json_node_unref (c);

  /* Nothing: the minimum shares. */
  c = build (pod, &pod->spec->containers[3], &image, NULL, FALSE);
  g_assert_cmpint (get_int (c, "linux.resources.cpu.shares"), ==, 2);
  g_assert_null (get (c, "linux.resources.cpu.quota"));
  json_node_unref (c);
}

static void
test_unified (void)
{
  g_autoptr (KsPod) pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                                    "  containers: [{name: c, image: busybox}]\n");
  KsImageConfig image = { .cmd = (char *[]){ (char *) "sh", NULL } };
  g_autoptr (JsonNode) c = build (pod, &pod->spec->containers[0], &image, NULL, TRUE);
  JsonNode *unified = get (c, "linux.resources.unified");

  g_assert_nonnull (unified);
  g_assert_cmpstr (
      json_object_get_string_member (json_node_get_object (unified), "memory.oom.group"), ==, "1");
}

static void
test_oom_score_adj (void)
{
  g_autoptr (KsPod) guaranteed
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec:\n  containers:\n"
                  "  - {name: c, image: busybox, resources: {limits: {cpu: 1, memory: 1Gi}}}\n");
  g_autoptr (KsPod) best_effort
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n"
                  "  - {name: c, image: busybox}\n");
  g_autoptr (KsPod) burstable
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n"
                  "  initContainers:\n"
                  "  - {name: side, image: busybox, restartPolicy: Always,\n"
                  "     resources: {requests: {memory: 10Mi}}}\n"
                  "  containers:\n"
                  "  - {name: small, image: busybox, resources: {requests: {memory: 1Gi}}}\n"
                  "  - {name: big, image: busybox, resources: {requests: {memory: 4Gi}}}\n"
                  "  - {name: all, image: busybox, resources: {requests: {memory: 8Gi}}}\n"
                  "  - {name: tiny, image: busybox, resources: {requests: {cpu: 100m}}}\n");
  const KsContainer *c = burstable->spec->containers;

  g_assert_cmpint (ks_oci_oom_score_adj (guaranteed, &guaranteed->spec->containers[0], 8 * GI), ==,
                   -997);
  g_assert_cmpint (ks_oci_oom_score_adj (best_effort, &best_effort->spec->containers[0], 8 * GI),
                   ==, 1000);
  /* 1000 - 1000 × request / capacity (8Gi): 1Gi → 875, 4Gi → 500, 8Gi → 0 → 3 (floor),
   * no memory request → 1000 → 999. */
  g_assert_cmpint (ks_oci_oom_score_adj (burstable, &c[0], 8 * GI), ==, 875);
  g_assert_cmpint (ks_oci_oom_score_adj (burstable, &c[1], 8 * GI), ==, 500);
  g_assert_cmpint (ks_oci_oom_score_adj (burstable, &c[2], 8 * GI), ==, 3);
  g_assert_cmpint (ks_oci_oom_score_adj (burstable, &c[3], 8 * GI), ==, 999);
  /* The sidecar (10Mi → 999) no higher than the regular container with the smallest request
   * (tiny, 0 → 1000): min(999, 1000) = 999.  With "tiny" gone it would follow "small". */
  g_assert_cmpint (ks_oci_oom_score_adj (burstable, &burstable->spec->init_containers[0], 8 * GI),
                   ==, 999);
}

static void
test_sidecar_follows_smallest (void)
{
  g_autoptr (KsPod) pod
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n"
                  "  initContainers:\n"
                  "  - {name: side, image: busybox, restartPolicy: Always,\n"
                  "     resources: {requests: {memory: 10Mi}}}\n"
                  "  containers:\n"
                  "  - {name: small, image: busybox, resources: {requests: {memory: 1Gi}}}\n"
                  "  - {name: big, image: busybox, resources: {requests: {memory: 4Gi}}}\n");

  /* side alone: 1000 - 10240/8192 = 1000 - 1 = 999; smallest regular (1Gi): 875 → 875. */
  g_assert_cmpint (ks_oci_oom_score_adj (pod, &pod->spec->init_containers[0], 8 * GI), ==, 875);
}

static void
test_oom_score_adj_floor (void)
{
  g_autoptr (KsPod) pod
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec:\n  containers:\n"
                  "  - {name: c, image: busybox, resources: {limits: {cpu: 1, memory: 1Gi}}}\n");
  g_autoptr (KsPod) best_effort
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n"
                  "  - {name: d, image: busybox}\n");
  KsImageConfig image = { .cmd = (char *[]){ (char *) "sh", NULL } };
  KsOciSpec spec = { .pod = pod,
                     .container = &pod->spec->containers[0],
                     .image = &image,
                     .rootfs = "/r",
                     .node_memory = 8 * GI };
  g_autoptr (JsonNode) privileged = NULL;
  g_autoptr (JsonNode) floored = NULL;
  g_autoptr (JsonNode) above = NULL;
  g_autoptr (JsonNode) none = NULL;

  /* Guaranteed: -997, unless the agent may not go below its own value (here 0). */
  privileged = ks_oci_config_new (&spec, NULL);
  g_assert_cmpint (get_int (privileged, "process.oomScoreAdj"), ==, -997);
  spec.limit_oom_score_adj = TRUE;
  spec.oom_score_adj_min = 0;
  floored = ks_oci_config_new (&spec, NULL);
  g_assert_cmpint (get_int (floored, "process.oomScoreAdj"), ==, 0);
  /* A higher value is kept as it is. */
  spec.pod = best_effort;
  spec.container = &best_effort->spec->containers[0];
  above = ks_oci_config_new (&spec, NULL);
  g_assert_cmpint (get_int (above, "process.oomScoreAdj"), ==, 1000);
  /* No node memory: no oomScoreAdj at all. */
  spec.node_memory = 0;
  none = ks_oci_config_new (&spec, NULL);
  g_assert_null (get (none, "process.oomScoreAdj"));
}

static char *
joined (char **strv)
{
  return g_strjoinv ("|", strv);
}

static void
check_args (const char *containers_yaml, const KsImageConfig *image, const char *expected)
{
  g_autofree char *yaml = g_strdup_printf (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n%s", containers_yaml);
  g_autoptr (KsPod) pod = pod_from (yaml);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = ks_oci_process_args (pod, &pod->spec->containers[0], image, NULL, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  got = joined (args);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_args (void)
{
  KsImageConfig image = {
    .entrypoint = (char *[]){ (char *) "/entry", (char *) "-x", NULL },
    .cmd = (char *[]){ (char *) "default", (char *) "cmd", NULL },
  };
  KsImageConfig cmd_only = { .cmd = (char *[]){ (char *) "sh", NULL } };
  KsImageConfig empty_entry = {
    .entrypoint = (char *[]){ (char *) "", NULL },
    .cmd = (char *[]){ (char *) "run", NULL },
  };
  KsImageConfig nothing = { 0 };
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (GError) error = NULL;
  char **args;

  /* Neither: the image's entrypoint and cmd. */
  check_args ("  - {name: c, image: x}\n", &image, "/entry|-x|default|cmd");
  /* command: replaces the entrypoint and drops the image's cmd. */
  check_args ("  - {name: c, image: x, command: [/bin/app]}\n", &image, "/bin/app");
  /* args only: the entrypoint with these args. */
  check_args ("  - {name: c, image: x, args: [a, b]}\n", &image, "/entry|-x|a|b");
  /* Both. */
  check_args ("  - {name: c, image: x, command: [sh, -c], args: [echo hi]}\n", &image,
              "sh|-c|echo hi");
  check_args ("  - {name: c, image: x}\n", &cmd_only, "sh");
  /* An entrypoint of [""] is no entrypoint. */
  check_args ("  - {name: c, image: x}\n", &empty_entry, "run");
  /* $(VAR) from the container's env; unknown names stay; $$ is a $. */
  check_args ("  - name: c\n    image: x\n    env: [{name: GREETING, value: hello},"
              " {name: WHO, value: \"$(GREETING) world\"}]\n"
              "    command: [echo, \"$(WHO)\", \"$(NOPE)\", \"$$(GREETING)\", \"$(GREETING\","
              " \"cost $5\", \"end$\"]\n",
              &image, "echo|hello world|$(NOPE)|$(GREETING)|$(GREETING|cost $5|end$");

  pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n"
                  "  containers: [{name: c, image: scratch}]\n");
  args = ks_oci_process_args (pod, &pod->spec->containers[0], &nothing, NULL, &error);
  g_assert_null (args);
  g_assert_error (error, KS_OCI_ERROR, KS_OCI_ERROR_NO_COMMAND);
  g_assert_nonnull (strstr (error->message, "no command specified"));
  g_assert_nonnull (strstr (error->message, "scratch"));
}

/* Downward API values: resolved from the pod, its IP and the node's address, not expanded
 * themselves, but seen by later variables and by args. */
static void
test_env_field_ref (void)
{
  g_autoptr (KsPod) pod = pod_from (
      "apiVersion: v1\nkind: Pod\n"
      "metadata: {name: web-0, namespace: shop, labels: {zone: a}, annotations: {note: $(NAME)}}\n"
      "spec:\n  nodeName: node-1\n  containers:\n"
      "  - name: c\n    image: x\n    command: [echo, $(NAME), $(IP)]\n    env:\n"
      "    - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n"
      "    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}\n"
      "    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n"
      "    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}\n"
      "    - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n"
      "    - {name: HOST, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}\n"
      "    - {name: ZONE, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['zone']\"}}}\n"
      "    - {name: NOTE, valueFrom: {fieldRef: {fieldPath: \"metadata.annotations['note']\"}}}\n"
      "    - {name: NONE, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['none']\"}}}\n"
      "    - {name: URL, value: \"http://$(IP):80/$(ZONE)\"}\n");
  KsImageConfig image = { 0 };
  g_auto (GStrv) env = ks_oci_process_env (pod, &pod->spec->containers[0], &image, "10.244.1.5");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args
      = ks_oci_process_args (pod, &pod->spec->containers[0], &image, "10.244.1.5", &error);
  g_autofree char *got = joined (env);
  g_autofree char *got_args = joined (args);

  g_assert_cmpstr (got, ==,
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|"
                   "HOSTNAME=web-0|NAME=web-0|NS=shop|NODE=node-1|SA=default|IP=10.244.1.5|"
                   "HOST=10.244.0.1|ZONE=a|NOTE=$(NAME)|NONE=|URL=http://10.244.1.5:80/a");
  g_assert_cmpstr (got_args, ==, "echo|web-0|10.244.1.5");
}

static void
test_env (void)
{
  g_autoptr (KsPod) pod
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: envpod}\nspec:\n  containers:\n"
                  "  - name: c\n    image: x\n    env:\n"
                  "    - {name: MODE, value: fast}\n"
                  "    - {name: PATH, value: /opt/bin}\n"
                  "    - {name: URL, value: \"http://$(HOST):80/$(MODE)\"}\n"
                  "    - {name: HOST, value: db}\n"
                  "    - {name: MODE, value: slow}\n");
  KsImageConfig image = {
    .env = (char *[]){ (char *) "PATH=/image/bin", (char *) "LANG=C.UTF-8", NULL },
  };
  g_auto (GStrv) env = ks_oci_process_env (pod, &pod->spec->containers[0], &image, NULL);
  g_autofree char *got = joined (env);

  /* PATH keeps its first place with the last value; HOSTNAME after it; HOST is not defined
   * when URL is expanded; the second MODE replaces the first in place. */
  g_assert_cmpstr (
      got, ==,
      "PATH=/opt/bin|HOSTNAME=envpod|LANG=C.UTF-8|MODE=slow|URL=http://$(HOST):80/fast|"
      "HOST=db");
}

static void
test_hostname (void)
{
  g_autoptr (KsPod) named = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web-0}\nspec:\n"
                                      "  hostname: custom\n"
                                      "  containers: [{name: c, image: x}]\n");
  g_autoptr (KsPod) longname
      = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: "
                  "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg.x}\nspec:\n"
                  "  containers: [{name: c, image: x}]\n");
  g_autofree char *h1 = ks_oci_pod_hostname (named);
  g_autofree char *h2 = ks_oci_pod_hostname (longname);
  g_autofree char *hosts = ks_oci_hosts_file (named, "10.244.1.7");

  g_assert_cmpstr (h1, ==, "custom");
  /* 64 characters: cut to 63, then the trailing '.' goes. */
  g_assert_cmpstr (h2, ==, "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg");
  g_assert_true (
      g_str_has_prefix (hosts, "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"));
  g_assert_true (g_str_has_suffix (hosts, "fe00::2\tip6-allrouters\n10.244.1.7\tcustom\n"));
}

/* A StatefulSet's pod (hostname and subdomain) is named in /etc/hosts by its DNS name first, as
 * the kubelet's managedHostsFileContent writes it. */
static void
test_hosts_subdomain (void)
{
  g_autoptr (KsPod) pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: "
                                    "shop}\nspec:\n  hostname: web-0\n  subdomain: web\n"
                                    "  containers: [{name: c, image: x}]\n");
  g_autofree char *hosts = ks_oci_hosts_file (pod, "10.244.1.7");
  g_autofree char *no_ip = ks_oci_hosts_file (pod, NULL);

  g_assert_true (g_str_has_suffix (
      hosts, "fe00::2\tip6-allrouters\n10.244.1.7\tweb-0.web.shop.svc.cluster.local\tweb-0\n"));
  g_assert_true (g_str_has_suffix (no_ip, "fe00::2\tip6-allrouters\n"));
}

static void
test_config (void)
{
  g_autoptr (KsPod) pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                                    "  containers:\n"
                                    "  - {name: c, image: busybox, workingDir: /work}\n"
                                    "  - {name: d, image: busybox}\n");
  KsImageConfig image
      = { .cmd = (char *[]){ (char *) "sh", NULL }, .working_dir = (char *) "/img" };
  g_autoptr (JsonNode) c = build (pod, &pod->spec->containers[0], &image, "/run/netns/ks-x", FALSE);
  g_autoptr (JsonNode) d = build (pod, &pod->spec->containers[1], &image, NULL, FALSE);
  g_autofree char *args = get_joined (c, "process.args");
  g_autofree char *caps = get_joined (c, "process.capabilities.bounding");
  g_autofree char *effective = get_joined (c, "process.capabilities.effective");
  g_autofree char *masked = get_joined (c, "linux.maskedPaths");
  g_autofree char *readonly = get_joined (c, "linux.readonlyPaths");
  JsonArray *mounts, *ns;
  GString *dests = g_string_new (NULL);
  GString *namespaces = g_string_new (NULL);

  g_assert_cmpstr (args, ==, "sh");
  g_assert_false (json_node_get_boolean (get (c, "process.terminal")));
  g_assert_cmpstr (get_string (c, "process.cwd"), ==, "/work");
  g_assert_cmpstr (get_string (d, "process.cwd"), ==, "/img");
  g_assert_cmpint (get_int (c, "process.user.uid"), ==, 0);
  g_assert_cmpint (get_int (c, "process.oomScoreAdj"), ==, 1000); /* BestEffort */
  /* containerd's 14 default capabilities. */
  g_assert_cmpstr (caps, ==,
                   "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW "
                   "CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE "
                   "CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE");
  g_assert_cmpstr (effective, ==, caps);
  g_assert_null (get (c, "process.capabilities.inheritable"));
  g_assert_null (get (c, "process.capabilities.ambient"));
  g_assert_cmpstr (get_string (c, "root.path"), ==,
                   "/data/images/docker.io/library/busybox/latest/rootfs");
  g_assert_true (json_node_get_boolean (get (c, "root.readonly")));
  g_assert_cmpstr (get_string (c, "hostname"), ==, "web");
  g_assert_cmpstr (get_string (c, "linux.cgroupsPath"), ==, "/kubesim/node-1/podx/c");
  g_assert_cmpstr (masked, ==,
                   "/proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats "
                   "/proc/timer_list /proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi");
  g_assert_cmpstr (readonly, ==, "/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger");

  mounts = json_node_get_array (get (c, "mounts"));
  for (guint i = 0; i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = json_array_get_object_element (mounts, i);
      const char *dest = json_object_get_string_member (m, "destination");
      g_autofree char *opts = NULL;
      JsonNode *node = json_object_get_member (m, "options");
      g_string_append_printf (dests, "%s%s:%s", i ? " " : "", dest,
                              json_object_get_string_member (m, "type"));
      opts = get_joined (node, "");
      if (g_str_has_prefix (dest, "/etc/"))
        {
          g_autofree char *src = g_strconcat ("/data/pod/sandbox.d/", dest + 5, NULL);
          g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, src);
          g_assert_nonnull (strstr (opts, "ro"));
          g_assert_nonnull (strstr (opts, "rbind"));
        }
      if (strcmp (dest, "/sys") == 0 || strcmp (dest, "/sys/fs/cgroup") == 0)
        g_assert_nonnull (strstr (opts, " ro"));
    }
  g_assert_cmpstr (dests->str, ==,
                   "/proc:proc /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue "
                   "/sys:sysfs /sys/fs/cgroup:cgroup /tmp:tmpfs /etc/hosts:bind "
                   "/etc/hostname:bind /etc/resolv.conf:bind");

  ns = json_node_get_array (get (c, "linux.namespaces"));
  for (guint i = 0; i < json_array_get_length (ns); i++)
    {
      JsonObject *n = json_array_get_object_element (ns, i);
      g_string_append_printf (namespaces, "%s%s%s%s", i ? " " : "",
                              json_object_get_string_member (n, "type"),
                              json_object_has_member (n, "path") ? "=" : "",
                              json_object_get_string_member_with_default (n, "path", ""));
    }
  g_assert_cmpstr (namespaces->str, ==,
                   "pid ipc=/data/pod/sandbox.d/ipcns uts mount cgroup network=/run/netns/ks-x");
  /* Without a path, a new network namespace. */
  ns = json_node_get_array (get (d, "linux.namespaces"));
  g_assert_false (json_object_has_member (
      json_array_get_object_element (ns, json_array_get_length (ns) - 1), "path"));
  g_string_free (dests, TRUE);
  g_string_free (namespaces, TRUE);
}

static void
test_config_no_command (void)
{
  g_autoptr (KsPod) pod = pod_from ("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                                    "  containers: [{name: c, image: scratch}]\n");
  KsImageConfig nothing = { 0 };
  KsOciSpec spec
      = { .pod = pod, .container = &pod->spec->containers[0], .image = &nothing, .rootfs = "/r" };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) config = ks_oci_config_new (&spec, &error);

  g_assert_null (config);
  g_assert_error (error, KS_OCI_ERROR, KS_OCI_ERROR_NO_COMMAND);
}

/* Volumes (real/ks-volumes.c): host sources made or checked, bind mounts in the config. */

static char *
claim_path (gpointer data, const char *ns, const char *claim, GError **error)
{
  if (strcmp (claim, "data") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "claim %s/%s not found", ns, claim);
      return NULL;
    }
  return g_build_filename (data, "pv", NULL);
}

/* The error of ks_volume_mounts for the pod's only container, or NULL when it succeeds. */
static char *
mounts_error (const char *dir, const char *yaml)
{
  g_autoptr (KsPod) pod = pod_from (yaml);
  g_autoptr (GPtrArray) mounts
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_oci_mount_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *pod_dir = g_build_filename (dir, "pod", NULL);

  if (ks_volume_mounts (pod, &pod->spec->containers[0], pod_dir, claim_path, (gpointer) dir, mounts,
                        &error))
    return NULL;
  return g_strdup (error->message);
}

static void
test_volumes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ks-volumes-XXXXXX", &error);
  g_autofree char *yaml = NULL;
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (GPtrArray) mounts
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_oci_mount_free);
  g_autoptr (JsonNode) config = NULL;
  KsImageConfig image = { .cmd = (char *[]){ (char *) "sh", NULL } };
  const char *want[][3] = {
    { "/scratch", "pod/volumes/scratch", "rw" },
    { "/ro", "pod/volumes/scratch/sub/dir", "ro" },
    { "/host", "host", "rw" },
    { "/data", "pv", "ro" },
    { "/rel", "pv", "rw" },
  };
  JsonArray *array;
  guint n;
  g_autofree char *msg = NULL;
  g_autofree char *pv_dir = NULL;
  g_autofree char *outside = NULL;

  g_assert_no_error (error);
  yaml = g_strdup_printf (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
      "  containers:\n"
      "  - name: c\n    image: busybox\n    volumeMounts:\n"
      "    - {name: scratch, mountPath: /scratch}\n"
      "    - {name: scratch, mountPath: /ro, subPath: sub/dir, readOnly: true}\n"
      "    - {name: host, mountPath: /host}\n"
      "    - {name: claim, mountPath: /data}\n"
      "    - {name: claim2, mountPath: rel}\n"
      "  volumes:\n"
      "  - {name: scratch, emptyDir: {}}\n"
      "  - {name: host, hostPath: {path: %s/host, type: DirectoryOrCreate}}\n"
      "  - {name: claim, persistentVolumeClaim: {claimName: data, readOnly: true}}\n"
      "  - {name: claim2, persistentVolumeClaim: {claimName: data}}\n",
      dir);
  pod = pod_from (yaml);
  {
    g_autofree char *pod_dir = g_build_filename (dir, "pod", NULL);
    g_assert_true (ks_volume_mounts (pod, &pod->spec->containers[0], pod_dir, claim_path, dir,
                                     mounts, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (mounts->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < mounts->len; i++)
    {
      const KsOciMount *m = g_ptr_array_index (mounts, i);
      g_autofree char *source = g_build_filename (dir, want[i][1], NULL);
      g_assert_cmpstr (m->destination, ==, want[i][0]);
      g_assert_cmpstr (m->source, ==, source);
      g_assert_true (g_file_test (source, G_FILE_TEST_IS_DIR)); /* made */
      g_assert_cmpint (m->read_only, ==, strcmp (want[i][2], "ro") == 0);
    }
  /* In the config: after the runtime's own mounts, as rbind with ro or rw. */
  {
    KsOciSpec spec = { .pod = pod,
                       .container = &pod->spec->containers[0],
                       .image = &image,
                       .rootfs = "/r",
                       .volume_mounts = (KsOciMount *const *) mounts->pdata,
                       .n_volume_mounts = mounts->len };
    config = ks_oci_config_new (&spec, &error);
    g_assert_no_error (error);
  }
  array = json_node_get_array (get (config, "mounts"));
  n = json_array_get_length (array);
  for (guint i = 0; i < mounts->len; i++)
    {
      JsonObject *m = json_array_get_object_element (array, n - mounts->len + i);
      g_autofree char *opts = get_joined (json_object_get_member (m, "options"), "");
      g_autofree char *want_opts = g_strconcat ("rbind rprivate ", want[i][2], NULL);
      g_assert_cmpstr (json_object_get_string_member (m, "destination"), ==, want[i][0]);
      g_assert_cmpstr (json_object_get_string_member (m, "type"), ==, "bind");
      g_assert_cmpstr (opts, ==, want_opts);
    }

  /* What cannot be mounted. */
  msg = mounts_error (dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: i, volumeMounts: [{name: v, "
                           "mountPath: /v}]}]\n"
                           "  volumes: [{name: v, configMap: {name: x}}]\n");
  g_assert_cmpstr (msg, ==,
                   "volume \"v\": configMap volumes are not supported in real mode (supported: "
                   "emptyDir, hostPath, persistentVolumeClaim)");
  g_clear_pointer (&msg, g_free);
  msg = mounts_error (dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: i, volumeMounts: [{name: v, "
                           "mountPath: /v}]}]\n"
                           "  volumes: [{name: v, persistentVolumeClaim: {claimName: other}}]\n");
  g_assert_cmpstr (msg, ==, "claim default/other not found");
  g_clear_pointer (&msg, g_free);
  msg = mounts_error (dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: i, volumeMounts: [{name: v, "
                           "mountPath: /v}]}]\n"
                           "  volumes: [{name: v, hostPath: {path: /nonexistent/x, type: "
                           "Directory}}]\n");
  g_assert_cmpstr (msg, ==,
                   "volume \"v\": hostPath type check failed: /nonexistent/x is not a directory");
  g_clear_pointer (&msg, g_free);
  /* A subPath through a symbolic link out of the volume is refused. */
  pv_dir = g_build_filename (dir, "pv", NULL);
  outside = g_build_filename (pv_dir, "out", NULL);
  g_assert_cmpint (symlink ("/", outside), ==, 0);
  msg = mounts_error (dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: i, volumeMounts: [{name: v, "
                           "mountPath: /v, subPath: out}]}]\n"
                           "  volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n");
  g_assert_cmpstr (msg, ==, "volume \"v\": subPath \"out\" resolves outside the volume");

  /* The provisioner's deleter removes only directories right below its directory. */
  g_assert_false (ks_volume_remove_provisioned ("/elsewhere", pv_dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ks_volume_remove_provisioned (dir, "pv/../pv", &error));
  g_clear_error (&error);
  g_assert_true (ks_volume_remove_provisioned (dir, pv_dir, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (pv_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test ("/", G_FILE_TEST_IS_DIR));
  g_assert_true (ks_volume_remove_provisioned (dir, pv_dir, &error)); /* gone already */
  g_assert_true (ks_fs_remove_tree (dir, &error));
}

/* runc */

static void
check_argv (char **argv, const char *expected)
{
  g_autofree char *got = g_strjoinv (" ", argv);
  g_assert_cmpstr (got, ==, expected);
  g_strfreev (argv);
}

static void
test_runc_argv (void)
{
  g_autoptr (KsRunc) runc = ks_runc_new (NULL, "/d/runc");
  const char *cmd[] = { "cat", "/etc/hostname", NULL };

  g_assert_cmpstr (ks_runc_get_root (runc), ==, "/d/runc");
  check_argv (ks_runc_argv_create (runc, "uid-c", "/d/b", "/d/b/init.pid", NULL),
              "runc --root /d/runc create --bundle /d/b --pid-file /d/b/init.pid uid-c");
  check_argv (ks_runc_argv_create (runc, "uid-c", "/d/b", "/d/b/init.pid", "/d/b/runc.log"),
              "runc --root /d/runc --log /d/b/runc.log --log-format json create --bundle /d/b "
              "--pid-file /d/b/init.pid uid-c");
  check_argv (ks_runc_argv_start (runc, "uid-c"), "runc --root /d/runc start uid-c");
  check_argv (ks_runc_argv_kill (runc, "uid-c", "TERM"), "runc --root /d/runc kill uid-c TERM");
  check_argv (ks_runc_argv_kill (runc, "uid-c", "KILL"), "runc --root /d/runc kill uid-c KILL");
  check_argv (ks_runc_argv_delete (runc, "uid-c", FALSE), "runc --root /d/runc delete uid-c");
  check_argv (ks_runc_argv_delete (runc, "uid-c", TRUE),
              "runc --root /d/runc delete --force uid-c");
  check_argv (ks_runc_argv_state (runc, "uid-c"), "runc --root /d/runc state uid-c");
  check_argv (ks_runc_argv_list (runc), "runc --root /d/runc list --format json");
  check_argv (ks_runc_argv_exec (runc, "uid-c", "/d/b/exec-1.pid", cmd),
              "runc --root /d/runc exec --pid-file /d/b/exec-1.pid uid-c cat /etc/hostname");
}

typedef struct
{
  GPtrArray *seen;
  gint status;
} HookData;

static void
hook (const char *const *argv, KsRuncResult *result, gpointer data)
{
  HookData *h = data;
  g_ptr_array_add (h->seen, g_strjoinv (" ", (char **) argv));
  result->status = h->status;
  result->err = g_strdup ("container does not exist\n");
}

static void
async_done (const KsRuncResult *result, gpointer data)
{
  gint *status = data;
  *status = result->cancelled ? -100 : result->status;
}

static void
test_runc_hook (void)
{
  g_autoptr (KsRunc) runc = ks_runc_new ("/usr/sbin/runc", "/d/runc");
  HookData h = { g_ptr_array_new_with_free_func (g_free), 1 };
  g_auto (GStrv) argv = ks_runc_argv_state (runc, "x");
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gint status = 42;

  ks_runc_set_hook (runc, hook, &h);
  g_assert_false (ks_runc_run (runc, (const char *const *) argv, NULL, &error));
  g_assert_error (error, KS_RUNC_ERROR, KS_RUNC_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "/usr/sbin/runc --root /d/runc state x failed (exit status 1): container does "
                   "not exist");
  /* Async: done comes from the main loop, never from within the call. */
  h.status = 0;
  ks_runc_run_async (runc, (const char *const *) argv, -1, NULL, async_done, &status);
  g_assert_cmpint (status, ==, 42);
  while (status == 42)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (status, ==, 0);
  /* Cancelled: done still comes (to free its data), marked cancelled. */
  status = 42;
  ks_runc_run_async (runc, (const char *const *) argv, -1, cancellable, async_done, &status);
  g_cancellable_cancel (cancellable);
  while (status == 42)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (status, ==, -100);
  g_assert_cmpuint (h.seen->len, ==, 3);
  g_assert_cmpstr (h.seen->pdata[1], ==, "/usr/sbin/runc --root /d/runc state x");
  g_ptr_array_unref (h.seen);
}

static void
test_runc_real_process (void)
{
  /* A real child (not runc: this test needs none): exit status and stderr come back. */
  g_autoptr (KsRunc) runc = ks_runc_new ("/bin/sh", "/nonexistent");
  const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 5", NULL };
  g_auto (KsRuncResult) r = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_false (ks_runc_run (runc, argv, &r, &error));
  g_assert_cmpint (r.status, ==, 5);
  g_assert_cmpstr (r.out, ==, "out\n");
  g_assert_cmpstr (r.err, ==, "err\n");
  g_assert_nonnull (strstr (error->message, "(exit status 5): err"));
}

static void
test_runc_log_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ks-runc-log-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "runc.log", NULL);
  g_autofree char *missing = g_build_filename (dir, "none.log", NULL);
  g_autofree char *got = NULL;
  g_autofree char *none = NULL;

  g_assert_true (g_file_set_contents (
      file,
      "{\"level\":\"info\",\"msg\":\"starting\",\"time\":\"t\"}\n"
      "not json\n"
      "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
      "{\"level\":\"error\",\"msg\":\"runc create failed: unable to start container process: exec: "
      "\\\"nope\\\": executable file not found in $PATH\",\"time\":\"t\"}\n",
      -1, NULL));
  got = ks_runc_log_error (file);
  g_assert_cmpstr (got, ==,
                   "runc create failed: unable to start container process: exec: \"nope\": "
                   "executable file not found in $PATH");
  none = ks_runc_log_error (missing);
  g_assert_null (none);
  g_unlink (file);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oci/cpu-math", test_cpu_math);
  g_test_add_func ("/oci/resources", test_resources);
  g_test_add_func ("/oci/resources-unified", test_unified);
  g_test_add_func ("/oci/oom-score-adj", test_oom_score_adj);
  g_test_add_func ("/oci/oom-score-adj-sidecar", test_sidecar_follows_smallest);
  g_test_add_func ("/oci/oom-score-adj-floor", test_oom_score_adj_floor);
  g_test_add_func ("/oci/args", test_args);
  g_test_add_func ("/oci/env", test_env);
  g_test_add_func ("/oci/env-field-ref", test_env_field_ref);
  g_test_add_func ("/oci/hostname", test_hostname);
  g_test_add_func ("/oci/hosts-subdomain", test_hosts_subdomain);
  g_test_add_func ("/oci/config", test_config);
  g_test_add_func ("/oci/config-no-command", test_config_no_command);
  g_test_add_func ("/runc/argv", test_runc_argv);
  g_test_add_func ("/oci/volumes", test_volumes);
  g_test_add_func ("/runc/hook", test_runc_hook);
  g_test_add_func ("/runc/real-process", test_runc_real_process);
  g_test_add_func ("/runc/log-error", test_runc_log_error);
  return g_test_run ();
}

/* test-node-agent.c: what a node agent reports about its machine (status.nodeInfo) without
 * root: osImage from os-release as cAdvisor reads it, the runtime's version from `runc
 * --version`, the whole nodeInfo of this machine (with a stand-in runc), and the labels and taints
 * of --node-labels and --register-with-taints on the Node it registers. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "real/ks-node-agent.h"

static void
test_os_release (void)
{
  static const struct
  {
    const char *text;
    const char *expect;
  } cases[] = {
    { "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n",
      "Debian GNU/Linux 12 (bookworm)" },
    { "NAME=Fedora\nPRETTY_NAME='Fedora Linux 40 (Workstation Edition)'\n",
      "Fedora Linux 40 (Workstation Edition)" },
    { "PRETTY_NAME=Alpine\n", "Alpine" },
    { "PRETTY_NAME=\"say \\\"hi\\\"\"\n", "say \"hi\"" },
    /* Missing, empty or not shell-quoted properly: cAdvisor's default. */
    { "NAME=Debian\n", "Linux" },
    { "PRETTY_NAME=\"\"\n", "Linux" },
    { "PRETTY_NAME=\"unterminated\n", "Linux" },
    { "", "Linux" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = ks_os_release_pretty_name (cases[i].text);
      g_assert_cmpstr (name, ==, cases[i].expect);
    }
  {
    g_autofree char *name = ks_os_release_pretty_name (NULL);
    g_assert_cmpstr (name, ==, "Linux");
  }
}

static void
test_runc_version (void)
{
  g_autofree char *v = ks_runc_version_parse ("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1\n"
                                              "spec: 1.0.2-dev\ngo: go1.19.8\n");
  g_autofree char *v2 = ks_runc_version_parse ("runc version 1.2.0");

  g_assert_cmpstr (v, ==, "1.1.5+ds1");
  g_assert_cmpstr (v2, ==, "1.2.0");
  g_assert_null (ks_runc_version_parse ("runc version \n"));
  g_assert_null (ks_runc_version_parse ("crun version 1.8\n"));
  g_assert_null (ks_runc_version_parse (""));
  g_assert_null (ks_runc_version_parse (NULL));
}

/* Go's GOARCH for this machine, as the agent must report it. */
static const char *
expected_arch (const char *machine)
{
  if (g_str_equal (machine, "x86_64"))
    return "amd64";
  if (g_str_equal (machine, "aarch64"))
    return "arm64";
  return NULL;
}

static void
test_system_info (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-node-agent-XXXXXX", &error);
  g_autofree char *runc = NULL;
  g_autoptr (KsNodeSystemInfo) info = NULL;
  g_autoptr (KsNodeSystemInfo) without = NULL;
  struct utsname u;

  g_assert_no_error (error);
  runc = g_build_filename (dir, "runc", NULL);
  g_assert_true (
      g_file_set_contents (runc, "#!/bin/sh\necho 'runc version 9.8.7-test'\n", -1, &error));
  g_assert_cmpint (g_chmod (runc, 0755), ==, 0);
  info = ks_node_agent_system_info (runc);
  g_assert_cmpint (uname (&u), ==, 0);
  g_assert_cmpstr (info->kernel_version, ==, u.release);
  g_assert_cmpstr (info->container_runtime_version, ==, "runc://9.8.7-test");
  g_assert_cmpstr (info->kubelet_version, ==, KS_KUBELET_VERSION);
  g_assert_cmpstr (info->kube_proxy_version, ==, KS_KUBELET_VERSION);
  g_assert_cmpstr (info->operating_system, ==, "linux");
  if (expected_arch (u.machine) != NULL)
    g_assert_cmpstr (info->architecture, ==, expected_arch (u.machine));
  g_assert_nonnull (info->os_image);
  g_assert_cmpstr (info->os_image, !=, "");
  if (g_file_test ("/proc/sys/kernel/random/boot_id", G_FILE_TEST_EXISTS))
    g_assert_cmpuint (strlen (info->boot_id), ==, 36);

  /* A runtime that cannot tell its version: the field is left unset. */
  without = ks_node_agent_system_info ("/bin/false");
  g_assert_null (without->container_runtime_version);
  g_unlink (runc);
  g_rmdir (dir);
}

/* --node-labels and --register-with-taints, and the Node they register. */
static void
test_labels_taints (void)
{
  static const char *const bad_labels[] = { "a", "a=b,c", "-a=b", "a=b c", NULL };
  static const char *const bad_taints[]
      = { "a", "a:Sometimes", ":NoSchedule", "a=b", "a=b:NoSchedule,c", NULL };
  g_auto (KsNodeAgentOptions) o = { 0 };
  g_autoptr (KsNode) node = NULL;
  g_autoptr (GError) error = NULL;

  ks_node_agent_options_init (&o);
  o.node_name = g_strdup ("n1");
  o.milli_cpu = 500;
  o.memory = 1 << 30;
  g_assert_true (ks_node_agent_parse_labels ("kubesim.io/node-group=small,tier=,"
                                             "kubernetes.io/hostname=other",
                                             &o.labels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ks_str_map_size (o.labels), ==, 3);
  g_assert_true (ks_node_agent_parse_taints ("dedicated=gpu:NoSchedule,spot:PreferNoSchedule",
                                             &o.taints, &o.n_taints, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (o.n_taints, ==, 2);
  node = ks_node_agent_initial_node (&o, 10250);
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (node), "kubesim.io/node-group"), ==, "small");
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (node), "tier"), ==, "");
  /* The kubelet's own labels win. */
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (node), "kubernetes.io/hostname"), ==, "n1");
  g_assert_cmpuint (node->n_taints, ==, 2);
  g_assert_cmpstr (node->taints[0].key, ==, "dedicated");
  g_assert_cmpstr (node->taints[0].value, ==, "gpu");
  g_assert_cmpint (node->taints[0].effect, ==, KS_TAINT_NO_SCHEDULE);
  g_assert_cmpstr (node->taints[1].key, ==, "spot");
  g_assert_cmpstr (node->taints[1].value, ==, "");
  g_assert_cmpint (node->taints[1].effect, ==, KS_TAINT_PREFER_NO_SCHEDULE);
  g_assert_cmpint (node->allocatable.milli_cpu, ==, 500);
  for (guint i = 0; bad_labels[i] != NULL; i++)
    {
      g_autoptr (KsStrMap) labels = NULL;
      g_autoptr (GError) e = NULL;
      g_assert_false (ks_node_agent_parse_labels (bad_labels[i], &labels, &e));
      g_assert_error (e, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (e->message, "--node-labels: "));
    }
  for (guint i = 0; bad_taints[i] != NULL; i++)
    {
      KsTaint *taints = NULL;
      guint n = 0;
      g_autoptr (GError) e = NULL;
      g_assert_false (ks_node_agent_parse_taints (bad_taints[i], &taints, &n, &e));
      g_assert_error (e, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID);
      g_assert_nonnull (strstr (e->message, "NoSchedule, PreferNoSchedule or NoExecute"));
      g_assert_null (taints);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/node-agent/os-release", test_os_release);
  g_test_add_func ("/node-agent/runc-version", test_runc_version);
  g_test_add_func ("/node-agent/system-info", test_system_info);
  g_test_add_func ("/node-agent/labels-taints", test_labels_taints);
  return g_test_run ();
}

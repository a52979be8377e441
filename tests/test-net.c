/* test-net.c: real mode's pod network without root (real/ks-net.c): addresses and CIDRs, the
 * IPAM (lowest free, persistence, release, exhaustion, several processes at once), the ip
 * command lines of every operation (through a recording command runner), the sweep's
 * parsing of ip's JSON, the preflight's route conflicts, and the route check's refusals.
 * tests/test-net-real.c runs the same code against the kernel, as root. */
#include "config.h"

#include "real/ks-net-private.h"
#include "tests/ks-test.h"

#include <glib/gstdio.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#define UID_A "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
#define UID_B "6fa459ea-ee8a-4ca4-894e-db77e160355e"

typedef struct
{
  char *dir; /* a temporary data directory */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ks-net-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* ---- Addresses ---- */

static void
test_parse (void)
{
  guint32 a, n;
  guint len;
  char buf[16];

  g_assert_true (ks_net_parse_ipv4 ("10.244.1.2", &a));
  g_assert_cmphex (a, ==, 0x0af40102);
  g_assert_cmpstr (ks_net_format_ipv4 (a, buf), ==, "10.244.1.2");
  g_assert_true (ks_net_parse_ipv4 ("255.255.255.255", &a));
  for (guint i = 0; i < 7; i++)
    {
      static const char *bad[]
          = { "", "10.244.1", "10.244.1.256", "010.244.1.2", " 10.1.1.1", "::1", "10.1.1.1/24" };
      g_assert_false (ks_net_parse_ipv4 (bad[i], &a));
    }
  g_assert_false (ks_net_parse_ipv4 (NULL, &a));

  g_assert_true (ks_net_parse_cidr ("10.244.3.0/24", 24, 24, &n, &len));
  g_assert_cmphex (n, ==, 0x0af40300);
  g_assert_cmpuint (len, ==, 24);
  g_assert_false (ks_net_parse_cidr ("10.244.3.1/24", 0, 32, &n, &len)); /* host bits */
  g_assert_false (ks_net_parse_cidr ("10.244.3.0/23", 24, 24, &n, &len));
  g_assert_false (ks_net_parse_cidr ("10.244.3.0/024", 0, 32, &n, &len));
  g_assert_false (ks_net_parse_cidr ("10.244.3.0/", 0, 32, &n, &len));
  g_assert_false (ks_net_parse_cidr ("10.244.3.0/24x", 0, 32, &n, &len));
  g_assert_false (ks_net_parse_cidr ("10.244.3.0", 0, 32, &n, &len));
  g_assert_true (ks_net_parse_cidr ("0.0.0.0/0", 0, 32, &n, &len));

  g_assert_true (ks_net_in_pod_range (0x0af4ff01));
  g_assert_false (ks_net_in_pod_range (0x0af50001));
  g_assert_true (ks_net_in_service_range (0x0a60000a));
  g_assert_false (ks_net_in_service_range (0x0a61000a));
}

/* ---- IPAM ---- */

static void
test_ipam_allocate (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ipam", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.1.0/24", &error);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *again = NULL, *text = NULL;
  g_autofree char *record = g_build_filename (dir, "10.244.1.2", NULL);

  g_assert_no_error (error);
  a = ks_net_ipam_allocate (ipam, UID_A, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "10.244.1.2"); /* .0 and .1 are never handed out */
  b = ks_net_ipam_allocate (ipam, UID_B, &error);
  g_assert_cmpstr (b, ==, "10.244.1.3");
  again = ks_net_ipam_allocate (ipam, UID_A, &error); /* idempotent per owner */
  g_assert_cmpstr (again, ==, "10.244.1.2");
  g_assert_true (g_file_get_contents (record, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, UID_A "\n");

  /* Released addresses are reused lowest first. */
  g_assert_true (ks_net_ipam_release (ipam, UID_A, &error));
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  g_assert_true (ks_net_ipam_release (ipam, UID_A, &error)); /* nothing to release: fine */
  g_assert_null (ks_net_ipam_lookup (ipam, UID_A, &error));
  g_assert_no_error (error);
  c = ks_net_ipam_allocate (ipam, "other", &error);
  g_assert_cmpstr (c, ==, "10.244.1.2");
  g_assert_no_error (error);
}

static void
test_ipam_persistence (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ipam", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) all = NULL;

  {
    g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.7.0/24", &error);
    for (guint i = 0; i < 5; i++)
      {
        g_autofree char *owner = g_strdup_printf ("pod-%u", i);
        g_autofree char *ip = ks_net_ipam_allocate (ipam, owner, &error);
        g_assert_no_error (error);
      }
    g_assert_true (ks_net_ipam_release (ipam, "pod-1", &error));
  }
  /* A restarted agent: a new IPAM on the same directory sees the records. */
  {
    g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.7.0/24", &error);
    g_autofree char *known = ks_net_ipam_allocate (ipam, "pod-3", &error);
    g_autofree char *fresh = ks_net_ipam_allocate (ipam, "pod-9", &error);
    g_autofree char *next = ks_net_ipam_allocate (ipam, "pod-10", &error);
    g_autofree char *looked = ks_net_ipam_lookup (ipam, "pod-4", &error);

    g_assert_cmpstr (known, ==, "10.244.7.5");
    g_assert_cmpstr (fresh, ==, "10.244.7.3"); /* pod-1's, freed */
    g_assert_cmpstr (next, ==, "10.244.7.7");
    g_assert_cmpstr (looked, ==, "10.244.7.6");
    all = ks_net_ipam_list (ipam, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (all), ==, 6);
    g_assert_cmpstr (g_hash_table_lookup (all, "pod-0"), ==, "10.244.7.2");
    g_assert_cmpstr (g_hash_table_lookup (all, "pod-10"), ==, "10.244.7.7");
    g_assert_false (g_hash_table_contains (all, "pod-1"));
  }
}

static void
test_ipam_exhaustion (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ipam", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.2.0/24", &error);
  g_autofree char *last = NULL, *none = NULL, *reused = NULL;

  for (guint i = 0; i < 253; i++)
    {
      g_autofree char *owner = g_strdup_printf ("p%u", i);
      g_autofree char *ip = ks_net_ipam_allocate (ipam, owner, &error);
      g_assert_no_error (error);
      if (i == 252)
        last = g_strdup (ip);
    }
  g_assert_cmpstr (last, ==, "10.244.2.254"); /* .255 is the broadcast address */
  none = ks_net_ipam_allocate (ipam, "one-too-many", &error);
  g_assert_null (none);
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_EXHAUSTED);
  g_assert_nonnull (strstr (error->message, "no free pod address in 10.244.2.0/24 for "
                                            "one-too-many: all 253 addresses (10.244.2.2 to "
                                            "10.244.2.254) are taken"));
  g_clear_error (&error);
  g_assert_true (ks_net_ipam_release (ipam, "p100", &error));
  reused = ks_net_ipam_allocate (ipam, "one-too-many", &error);
  g_assert_cmpstr (reused, ==, "10.244.2.102");
}

static void
test_ipam_bad (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ipam", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNetIpam) ipam = NULL;
  static const char *bad_cidrs[]
      = { "10.244.1.0", "10.244.1.1/24", "10.0.0.0/8", "10.244.1.0/31", "x/24" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_cidrs); i++)
    {
      g_assert_null (ks_net_ipam_new (dir, bad_cidrs[i], &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad_cidrs[i]));
      g_clear_error (&error);
    }
  ipam = ks_net_ipam_new (dir, "10.244.1.0/30", &error);
  g_assert_no_error (error);
  {
    g_autofree char *only = ks_net_ipam_allocate (ipam, "a", &error);
    g_assert_cmpstr (only, ==, "10.244.1.2"); /* a /30 has one address to give */
    g_assert_null (ks_net_ipam_allocate (ipam, "b", &error));
    g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_EXHAUSTED);
    g_clear_error (&error);
  }
  for (guint i = 0; i < 3; i++)
    {
      static const char *bad_owners[] = { "", "a/b", "a\nb" };
      g_assert_null (ks_net_ipam_allocate (ipam, bad_owners[i], &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_clear_error (&error);
    }
  /* A directory that cannot be created. */
  {
    g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
    g_autofree char *under = g_build_filename (file, "ipam", NULL);
    g_assert_true (g_file_set_contents (file, "x", -1, NULL));
    g_assert_null (ks_net_ipam_new (under, "10.244.1.0/24", &error));
    g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM);
  }
}

/* A child process of test_ipam_processes: allocates 20 addresses in dir for owners
 * proc<index>-<i>. */
static int
ipam_child (const char *dir, const char *index)
{
  g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.9.0/24", NULL);

  for (guint i = 0; ipam != NULL && i < 20; i++)
    {
      g_autofree char *owner = g_strdup_printf ("proc%s-%u", index, i);
      g_autofree char *got = ks_net_ipam_allocate (ipam, owner, NULL);
      if (got == NULL)
        return 1;
    }
  return ipam != NULL ? 0 : 1;
}

/* Several processes allocating at once never get the same address. */
static void
test_ipam_processes (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "ipam", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNetIpam) ipam = ks_net_ipam_new (dir, "10.244.9.0/24", &error);
  g_autoptr (GHashTable) all = NULL;
  g_autoptr (GHashTable) ips = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  /* The path (not /proc/self/exe itself, which under valgrind is valgrind). */
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  GHashTableIter it;
  gpointer ip;

  for (guint p = 0; p < 4; p++)
    {
      char index[8];
      const char *argv[] = { self, "--ipam-child", dir, index, NULL };
      g_snprintf (index, sizeof index, "%u", p);
      g_ptr_array_add (procs, g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error));
      g_assert_no_error (error);
    }
  for (guint p = 0; p < procs->len; p++)
    {
      g_assert_true (g_subprocess_wait_check (procs->pdata[p], NULL, &error));
      g_assert_no_error (error);
    }
  all = ks_net_ipam_list (ipam, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (all), ==, 80);
  g_hash_table_iter_init (&it, all);
  while (g_hash_table_iter_next (&it, NULL, &ip))
    g_assert_true (g_hash_table_add (ips, ip)); /* each address once */
  g_assert_true (g_hash_table_contains (ips, "10.244.9.81"));
  g_assert_false (g_hash_table_contains (ips, "10.244.9.82"));
}

/* ---- Command lines ---- */

typedef struct
{
  GString *log;
  const char *netns_json;
  const char *links_json;
  const char *fail_on; /* fail a command whose input contains this */
} Recorder;

static gboolean
record (const char *const *argv, const char *input, char **output, gpointer user_data,
        GError **error)
{
  Recorder *r = user_data;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

  g_string_append_printf (r->log, "$ %s\n%s", cmd, input != NULL ? input : "");
  if (r->fail_on != NULL && input != NULL && strstr (input, r->fail_on) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "RTNETLINK answers: File exists");
      return FALSE;
    }
  if (strcmp (cmd, "ip -j netns list") == 0)
    *output = g_strdup (r->netns_json);
  else if (strcmp (cmd, "ip -j link show") == 0)
    *output = g_strdup (r->links_json);
  return TRUE;
}

static void
recorder_clear (gpointer data)
{
  Recorder *r = data;

  g_string_free (r->log, TRUE);
  r->log = NULL;
}

static KsNet *
recording_net (Fixture *f, Recorder *r)
{
  KsNet *net = ks_net_new (f->dir);
  g_autoptr (GError) error = NULL;

  r->log = g_string_new (NULL);
  ks_net_set_command_func (net, record, r, recorder_clear);
  g_assert_true (ks_net_set_node (net, "node-1", "10.244.1.0/24", &error));
  g_assert_no_error (error);
  return net;
}

static void
test_commands_pod (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = recording_net (f, &r);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL, *ip = NULL, *ip_b = NULL;
  g_autofree char *ipam_dir = g_build_filename (f->dir, "nodes", "node-1", "ipam", NULL);

  g_assert_true (ks_net_pod_setup (net, UID_A, &path, &ip, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/run/netns/ks-" UID_A);
  g_assert_cmpstr (ip, ==, "10.244.1.2");
  g_assert_cmpstr (
      r.log->str, ==,
      "$ ip -b -\n"
      "netns add ks-" UID_A "\n"
      "link add ksv0af40102 type veth peer name eth0 address 0a:58:0a:f4:01:02 netns ks-" UID_A "\n"
      "link set ksv0af40102 master kubesim0 up\n"
      "$ ip -n ks-" UID_A " -b -\n"
      "link set lo up\n"
      "addr replace 10.244.1.2/16 dev eth0\n"
      "link set eth0 up\n"
      "route replace default via 10.244.0.1 dev eth0\n");
  g_assert_true (g_file_test (ipam_dir, G_FILE_TEST_IS_DIR));

  g_string_truncate (r.log, 0);
  g_assert_true (ks_net_pod_setup (net, UID_B, NULL, &ip_b, &error));
  g_assert_cmpstr (ip_b, ==, "10.244.1.3");
  g_assert_nonnull (strstr (r.log->str, "link add ksv0af40103 type veth"));

  g_string_truncate (r.log, 0);
  g_assert_true (ks_net_pod_teardown (net, UID_A, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r.log->str, ==,
                   "$ ip -force -b -\n"
                   "link del ksv0af40102\n"
                   "netns del ks-" UID_A "\n");
  {
    g_autofree char *gone = ks_net_ipam_lookup (ks_net_get_ipam (net), UID_A, &error);
    g_assert_null (gone);
  }
  /* Torn down already: only the namespace is named (the address is gone). */
  g_string_truncate (r.log, 0);
  g_assert_true (ks_net_pod_teardown (net, UID_A, &error));
  g_assert_cmpstr (r.log->str, ==, "$ ip -force -b -\nnetns del ks-" UID_A "\n");
}

static void
test_commands_pod_failure (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = recording_net (f, &r);
  g_autoptr (GError) error = NULL;
  g_autofree char *ip = NULL;
  char *path = (char *) "unchanged";

  r.fail_on = "route replace";
  g_assert_false (ks_net_pod_setup (net, UID_A, &path, NULL, &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND);
  g_assert_cmpstr (path, ==, "unchanged");
  g_assert_nonnull (strstr (error->message, "pod " UID_A ": network setup: ip -n ks-" UID_A
                                            " -b - <<< 'link set lo up;"));
  g_assert_nonnull (strstr (error->message, "RTNETLINK answers: File exists"));
  /* Cleaned up: veth and namespace removed, address released. */
  g_assert_true (g_str_has_suffix (r.log->str, "$ ip -force -b -\n"
                                               "link del ksv0af40102\n"
                                               "netns del ks-" UID_A "\n"));
  g_assert_null (ks_net_ipam_lookup (ks_net_get_ipam (net), UID_A, NULL));
  g_clear_error (&error);

  r.fail_on = NULL;
  g_assert_true (ks_net_pod_setup (net, UID_A, NULL, &ip, &error));
  g_assert_cmpstr (ip, ==, "10.244.1.2");
}

static void
test_commands_bad (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = ks_net_new (f->dir);
  g_autoptr (GError) error = NULL;
  static const char *bad_cidrs[]
      = { "10.244.0.0/24", "10.245.1.0/24", "10.244.1.0/16", "10.244.1.1/24", NULL };

  r.log = g_string_new (NULL);
  ks_net_set_command_func (net, record, &r, recorder_clear);
  g_assert_false (ks_net_pod_setup (net, UID_A, NULL, NULL, &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no node"));
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cidrs); i++)
    {
      g_assert_false (ks_net_set_node (net, "n", bad_cidrs[i], &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "podCIDR"));
      g_clear_error (&error);
    }
  g_assert_false (ks_net_set_node (net, "a/b", "10.244.1.0/24", &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ks_net_set_node (net, "n", "10.244.1.0/24", &error));
  g_assert_true (ks_net_set_node (net, "n", "10.244.1.0/24", &error)); /* the same again */
  g_assert_false (ks_net_set_node (net, "n", "10.244.2.0/24", &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    {
      static const char *bad_uids[] = { "", "../../etc", "1B4E28BA-2FA1-41D2-883F-0016D3CCA427",
                                        "1b4e28ba-2fa1-41d2-883f-0016d3cca42" };
      g_assert_false (ks_net_pod_setup (net, bad_uids[i], NULL, NULL, &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "expected a UUID"));
      g_clear_error (&error);
      g_assert_false (ks_net_pod_teardown (net, bad_uids[i], &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_clear_error (&error);
    }
  for (guint i = 0; i < 3; i++)
    {
      static const char *bad_ips[] = { "10.244.0.5", "10.97.0.1", "x" };
      g_assert_false (ks_net_service_ip_add (net, bad_ips[i], &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "inside 10.96.0.0/16"));
      g_clear_error (&error);
      g_assert_false (ks_net_service_ip_remove (net, bad_ips[i], &error));
      g_clear_error (&error);
    }
  g_assert_cmpuint (r.log->len, ==, 0); /* nothing ran */
}

static void
test_commands_host (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = recording_net (f, &r);
  g_autoptr (GError) error = NULL;

  g_assert_true (ks_net_bridge_ensure (net, &error));
  g_assert_true (ks_net_service_ip_add (net, "10.96.0.10", &error));
  g_assert_true (ks_net_service_ip_remove (net, "10.96.0.10", &error));
  g_assert_true (ks_net_bridge_teardown (net, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r.log->str, ==,
                   "$ ip -force -b -\n"
                   "link add kubesim0 type bridge\n"
                   "addr replace 10.244.0.1/16 dev kubesim0\n"
                   "link set kubesim0 up\n"
                   "$ ip -b -\n"
                   "addr replace 10.96.0.10/32 dev kubesim0\n"
                   "$ ip -b -\n"
                   "addr del 10.96.0.10/32 dev kubesim0\n"
                   "$ ip -force -b -\n"
                   "link del kubesim0\n");
}

static void
test_commands_gc (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = recording_net (f, &r);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) left = NULL;
  const char *live[] = { UID_B, NULL };

  g_assert_true (ks_net_pod_setup (net, UID_A, NULL, NULL, &error));
  g_assert_true (ks_net_pod_setup (net, UID_B, NULL, NULL, &error));
  g_string_truncate (r.log, 0);
  g_assert_true (ks_net_node_gc (net, live, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r.log->str, ==,
                   "$ ip -force -b -\nlink del ksv0af40102\nnetns del ks-" UID_A "\n");
  left = ks_net_ipam_list (ks_net_get_ipam (net), &error);
  g_assert_cmpuint (g_hash_table_size (left), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (left, UID_B), ==, "10.244.1.3");
}

static void
test_commands_sweep (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (KsNet) net = recording_net (f, &r);
  g_autoptr (GError) error = NULL;
  g_autofree char *ipam_dir = g_build_filename (f->dir, "nodes", "node-1", "ipam", NULL);

  g_assert_true (ks_net_pod_setup (net, UID_A, NULL, NULL, &error));
  g_assert_true (g_file_test (ipam_dir, G_FILE_TEST_IS_DIR));
  g_string_truncate (r.log, 0);
  /* Names that are not kubesim's are left alone: a netns that is not ks-<uuid>, an interface
   * that merely starts with ksv. */
  r.netns_json = "[{\"name\":\"ks-" UID_B "\",\"id\":0},{\"name\":\"ks-foo\"},"
                 "{\"name\":\"mine\"}]";
  r.links_json
      = "[{\"ifindex\":1,\"ifname\":\"lo\"},{\"ifindex\":2,\"ifname\":\"eth0\"},"
        "{\"ifindex\":3,\"ifname\":\"kubesim0\"},"
        "{\"ifindex\":5,\"ifname\":\"ksv0af40103\",\"master\":\"kubesim0\"},"
        "{\"ifindex\":4,\"ifname\":\"ksv0af40102\"},"
        "{\"ifindex\":6,\"ifname\":\"ksvother\"},{\"ifindex\":7,\"ifname\":\"ksv0AF40104\"}]";
  g_assert_true (ks_net_sweep (net, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r.log->str, ==,
                   "$ ip -j netns list\n"
                   "$ ip -j link show\n"
                   "$ ip -force -b -\n"
                   "netns del ks-" UID_B "\n"
                   "$ ip -force -b -\n"
                   "link del ksv0af40102\n"
                   "link del ksv0af40103\n"
                   "link del kubesim0\n");
  g_assert_false (g_file_test (ipam_dir, G_FILE_TEST_EXISTS));

  /* ip -j netns list prints nothing when there is no namespace; the bridge may be gone. */
  g_string_truncate (r.log, 0);
  r.netns_json = "";
  r.links_json = "[{\"ifindex\":1,\"ifname\":\"lo\"}]";
  g_assert_true (ks_net_sweep (net, &error));
  g_assert_cmpstr (r.log->str, ==, "$ ip -j netns list\n$ ip -j link show\n");

  r.links_json = "{\"not\":\"an array\"}";
  g_assert_false (ks_net_sweep (net, &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND);
  g_clear_error (&error);
  r.links_json = "[{";
  g_assert_false (ks_net_sweep (net, &error));
  g_assert_nonnull (error);
}

/* ---- Preflight: route conflicts ---- */

static KsNetRoute
route (const char *dst, guint8 len, guint8 type, guint32 table, const char *dev,
       gboolean via_bridge)
{
  KsNetRoute r = { .dst_len = len, .type = type, .table = table, .via_bridge = via_bridge };

  g_assert_true (ks_net_parse_ipv4 (dst, &r.dst));
  g_strlcpy (r.dev, dev, sizeof r.dev);
  return r;
}

static void
test_route_conflicts (void)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  KsNetRoute fine[] = {
    route ("0.0.0.0", 0, RTN_UNICAST, RT_TABLE_MAIN, "eth0", FALSE),
    route ("192.168.1.0", 24, RTN_UNICAST, RT_TABLE_MAIN, "eth0", FALSE),
    route ("10.245.0.0", 16, RTN_UNICAST, RT_TABLE_MAIN, "eth1", FALSE),
    route ("10.95.255.0", 24, RTN_UNICAST, RT_TABLE_MAIN, "eth1", FALSE),
    route ("10.244.0.0", 16, RTN_UNICAST, RT_TABLE_MAIN, "kubesim0", TRUE),
    route ("10.244.0.1", 32, RTN_LOCAL, RT_TABLE_LOCAL, "kubesim0", TRUE),
    route ("10.96.0.10", 32, RTN_LOCAL, RT_TABLE_LOCAL, "kubesim0", TRUE),
    route ("127.0.0.0", 8, RTN_LOCAL, RT_TABLE_LOCAL, "lo", FALSE),
  };
  KsNetRoute bad[] = {
    route ("10.0.0.0", 8, RTN_UNICAST, RT_TABLE_MAIN, "eth0", FALSE),
    route ("10.244.5.0", 24, RTN_UNICAST, 100, "wg0", FALSE),
    route ("10.96.3.4", 32, RTN_LOCAL, RT_TABLE_LOCAL, "eth1", FALSE),
    route ("10.96.0.0", 12, RTN_BLACKHOLE, RT_TABLE_MAIN, "", FALSE),
  };

  g_assert_true (ks_net_check_routes (fine, G_N_ELEMENTS (fine), problems));
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_false (ks_net_check_routes (bad, G_N_ELEMENTS (bad), problems));
  g_assert_cmpstr (problems->str, ==,
                   "pod addresses 10.244.0.0/16 are already routed elsewhere: unicast route "
                   "10.0.0.0/8 dev eth0 (table main) covers them\n"
                   "Service addresses 10.96.0.0/16 are already routed elsewhere: unicast route "
                   "10.0.0.0/8 dev eth0 (table main) covers them\n"
                   "pod addresses 10.244.0.0/16 are already routed elsewhere: unicast route "
                   "10.244.5.0/24 dev wg0 (table 100) lies inside them\n"
                   "Service addresses 10.96.0.0/16 are already routed elsewhere: local route "
                   "10.96.3.4/32 dev eth1 (table local) lies inside them\n"
                   "Service addresses 10.96.0.0/16 are already routed elsewhere: blackhole "
                   "route 10.96.0.0/12 (table main) covers them\n");
}

/* ---- The route check refuses what is not kubesim's without asking ---- */

static void
test_route_check (Fixture *f, gconstpointer data)
{
  g_autoptr (KsNet) net = ks_net_new (f->dir);
  static const char *never[]
      = { "127.0.0.1", "192.0.2.1", "10.245.0.1", "8.8.8.8", "", "x", "::1", "10.244.1.2/32" };

  for (guint i = 0; i < G_N_ELEMENTS (never); i++)
    g_assert_false (ks_net_route_is_ours (net, never[i]));
  /* Without a kubesim0 here, pod and Service addresses are not ours either. */
  if (if_nametoindex (KS_NET_BRIDGE) == 0)
    {
      g_assert_false (ks_net_route_is_ours (net, "10.244.1.2"));
      g_assert_false (ks_net_route_is_ours (net, "10.96.0.10"));
    }
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "--ipam-child") == 0)
    return ipam_child (argv[2], argv[3]);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/parse", test_parse);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/net/ipam/allocate", test_ipam_allocate);
  ADD ("/net/ipam/persistence", test_ipam_persistence);
  ADD ("/net/ipam/exhaustion", test_ipam_exhaustion);
  ADD ("/net/ipam/bad", test_ipam_bad);
  ADD ("/net/ipam/processes", test_ipam_processes);
  ADD ("/net/commands/pod", test_commands_pod);
  ADD ("/net/commands/pod-failure", test_commands_pod_failure);
  ADD ("/net/commands/bad", test_commands_bad);
  ADD ("/net/commands/host", test_commands_host);
  ADD ("/net/commands/gc", test_commands_gc);
  ADD ("/net/commands/sweep", test_commands_sweep);
  ADD ("/net/route-check", test_route_check);
#undef ADD
  g_test_add_func ("/net/route-conflicts", test_route_conflicts);
  return g_test_run ();
}

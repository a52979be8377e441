/* test-runc-runtime.c: the runc runtime (real/ks-runc-runtime.c) with real busybox containers on
 * a GLib main loop and the wall clock.  Needs root, runc and /bin/busybox; tests/runc-runtime.sh
 * runs it in private network and mount namespaces.  Each test uses its own node (so its own
 * cgroups and directories) in one temporary data directory, under the cgroup parent
 * $KS_TEST_CGROUP_PARENT; at the end nothing may be left: no runc container, no cgroup, no
 * bundle, no mount. */
#define _GNU_SOURCE /* unshare, setns, CLONE_NEW* */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "real/ks-cgroup.h"
#include "real/ks-fsutil.h"
#include "real/ks-nsfile.h"
#include "real/ks-runc-runtime.h"
#include "real/ks-runc.h"
#include "real/ks-wall-clock.h"
#include "tests/ks-test.h"

#define MS KS_USEC_PER_MSEC
#define SEC KS_USEC_PER_SEC

static char *data_dir;
static const char *cgroup_parent;
static guint node_seq;

typedef struct
{
  KsContainerEventType type;
  char *container;
  gint exit_code;
  char *reason;
  char *container_id;
  gint64 at;
} Event;

/* A network provider standing in for the node agent's: a fresh network namespace per pod, and
 * a fixed IP. */
typedef struct
{
  guint setups;
  guint teardowns;
  GHashTable *paths; /* uid string → netns path */
} FakeNet;

typedef struct
{
  KsWallClock *wc;
  KsClock *clock;
  KsRuntime *rt;
  char *node;
  GPtrArray *events; /* Event* */
  GPtrArray *pods;   /* KsPod* */
  FakeNet net;
  KsNetworkProvider provider;
} Fixture;

static gboolean
fake_setup (gpointer data, const KsPod *pod, char **netns, char **ip, GError **error)
{
  FakeNet *n = data;
  char uid[KS_UID_STRING_LEN];
  g_autofree char *dir = g_build_filename (data_dir, "fake-net", NULL);
  char *path;

  n->setups++;
  ks_uid_to_string (&pod->parent.meta.uid, uid);
  path = g_build_filename (dir, uid, NULL);
  if (!ks_fs_mkdirs (dir, 0755, error) || !ks_ns_files_create (path, NULL, error))
    {
      g_free (path);
      return FALSE;
    }
  g_hash_table_insert (n->paths, g_strdup (uid), g_strdup (path));
  *netns = path;
  *ip = g_strdup ("10.244.1.5");
  return TRUE;
}

static void
fake_teardown (gpointer data, const KsUid *pod_uid)
{
  FakeNet *n = data;
  char uid[KS_UID_STRING_LEN];
  const char *path;

  n->teardowns++;
  ks_uid_to_string (pod_uid, uid);
  path = g_hash_table_lookup (n->paths, uid);
  if (path != NULL)
    g_assert_true (ks_ns_file_remove (path, NULL));
  g_hash_table_remove (n->paths, uid);
}

static void
event_free (gpointer p)
{
  Event *e = p;
  g_free (e->container);
  g_free (e->reason);
  g_free (e->container_id);
  g_free (e);
}

static void
on_event (const KsContainerEvent *event, gpointer data)
{
  Fixture *f = data;
  Event *e = g_new0 (Event, 1);

  e->type = event->type;
  e->container = g_strdup (event->container);
  e->exit_code = event->exit_code;
  e->reason = g_strdup (event->reason);
  e->container_id = g_strdup (event->container_id);
  e->at = ks_clock_now (f->clock);
  g_ptr_array_add (f->events, e);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  KsRuncRuntimeOptions options = {
    .data_dir = data_dir,
    .cgroup_parent = cgroup_parent,
    .node_milli_cpu = 2000,
    .node_memory = G_GINT64_CONSTANT (1) << 30,
  };
  g_autoptr (GError) error = NULL;

  f->wc = ks_wall_clock_new ();
  f->clock = ks_wall_clock_get_clock (f->wc);
  f->node = g_strdup_printf ("node-%u", ++node_seq);
  options.node_name = f->node;
  f->net.paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (data != NULL)
    {
      f->provider = (KsNetworkProvider){ fake_setup, fake_teardown, &f->net };
      options.network = &f->provider;
    }
  f->rt = ks_runc_runtime_new (f->clock, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->rt);
  f->events = g_ptr_array_new_with_free_func (event_free);
  f->pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  ks_runtime_set_notify (f->rt, on_event, f);
}

/* Run the main loop until done (f) or timeout µs. */
static gboolean
run_until (Fixture *f, gboolean (*done) (Fixture *f, gpointer data), gpointer data, gint64 timeout)
{
  gint64 end = g_get_monotonic_time () + timeout;

  while (!done (f, data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
is_idle (Fixture *f, gpointer data)
{
  return ks_runc_runtime_is_idle (f->rt) && ks_runc_runtime_n_containers (f->rt) == 0;
}

static gboolean
runtime_idle (Fixture *f, gpointer data)
{
  return ks_runc_runtime_is_idle (f->rt);
}

static gboolean
file_missing (Fixture *f, gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
has_n_events (Fixture *f, gpointer data)
{
  return f->events->len >= GPOINTER_TO_UINT (data);
}

static void
wait_events (Fixture *f, guint n)
{
  if (!run_until (f, has_n_events, GUINT_TO_POINTER (n), 30 * SEC))
    g_error ("timed out waiting for %u events (have %u)", n, f->events->len);
}

static Event *
event (Fixture *f, guint i)
{
  g_assert_cmpuint (i, <, f->events->len);
  return f->events->pdata[i];
}

static guint
count_runc_containers (const char *node)
{
  g_autofree char *root = g_build_filename (data_dir, "runc", NULL);
  g_autoptr (KsRunc) runc = ks_runc_new (NULL, root);
  g_auto (GStrv) argv = ks_runc_argv_list (runc);
  g_auto (KsRuncResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *needle = node != NULL ? g_strdup_printf ("/nodes/%s/", node) : g_strdup ("");
  guint n = 0;

  g_assert_true (ks_runc_run (runc, (const char *const *) argv, &r, &error));
  g_assert_no_error (error);
  /* --format json: one object per container, each with its "bundle". */
  for (const char *p = r.out; (p = strstr (p, "\"bundle\":\"")) != NULL; p++)
    {
      const char *end = strchr (p + 10, '"');
      g_autofree char *bundle = g_strndup (p + 10, end - (p + 10));
      n += strstr (bundle, needle) != NULL;
    }
  return n;
}

/* No cgroup directory named path in any hierarchy (checked from the mount points, not with the
 * runtime's own helpers). */
static void
assert_no_cgroup (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (f);
      gboolean cgroup = FALSE;
      for (guint j = 6; j + 1 < n; j++)
        if (strcmp (f[j], "-") == 0)
          cgroup = g_str_has_prefix (f[j + 1], "cgroup");
      if (cgroup)
        {
          g_autofree char *dir = g_build_filename (f[4], path, NULL);
          if (g_file_test (dir, G_FILE_TEST_EXISTS))
            g_error ("cgroup %s is left", dir);
        }
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pods_dir = g_build_filename (data_dir, "nodes", f->node, "pods", NULL);
  g_autofree char *node_cgroup = g_strdup_printf ("/%s/%s", cgroup_parent, f->node);
  guint n_events;

  /* What the test left running goes the way a node's death takes it: nothing is reported. */
  f->rt->ops->kill_all (f->rt);
  n_events = f->events->len;
  if (!run_until (f, is_idle, NULL, 30 * SEC))
    g_error ("containers still held after kill_all: %u", ks_runc_runtime_n_containers (f->rt));
  g_assert_cmpuint (f->events->len, ==, n_events);
  g_assert_cmpuint (count_runc_containers (f->node), ==, 0);
  /* Every pod is gone from the node's directory: bundles, namespaces, files. */
  {
    g_autoptr (GDir) d = g_dir_open (pods_dir, 0, NULL);
    g_assert_nonnull (d);
    g_assert_null (g_dir_read_name (d));
  }
  ks_runtime_free (f->rt);
  /* Only the node's own cgroup is left; the cleanup takes it. */
  g_assert_true (ks_runc_cleanup (data_dir, f->node, cgroup_parent, NULL, &error));
  g_assert_no_error (error);
  assert_no_cgroup (node_cgroup);
  /* Every network the provider set up was torn down. */
  g_assert_cmpuint (f->net.teardowns, ==, f->net.setups);
  g_assert_cmpuint (g_hash_table_size (f->net.paths), ==, 0);
  g_hash_table_unref (f->net.paths);
  g_ptr_array_unref (f->pods);
  g_ptr_array_unref (f->events);
  ks_wall_clock_free (f->wc);
  g_free (f->node);
}

static KsPod *
make_pod (Fixture *f, const char *yaml)
{
  KsPod *pod = KS_POD (ks_test_decode (yaml));

  for (guint i = 0; i < 16; i++)
    pod->parent.meta.uid.bytes[i] = (guint8) g_random_int ();
  g_ptr_array_add (f->pods, pod);
  return pod;
}

static void
start (Fixture *f, const KsPod *pod, guint i)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (f->rt->ops->create (f->rt, pod, &pod->spec->containers[i], FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (f->rt->ops->start (f->rt, pod, &pod->spec->containers[i], FALSE, &error));
  g_assert_no_error (error);
}

static char *
log_path (Fixture *f, const KsPod *pod, const char *container, gint attempt)
{
  char uid[KS_UID_STRING_LEN];
  g_autofree char *dir
      = g_strdup_printf ("%s_%s_%s", pod->parent.meta.namespace, pod->parent.meta.name,
                         ks_uid_to_string (&pod->parent.meta.uid, uid));
  g_autofree char *file = g_strdup_printf ("%d.log", attempt);
  return g_build_filename (data_dir, "nodes", f->node, "logs", dir, container, file, NULL);
}

static char *
bundle_dir (Fixture *f, const KsPod *pod, const char *container)
{
  char uid[KS_UID_STRING_LEN];
  return g_build_filename (data_dir, "nodes", f->node, "pods",
                           ks_uid_to_string (&pod->parent.meta.uid, uid), container, NULL);
}

/* The pid of a container's init process, from runc state. */
static gint64
init_pid (const KsPod *pod, const char *container)
{
  g_autofree char *root = g_build_filename (data_dir, "runc", NULL);
  g_autoptr (KsRunc) runc = ks_runc_new (NULL, root);
  g_autofree char *id = ks_runc_runtime_container_id (&pod->parent.meta.uid, container, 0);
  g_auto (GStrv) argv = ks_runc_argv_state (runc, id);
  g_auto (KsRuncResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  const char *p;

  g_assert_true (ks_runc_run (runc, (const char *const *) argv, &r, &error));
  p = strstr (r.out, "\"pid\": ");
  g_assert_nonnull (p);
  return g_ascii_strtoll (p + 7, NULL, 10);
}

static char *
ns_of (gint64 pid, const char *kind)
{
  g_autofree char *link = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/ns/%s", pid, kind);
  return g_file_read_link (link, NULL);
}

/* Tests */

static void
test_exit_code (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: exit3}\nspec:\n"
                            "  containers:\n  - name: main\n    image: busybox\n"
                            "    command: [sh, -c, 'echo hello from main; echo oops >&2; "
                            "exit 3']\n");
  g_autofree char *log = log_path (f, pod, "main", 0);
  g_autofree char *bundle = bundle_dir (f, pod, "main");
  g_autofree char *text = NULL;

  start (f, pod, 0);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 0)->type, ==, KS_CONTAINER_STARTED);
  g_assert_cmpstr (event (f, 0)->container, ==, "main");
  g_assert_cmpint (event (f, 1)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpint (event (f, 1)->exit_code, ==, 3);
  g_assert_cmpstr (event (f, 1)->reason, ==, "Error");
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "hello from main\noops\n");
  /* Exited containers are deleted from runc at once; the bundle stays until remove. */
  g_assert_cmpuint (count_runc_containers (f->node), ==, 0);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_DIR));
  f->rt->ops->remove (f->rt, pod, &pod->spec->containers[0], FALSE);
  g_assert_true (run_until (f, is_idle, NULL, 10 * SEC));
  g_assert_false (g_file_test (bundle, G_FILE_TEST_EXISTS));
  /* The log is kept. */
  g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (f->events->len, ==, 2);
}

static void
test_completed_and_restart (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: again}\nspec:\n"
                            "  containers:\n  - name: c\n    image: busybox\n"
                            "    command: [sh, -c, 'echo run; cat /etc/hostname']\n");
  g_autofree char *log0 = log_path (f, pod, "c", 0);
  g_autofree char *log1 = log_path (f, pod, "c", 1);
  g_autofree char *text = NULL;
  char uid[KS_UID_STRING_LEN];
  g_autofree char *id0
      = g_strdup_printf ("runc://%s-c-0", ks_uid_to_string (&pod->parent.meta.uid, uid));
  g_autofree char *id1 = g_strdup_printf ("runc://%s-c-1", uid);
  gint n = -1;

  start (f, pod, 0);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 1)->exit_code, ==, 0);
  g_assert_cmpstr (event (f, 1)->reason, ==, "Completed");
  /* Each instance has its containerID, on both of its events. */
  g_assert_cmpstr (event (f, 0)->container_id, ==, id0);
  g_assert_cmpstr (event (f, 1)->container_id, ==, id0);
  g_assert_true (ks_runc_runtime_parse_container_id (id0, &pod->parent.meta.uid, "c", &n));
  g_assert_cmpint (n, ==, 0);
  g_assert_false (ks_runc_runtime_parse_container_id (id0, &pod->parent.meta.uid, "d", &n));
  g_assert_false (
      ks_runc_runtime_parse_container_id ("runc://x-c-0", &pod->parent.meta.uid, "c", &n));
  /* A restart is create + start again: a new instance, its own log and ID. */
  start (f, pod, 0);
  wait_events (f, 4);
  g_assert_cmpint (event (f, 2)->type, ==, KS_CONTAINER_STARTED);
  g_assert_cmpint (event (f, 3)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpstr (event (f, 2)->container_id, ==, id1);
  g_assert_cmpstr (event (f, 3)->container_id, ==, id1);
  g_assert_true (g_file_get_contents (log0, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "run\nagain\n");
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (log1, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "run\nagain\n");
}

static void
test_stop_grace (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: stubborn}\nspec:\n"
                            "  containers:\n  - name: c\n    image: busybox\n"
                            "    command: [sh, -c, \"trap '' TERM; echo ready; "
                            "while :; do sleep 1; done\"]\n");
  gint64 stopped;

  start (f, pod, 0);
  wait_events (f, 1);
  g_assert_cmpint (event (f, 0)->type, ==, KS_CONTAINER_STARTED);
  g_usleep (200 * MS); /* let the shell set its trap */
  stopped = ks_clock_now (f->clock);
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 1 * SEC);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 1)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpint (event (f, 1)->exit_code, ==, 137);
  g_assert_cmpstr (event (f, 1)->reason, ==, "Error");
  g_assert_cmpint (event (f, 1)->at - stopped, >=, 1 * SEC);
  g_assert_cmpint (event (f, 1)->at - stopped, <, 5 * SEC);
  /* A second stop of an exited container reports nothing. */
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 0);
  g_assert_true (run_until (f, runtime_idle, NULL, 5 * SEC));
  g_usleep (100 * MS);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->events->len, ==, 2);
}

static void
test_stop_term (Fixture *f, gconstpointer data)
{
  /* A container that handles TERM ends before its grace period. */
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: polite}\nspec:\n"
                            "  containers:\n  - name: c\n    image: busybox\n"
                            "    command: [sh, -c, \"trap 'exit 7' TERM; "
                            "while :; do sleep 0.1; done\"]\n");
  gint64 stopped;

  start (f, pod, 0);
  wait_events (f, 1);
  g_usleep (200 * MS);
  stopped = ks_clock_now (f->clock);
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 30 * SEC);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 1)->exit_code, ==, 7);
  g_assert_cmpint (event (f, 1)->at - stopped, <, 5 * SEC);
}

static void
test_stop_while_starting (Fixture *f, gconstpointer data)
{
  KsPod *pod
      = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: early}\nspec:\n"
                     "  containers:\n  - {name: c, image: busybox, command: [sleep, '60']}\n");

  /* Stopped before runc create returned: it ends at once, EXITED without STARTED. */
  start (f, pod, 0);
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 30 * SEC);
  wait_events (f, 1);
  g_assert_cmpint (event (f, 0)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpint (event (f, 0)->exit_code, ==, 137);
  g_assert_cmpint (count_runc_containers (f->node), ==, 0);
}

static gboolean
file_exists (Fixture *f, gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_limits (Fixture *f, gconstpointer data)
{
  KsPod *pod
      = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: limited}\nspec:\n"
                     "  containers:\n  - name: c\n    image: busybox\n"
                     "    command: [sh, -c, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                     "/sys/fs/cgroup/memory.max 2>/dev/null; sleep 60']\n"
                     "    resources:\n      requests: {cpu: 250m, memory: 32Mi}\n"
                     "      limits: {cpu: 500m, memory: 64Mi}\n");
  g_autofree char *cgroup
      = ks_runc_runtime_cgroup_path (cgroup_parent, f->node, &pod->parent.meta.uid, "c");
  g_autofree char *node_cgroup = g_strdup_printf ("/%s/%s", cgroup_parent, f->node);
  g_autofree char *mem = ks_cgroup_dir ("memory", cgroup);
  g_autofree char *cpu = ks_cgroup_dir ("cpu", cgroup);
  g_autofree char *node_mem = ks_cgroup_dir ("memory", node_cgroup);
  g_autofree char *log = log_path (f, pod, "c", 0);
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  gboolean v2 = ks_cgroup_detect () == KS_CGROUP_V2;
  gint64 value;

  start (f, pod, 0);
  wait_events (f, 1);
  file = g_build_filename (mem, v2 ? "memory.max" : "memory.limit_in_bytes", NULL);
  g_assert_true (ks_cgroup_read_int (file, NULL, &value));
  g_assert_cmpint (value, ==, 64 * 1024 * 1024);
  g_clear_pointer (&file, g_free);
  if (v2)
    {
      file = g_build_filename (cpu, "cpu.max", NULL);
      g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, "50000 100000\n");
      g_clear_pointer (&text, g_free);
    }
  else
    {
      file = g_build_filename (cpu, "cpu.cfs_quota_us", NULL);
      g_assert_true (ks_cgroup_read_int (file, NULL, &value));
      g_assert_cmpint (value, ==, 50000);
      g_clear_pointer (&file, g_free);
      file = g_build_filename (cpu, "cpu.shares", NULL);
      g_assert_true (ks_cgroup_read_int (file, NULL, &value));
      g_assert_cmpint (value, ==, 256);
    }
  g_clear_pointer (&file, g_free);
  /* The node's cgroup holds the node's capacity. */
  file = g_build_filename (node_mem, v2 ? "memory.max" : "memory.limit_in_bytes", NULL);
  g_assert_true (ks_cgroup_read_int (file, NULL, &value));
  g_assert_cmpint (value, ==, G_GINT64_CONSTANT (1) << 30);
  /* The container sees its limit through its own cgroup view. */
  g_assert_true (run_until (f, file_exists, log, 5 * SEC));
  g_usleep (100 * MS);
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "67108864\n");
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 0);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 1)->exit_code, ==, 137);
}

static void
test_image_not_found (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: nope}\nspec:\n"
                            "  containers:\n  - {name: c, image: 'no-such-image:1.0'}\n");
  g_autoptr (GError) error = NULL;

  g_assert_false (f->rt->ops->create (f->rt, pod, &pod->spec->containers[0], FALSE, &error));
  g_assert_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_IMAGE_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-image:1.0"));
  g_assert_nonnull (strstr (error->message, "kubesim image import"));
  g_clear_error (&error);
  /* Not created: start refuses. */
  g_assert_false (f->rt->ops->start (f->rt, pod, &pod->spec->containers[0], FALSE, &error));
  g_assert_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_START);
  g_assert_cmpuint (ks_runc_runtime_n_containers (f->rt), ==, 0);
}

static void
test_bad_command (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n"
                            "  containers:\n  - {name: c, image: busybox, command: [/no/such]}\n");
  g_autofree char *log = log_path (f, pod, "c", 0);
  g_autofree char *text = NULL;

  /* runc create fails: EXITED 128 StartError, runc's message in the container's log. */
  start (f, pod, 0);
  wait_events (f, 1);
  g_assert_cmpint (event (f, 0)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpint (event (f, 0)->exit_code, ==, 128);
  g_assert_cmpstr (event (f, 0)->reason, ==, "StartError");
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "/no/such"));
  g_assert_cmpuint (count_runc_containers (f->node), ==, 0);
}

static void
exec_done (gint code, const char *message, gpointer data)
{
  GPtrArray *results = data;
  g_ptr_array_add (results, g_strdup_printf ("%d:%s", code, message != NULL ? message : ""));
}

typedef struct
{
  GPtrArray *results;
  guint n;
} Want;

static gboolean
has_n_results (Fixture *f, gpointer data)
{
  Want *w = data;
  return w->results->len >= w->n;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Under a chroot that is not the mount namespace's root, runc exec would run commands in the
 * namespace's root, outside the containers (ks_mount_ns_root_is_elsewhere): exec refuses them. */
#define EXEC_SKIP                                                                                  \
  "exec not tested: this process runs under a chroot that is not its mount namespace's root, "     \
  "where runc exec would run commands outside the containers"

static void
assert_exec_refused (const char *result)
{
  g_assert_true (g_str_has_prefix (result, "-1:exec in container "));
  g_assert_nonnull (
      strstr (result, " refused: runc exec would run the command outside the container"));
}

static void
test_pod_shares_network (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: pair}\nspec:\n"
                            "  containers:\n"
                            "  - {name: a, image: busybox, command: [sleep, '60']}\n"
                            "  - {name: b, image: busybox, command: [sleep, '60']}\n");
  KsPod *other
      = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: other}\nspec:\n"
                     "  containers:\n  - {name: a, image: busybox, command: [sleep, '60']}\n");
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_free);
  const char *ok[] = { "sh", "-c", "test \"$(cat /etc/hostname)\" = pair && exit 4", NULL };
  const char *slow[] = { "sleep", "10", NULL };
  g_autofree char *net_a = NULL, *net_b = NULL, *net_other = NULL, *net_self = NULL;
  g_autofree char *ipc_a = NULL, *ipc_b = NULL;
  gint64 pid_a, pid_b, pid_other, t0;

  start (f, pod, 0);
  start (f, pod, 1);
  start (f, other, 0);
  wait_events (f, 3);
  pid_a = init_pid (pod, "a");
  pid_b = init_pid (pod, "b");
  pid_other = init_pid (other, "a");
  net_a = ns_of (pid_a, "net");
  net_b = ns_of (pid_b, "net");
  net_other = ns_of (pid_other, "net");
  net_self = ns_of (getpid (), "net");
  g_assert_cmpstr (net_a, ==, net_b);
  g_assert_cmpstr (net_a, !=, net_other);
  g_assert_cmpstr (net_a, !=, net_self);
  ipc_a = ns_of (pid_a, "ipc");
  ipc_b = ns_of (pid_b, "ipc");
  g_assert_cmpstr (ipc_a, ==, ipc_b);

  /* exec: the exit code, and a command that outlives its timeout. */
  f->rt->ops->exec (f->rt, pod, &pod->spec->containers[0], ok, 10 * SEC, exec_done, results);
  t0 = g_get_monotonic_time ();
  f->rt->ops->exec (f->rt, pod, &pod->spec->containers[1], slow, 300 * MS, exec_done, results);
  f->rt->ops->exec (f->rt, other, &other->spec->containers[0], (const char *[]){ "true", NULL },
                    10 * SEC, exec_done, results);
  g_assert_cmpuint (results->len, ==, 0); /* never from within exec */
  g_assert_true (run_until (f, has_n_results, &(Want){ results, 3 }, 20 * SEC));
  g_ptr_array_sort (results, compare_strings);
  if (ks_mount_ns_root_is_elsewhere ())
    {
      for (guint i = 0; i < results->len; i++)
        assert_exec_refused (results->pdata[i]);
      g_test_skip (EXEC_SKIP);
    }
  else
    {
      /* Sorted: the timeout (-1), true (0), the hostname check (4). */
      g_autofree char *all = NULL;
      g_ptr_array_add (results, NULL);
      all = g_strjoinv ("|", (char **) results->pdata);
      g_assert_cmpstr (all, ==, "-1:command timed out after 300ms|0:|4:");
    }
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * SEC);

  /* Stopping both leaves the sandbox until the containers are removed. */
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 0);
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[1], FALSE, 0);
  wait_events (f, 5);
  f->rt->ops->remove (f->rt, pod, &pod->spec->containers[0], FALSE);
  f->rt->ops->remove (f->rt, pod, &pod->spec->containers[1], FALSE);
  {
    char uid[KS_UID_STRING_LEN];
    g_autofree char *pod_dir = g_build_filename (
        data_dir, "nodes", f->node, "pods", ks_uid_to_string (&pod->parent.meta.uid, uid), NULL);
    g_autofree char *pod_cgroup
        = ks_runc_runtime_cgroup_path (cgroup_parent, f->node, &pod->parent.meta.uid, NULL);
    /* The other pod still runs; this one is gone, namespaces included. */
    g_assert_true (run_until (f, file_missing, pod_dir, 10 * SEC));
    g_assert_cmpuint (ks_runc_runtime_n_containers (f->rt), ==, 1);
    g_assert_false (g_file_test (pod_dir, G_FILE_TEST_EXISTS));
    assert_no_cgroup (pod_cgroup);
  }
}

typedef struct
{
  const char *dir;
  gboolean in_chroot, after_join;
  const char *failed; /* what could not be done */
} ChrootProbe;

/* In a thread with its own root and mount namespace (both go with it): the check from under a
 * chroot of a directory bind-mounted on itself with /proc in it (as a chroot runc runs in is), then
 * from the root where joining the namespace puts a thread (as runc exec does). */
static gpointer
chroot_probe_thread (gpointer data)
{
  ChrootProbe *p = data;
  g_autofree char *proc = g_build_filename (p->dir, "proc", NULL);
  int fd = -1;

  if (unshare (CLONE_FS | CLONE_NEWNS) < 0)
    p->failed = "unshare";
  else if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0
           || mount (p->dir, p->dir, "none", MS_BIND, NULL) < 0
           || mount ("/proc", proc, "none", MS_BIND | MS_REC, NULL) < 0)
    p->failed = "mount";
  else if (chroot (p->dir) < 0 || chdir ("/") < 0)
    p->failed = "chroot";
  else
    {
      p->in_chroot = ks_mount_ns_root_is_elsewhere ();
      fd = open ("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns (fd, CLONE_NEWNS) < 0)
        p->failed = "setns";
      else
        p->after_join = ks_mount_ns_root_is_elsewhere ();
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

static void
test_mount_ns_root (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (data_dir, "chroot", f->node, NULL);
  g_autofree char *proc = g_build_filename (dir, "proc", NULL);
  ChrootProbe p = { dir, FALSE, TRUE, NULL };

  g_assert_true (ks_fs_mkdirs (proc, 0755, NULL));
  g_thread_join (g_thread_new ("chroot-probe", chroot_probe_thread, &p));
  g_assert_null (p.failed);
  g_assert_true (p.in_chroot);
  g_assert_false (p.after_join);
  /* The mounts went with the thread's namespace. */
  g_assert_true (ks_fs_remove_tree (dir, NULL));
}

static void
test_network_provider (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: netted}\nspec:\n"
                            "  containers:\n"
                            "  - {name: a, image: busybox, command: [sleep, '60']}\n");
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_free);
  const char *grep[] = { "grep", "-q", "^10.244.1.5\tnetted$", "/etc/hosts", NULL };
  g_autofree char *ip = NULL;
  g_autofree char *again = NULL;
  g_autofree char *link = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *pod_dir = NULL;
  g_autoptr (GError) error = NULL;
  char uid[KS_UID_STRING_LEN];
  const char *netns;
  struct stat st;

  ks_uid_to_string (&pod->parent.meta.uid, uid);
  pod_dir = g_build_filename (data_dir, "nodes", f->node, "pods", uid, NULL);
  g_assert_nonnull (f->rt->ops->sandbox_create);
  ip = f->rt->ops->sandbox_create (f->rt, pod, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ip, ==, "10.244.1.5");
  /* Idempotent: the same sandbox, set up once. */
  again = f->rt->ops->sandbox_create (f->rt, pod, &error);
  g_assert_cmpstr (again, ==, ip);
  g_assert_cmpuint (f->net.setups, ==, 1);

  start (f, pod, 0);
  wait_events (f, 1);
  /* The container is in the provider's namespace; its /etc/hosts has the pod's IP. */
  netns = g_hash_table_lookup (f->net.paths, uid);
  g_assert_cmpint (stat (netns, &st), ==, 0);
  expected = g_strdup_printf ("net:[%lu]", (unsigned long) st.st_ino);
  link = ns_of (init_pid (pod, "a"), "net");
  g_assert_cmpstr (link, ==, expected);
  f->rt->ops->exec (f->rt, pod, &pod->spec->containers[0], grep, 10 * SEC, exec_done, results);
  g_assert_true (run_until (f, has_n_results, &(Want){ results, 1 }, 10 * SEC));
  if (ks_mount_ns_root_is_elsewhere ())
    {
      assert_exec_refused (results->pdata[0]);
      g_test_skip (EXEC_SKIP);
    }
  else
    g_assert_cmpstr (results->pdata[0], ==, "0:");

  /* The sandbox outlives its containers until sandbox_remove. */
  f->rt->ops->stop (f->rt, pod, &pod->spec->containers[0], FALSE, 0);
  wait_events (f, 2);
  f->rt->ops->remove (f->rt, pod, &pod->spec->containers[0], FALSE);
  g_assert_true (run_until (f, is_idle, NULL, 10 * SEC));
  g_assert_cmpuint (f->net.teardowns, ==, 0);
  g_assert_true (g_file_test (pod_dir, G_FILE_TEST_IS_DIR));
  f->rt->ops->sandbox_remove (f->rt, pod);
  g_assert_cmpuint (f->net.teardowns, ==, 1);
  g_assert_false (g_file_test (pod_dir, G_FILE_TEST_EXISTS));
  f->rt->ops->sandbox_remove (f->rt, pod);
  g_assert_cmpuint (f->net.teardowns, ==, 1);
}

static void
test_no_provider_no_sandbox_ops (Fixture *f, gconstpointer data)
{
  /* Without a provider pods get no IP: the kubelet sees no sandbox ops. */
  g_assert_null (f->rt->ops->sandbox_create);
  g_assert_null (f->rt->ops->sandbox_remove);
  g_assert_nonnull (f->rt->ops->exec);
}

static void
test_cleanup_after_crash (Fixture *f, gconstpointer data)
{
  KsPod *pod = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: orphan}\nspec:\n"
                            "  containers:\n"
                            "  - {name: a, image: busybox, command: [sleep, '600']}\n"
                            "  - {name: b, image: busybox, command: [sleep, '600']}\n");
  KsRuncRuntimeOptions options
      = { .data_dir = data_dir, .node_name = f->node, .cgroup_parent = cgroup_parent };
  g_autoptr (GError) error = NULL;
  g_autofree char *pods_dir = g_build_filename (data_dir, "nodes", f->node, "pods", NULL);
  g_autofree char *pod_cgroup
      = ks_runc_runtime_cgroup_path (cgroup_parent, f->node, &pod->parent.meta.uid, NULL);
  gint64 pids[2];

  start (f, pod, 0);
  start (f, pod, 1);
  wait_events (f, 2);
  pids[0] = init_pid (pod, "a");
  pids[1] = init_pid (pod, "b");
  /* The agent dies: its runtime is gone, its containers, namespaces and cgroups are not. */
  ks_runtime_free (f->rt);
  f->rt = NULL;
  g_assert_cmpuint (count_runc_containers (f->node), ==, 2);
  g_assert_true (ks_runc_cleanup (data_dir, f->node, cgroup_parent, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_runc_containers (f->node), ==, 0);
  {
    g_autoptr (GDir) d = g_dir_open (pods_dir, 0, NULL);
    g_assert_true (d == NULL || g_dir_read_name (d) == NULL);
  }
  assert_no_cgroup (pod_cgroup);
  /* The killed processes were this process's children (it is their subreaper): reap them. */
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (waitpid ((pid_t) pids[i], NULL, 0), ==, (pid_t) pids[i]);
  /* The next agent starts clean. */
  f->rt = ks_runc_runtime_new (f->clock, &options, &error);
  g_assert_no_error (error);
  ks_runtime_set_notify (f->rt, on_event, f);
}

static void
test_stats (Fixture *f, gconstpointer data)
{
  KsPod *pod
      = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: busy}\nspec:\n"
                     "  containers:\n  - name: c\n    image: busybox\n"
                     "    command: [sh, -c, 'x=$(head -c 20000000 /dev/zero | tr \"\\\\0\" a);"
                     " while :; do :; done']\n"
                     "    resources: {limits: {cpu: 300m, memory: 256Mi}}\n");
  const KsContainer *c = &pod->spec->containers[0];
  KsStats a = { 0 }, b = { 0 }, node = { 0 };
  gint64 milli;

  g_assert_false (f->rt->ops->container_stats (f->rt, pod, c, FALSE, &a)); /* not running yet */
  start (f, pod, 0);
  wait_events (f, 1);
  g_usleep (1500 * MS);
  g_assert_true (f->rt->ops->container_stats (f->rt, pod, c, FALSE, &a));
  g_assert_false (f->rt->ops->container_stats (f->rt, pod, c, TRUE, &b)); /* not an init one */
  g_usleep (1000 * MS);
  g_assert_true (f->rt->ops->container_stats (f->rt, pod, c, FALSE, &b));
  g_assert_true (f->rt->ops->node_stats (f->rt, &node));
  /* Cumulative, from the instance's start (when STARTED was reported). */
  g_assert_cmpint (a.start_time, <=, event (f, 0)->at);
  g_assert_cmpint (a.start_time, >, event (f, 0)->at - 100 * MS);
  g_assert_cmpint (b.start_time, ==, a.start_time);
  g_assert_cmpuint (b.cpu_ns, >, a.cpu_ns);
  g_assert_cmpint (b.timestamp, >, a.timestamp);
  /* Limited to 300m by CFS quota; busy the whole time. */
  milli = (gint64) ((b.cpu_ns - a.cpu_ns) / (guint64) (b.timestamp - a.timestamp));
  g_assert_cmpint (milli, >, 150);
  g_assert_cmpint (milli, <=, 400);
  /* The shell holds a 20 MB string. */
  g_assert_cmpuint (b.working_set, >, 20000000);
  g_assert_cmpuint (b.working_set, <, 256 * 1024 * 1024);
  /* The node's cgroup holds the pod's. */
  g_assert_cmpuint (node.cpu_ns, >=, b.cpu_ns);
  g_assert_cmpuint (node.working_set, >=, 20000000);
}

static void
test_oom (Fixture *f, gconstpointer data)
{
  KsPod *pod
      = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: hungry}\nspec:\n"
                     "  containers:\n  - name: c\n    image: busybox\n"
                     "    command: [sh, -c, 'x=$(head -c 100000000 /dev/zero | tr \"\\\\0\" a);"
                     " echo survived']\n"
                     "    resources: {limits: {memory: 16Mi}}\n");
  g_autofree char *swaps = NULL;

  if (g_file_get_contents ("/proc/swaps", &swaps, NULL, NULL) && strchr (swaps, '\n') != NULL
      && strchr (swaps, '\n')[1] != '\0')
    {
      g_test_skip ("swap is on: a memory limit without a swap limit is not an OOM kill");
      return;
    }
  start (f, pod, 0);
  wait_events (f, 2);
  g_assert_cmpint (event (f, 1)->type, ==, KS_CONTAINER_EXITED);
  g_assert_cmpstr (event (f, 1)->reason, ==, "OOMKilled");
}

static void
test_kill_all (Fixture *f, gconstpointer data)
{
  KsPod *a = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: ka}\nspec:\n"
                          "  containers:\n  - {name: c, image: busybox, command: [sleep, '60']}\n");
  KsPod *b = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: kb}\nspec:\n"
                          "  containers:\n  - {name: c, image: busybox, command: [sleep, '60']}\n");

  start (f, a, 0);
  start (f, b, 0);
  wait_events (f, 2);
  g_assert_cmpuint (count_runc_containers (f->node), ==, 2);
  /* One more that is still being created when the node dies. */
  {
    KsPod *c
        = make_pod (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: kc}\nspec:\n"
                       "  containers:\n  - {name: c, image: busybox, command: [sleep, '60']}\n");
    start (f, c, 0);
  }
  /* The teardown kills all and checks that nothing is reported and nothing is left. */
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *runc = g_find_program_in_path ("runc");
  int status;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0 || runc == NULL || !g_file_test ("/bin/busybox", G_FILE_TEST_EXISTS))
    {
      g_print ("1..0 # SKIP needs root, runc and /bin/busybox\n");
      return 77;
    }
  if (!ks_runc_runtime_become_subreaper (&error))
    g_error ("%s", error->message);
  cgroup_parent = g_getenv ("KS_TEST_CGROUP_PARENT");
  if (cgroup_parent == NULL)
    cgroup_parent = g_strdup_printf ("kubesim-test-%d", (int) getpid ());
  if (g_getenv ("KS_TEST_DATA_DIR") != NULL)
    {
      data_dir = g_strdup (g_getenv ("KS_TEST_DATA_DIR"));
      g_assert_true (ks_fs_mkdirs (data_dir, 0700, &error));
    }
  else
    data_dir = g_dir_make_tmp ("ks-runc-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runc-runtime/exit-code", test_exit_code);
  ADD ("/runc-runtime/completed-and-restart", test_completed_and_restart);
  ADD ("/runc-runtime/stop-grace", test_stop_grace);
  ADD ("/runc-runtime/stop-term", test_stop_term);
  ADD ("/runc-runtime/stop-while-starting", test_stop_while_starting);
  ADD ("/runc-runtime/limits", test_limits);
  ADD ("/runc-runtime/image-not-found", test_image_not_found);
  ADD ("/runc-runtime/bad-command", test_bad_command);
  ADD ("/runc-runtime/pod-shares-network", test_pod_shares_network);
  ADD ("/runc-runtime/mount-ns-root", test_mount_ns_root);
  ADD ("/runc-runtime/no-provider-no-sandbox-ops", test_no_provider_no_sandbox_ops);
  g_test_add ("/runc-runtime/network-provider", Fixture, "net", fixture_setup,
              test_network_provider, fixture_teardown);
  ADD ("/runc-runtime/cleanup-after-crash", test_cleanup_after_crash);
  ADD ("/runc-runtime/stats", test_stats);
  ADD ("/runc-runtime/oom", test_oom);
  ADD ("/runc-runtime/kill-all", test_kill_all);
#undef ADD
  status = g_test_run ();

  /* Everything, the whole data directory's: nothing may be left. */
  if (!ks_runc_cleanup (data_dir, NULL, cgroup_parent, NULL, &error))
    g_error ("cleanup: %s", error->message);
  g_assert_cmpuint (count_runc_containers (NULL), ==, 0);
  {
    g_autofree char *top = g_strdup_printf ("/%s", cgroup_parent);
    assert_no_cgroup (top);
  }
  if (!ks_fs_remove_tree (data_dir, &error))
    g_error ("%s", error->message);
  return status;
}

/* bench-runc-runtime.c: the latency of a container's life through the runc runtime: create and
 * start until STARTED, then stop (KILL at once) and delete until EXITED; and a burst of
 * containers started together.  A benchmark, not a test: run it by hand as root (see
 * docs/benchmarks.md), in private namespaces:
 *
 *   unshare --net --mount tests/bench-runc-runtime [-n ITERATIONS] [-p BURST] */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "real/ks-fsutil.h"
#include "real/ks-runc-runtime.h"
#include "real/ks-wall-clock.h"
#include "tests/ks-test.h"

typedef struct
{
  guint started;
  guint exited;
} Counts;

static void
on_event (const KsContainerEvent *event, gpointer data)
{
  Counts *c = data;
  if (event->type == KS_CONTAINER_STARTED)
    c->started++;
  else
    c->exited++;
}

static void
wait_for (guint *counter, guint n)
{
  while (*counter < n)
    g_main_context_iteration (NULL, TRUE);
}

static KsPod *
make_pod (guint i)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: bench-%u}\nspec:\n"
                         "  containers:\n  - {name: c, image: busybox, command: [sleep, '3600'],\n"
                         "     resources: {requests: {cpu: 10m, memory: 16Mi}}}\n",
                         i);
  KsPod *pod = KS_POD (ks_test_decode (yaml));
  for (guint b = 0; b < 16; b++)
    pod->parent.meta.uid.bytes[b] = (guint8) g_random_int ();
  return pod;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *what, GArray *ms)
{
  double *v = (double *) ms->data;
  g_array_sort (ms, compare_doubles);
  printf ("%-34s median %6.1f ms   p90 %6.1f ms   min %6.1f ms   max %6.1f ms\n", what,
          v[ms->len / 2], v[(ms->len * 9) / 10], v[0], v[ms->len - 1]);
}

int
main (int argc, char **argv)
{
  gint iterations = 30, burst = 50;
  GOptionEntry entries[] = {
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Containers one after another", "N" },
    { "burst", 'p', 0, G_OPTION_ARG_INT, &burst, "Containers started together", "P" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *parent = g_strdup_printf ("kubesim-bench-%d", (int) getpid ());
  g_autoptr (KsWallClock) wc = ks_wall_clock_new ();
  KsRuncRuntimeOptions options = { .node_name = "bench",
                                   .node_milli_cpu = 2000,
                                   .node_memory = G_GINT64_CONSTANT (4) << 30 };
  g_autoptr (GArray) start_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) stop_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) total_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GPtrArray) pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  Counts counts = { 0 };
  KsRuntime *rt;
  gint64 t0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || iterations < 1 || burst < 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "-n must be ≥ 1, -p ≥ 0");
      return 2;
    }
  if (geteuid () != 0)
    {
      g_printerr ("needs root (runc)\n");
      return 2;
    }
  if (!ks_runc_runtime_become_subreaper (&error))
    g_error ("%s", error->message);
  data_dir = g_dir_make_tmp ("ks-bench-XXXXXX", &error);
  g_assert_no_error (error);
  options.data_dir = data_dir;
  options.cgroup_parent = parent;
  rt = ks_runc_runtime_new (ks_wall_clock_get_clock (wc), &options, &error);
  if (rt == NULL)
    g_error ("%s", error->message);
  ks_runtime_set_notify (rt, on_event, &counts);

  /* Warm up: the busybox image is made, caches are filled. */
  for (gint i = -3; i < iterations; i++)
    {
      KsPod *pod = make_pod ((guint) (i + 3));
      const KsContainer *c = &pod->spec->containers[0];
      gint64 a, b, e;
      g_ptr_array_add (pods, pod);
      a = g_get_monotonic_time ();
      if (!rt->ops->create (rt, pod, c, FALSE, &error)
          || !rt->ops->start (rt, pod, c, FALSE, &error))
        g_error ("%s", error->message);
      wait_for (&counts.started, counts.started + 1);
      b = g_get_monotonic_time ();
      rt->ops->stop (rt, pod, c, FALSE, 0);
      wait_for (&counts.exited, counts.exited + 1);
      e = g_get_monotonic_time ();
      rt->ops->remove (rt, pod, c, FALSE);
      if (i >= 0)
        {
          double s = (b - a) / 1000.0, k = (e - b) / 1000.0, t = (e - a) / 1000.0;
          g_array_append_val (start_ms, s);
          g_array_append_val (stop_ms, k);
          g_array_append_val (total_ms, t);
        }
    }
  while (!ks_runc_runtime_is_idle (rt) || ks_runc_runtime_n_containers (rt) > 0)
    g_main_context_iteration (NULL, TRUE);
  printf ("runc runtime, %d containers one after another (busybox sleep):\n", iterations);
  report ("create + start (until STARTED)", start_ms);
  report ("kill + wait + delete (EXITED)", stop_ms);
  report ("create + start + kill + delete", total_ms);

  if (burst > 0)
    {
      guint base_started = counts.started, base_exited = counts.exited;
      double started_s, stopped_s;
      t0 = g_get_monotonic_time ();
      for (gint i = 0; i < burst; i++)
        {
          KsPod *pod = make_pod (1000 + (guint) i);
          const KsContainer *c = &pod->spec->containers[0];
          g_ptr_array_add (pods, pod);
          if (!rt->ops->create (rt, pod, c, FALSE, &error)
              || !rt->ops->start (rt, pod, c, FALSE, &error))
            g_error ("%s", error->message);
        }
      wait_for (&counts.started, base_started + (guint) burst);
      started_s = (g_get_monotonic_time () - t0) / 1e6;
      t0 = g_get_monotonic_time ();
      for (guint i = pods->len - (guint) burst; i < pods->len; i++)
        {
          KsPod *pod = pods->pdata[i];
          rt->ops->stop (rt, pod, &pod->spec->containers[0], FALSE, 0);
        }
      wait_for (&counts.exited, base_exited + (guint) burst);
      stopped_s = (g_get_monotonic_time () - t0) / 1e6;
      printf ("burst of %d containers started together: all STARTED in %.2f s (%.0f/s), "
              "all EXITED %.2f s after stop\n",
              burst, started_s, burst / started_s, stopped_s);
      rt->ops->kill_all (rt);
      while (!ks_runc_runtime_is_idle (rt) || ks_runc_runtime_n_containers (rt) > 0)
        g_main_context_iteration (NULL, TRUE);
    }

  ks_runtime_free (rt);
  if (!ks_runc_cleanup (data_dir, NULL, parent, NULL, &error)
      || !ks_fs_remove_tree (data_dir, &error))
    g_error ("%s", error->message);
  return 0;
}

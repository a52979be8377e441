/* bench-real-start.c: how fast a real-mode cluster starts a Deployment's pods.
 *
 * Against a running cluster (--server), create a Deployment of busybox pods that sleep, and
 * watch its pods through the API: the time from the create to every pod Running and Ready, and
 * each pod's start latency (from its creation, as the watch saw it, to Running and Ready).  Then
 * delete the Deployment.  tests/bench-real.sh runs it on a fresh cluster; docs/benchmarks.md has
 * the numbers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "real/ks-http-client.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml.h"

typedef struct
{
  GMainLoop *loop;
  GHashTable *seen;  /* pod name → creation time (µs, wall clock), as first seen */
  GArray *latencies; /* µs */
  GHashTable *ready; /* pod names Running and Ready */
  guint replicas;
  gint64 t0, t_all;
} Bench;

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  Bench *b = data;
  const KsPod *pod = KS_POD (event->object);
  const char *name = pod->parent.meta.name;
  gint64 now = g_get_real_time ();

  if (!g_str_has_prefix (name, "bench-") || event->type == KS_WATCH_DELETED)
    return;
  if (!g_hash_table_contains (b->seen, name))
    g_hash_table_insert (b->seen, g_strdup (name), g_memdup2 (&now, sizeof now));
  if (pod->phase == KS_POD_RUNNING && ks_pod_is_ready (pod)
      && !g_hash_table_contains (b->ready, name))
    {
      gint64 created = *(gint64 *) g_hash_table_lookup (b->seen, name);
      gint64 latency = now - created;
      g_hash_table_add (b->ready, g_strdup (name));
      g_array_append_val (b->latencies, latency);
      if (g_hash_table_size (b->ready) == b->replicas)
        {
          b->t_all = now;
          g_main_loop_quit (b->loop);
        }
    }
}

static gboolean
on_timeout (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted, double p)
{
  guint i = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, gint64, i) / 1000.0;
}

static KsObject *
deployment_new (guint replicas, const char *image)
{
  g_autofree char *text = g_strdup_printf (
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bench}\n"
      "spec:\n  replicas: %u\n  selector: {matchLabels: {app: bench}}\n  template:\n"
      "    metadata: {labels: {app: bench}}\n    spec:\n"
      "      terminationGracePeriodSeconds: 1\n"
      "      containers:\n      - name: sleep\n        image: %s\n"
      "        command: [sh, -c, 'exec sleep 3600']\n"
      "        resources: {requests: {cpu: 10m, memory: 8Mi}}\n",
      replicas, image);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("bench", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *obj;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_nonnull (obj);
  return obj;
}

int
main (int argc, char **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *image = NULL;
  gint replicas = 50, timeout = 60;
  gboolean keep = FALSE;
  GOptionEntry entries[]
      = { { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The API (required)", "URL" },
          { "replicas", 0, 0, G_OPTION_ARG_INT, &replicas, "Pods (default 50)", "N" },
          { "image", 0, 0, G_OPTION_ARG_STRING, &image, "Image (default busybox)", "IMAGE" },
          { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait (default 60)", "S" },
          { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Do not delete the Deployment", NULL },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsClient) client = NULL;
  g_autoptr (KsObject) deploy = NULL;
  KsObject *created;
  Bench b = { 0 };
  guint watch;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || server == NULL || replicas < 1)
    {
      g_printerr ("bench-real-start: %s\n", error != NULL ? error->message : "--server URL needed");
      return 2;
    }
  client = ks_http_client_new (server, 0, &error);
  if (client == NULL)
    {
      g_printerr ("bench-real-start: %s\n", error->message);
      return 2;
    }
  b.loop = g_main_loop_new (NULL, FALSE);
  b.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b.ready = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.replicas = (guint) replicas;
  watch = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_pod, &b, NULL);
  deploy = deployment_new ((guint) replicas, image != NULL ? image : "busybox");
  b.t0 = g_get_real_time ();
  created = ks_client_create (client, deploy, &error);
  if (created == NULL)
    {
      g_printerr ("bench-real-start: creating the Deployment: %s\n", error->message);
      return 1;
    }
  ks_object_unref (created);
  g_timeout_add_seconds ((guint) timeout, on_timeout, b.loop);
  g_main_loop_run (b.loop);
  ks_client_unwatch (client, watch);

  printf ("%u of %d pods Running and Ready", g_hash_table_size (b.ready), replicas);
  if (b.t_all != 0)
    printf (" %.2f s after the Deployment's create\n", (b.t_all - b.t0) / 1e6);
  else
    printf (" after %d s (timed out)\n", timeout);
  if (b.latencies->len > 0)
    {
      g_array_sort (b.latencies, compare_gint64);
      printf ("per-pod start (created → Running and Ready): p50 %.0f ms, p99 %.0f ms, max %.0f "
              "ms\n",
              percentile_ms (b.latencies, 0.5), percentile_ms (b.latencies, 0.99),
              percentile_ms (b.latencies, 1.0));
    }
  if (!keep)
    ks_client_delete (client, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "bench", NULL, NULL);
  g_hash_table_unref (b.seen);
  g_hash_table_unref (b.ready);
  g_array_unref (b.latencies);
  g_main_loop_unref (b.loop);
  return b.t_all != 0 ? 0 : 1;
}

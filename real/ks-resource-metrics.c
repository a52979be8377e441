/* ks-resource-metrics.c: /metrics/resource, its text and the scraping source (see
 * ks-resource-metrics.h). */
#include "config.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "ks-resource-metrics.h"

/* clang-format off */
G_DEFINE_QUARK (ks-resource-metrics-error-quark, ks_resource_metrics_error)
/* clang-format on */

#define CONTAINER_CPU "container_cpu_usage_seconds_total"
#define CONTAINER_MEMORY "container_memory_working_set_bytes"
#define CONTAINER_START "container_start_time_seconds"
#define NODE_CPU "node_cpu_usage_seconds_total"
#define NODE_MEMORY "node_memory_working_set_bytes"
#define SCRAPE_ERROR "resource_scrape_error"

/* ---- encoding ----------------------------------------------------------------------------- */

/* A decimal with up to `digits` fraction digits, trailing zeros dropped: whole.frac. */
static void
append_decimal (GString *out, guint64 whole, guint64 frac, int digits)
{
  char buf[32];
  int n;

  g_string_append_printf (out, "%" G_GUINT64_FORMAT, whole);
  if (frac == 0)
    return;
  n = g_snprintf (buf, sizeof buf, "%0*" G_GUINT64_FORMAT, digits, frac);
  while (n > 0 && buf[n - 1] == '0')
    buf[--n] = '\0';
  g_string_append_printf (out, ".%s", buf);
}

static void
append_label_value (GString *out, const char *v)
{
  for (; *v != '\0'; v++)
    {
      if (*v == '\\' || *v == '"')
        g_string_append_c (out, '\\');
      if (*v == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *v);
    }
}

static void
append_series (GString *out, const char *family, const KsContainerPoint *c)
{
  g_string_append_printf (out, "%s{container=\"", family);
  append_label_value (out, c->container);
  g_string_append (out, "\",namespace=\"");
  append_label_value (out, c->namespace);
  g_string_append (out, "\",pod=\"");
  append_label_value (out, c->pod);
  g_string_append (out, "\"} ");
}

static void
append_help (GString *out, const char *family, const char *help, const char *type)
{
  /* The usage families are stable metrics of the kubelet's; the scrape error is alpha. */
  const char *level = strcmp (family, SCRAPE_ERROR) == 0 ? "ALPHA" : "STABLE";

  g_string_append_printf (out, "# HELP %s [%s] %s\n# TYPE %s %s\n", family, level, help, family,
                          type);
}

/* Prometheus' order within a family: by the label values, container first. */
static gint
compare_series (gconstpointer a, gconstpointer b)
{
  const KsContainerPoint *x = *(const KsContainerPoint *const *) a;
  const KsContainerPoint *y = *(const KsContainerPoint *const *) b;
  int d = strcmp (x->container, y->container);

  if (d == 0)
    d = strcmp (x->namespace, y->namespace);
  if (d == 0)
    d = strcmp (x->pod, y->pod);
  return d;
}

char *
ks_resource_metrics_encode (const KsMetricsBatch *batch, gboolean scrape_error)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GPtrArray) series = g_ptr_array_new ();

  for (guint i = 0; i < batch->containers->len; i++)
    g_ptr_array_add (series, &g_array_index (batch->containers, KsContainerPoint, i));
  g_ptr_array_sort (series, compare_series);
  if (series->len > 0)
    {
      append_help (out, CONTAINER_CPU,
                   "Cumulative cpu time consumed by the container in core-seconds", "counter");
      for (guint i = 0; i < series->len; i++)
        {
          const KsContainerPoint *c = series->pdata[i];
          append_series (out, CONTAINER_CPU, c);
          append_decimal (out, c->point.cpu_ns / 1000000000, c->point.cpu_ns % 1000000000, 9);
          g_string_append_printf (out, " %" G_GINT64_FORMAT "\n", c->point.timestamp / 1000);
        }
      append_help (out, CONTAINER_MEMORY, "Current working set of the container in bytes", "gauge");
      for (guint i = 0; i < series->len; i++)
        {
          const KsContainerPoint *c = series->pdata[i];
          append_series (out, CONTAINER_MEMORY, c);
          g_string_append_printf (out, "%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                                  c->point.memory, c->point.timestamp / 1000);
        }
      append_help (out, CONTAINER_START, "Start time of the container since unix epoch in seconds",
                   "gauge");
      for (guint i = 0; i < series->len; i++)
        {
          const KsContainerPoint *c = series->pdata[i];
          guint64 start = (guint64) MAX (c->point.start_time, 0);
          append_series (out, CONTAINER_START, c);
          append_decimal (out, start / G_USEC_PER_SEC, start % G_USEC_PER_SEC, 6);
          /* The kubelet stamps a start time with itself. */
          g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", start / 1000);
        }
    }
  if (batch->has_node)
    {
      append_help (out, NODE_CPU, "Cumulative cpu time consumed by the node in core-seconds",
                   "counter");
      g_string_append (out, NODE_CPU " ");
      append_decimal (out, batch->node_point.cpu_ns / 1000000000,
                      batch->node_point.cpu_ns % 1000000000, 9);
      g_string_append_printf (out, " %" G_GINT64_FORMAT "\n", batch->node_point.timestamp / 1000);
      append_help (out, NODE_MEMORY, "Current working set of the node in bytes", "gauge");
      g_string_append_printf (out, NODE_MEMORY " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              batch->node_point.memory, batch->node_point.timestamp / 1000);
    }
  append_help (out, SCRAPE_ERROR,
               "1 if there was an error while getting container metrics, 0 otherwise", "gauge");
  g_string_append_printf (out, SCRAPE_ERROR " %d\n", scrape_error ? 1 : 0);
  return g_string_free (out, FALSE);
}

/* ---- decoding ----------------------------------------------------------------------------- */

typedef struct
{
  char *container;
  KsMetricsPoint point;
} ContainerAcc;

typedef struct
{
  char *namespace;
  char *pod;
  GArray *containers; /* ContainerAcc */
} PodAcc;

static void
container_acc_clear (gpointer p)
{
  g_free (((ContainerAcc *) p)->container);
}

static void
pod_acc_free (gpointer p)
{
  PodAcc *a = p;
  g_free (a->namespace);
  g_free (a->pod);
  g_array_unref (a->containers);
  g_free (a);
}

static gint
compare_pods (gconstpointer a, gconstpointer b)
{
  const PodAcc *x = *(const PodAcc *const *) a;
  const PodAcc *y = *(const PodAcc *const *) b;
  int d = strcmp (x->namespace, y->namespace);
  return d != 0 ? d : strcmp (x->pod, y->pod);
}

typedef struct
{
  const char *p; /* the line, being read */
  guint line;
  GError **error;
} Scanner;

static gboolean G_GNUC_PRINTF (2, 3) syntax (Scanner *s, const char *format, ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (s->error, KS_RESOURCE_METRICS_ERROR, KS_RESOURCE_METRICS_ERROR_SYNTAX, "line %u: %s",
               s->line, what);
  return FALSE;
}

static gboolean
is_name_char (char c, gboolean first)
{
  return g_ascii_isalpha (c) || c == '_' || c == ':' || (!first && g_ascii_isdigit (c));
}

static void
skip_blanks (Scanner *s)
{
  while (*s->p == ' ' || *s->p == '\t')
    s->p++;
}

/* A label set {name="value",...}: the values of container, namespace and pod (others are read
 * and dropped). */
static gboolean
scan_labels (Scanner *s, char **container, char **ns, char **pod)
{
  s->p++; /* '{' */
  skip_blanks (s);
  while (*s->p != '}')
    {
      const char *start = s->p;
      g_autofree char *name = NULL;
      GString *value = g_string_new (NULL);
      char **slot = NULL;

      while (is_name_char (*s->p, s->p == start))
        s->p++;
      if (s->p == start)
        {
          g_string_free (value, TRUE);
          return syntax (s, "a label name was expected");
        }
      name = g_strndup (start, s->p - start);
      skip_blanks (s);
      if (*s->p != '=' || s->p[1] != '"')
        {
          g_string_free (value, TRUE);
          return syntax (s, "label %s: =\"value\" was expected", name);
        }
      s->p += 2;
      while (*s->p != '"')
        {
          if (*s->p == '\0')
            {
              g_string_free (value, TRUE);
              return syntax (s, "label %s: the value's closing quote is missing", name);
            }
          if (*s->p == '\\')
            {
              s->p++;
              if (*s->p == 'n')
                g_string_append_c (value, '\n');
              else if (*s->p == '\\' || *s->p == '"')
                g_string_append_c (value, *s->p);
              else
                {
                  g_string_free (value, TRUE);
                  return syntax (s, "label %s: \\%c is not an escape (\\\\, \\\" or \\n)", name,
                                 *s->p != '\0' ? *s->p : ' ');
                }
              s->p++;
              continue;
            }
          g_string_append_c (value, *s->p++);
        }
      s->p++; /* '"' */
      if (strcmp (name, "container") == 0)
        slot = container;
      else if (strcmp (name, "namespace") == 0)
        slot = ns;
      else if (strcmp (name, "pod") == 0)
        slot = pod;
      if (slot != NULL)
        {
          g_free (*slot);
          *slot = g_string_free (value, FALSE);
        }
      else
        g_string_free (value, TRUE);
      skip_blanks (s);
      if (*s->p == ',')
        {
          s->p++;
          skip_blanks (s);
        }
      else if (*s->p != '}')
        return syntax (s, "',' or '}' was expected after label %s", name);
    }
  s->p++; /* '}' */
  return TRUE;
}

/* A sample's value as a usage: a finite number, not negative. */
static gboolean
scan_value (Scanner *s, const char *family, double *out)
{
  const char *start = s->p;
  g_autofree char *token = NULL;
  char *end;

  while (*s->p != '\0' && *s->p != ' ' && *s->p != '\t')
    s->p++;
  token = g_strndup (start, s->p - start);
  *out = g_ascii_strtod (token, &end);
  if (token[0] == '\0' || *end != '\0')
    return syntax (s, "%s: \"%s\" is not a number", family, token);
  if (!isfinite (*out) || *out < 0)
    return syntax (s, "%s: %s is not a usage (a number, 0 or more)", family, token);
  return TRUE;
}

/* Seconds as ns, exactly for a plain decimal (what the agent writes), else as Go's
 * uint64(value * 1e9). */
static guint64
seconds_to_ns (const char *text, double value)
{
  const char *p = text;
  guint64 whole = 0, frac = 0;
  int digits = 0;

  while (g_ascii_isdigit (*p) && whole < G_MAXUINT64 / 100)
    whole = whole * 10 + (guint64) (*p++ - '0');
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p) && digits < 9; digits++)
      frac = frac * 10 + (guint64) (*p++ - '0');
  if (p == text || *p != '\0' || whole > G_MAXUINT64 / 1000000000 - 1)
    return value * 1e9 >= 18446744073709551615.0 ? G_MAXUINT64 : (guint64) (value * 1e9);
  for (; digits < 9; digits++)
    frac *= 10;
  return whole * 1000000000 + frac;
}

static PodAcc *
pod_acc (GHashTable *pods, const char *ns, const char *pod)
{
  g_autofree char *key = g_strconcat (ns, "/", pod, NULL);
  PodAcc *a = g_hash_table_lookup (pods, key);

  if (a == NULL)
    {
      a = g_new0 (PodAcc, 1);
      a->namespace = g_strdup (ns);
      a->pod = g_strdup (pod);
      a->containers = g_array_new (FALSE, TRUE, sizeof (ContainerAcc));
      g_array_set_clear_func (a->containers, container_acc_clear);
      g_hash_table_insert (pods, g_steal_pointer (&key), a);
    }
  return a;
}

static KsMetricsPoint *
container_acc (PodAcc *a, const char *container)
{
  ContainerAcc c = { 0 };

  for (guint i = 0; i < a->containers->len; i++)
    if (strcmp (g_array_index (a->containers, ContainerAcc, i).container, container) == 0)
      return &g_array_index (a->containers, ContainerAcc, i).point;
  c.container = g_strdup (container);
  g_array_append_val (a->containers, c);
  return &g_array_index (a->containers, ContainerAcc, a->containers->len - 1).point;
}

/* One sample line. */
static gboolean
scan_sample (Scanner *s, GHashTable *pods, KsMetricsPoint *node, gboolean *node_cpu,
             gboolean *node_memory, gint64 default_time)
{
  const char *start = s->p;
  g_autofree char *family = NULL;
  g_autofree char *container = NULL;
  g_autofree char *ns = NULL;
  g_autofree char *pod = NULL;
  const char *value_text;
  g_autofree char *value_token = NULL;
  double value;
  gint64 timestamp = default_time;

  while (is_name_char (*s->p, s->p == start))
    s->p++;
  if (s->p == start)
    return syntax (s, "a metric name was expected");
  family = g_strndup (start, s->p - start);
  /* The families metrics-server does not read are skipped whatever they hold. */
  if (strcmp (family, CONTAINER_CPU) != 0 && strcmp (family, CONTAINER_MEMORY) != 0
      && strcmp (family, CONTAINER_START) != 0 && strcmp (family, NODE_CPU) != 0
      && strcmp (family, NODE_MEMORY) != 0)
    return TRUE;
  if (*s->p == '{' && !scan_labels (s, &container, &ns, &pod))
    return FALSE;
  if (*s->p != ' ' && *s->p != '\t')
    return syntax (s, "%s: a space and a value were expected", family);
  skip_blanks (s);
  value_text = s->p;
  if (!scan_value (s, family, &value))
    return FALSE;
  value_token = g_strndup (value_text, s->p - value_text);
  skip_blanks (s);
  if (*s->p != '\0')
    {
      gint64 ms;
      if (!g_ascii_string_to_signed (s->p, 10, 0, G_MAXINT64 / 1000, &ms, NULL))
        return syntax (s, "%s: \"%s\" is not a timestamp (ms since the epoch)", family, s->p);
      timestamp = ms * 1000;
    }

  if (strcmp (family, NODE_CPU) == 0)
    {
      node->cpu_ns = seconds_to_ns (value_token, value);
      node->timestamp = timestamp;
      *node_cpu = TRUE;
    }
  else if (strcmp (family, NODE_MEMORY) == 0)
    {
      node->memory = (guint64) value;
      node->timestamp = timestamp;
      *node_memory = TRUE;
    }
  else if (strcmp (family, CONTAINER_CPU) == 0 || strcmp (family, CONTAINER_MEMORY) == 0
           || strcmp (family, CONTAINER_START) == 0)
    {
      KsMetricsPoint *p;
      if (container == NULL || ns == NULL || pod == NULL)
        return syntax (s, "%s: the labels container, namespace and pod are required", family);
      p = container_acc (pod_acc (pods, ns, pod), container);
      if (strcmp (family, CONTAINER_START) == 0)
        p->start_time = (gint64) (seconds_to_ns (value_token, value) / 1000);
      else if (strcmp (family, CONTAINER_CPU) == 0)
        {
          p->cpu_ns = seconds_to_ns (value_token, value);
          p->timestamp = timestamp;
        }
      else
        {
          p->memory = (guint64) value;
          p->timestamp = timestamp;
        }
    }
  return TRUE;
}

KsMetricsBatch *
ks_resource_metrics_decode (const char *node, const char *text, gssize len, gint64 default_time,
                            GError **error)
{
  g_autofree char *copy = g_strndup (text, len < 0 ? strlen (text) : (gsize) len);
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);
  g_autoptr (GHashTable) pods
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, pod_acc_free);
  g_autoptr (GPtrArray) sorted = NULL;
  KsMetricsBatch *batch;
  KsMetricsPoint node_point = { 0 };
  gboolean node_cpu = FALSE, node_memory = FALSE;
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      Scanner s = { lines[i], i + 1, error };
      g_strchomp (lines[i]);
      skip_blanks (&s);
      if (*s.p == '\0' || *s.p == '#')
        continue;
      if (!scan_sample (&s, pods, &node_point, &node_cpu, &node_memory, default_time))
        return NULL;
    }
  batch = ks_metrics_batch_new (node);
  batch->has_node = node_cpu && node_memory;
  batch->node_point = node_point;
  sorted = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, pods);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_pods);
  for (guint i = 0; i < sorted->len; i++)
    {
      PodAcc *a = sorted->pdata[i];
      for (guint j = 0; j < a->containers->len; j++)
        {
          ContainerAcc *c = &g_array_index (a->containers, ContainerAcc, j);
          ks_metrics_batch_add_container (batch, a->namespace, a->pod, c->container, &c->point);
        }
    }
  return batch;
}

/* ---- collecting (the node agent) ----------------------------------------------------------- */

KsMetricsBatch *
ks_resource_metrics_collect (KsRuntime *rt, const char *node, GPtrArray *pods, gboolean *incomplete)
{
  KsMetricsBatch *batch = ks_metrics_batch_new (node);
  KsStats stats;

  *incomplete = FALSE;
  for (guint i = 0; pods != NULL && i < pods->len && rt->ops->container_stats != NULL; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsPodSpec *spec = pod->spec;
      for (guint j = 0; j < spec->n_init_containers + spec->n_containers; j++)
        {
          gboolean init = j < spec->n_init_containers;
          const KsContainer *c
              = init ? &spec->init_containers[j] : &spec->containers[j - spec->n_init_containers];
          KsMetricsPoint point;
          if (!rt->ops->container_stats (rt, pod, c, init, &stats))
            continue;
          point = (KsMetricsPoint){ stats.timestamp, stats.start_time, stats.cpu_ns,
                                    stats.working_set };
          ks_metrics_batch_add_container (batch, KS_OBJECT (pod)->meta.namespace,
                                          KS_OBJECT (pod)->meta.name, c->name, &point);
        }
    }
  if (rt->ops->node_stats != NULL && rt->ops->node_stats (rt, &stats))
    {
      batch->has_node = TRUE;
      batch->node_point
          = (KsMetricsPoint){ stats.timestamp, stats.start_time, stats.cpu_ns, stats.working_set };
    }
  else
    *incomplete = TRUE;
  return batch;
}

/* ---- the HTTP source ---------------------------------------------------------------------- */

typedef struct
{
  KsMetricsSource parent;
  SoupSession *session;
  GCancellable *cancellable;
} HttpSource;

typedef struct
{
  char *node;
  SoupMessage *msg;
  KsMetricsScrapeFunc done;
  gpointer user_data;
} Scrape;

static void
scrape_free (Scrape *sc)
{
  g_free (sc->node);
  g_clear_object (&sc->msg);
  g_free (sc);
}

static void
on_scraped (GObject *source, GAsyncResult *result, gpointer data)
{
  Scrape *sc = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  KsMetricsBatch *batch = NULL;

  if (body != NULL && soup_message_get_status (sc->msg) != SOUP_STATUS_OK)
    g_set_error (&error, KS_RESOURCE_METRICS_ERROR, KS_RESOURCE_METRICS_ERROR_SCRAPE,
                 "node %s: /metrics/resource answered %u %s", sc->node,
                 soup_message_get_status (sc->msg), soup_message_get_reason_phrase (sc->msg));
  else if (body != NULL)
    {
      gsize size;
      const char *text = g_bytes_get_data (body, &size);
      batch = ks_resource_metrics_decode (sc->node, text != NULL ? text : "", (gssize) size,
                                          g_get_real_time (), &error);
      if (batch == NULL)
        g_prefix_error (&error, "node %s: /metrics/resource: ", sc->node);
    }
  else
    g_prefix_error (&error, "node %s: cannot scrape /metrics/resource: ", sc->node);
  sc->done (batch, error, sc->user_data);
  scrape_free (sc);
}

static void
http_scrape (KsMetricsSource *self, const KsNode *node, KsMetricsScrapeFunc done,
             gpointer user_data)
{
  HttpSource *s = (HttpSource *) self;
  const char *name = KS_OBJECT (node)->meta.name;
  g_autofree char *url = NULL;
  Scrape *sc;

  if (node->kubelet_port <= 0)
    {
      g_autoptr (GError) error
          = g_error_new (KS_RESOURCE_METRICS_ERROR, KS_RESOURCE_METRICS_ERROR_SCRAPE,
                         "node %s has no kubelet port (status.daemonEndpoints.kubeletEndpoint."
                         "Port)",
                         name);
      done (NULL, error, user_data);
      return;
    }
  url = g_strdup_printf ("http://127.0.0.1:%d/metrics/resource", node->kubelet_port);
  sc = g_new0 (Scrape, 1);
  sc->node = g_strdup (name);
  sc->msg = soup_message_new ("GET", url);
  sc->done = done;
  sc->user_data = user_data;
  soup_session_send_and_read_async (s->session, sc->msg, G_PRIORITY_DEFAULT, s->cancellable,
                                    on_scraped, sc);
}

static void
http_free (KsMetricsSource *self)
{
  HttpSource *s = (HttpSource *) self;

  /* Scrapes in flight end with G_IO_ERROR_CANCELLED from the main context. */
  g_cancellable_cancel (s->cancellable);
  g_object_unref (s->cancellable);
  g_object_unref (s->session);
  g_free (s);
}

static const KsMetricsSourceOps http_source_ops = {
  .scrape = http_scrape,
  .free = http_free,
};

KsMetricsSource *
ks_http_metrics_source_new (gint64 timeout)
{
  HttpSource *s = g_new0 (HttpSource, 1);
  guint seconds = (guint) CLAMP ((timeout + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1, G_MAXUINT);

  s->parent.ops = &http_source_ops;
  s->session = soup_session_new_with_options ("timeout", seconds, "max-conns-per-host", 2, NULL);
  s->cancellable = g_cancellable_new ();
  return &s->parent;
}

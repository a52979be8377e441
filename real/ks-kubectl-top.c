/* ks-kubectl-top.c: kubesim top pod|node, as kubectl top (pkg/cmd/top, pkg/metricsutil): the
 * metrics API's usage in kubectl's table, cpu as "%dm" (millicores, rounded up) and memory as
 * "%dMi" (whole mebibytes, rounded down), nodes with the percentage of their allocatable. */
#include "config.h"

#include <string.h>

#include "ks-kubectl-private.h"
#include "ks-metrics-api.h"
#include "ks-printers.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"

/* kubectl's metricsCreationDelay: a pod younger than this may have no metrics yet. */
#define METRICS_CREATION_DELAY (2 * KS_USEC_PER_MIN)

#define MI (G_GINT64_CONSTANT (1024) * 1024)

/* ceil(n / d) for n >= 0: Quantity.MilliValue() of nanocores. */
static gint64
div_up (gint64 n, gint64 d)
{
  return n / d + (n % d != 0 ? 1 : 0);
}

/* SupportedMetricsAPIVersionAvailable: the server's groups have metrics.k8s.io/v1beta1. */
static gboolean
metrics_api_available (KsKubectl *k, GError **error)
{
  g_autoptr (JsonNode) groups = ks_rest_request (k->rest, "GET", "/apis", NULL, NULL, error);
  JsonNode *list;

  if (groups == NULL)
    return FALSE;
  list = JSON_NODE_HOLDS_OBJECT (groups)
             ? json_object_get_member (json_node_get_object (groups), "groups")
             : NULL;
  for (guint i = 0; list != NULL && JSON_NODE_HOLDS_ARRAY (list)
                    && i < json_array_get_length (json_node_get_array (list));
       i++)
    {
      JsonNode *g = json_array_get_element (json_node_get_array (list), i);
      JsonArray *versions;
      if (g_strcmp0 (ks_json_get_string (g, "name"), KS_METRICS_API_GROUP) != 0)
        continue;
      versions = json_object_get_array_member (json_node_get_object (g), "versions");
      for (guint j = 0; versions != NULL && j < json_array_get_length (versions); j++)
        if (g_strcmp0 (ks_json_get_string (json_array_get_element (versions, j), "version"),
                       KS_METRICS_API_VERSION)
            == 0)
          return TRUE;
    }
  return FALSE;
}

/* The path of a metrics collection or item, with the selectors. */
static char *
metrics_path (const char *resource, const char *ns, const char *name, const char *label_selector,
              const char *field_selector)
{
  GString *path = g_string_new ("/apis/" KS_METRICS_API_GROUP "/" KS_METRICS_API_VERSION "/");
  char sep = '?';

  if (ns != NULL)
    {
      g_string_append (path, "namespaces/");
      g_string_append_uri_escaped (path, ns, NULL, FALSE);
      g_string_append_c (path, '/');
    }
  g_string_append (path, resource);
  if (name != NULL)
    {
      g_string_append_c (path, '/');
      g_string_append_uri_escaped (path, name, NULL, FALSE);
    }
  if (label_selector != NULL && label_selector[0] != '\0')
    {
      g_string_append_printf (path, "%clabelSelector=", sep);
      g_string_append_uri_escaped (path, label_selector, NULL, FALSE);
      sep = '&';
    }
  if (field_selector != NULL && field_selector[0] != '\0')
    {
      g_string_append_printf (path, "%cfieldSelector=", sep);
      g_string_append_uri_escaped (path, field_selector, NULL, FALSE);
    }
  return g_string_free (path, FALSE);
}

/* The items of a metrics answer: the item itself for a get, else the List's items, each read with
 * read.  NULL with error. */
static GPtrArray *
read_items (JsonNode *answer, gboolean single, gpointer (*read) (JsonNode *, GError **),
            GDestroyNotify free_item, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (free_item);
  JsonNode *items;

  if (single)
    {
      gpointer item = read (answer, error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (out, item);
      return g_steal_pointer (&out);
    }
  items = JSON_NODE_HOLDS_OBJECT (answer)
              ? json_object_get_member (json_node_get_object (answer), "items")
              : NULL;
  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items)
                    && i < json_array_get_length (json_node_get_array (items));
       i++)
    {
      gpointer item = read (json_array_get_element (json_node_get_array (items), i), error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (out, item);
    }
  return g_steal_pointer (&out);
}

/* Get path from the metrics API (after checking the server serves it) and read its items; NULL
 * after printing the error, with the exit status in *status. */
static GPtrArray *
fetch_metrics (KsKubectl *k, const char *path, gboolean single,
               gpointer (*read) (JsonNode *, GError **), GDestroyNotify free_item, int *status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = NULL;
  GPtrArray *metrics = NULL;

  if (!metrics_api_available (k, &error))
    {
      if (error != NULL)
        {
          kc_print_error (k, error);
          *status = kc_status_for (error);
          return NULL;
        }
      kc_err (k, "error: Metrics API not available\n");
      *status = KS_KUBECTL_FAILED;
      return NULL;
    }
  answer = ks_rest_request (k->rest, "GET", path, NULL, NULL, &error);
  if (answer != NULL)
    metrics = read_items (answer, single, read, free_item, &error);
  if (metrics == NULL)
    {
      kc_print_error (k, error);
      *status = kc_status_for (error);
    }
  return metrics;
}

/* MetricsSorter.Less by usage, descending: TRUE with the order in *order when sort_by is cpu or
 * memory (equal usages are equal), FALSE when the caller orders by name. */
static gboolean
usage_order (const char *sort_by, gint64 milli_x, gint64 memory_x, gint64 milli_y, gint64 memory_y,
             gint *order)
{
  gint64 vx, vy;

  if (g_strcmp0 (sort_by, "cpu") == 0)
    vx = milli_x, vy = milli_y;
  else if (g_strcmp0 (sort_by, "memory") == 0)
    vx = memory_x, vy = memory_y;
  else
    return FALSE;
  *order = vx > vy ? -1 : vx < vy ? 1 : 0;
  return TRUE;
}

static void
cell (KsTabWriter *w, const char *text)
{
  ks_tab_writer_printf (w, "%s\t", text);
}

/* ---- pods -------------------------------------------------------------------------------------
 */

typedef struct
{
  const char *sort_by;
  gboolean with_namespace;
} PodSort;

/* PodMetricsSorter.Less: usage descending, else namespace (with -A) and name. */
static gint
compare_pods (gconstpointer a, gconstpointer b, gpointer data)
{
  const KsPodMetrics *x = *(const KsPodMetrics *const *) a;
  const KsPodMetrics *y = *(const KsPodMetrics *const *) b;
  const PodSort *sort = data;
  gint64 milli_x, memory_x, milli_y, memory_y;
  int d;

  ks_pod_metrics_total (x, &milli_x, &memory_x);
  ks_pod_metrics_total (y, &milli_y, &memory_y);
  if (usage_order (sort->sort_by, milli_x, memory_x, milli_y, memory_y, &d))
    return d;
  if (sort->with_namespace && (d = strcmp (x->namespace, y->namespace)) != 0)
    return d;
  return strcmp (x->name, y->name);
}

/* ContainerMetricsSorter.Less */
static gint
compare_containers (gconstpointer a, gconstpointer b, gpointer data)
{
  const KsContainerMetrics *x = a, *y = b;
  gint order;

  if (usage_order (data, div_up (x->nano_cpu, 1000000), x->memory, div_up (y->nano_cpu, 1000000),
                   y->memory, &order))
    return order;
  return strcmp (x->name, y->name);
}

/* printMetricsLine for usage without allocatable: name, cpu, memory. */
static void
usage_line (KsTabWriter *w, const char *name, gint64 milli, gint64 memory)
{
  cell (w, name);
  ks_tab_writer_printf (w, "%" G_GINT64_FORMAT "m\t", milli);
  ks_tab_writer_printf (w, "%" G_GINT64_FORMAT "Mi\t", memory / MI);
  ks_tab_writer_write (w, "\n");
}

static void
print_pods (KsKubectl *k, GPtrArray *metrics, const KsTopPodOptions *o)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTabWriter) w = ks_tab_writer_new_full (out, 6, 3);
  PodSort sort = { o->sort_by, o->all_namespaces };
  guint column_width = 3;

  if (metrics->len == 0)
    return;
  if (!o->no_headers)
    {
      /* As kubectl: the extra columns count for --sum only when headers are printed. */
      if (o->all_namespaces)
        cell (w, "NAMESPACE"), column_width++;
      if (o->containers)
        cell (w, "POD"), column_width++;
      ks_tab_writer_write (w, "NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
    }
  /* Stable: equal usages keep the API's order (Go's sort is not stable; kubesim is
   * deterministic). */
  g_ptr_array_sort_with_data (metrics, compare_pods, &sort);
  for (guint i = 0; i < metrics->len; i++)
    {
      KsPodMetrics *m = g_ptr_array_index (metrics, i);
      if (o->containers)
        {
          g_qsort_with_data (m->containers, (gint) m->n_containers, sizeof (KsContainerMetrics),
                             compare_containers, (gpointer) o->sort_by);
          for (guint j = 0; j < m->n_containers; j++)
            {
              if (o->all_namespaces)
                cell (w, m->namespace);
              cell (w, m->name);
              usage_line (w, m->containers[j].name, div_up (m->containers[j].nano_cpu, 1000000),
                          m->containers[j].memory);
            }
        }
      else
        {
          gint64 milli, memory;
          ks_pod_metrics_total (m, &milli, &memory);
          if (o->all_namespaces)
            cell (w, m->namespace);
          usage_line (w, m->name, milli, memory);
        }
    }
  if (o->sum)
    {
      gint64 nano = 0, memory = 0;
      for (guint i = 0; i < metrics->len; i++)
        {
          const KsPodMetrics *m = g_ptr_array_index (metrics, i);
          for (guint j = 0; j < m->n_containers; j++)
            nano += m->containers[j].nano_cpu, memory += m->containers[j].memory;
        }
      for (guint i = 0; i + 2 < column_width; i++)
        cell (w, "");
      ks_tab_writer_write (w, "________\t________\t\n");
      for (guint i = 0; i + 3 < column_width; i++)
        cell (w, "");
      usage_line (w, "", div_up (nano, 1000000), memory);
    }
  ks_tab_writer_flush (w);
  kc_out_text (k, out->str, (gssize) out->len);
}

/* verifyEmptyMetrics: why a list came back empty.  Returns KS_KUBECTL_OK when there is nothing
 * to show (no pods match), else prints the error and returns KS_KUBECTL_FAILED.  As kubectl, the
 * pods are looked for in the namespace even with -A. */
static int
explain_empty (KsKubectl *k, const KsTopPodOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = kc_list (k, ks_kind_get (KS_KIND_POD), k->namespace, o->selector,
                                       o->field_selector, &error);
  g_autoptr (GPtrArray) items = NULL;
  gint64 now = kc_now (k);

  if (list == NULL)
    {
      kc_print_error (k, error);
      return kc_status_for (error);
    }
  items = kc_list_items (list, ks_kind_get (KS_KIND_POD));
  if (items->len == 0)
    return KS_KUBECTL_OK;
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr (KsObject) pod = kc_decode (g_ptr_array_index (items, i), NULL);
      gint64 age;
      if (pod == NULL)
        continue;
      age = now - pod->meta.creation_timestamp;
      if (age > METRICS_CREATION_DELAY)
        {
          g_autofree char *text = ks_duration_format (age);
          kc_err (k, "error: Metrics not available for pod %s/%s, age: %s\n", pod->meta.namespace,
                  pod->meta.name, text);
          return KS_KUBECTL_FAILED;
        }
    }
  kc_err (k, "error: metrics not available yet\n");
  return KS_KUBECTL_FAILED;
}

static gboolean
check_sort_by (KsKubectl *k, const char *sort_by)
{
  if (sort_by != NULL && sort_by[0] != '\0' && strcmp (sort_by, "cpu") != 0
      && strcmp (sort_by, "memory") != 0)
    {
      kc_usage (k, "--sort-by accepts only cpu or memory");
      return FALSE;
    }
  return TRUE;
}

int
ks_kubectl_top_pods (KsKubectl *k, const KsTopPodOptions *o)
{
  g_autoptr (GPtrArray) metrics = NULL;
  g_autofree char *path = NULL;
  int status;

  if (!check_sort_by (k, o->sort_by))
    return KS_KUBECTL_USAGE;
  if (o->name != NULL
      && ((o->selector != NULL && o->selector[0] != '\0')
          || (o->field_selector != NULL && o->field_selector[0] != '\0')))
    return kc_usage (k, "only one of NAME or selector can be provided");
  path = metrics_path ("pods", o->all_namespaces && o->name == NULL ? NULL : k->namespace, o->name,
                       o->selector, o->field_selector);
  metrics = fetch_metrics (k, path, o->name != NULL, (gpointer) ks_pod_metrics_from_json,
                           (GDestroyNotify) ks_pod_metrics_free, &status);
  if (metrics == NULL)
    return status;
  if (metrics->len == 0)
    {
      status = explain_empty (k, o);
      if (status != KS_KUBECTL_OK)
        return status;
      if (o->all_namespaces)
        kc_err (k, "No resources found\n");
      else
        kc_err (k, "No resources found in %s namespace.\n", k->namespace);
      return KS_KUBECTL_OK;
    }
  print_pods (k, metrics, o);
  return KS_KUBECTL_OK;
}

/* ---- nodes ------------------------------------------------------------------------------------
 */

static gint
compare_nodes (gconstpointer a, gconstpointer b, gpointer data)
{
  const KsNodeMetrics *x = *(const KsNodeMetrics *const *) a;
  const KsNodeMetrics *y = *(const KsNodeMetrics *const *) b;
  gint order;

  if (usage_order (data, div_up (x->nano_cpu, 1000000), x->memory, div_up (y->nano_cpu, 1000000),
                   y->memory, &order))
    return order;
  return strcmp (x->name, y->name);
}

/* A resource's usage and its share of what is available: int64(float64(MilliValue(usage)) /
 * float64(MilliValue(available)) × 100), 0 when nothing is available, as
 * printAllResourceUsages. */
static void
usage_and_percent (KsTabWriter *w, const char *usage, gint64 used_milli, gint64 available_milli,
                   gboolean has_available)
{
  double fraction = 0;

  cell (w, usage);
  if (!has_available)
    return;
  if (available_milli != 0)
    fraction = (double) used_milli / (double) available_milli * 100;
  ks_tab_writer_printf (w, "%" G_GINT64_FORMAT "%%\t", (gint64) fraction);
}

int
ks_kubectl_top_nodes (KsKubectl *k, const KsTopNodeOptions *o)
{
  const KsKind *node_kind = ks_kind_get (KS_KIND_NODE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) metrics = NULL;
  g_autoptr (GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GHashTable) printed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (KsTabWriter) w = ks_tab_writer_new_full (out, 6, 3);
  g_autofree char *path = NULL;
  int status;

  if (!check_sort_by (k, o->sort_by))
    return KS_KUBECTL_USAGE;
  if (o->name != NULL && o->selector != NULL && o->selector[0] != '\0')
    return kc_usage (k, "only one of NAME or --selector can be provided");
  path = metrics_path ("nodes", NULL, o->name, o->selector, NULL);
  metrics = fetch_metrics (k, path, o->name != NULL, (gpointer) ks_node_metrics_from_json,
                           (GDestroyNotify) ks_node_metrics_free, &status);
  if (metrics == NULL)
    return status;
  if (metrics->len == 0)
    {
      kc_err (k, "error: metrics not available yet\n");
      return KS_KUBECTL_FAILED;
    }
  /* The nodes, for what each has available (allocatable, or capacity with --show-capacity). */
  if (o->name != NULL)
    {
      g_autoptr (JsonNode) item = kc_get (k, node_kind, NULL, o->name, &error);
      KsObject *node = item != NULL ? kc_decode (item, &error) : NULL;
      if (node == NULL)
        {
          kc_print_error (k, error);
          return kc_status_for (error);
        }
      g_ptr_array_add (nodes, node);
    }
  else
    {
      g_autoptr (JsonNode) list = kc_list (k, node_kind, NULL, o->selector, NULL, &error);
      g_autoptr (GPtrArray) items = NULL;
      if (list == NULL)
        {
          kc_print_error (k, error);
          return kc_status_for (error);
        }
      items = kc_list_items (list, node_kind);
      for (guint i = 0; i < items->len; i++)
        {
          KsObject *node = kc_decode (g_ptr_array_index (items, i), NULL);
          if (node != NULL)
            g_ptr_array_add (nodes, node);
        }
    }

  g_ptr_array_sort_with_data (metrics, compare_nodes, (gpointer) o->sort_by);
  if (!o->no_headers)
    ks_tab_writer_write (w, "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
  for (guint i = 0; i < metrics->len; i++)
    {
      const KsNodeMetrics *m = g_ptr_array_index (metrics, i);
      const KsNode *node = NULL;
      const KsResources *available;
      g_autofree char *cpu = NULL;
      g_autofree char *memory = NULL;
      gint64 milli = div_up (m->nano_cpu, 1000000);

      for (guint j = 0; j < nodes->len && node == NULL; j++)
        if (strcmp (KS_OBJECT (nodes->pdata[j])->meta.name, m->name) == 0)
          node = KS_NODE (nodes->pdata[j]);
      g_hash_table_add (printed, m->name);
      available = node == NULL ? NULL : o->show_capacity ? &node->capacity : &node->allocatable;
      cpu = g_strdup_printf ("%" G_GINT64_FORMAT "m", milli);
      memory = g_strdup_printf ("%" G_GINT64_FORMAT "Mi", m->memory / MI);
      cell (w, m->name);
      usage_and_percent (w, cpu, milli, available != NULL ? available->milli_cpu : 0,
                         available != NULL && (available->set & KS_RES_SET_CPU));
      usage_and_percent (w, memory, m->memory * 1000,
                         available != NULL ? available->memory * 1000 : 0,
                         available != NULL && (available->set & KS_RES_SET_MEMORY));
      ks_tab_writer_write (w, "\n");
    }
  /* printMissingMetricsNodeLine: the nodes without metrics (in name order here; kubectl's map
   * order is random). */
  for (guint j = 0; j < nodes->len; j++)
    {
      const char *name = KS_OBJECT (nodes->pdata[j])->meta.name;
      if (g_hash_table_contains (printed, name))
        continue;
      cell (w, name);
      ks_tab_writer_write (w, "<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n");
    }
  ks_tab_writer_flush (w);
  kc_out_text (k, out->str, (gssize) out->len);
  return KS_KUBECTL_OK;
}

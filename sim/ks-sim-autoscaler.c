/* ks-sim-autoscaler.c: the cluster autoscaler of a simulated cluster: the shared one
 * (src/controllers/ks-cluster-autoscaler) with a provider whose nodes register after the group's
 * provisioning delay, and the node pools' rows in metrics.csv and summary.json. */
#include "config.h"

#include <string.h>

#include "ks-sim-autoscaler.h"
#include "src/api/ks-yaml-emit.h"

struct _KsSimAutoscaler
{
  KsSim *sim;
  KsClusterAutoscaler *ca;
};

typedef struct
{
  KsSimAutoscaler *sa;
  guint pool;
  char *name;
} Provision;

static void
provision_free (gpointer p)
{
  Provision *v = p;
  g_free (v->name);
  g_free (v);
}

static KsNode *
template_node (gpointer data, guint pool, const char *name)
{
  KsSimAutoscaler *sa = data;

  return ks_sim_node_from_pool (
      sa->sim, g_ptr_array_index (ks_sim_get_scenario (sa->sim)->pools, pool), name);
}

/* A node the cloud provider made registers. */
static void
provisioned (gpointer data)
{
  Provision *v = data;
  g_autoptr (GError) error = NULL;

  ks_sim_add_pool_node (v->sa->sim, v->pool, v->name, &error);
  ks_cluster_autoscaler_node_registered (v->sa->ca, v->pool, v->name, error);
}

static void
create_node (gpointer data, guint pool, const char *name)
{
  KsSimAutoscaler *sa = data;
  const KsNodePool *p = g_ptr_array_index (ks_sim_get_scenario (sa->sim)->pools, pool);
  Provision *v = g_new0 (Provision, 1);

  v->sa = sa;
  v->pool = pool;
  v->name = g_strdup (name);
  ks_clock_schedule_in (ks_sim_get_clock (sa->sim), p->provisioning_delay, provisioned, v,
                        provision_free);
}

static gboolean
delete_node (gpointer data, guint pool, const char *name, GError **error)
{
  KsSimAutoscaler *sa = data;

  (void) pool;
  return ks_sim_delete_node (sa->sim, name, error);
}

static const KsNodeGroupProvider sim_provider = { template_node, create_node, delete_node };

KsSimAutoscaler *
ks_sim_autoscaler_new (KsSim *sim, const KsScenario *scenario, guint64 seed, KsEventSink *events,
                       GError **error)
{
  KsSimAutoscaler *sa = g_new0 (KsSimAutoscaler, 1);

  sa->sim = sim;
  sa->ca = ks_cluster_autoscaler_new (ks_sim_get_client (sim), ks_sim_get_clock (sim),
                                      scenario->scheduler, scenario->pools, scenario->autoscaler,
                                      &sim_provider, sa, seed, events, error);
  if (sa->ca == NULL)
    {
      g_free (sa);
      return NULL;
    }
  return sa;
}

void
ks_sim_autoscaler_free (KsSimAutoscaler *sa)
{
  if (sa == NULL)
    return;
  ks_cluster_autoscaler_free (sa->ca);
  g_free (sa);
}

void
ks_sim_autoscaler_start (KsSimAutoscaler *sa)
{
  ks_cluster_autoscaler_start (sa->ca);
}

/* Node pools in the outputs */

gboolean
ks_sim_reports_pools (KsSim *sim)
{
  const KsScenario *s = ks_sim_get_scenario (sim);

  if (s->autoscaler != NULL)
    return TRUE;
  for (guint i = 0; i < s->pools->len; i++)
    if (((const KsNodePool *) g_ptr_array_index (s->pools, i))->price_per_hour > 0)
      return TRUE;
  return FALSE;
}

void
ks_sim_sample_pools (KsSim *sim, KsSimRowFunc row, gpointer data)
{
  const KsScenario *s = ks_sim_get_scenario (sim);
  KsSimAutoscaler *ca = ks_sim_get_autoscaler (sim);
  gint64 t = ks_clock_now (ks_sim_get_clock (sim));

  for (guint i = 0; i < s->pools->len; i++)
    {
      const KsNodePool *p = g_ptr_array_index (s->pools, i);
      double hours = ks_sim_get_pool_node_hours (sim, i);
      row (t, "pool_nodes", p->name, ks_sim_get_pool_nodes (sim, i), data);
      if (p->group && ca != NULL)
        {
          KsNodeGroupStats st;
          ks_cluster_autoscaler_get_group_stats (ca->ca, i, &st);
          row (t, "pool_target_size", p->name, st.target_size, data);
        }
      row (t, "pool_node_hours", p->name, hours, data);
      row (t, "pool_cost", p->name, hours * p->price_per_hour, data);
    }
}

static void
append_double (GString *json, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (json, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

void
ks_sim_append_pools_summary (KsSim *sim, GString *json)
{
  const KsScenario *s = ks_sim_get_scenario (sim);
  KsSimAutoscaler *ca = ks_sim_get_autoscaler (sim);
  double total = 0;

  g_string_append (json, ",\n  \"node_pools\": {");
  for (guint i = 0; i < s->pools->len; i++)
    {
      const KsNodePool *p = g_ptr_array_index (s->pools, i);
      double hours = ks_sim_get_pool_node_hours (sim, i);
      total += hours * p->price_per_hour;
      g_string_append (json, i > 0 ? ",\n    " : "\n    ");
      ks_json_append_string (json, p->name, KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (json, ": {\n      \"node_group\": %s,\n      \"nodes\": %u",
                              p->group ? "true" : "false", ks_sim_get_pool_nodes (sim, i));
      if (p->group && ca != NULL)
        {
          KsNodeGroupStats st;
          ks_cluster_autoscaler_get_group_stats (ca->ca, i, &st);
          g_string_append_printf (json,
                                  ",\n      \"min\": %u,\n      \"max\": %u,\n      "
                                  "\"target_size\": %u,\n      \"scale_ups\": %u,\n      "
                                  "\"nodes_added\": %u,\n      \"nodes_removed\": %u,\n      "
                                  "\"failed_removals\": %u",
                                  p->min, p->max, st.target_size, st.scale_ups, st.nodes_added,
                                  st.nodes_removed, st.failed_removals);
        }
      g_string_append (json, ",\n      \"node_hours\": ");
      append_double (json, hours);
      g_string_append (json, ",\n      \"price_per_hour\": ");
      append_double (json, p->price_per_hour);
      g_string_append (json, ",\n      \"cost\": ");
      append_double (json, hours * p->price_per_hour);
      g_string_append (json, "\n    }");
    }
  g_string_append (json, s->pools->len > 0 ? "\n  }" : "}");
  g_string_append (json, ",\n  \"cost\": ");
  append_double (json, total);
}

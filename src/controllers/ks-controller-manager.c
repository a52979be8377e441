/* ks-controller-manager.c: starts and stops the controllers together, and their options. */
#include "config.h"

#include <math.h>

#include "ks-controller-private.h"
#include "src/api/ks-duration.h"

G_DEFINE_QUARK (ks - controller - error - quark, ks_controller_error)

struct _KsControllerManager
{
  KsControllerOptions options;
  KsReplicaSetController *replicaset;
  KsDeploymentController *deployment;
  KsStatefulSetController *statefulset;
  KsJobController *job;
  KsTtlAfterFinishedController *ttl_after_finished;
  KsPvController *pv;
  KsVolumeProtectionController *volume_protection;
  KsGarbageCollector *gc;
  KsNodeLifecycleController *node_lifecycle;
  KsTaintEvictionController *taint_eviction;
  KsEndpointsController *endpoints;
  KsEndpointSliceController *endpoint_slices;
  KsNodeIpamController *node_ipam;
  KsDisruptionController *disruption;
  KsPodGcController *pod_gc;
};

void
ks_controller_options_init (KsControllerOptions *options)
{
  *options = (KsControllerOptions){
    .endpoints = TRUE,
    .endpoint_slices = TRUE,
    .disruption = TRUE,
    .pod_gc = TRUE,
    .node_lifecycle = FALSE,
    .taint_eviction = FALSE,
    .node_ipam = FALSE,
    .node_monitor_period = KS_NODE_MONITOR_PERIOD,
    .node_monitor_grace_period = KS_NODE_MONITOR_GRACE_PERIOD,
    .node_startup_grace_period = KS_NODE_STARTUP_GRACE_PERIOD,
    .node_eviction_rate = KS_NODE_EVICTION_RATE,
    .secondary_node_eviction_rate = KS_SECONDARY_NODE_EVICTION_RATE,
    .large_cluster_size_threshold = KS_LARGE_CLUSTER_SIZE_THRESHOLD,
    .unhealthy_zone_threshold = KS_UNHEALTHY_ZONE_THRESHOLD,
    .node_cidr_mask_size = KS_NODE_CIDR_MASK_SIZE,
    .terminated_pod_gc_threshold = KS_TERMINATED_POD_GC_THRESHOLD,
    .epoch = 0,
  };
  ks_controller_options_set_cluster_cidr (options, KS_CLUSTER_CIDR, NULL);
}

gboolean
ks_controller_options_set_cluster_cidr (KsControllerOptions *options, const char *cidr,
                                        GError **error)
{
  guint32 address;
  guint prefix;

  g_return_val_if_fail (options != NULL, FALSE);
  if (!ks_ipv4_cidr_parse (cidr, &address, &prefix))
    {
      g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
                   "--cluster-cidr: \"%s\" is not valid: an IPv4 CIDR is expected (e.g. "
                   "\"" KS_CLUSTER_CIDR "\")",
                   cidr != NULL ? cidr : "");
      return FALSE;
    }
  options->cluster_cidr = prefix == 0 ? 0 : address & (0xffffffffu << (32 - prefix));
  options->cluster_cidr_prefix = (gint32) prefix;
  return TRUE;
}

static gboolean
check_period (const char *flag, gint64 value, GError **error)
{
  g_autofree char *text = NULL;

  if (value > 0)
    return TRUE;
  text = ks_duration_format (value);
  g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
               "--%s: %s is not valid: the duration must be above 0 (e.g. \"5s\")", flag, text);
  return FALSE;
}

static gboolean
check_rate (const char *flag, float value, GError **error)
{
  if (isfinite (value) && value >= 0)
    return TRUE;
  g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
               "--%s: %g is not valid: a finite number of at least 0 is expected", flag,
               (double) value);
  return FALSE;
}

gboolean
ks_controller_options_validate (const KsControllerOptions *o, GError **error)
{
  g_return_val_if_fail (o != NULL, FALSE);

  if (!check_period ("node-monitor-period", o->node_monitor_period, error)
      || !check_period ("node-monitor-grace-period", o->node_monitor_grace_period, error)
      || !check_period ("node-startup-grace-period", o->node_startup_grace_period, error)
      || !check_rate ("node-eviction-rate", o->node_eviction_rate, error)
      || !check_rate ("secondary-node-eviction-rate", o->secondary_node_eviction_rate, error)
      || !check_rate ("unhealthy-zone-threshold", o->unhealthy_zone_threshold, error))
    return FALSE;
  if (o->cluster_cidr_prefix < 0 || o->cluster_cidr_prefix > 32)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
                   "--cluster-cidr: prefix length %d is not valid: 0 to 32 is expected",
                   o->cluster_cidr_prefix);
      return FALSE;
    }
  if (o->node_cidr_mask_size < o->cluster_cidr_prefix || o->node_cidr_mask_size > 32
      || o->node_cidr_mask_size - o->cluster_cidr_prefix > 24)
    {
      g_autofree char *cidr = ks_ipv4_cidr_format (o->cluster_cidr, (guint) o->cluster_cidr_prefix);
      g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
                   "--node-cidr-mask-size: %d is not valid with --cluster-cidr=%s: a prefix "
                   "length from %d to %d is expected",
                   o->node_cidr_mask_size, cidr, o->cluster_cidr_prefix,
                   MIN (32, o->cluster_cidr_prefix + 24));
      return FALSE;
    }
  if (o->terminated_pod_gc_threshold < 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
                   "--terminated-pod-gc-threshold: %d is not valid: a number of pods of at least 0 "
                   "is expected (0 keeps them all)",
                   o->terminated_pod_gc_threshold);
      return FALSE;
    }
  if (o->large_cluster_size_threshold < 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION,
                   "--large-cluster-size-threshold: %d is not valid: a number of nodes of at "
                   "least 0 is expected",
                   o->large_cluster_size_threshold);
      return FALSE;
    }
  return TRUE;
}

/* Command-line options */

static gboolean
parse_duration_option (const char *name, const char *value, gpointer data, GError **error)
{
  KsControllerOptions *o = data;
  gint64 *slot = NULL;
  gint64 usec;

  if (g_str_equal (name, "--node-monitor-period"))
    slot = &o->node_monitor_period;
  else if (g_str_equal (name, "--node-monitor-grace-period"))
    slot = &o->node_monitor_grace_period;
  else if (g_str_equal (name, "--node-startup-grace-period"))
    slot = &o->node_startup_grace_period;
  g_return_val_if_fail (slot != NULL, FALSE);
  if (!ks_duration_parse (value, &usec, error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  *slot = usec;
  return TRUE;
}

static gboolean
parse_number_option (const char *name, const char *value, gpointer data, GError **error)
{
  KsControllerOptions *o = data;
  char *end = NULL;
  double d;

  if (g_str_equal (name, "--node-cidr-mask-size"))
    {
      gint64 n;
      if (!g_ascii_string_to_signed (value, 10, 0, 128, &n, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s: \"%s\" is not valid: a prefix length (e.g. 24) is expected", name,
                       value);
          return FALSE;
        }
      o->node_cidr_mask_size = (gint32) n;
      return TRUE;
    }
  if (g_str_equal (name, "--large-cluster-size-threshold"))
    {
      gint64 n;
      if (!g_ascii_string_to_signed (value, 10, G_MININT32, G_MAXINT32, &n, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s: \"%s\" is not valid: a whole number of nodes is expected", name, value);
          return FALSE;
        }
      o->large_cluster_size_threshold = (gint32) n;
      return TRUE;
    }
  d = g_ascii_strtod (value, &end);
  if (value[0] == '\0' || end == NULL || *end != '\0' || !isfinite (d))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: \"%s\" is not valid: a number is expected (e.g. 0.1)", name, value);
      return FALSE;
    }
  /* float32, as kube-controller-manager keeps them. */
  if (g_str_equal (name, "--node-eviction-rate"))
    o->node_eviction_rate = (float) d;
  else if (g_str_equal (name, "--secondary-node-eviction-rate"))
    o->secondary_node_eviction_rate = (float) d;
  else if (g_str_equal (name, "--unhealthy-zone-threshold"))
    o->unhealthy_zone_threshold = (float) d;
  else
    g_return_val_if_reached (FALSE);
  return TRUE;
}

static gboolean
parse_cidr_option (const char *name, const char *value, gpointer data, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (ks_controller_options_set_cluster_cidr (data, value, &local))
    return TRUE;
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, local->message);
  return FALSE;
}

GOptionGroup *
ks_controller_options_get_option_group (KsControllerOptions *options)
{
  const GOptionEntry entries[] = {
    { "node-monitor-period", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration_option,
      "How often node health is checked (default 5s)", "DURATION" },
    { "node-monitor-grace-period", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration_option,
      "How long a node may go without a heartbeat before it is marked Unknown (default 50s)",
      "DURATION" },
    { "node-startup-grace-period", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration_option,
      "The same for a node that has never been Ready (default 60s)", "DURATION" },
    { "node-eviction-rate", 0, 0, G_OPTION_ARG_CALLBACK, parse_number_option,
      "Nodes per second per zone that get NoExecute taints (default 0.1)", "RATE" },
    { "secondary-node-eviction-rate", 0, 0, G_OPTION_ARG_CALLBACK, parse_number_option,
      "The rate in a partially disrupted large zone (default 0.01)", "RATE" },
    { "large-cluster-size-threshold", 0, 0, G_OPTION_ARG_CALLBACK, parse_number_option,
      "Zones with more nodes than this use the secondary rate when disrupted (default 50)", "N" },
    { "unhealthy-zone-threshold", 0, 0, G_OPTION_ARG_CALLBACK, parse_number_option,
      "Fraction of not-ready nodes (at least 3) that makes a zone partially disrupted "
      "(default 0.55)",
      "FRACTION" },
    { "cluster-cidr", 0, 0, G_OPTION_ARG_CALLBACK, parse_cidr_option,
      "The pod network, divided among the nodes (default " KS_CLUSTER_CIDR ")", "CIDR" },
    { "node-cidr-mask-size", 0, 0, G_OPTION_ARG_CALLBACK, parse_number_option,
      "Prefix length of each node's pod CIDR (default 24)", "N" },
    G_OPTION_ENTRY_NULL,
  };
  GOptionGroup *group
      = g_option_group_new ("node-lifecycle", "Node lifecycle and IPAM controller options:",
                            "Show the node lifecycle and IPAM controllers' options", options, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

/* The manager */

KsControllerManager *
ks_controller_manager_new_full (KsClient *client, KsClock *clock, KsEventSink *events,
                                const KsControllerOptions *options)
{
  KsControllerManager *m = g_new0 (KsControllerManager, 1);

  m->options = *options;
  g_return_val_if_fail (ks_controller_options_validate (&m->options, NULL), m);
  m->deployment = ks_deployment_controller_new (client, clock, events);
  m->replicaset = ks_replicaset_controller_new (client, clock, events);
  m->statefulset = ks_statefulset_controller_new (client, clock, events);
  m->gc = ks_garbage_collector_new (client, clock);
  m->job = ks_job_controller_new (client, clock, events);
  m->ttl_after_finished = ks_ttl_after_finished_controller_new (client, clock, events);
  m->pv = ks_pv_controller_new (client, clock, events);
  if (m->options.hostpath_dir != NULL)
    ks_pv_controller_set_hostpath (m->pv, m->options.hostpath_dir, m->options.hostpath_delete);
  m->volume_protection = ks_volume_protection_controller_new (client, clock, events);
  if (m->options.node_lifecycle)
    m->node_lifecycle = ks_node_lifecycle_controller_new (client, clock, events, &m->options);
  if (m->options.taint_eviction)
    m->taint_eviction = ks_taint_eviction_controller_new (client, clock, events);
  if (m->options.endpoints)
    m->endpoints = ks_endpoints_controller_new (client, clock, events, m->options.epoch);
  if (m->options.endpoint_slices)
    m->endpoint_slices = ks_endpointslice_controller_new (client, clock, events);
  if (m->options.node_ipam)
    m->node_ipam = ks_node_ipam_controller_new (client, clock, events, &m->options);
  if (m->options.disruption)
    m->disruption = ks_disruption_controller_new (client, clock, events);
  if (m->options.pod_gc)
    m->pod_gc
        = ks_pod_gc_controller_new (client, clock, events, m->options.terminated_pod_gc_threshold);
  return m;
}

KsControllerManager *
ks_controller_manager_new (KsClient *client, KsClock *clock, KsEventSink *events)
{
  KsControllerOptions options;

  ks_controller_options_init (&options);
  return ks_controller_manager_new_full (client, clock, events, &options);
}

void
ks_controller_manager_free (KsControllerManager *m)
{
  if (m == NULL)
    return;
  ks_pod_gc_controller_free (m->pod_gc);
  ks_disruption_controller_free (m->disruption);
  ks_node_ipam_controller_free (m->node_ipam);
  ks_endpoints_controller_free (m->endpoints);
  ks_endpointslice_controller_free (m->endpoint_slices);
  ks_taint_eviction_controller_free (m->taint_eviction);
  ks_node_lifecycle_controller_free (m->node_lifecycle);
  ks_volume_protection_controller_free (m->volume_protection);
  ks_pv_controller_free (m->pv);
  ks_ttl_after_finished_controller_free (m->ttl_after_finished);
  ks_job_controller_free (m->job);
  ks_garbage_collector_free (m->gc);
  ks_statefulset_controller_free (m->statefulset);
  ks_replicaset_controller_free (m->replicaset);
  ks_deployment_controller_free (m->deployment);
  g_free (m);
}

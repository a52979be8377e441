/* ks-control-plane.c: the real-mode control plane (see ks-control-plane.h). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ks-agent-provider.h"
#include "ks-apiserver.h"
#include "ks-control-plane.h"
#include "ks-fsutil.h"
#include "ks-resource-metrics.h"
#include "ks-volumes.h"
#include "ks-wall-clock.h"
#include "src/api/ks-storage.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-event-sink-objects.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-bootstrap.h"
#include "src/store/ks-client.h"
#include "src/store/ks-sqlite-backend.h"
#include "src/store/ks-store.h"

struct _KsControlPlane
{
  KsWallClock *clock;
  KsStore *store;
  KsClient *client;
  KsObjectEventSink *events;
  KsEventTtl *event_ttl;
  KsSchedulerConfig *scheduler_config;
  KsScheduler *scheduler;
  KsControllerManager *controllers;
  KsMetricsServer *metrics;
  KsMetricsClient *metrics_client;
  KsHpaController *hpa;
  KsApiServer *api;
  GPtrArray *node_groups; /* KsNodePool* */
  KsAutoscalerOptions autoscaler_options;
  KsAgentProvider *agents;
  KsClusterAutoscaler *autoscaler;
  guint n_loaded;
  char *volumes_dir; /* the kubesim.io/hostpath provisioner's directory */
};

void
ks_control_plane_options_init (KsControlPlaneOptions *o)
{
  memset (o, 0, sizeof *o);
  o->port = KS_CONTROL_PLANE_DEFAULT_PORT;
  ks_controller_options_init (&o->controllers);
  o->controllers.node_lifecycle = TRUE;
  o->controllers.taint_eviction = TRUE;
  o->controllers.node_ipam = TRUE;
  o->metric_resolution = KS_METRICS_DEFAULT_RESOLUTION;
  ks_hpa_options_init (&o->hpa);
}

void
ks_control_plane_options_clear (KsControlPlaneOptions *o)
{
  g_clear_pointer (&o->data_dir, g_free);
  g_clear_pointer (&o->scheduler_config, g_free);
  g_clear_pointer (&o->autoscaler, g_free);
  g_clear_pointer (&o->node_cgroup_parent, g_free);
  g_clear_pointer (&o->node_args, g_strfreev);
}

void
ks_control_plane_free (KsControlPlane *cp)
{
  if (cp == NULL)
    return;
  /* The API first (no request arrives into a half-freed control plane), the store last. */
  g_clear_pointer (&cp->api, ks_api_server_free);
  g_clear_pointer (&cp->autoscaler, ks_cluster_autoscaler_free);
  g_clear_pointer (&cp->agents, ks_agent_provider_free);
  g_clear_pointer (&cp->node_groups, g_ptr_array_unref);
  g_clear_pointer (&cp->hpa, ks_hpa_controller_free);
  g_clear_pointer (&cp->metrics_client, ks_metrics_client_free);
  g_clear_pointer (&cp->metrics, ks_metrics_server_free);
  g_clear_pointer (&cp->controllers, ks_controller_manager_free);
  g_clear_pointer (&cp->scheduler, ks_scheduler_free);
  g_clear_pointer (&cp->scheduler_config, ks_scheduler_config_free);
  g_clear_pointer (&cp->event_ttl, ks_event_ttl_free);
  g_clear_pointer (&cp->events, ks_object_event_sink_free);
  g_clear_pointer (&cp->client, ks_client_free);
  g_clear_pointer (&cp->store, ks_store_free);
  g_clear_pointer (&cp->clock, ks_wall_clock_free);
  g_free (cp->volumes_dir);
  g_free (cp);
}

/* A new cluster's default StorageClass "standard": volumes as host directories of the node that
 * first runs a pod of the claim (WaitForFirstConsumer), deleted with their claims. */
static gboolean
create_default_storage_class (KsClient *client, GError **error)
{
  g_autoptr (KsObject) obj = ks_object_new (ks_kind_get (KS_KIND_STORAGE_CLASS));
  KsStorageClass *sc = KS_STORAGE_CLASS (obj);
  KsObject *created;

  obj->meta.name = g_strdup (KS_DEFAULT_STORAGE_CLASS);
  ks_object_set_annotation (obj, KS_ANN_DEFAULT_CLASS, "true");
  sc->provisioner = g_strdup (KS_HOSTPATH_PROVISIONER);
  sc->reclaim_policy = KS_RECLAIM_DELETE;
  sc->volume_binding_mode = KS_BINDING_WAIT_FOR_FIRST_CONSUMER;
  created = ks_client_create (client, obj, error);
  if (created == NULL)
    return FALSE;
  ks_object_unref (created);
  return TRUE;
}

KsControlPlane *
ks_control_plane_new (const KsControlPlaneOptions *o, GError **error)
{
  g_autoptr (KsControlPlane) cp = g_new0 (KsControlPlane, 1);
  g_autofree char *db = NULL;
  KsStoreBackend *backend;
  guint64 seed;

  g_return_val_if_fail (o->data_dir != NULL, NULL);
  if (!ks_controller_options_validate (&o->controllers, error))
    return NULL;
  if (o->metric_resolution < G_USEC_PER_SEC)
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                   "--metric-resolution: at least 1s is valid (metrics-server's default is 15s)");
      return NULL;
    }
  ks_autoscaler_options_init (&cp->autoscaler_options);
  if (o->autoscaler != NULL
      && !ks_node_groups_load_file (o->autoscaler, &cp->node_groups, &cp->autoscaler_options,
                                    error))
    return NULL;
  if (o->scheduler_config != NULL)
    {
      cp->scheduler_config = ks_scheduler_config_load_file (o->scheduler_config, error);
      if (cp->scheduler_config == NULL)
        return NULL;
    }
  else
    cp->scheduler_config = ks_scheduler_config_new_default ();
  if (g_mkdir_with_parents (o->data_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create the data directory %s: %s", o->data_dir, g_strerror (saved));
      return NULL;
    }

  cp->clock = ks_wall_clock_new ();
  /* UIDs and generated names from the system's random source: a store that outlives the process
   * must not draw the same ones again. */
  cp->store = ks_store_new (ks_wall_clock_get_clock (cp->clock), 0);
  ks_store_use_system_random (cp->store);
  db = g_build_filename (o->data_dir, "store.db", NULL);
  backend = ks_sqlite_backend_open (db, error);
  if (backend == NULL)
    return NULL;
  ks_store_set_backend (cp->store, backend, 0);
  if (!ks_store_load (cp->store, error))
    return NULL;
  for (guint k = 0; k < KS_N_KINDS; k++)
    cp->n_loaded += ks_store_count (cp->store, ks_kind_get (k));
  cp->client = ks_store_client_new (cp->store);
  if (!ks_bootstrap_objects (cp->client, error))
    return NULL;

  /* Events as Event objects (no source.host: the control plane's components set none), kept
   * for the API server's --event-ttl. */
  cp->events = ks_object_event_sink_new (cp->client, ks_wall_clock_get_clock (cp->clock), NULL, 0);
  cp->event_ttl = ks_event_ttl_new (cp->client, ks_wall_clock_get_clock (cp->clock), KS_EVENT_TTL);

  /* Ties between equally good nodes are broken by draws from a stream seeded as in sim (so the
   * same seed places the same pods on the same nodes in both worlds), else from the system. */
  seed = o->has_seed ? o->seed : ((guint64) g_random_int () << 32) | g_random_int ();
  cp->scheduler
      = ks_scheduler_new (cp->client, ks_wall_clock_get_clock (cp->clock), cp->scheduler_config,
                          ks_object_event_sink_get_sink (cp->events), seed, error);
  if (cp->scheduler == NULL)
    return NULL;
  /* Provisioned volumes are directories of the data directory, which every node agent of the
   * cluster shares (they run on this machine). */
  {
    g_autofree char *dir = g_build_filename (o->data_dir, "volumes", NULL);
    KsControllerOptions controllers = o->controllers;
    cp->volumes_dir = g_canonicalize_filename (dir, NULL);
    if (!ks_fs_mkdirs (cp->volumes_dir, 0755, error))
      return NULL;
    controllers.hostpath_dir = cp->volumes_dir;
    controllers.hostpath_delete = ks_volume_remove_provisioned;
    if (cp->n_loaded == 0 && !create_default_storage_class (cp->client, error))
      return NULL;
    cp->controllers
        = ks_controller_manager_new_full (cp->client, ks_wall_clock_get_clock (cp->clock),
                                          ks_object_event_sink_get_sink (cp->events), &controllers);
  }
  /* metrics-server's scrape timeout is 90 % of the resolution. */
  cp->metrics = ks_metrics_server_new (cp->client, ks_wall_clock_get_clock (cp->clock),
                                       ks_http_metrics_source_new (o->metric_resolution * 9 / 10),
                                       o->metric_resolution);
  /* The HPA controller reads the metrics server in process, as kube-controller-manager reads
   * metrics.k8s.io. */
  cp->metrics_client = ks_metrics_client_new_local (cp->metrics, cp->client);
  cp->hpa = ks_hpa_controller_new (cp->client, ks_wall_clock_get_clock (cp->clock),
                                   ks_object_event_sink_get_sink (cp->events), cp->metrics_client,
                                   NULL, &o->hpa);
  cp->api = ks_api_server_new (cp->store, 0);
  ks_api_server_set_metrics (cp->api, cp->metrics);
  if (!ks_api_server_listen (cp->api, o->port, error))
    return NULL;
  if (cp->node_groups != NULL)
    {
      g_autofree char *url = ks_api_server_get_url (cp->api);
      KsAgentProviderOptions agents = { o->data_dir, url, o->node_cgroup_parent, o->node_args };
      cp->agents = ks_agent_provider_new (cp->client, ks_wall_clock_get_clock (cp->clock),
                                          cp->node_groups, &agents);
      if (!ks_agent_provider_start (cp->agents, error))
        return NULL;
      cp->autoscaler = ks_cluster_autoscaler_new (
          cp->client, ks_wall_clock_get_clock (cp->clock), cp->scheduler_config, cp->node_groups,
          &cp->autoscaler_options, ks_agent_provider_get_ops (), cp->agents, seed,
          ks_object_event_sink_get_sink (cp->events), error);
      if (cp->autoscaler == NULL)
        return NULL;
      ks_agent_provider_set_autoscaler (cp->agents, cp->autoscaler);
      ks_cluster_autoscaler_start (cp->autoscaler);
    }
  return g_steal_pointer (&cp);
}

char *
ks_control_plane_get_url (KsControlPlane *cp)
{
  return ks_api_server_get_url (cp->api);
}

guint
ks_control_plane_get_n_loaded (KsControlPlane *cp)
{
  return cp->n_loaded;
}

/* ks-sched-config.h: KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): global
 * settings and profiles, with the default profile merged in the way kube-scheduler merges it
 * (v1 default_plugins.go mergePlugins, then the framework's MultiPoint expansion). */
#pragma once

#include <json-glib/json-glib.h>

#include "policies/ks-policy.h"
#include "src/api/ks-decode.h"

G_BEGIN_DECLS

typedef enum
{
  KS_POINT_QUEUE_SORT,
  KS_POINT_PRE_FILTER,
  KS_POINT_FILTER,
  KS_POINT_POST_FILTER,
  KS_POINT_PRE_SCORE,
  KS_POINT_SCORE,
  KS_POINT_RESERVE,
  KS_N_POINTS
} KsExtensionPoint;

const char *ks_extension_point_name (KsExtensionPoint point); /* "queueSort", ... */
/* Whether plugin implements point (has its callback). */
gboolean ks_plugin_implements (const KsSchedulerPlugin *plugin, KsExtensionPoint point);

typedef struct
{
  const KsSchedulerPlugin *plugin;
  gint32 weight; /* score only; 0 means 1 */
} KsPluginEntry;

typedef struct
{
  char *scheduler_name;
  gint32 percentage_of_nodes_to_score; /* -1: use the global value */
  GArray *points[KS_N_POINTS];         /* KsPluginEntry, in run order */
  GHashTable *args;                    /* plugin name → JsonNode args (owned) */
} KsProfileConfig;

typedef struct
{
  gint32 percentage_of_nodes_to_score; /* 0: adaptive */
  gint64 pod_initial_backoff;          /* µs, default 1 s */
  gint64 pod_max_backoff;              /* µs, default 10 s */
  GPtrArray *profiles;                 /* KsProfileConfig* */
} KsSchedulerConfig;

/* The configuration kube-scheduler runs with when given none: one profile "default-scheduler"
 * with the default plugins (those kubesim implements). */
KsSchedulerConfig *ks_scheduler_config_new_default (void);
/* Decode a KubeSchedulerConfiguration document.  NULL after reporting problems. */
KsSchedulerConfig *ks_scheduler_config_decode (KsDecoder *dec, JsonNode *node);
void ks_scheduler_config_free (KsSchedulerConfig *config);
/* Read a file holding one KubeSchedulerConfiguration document (`--config FILE`).  NULL with
 * error: the I/O or YAML error, or every problem as file:line:column lines (KS_INPUT_ERROR). */
KsSchedulerConfig *ks_scheduler_config_load_file (const char *path, GError **error);

/* The profile for a schedulerName, or NULL. */
KsProfileConfig *ks_scheduler_config_get_profile (KsSchedulerConfig *config, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsSchedulerConfig, ks_scheduler_config_free)

G_END_DECLS

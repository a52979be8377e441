/* ks-scenario.h: scenarios (DESIGN.md "Inputs"): a cluster (node pools or Node manifests), a
 * scheduler configuration, kubelet model defaults, objects created at time 0, timed events and
 * a duration.  Loading checks everything it can, so that a bad scenario fails before any output
 * exists: syntax, types, quantities, unknown kinds and fields, duplicate names, references to
 * missing namespaces, PriorityClasses, nodes and objects, bad simulation annotations. */
#pragma once

#include "src/api/ks-diag.h"
#include "src/api/ks-object.h"
#include "src/api/ks-resources.h"
#include <gsl/gsl_rng.h>

#include "src/api/ks-taint.h"
#include "src/controllers/ks-controllers.h"
#include "src/controllers/ks-node-groups.h"
#include "src/ks-clock.h"
#include "src/scheduler/ks-sched-config.h"

G_BEGIN_DECLS

typedef enum
{
  KS_ACTION_APPLY,
  KS_ACTION_SCALE,
  KS_ACTION_DELETE,
  KS_ACTION_FAIL_NODE,
  KS_ACTION_RECOVER_NODE,
  KS_ACTION_ROLLBACK,
  KS_ACTION_PAUSE,
  KS_ACTION_RESUME,
  KS_ACTION_CORDON,
  KS_ACTION_UNCORDON,
  KS_ACTION_DRAIN,
  KS_ACTION_ADD_NODES,
  KS_ACTION_REMOVE_NODES,
  KS_ACTION_PARTITION_NODE,
  KS_ACTION_HEAL_PARTITION,
  KS_ACTION_AUTOSCALE,
} KsActionType;

const char *ks_action_type_name (KsActionType type); /* "apply", "scale", ... */

typedef struct
{
  gint64 at;
  KsActionType type;
  GPtrArray *objects; /* apply: KsObject*; autoscale: the HorizontalPodAutoscaler to create */
  const KsKind *kind; /* scale, delete */
  char *namespace;    /* scale, delete, rollback, pause, resume */
  char *name;         /* scale, delete, failNode, recoverNode, partitionNode, healPartition,
                         cordon, uncordon, drain; the
                         deployment of rollback, pause, resume; the pool of addNodes, removeNodes */
  gint32 replicas;    /* scale; removeNodes: how many */
  gint64 revision;    /* rollback: toRevision, 0 for the previous one */
  gboolean force;     /* drain: evict pods no controller manages too (kubectl drain --force) */
  gint64 timeout;     /* drain: µs to keep retrying refused evictions; 0: no limit */
  char **nodes;       /* addNodes: the new nodes' names (the pool is name) */
  char *where;        /* "file:line:column" of the event, for run-time messages */
} KsAction;

/* A distribution of durations (the failures model's MTBF and MTTR), drawn with GSL. */
typedef enum
{
  KS_DIST_EXPONENTIAL, /* a: the mean, µs */
  KS_DIST_WEIBULL,     /* a: the scale, µs; b: the shape */
  KS_DIST_LOGNORMAL,   /* a: the median (e^mu), µs; b: sigma */
} KsDistributionKind;

typedef struct
{
  KsDistributionKind kind;
  double a;
  double b;
} KsDistribution;

/* A draw from d with rng, in µs (at least 1). */
gint64 ks_distribution_sample (const KsDistribution *d, gsl_rng *rng);

/* One entry of the scenario's failures section: the nodes of a pool, each on its own, or the
 * nodes of a zone, all together, stay up for a draw of mtbf, fail (crash as failNode, or
 * partition as partitionNode) for a draw of mttr, come back, and so on. */
typedef struct
{
  char *pool; /* exactly one of pool ... */
  char *zone; /* ... and zone (topology.kubernetes.io/zone) is set */
  gboolean partition;
  KsDistribution mtbf;
  KsDistribution mttr;
  char *where; /* "file:line:column", for messages */
} KsFailureModel;

typedef struct
{
  char *name;
  char *path; /* the scenario file */
  gboolean has_seed;
  guint64 seed;
  gint64 duration;  /* µs; -1 when not set */
  GPtrArray *pools; /* KsNodePool* */
  GPtrArray *nodes; /* KsObject* Nodes from nodeFiles */
  KsSchedulerConfig *scheduler;
  gint64 kubelet_startup;  /* µs */
  GPtrArray *objects;      /* KsObject*, in creation order */
  GPtrArray *actions;      /* KsAction*, by time (stable) */
  GPtrArray *loads;        /* KsLoad* (ks-load.h), or NULL: none */
  GPtrArray *expectations; /* KsExpectation* (ks-expect.h), in the order written */
  /* The cluster autoscaler's options when the scenario has node groups (pools with group set),
   * else NULL. */
  KsAutoscalerOptions *autoscaler;
  /* Node failures happen (failNode or partitionNode events, or a failures section): the node
   * agents renew Leases and
   * post status, and the node lifecycle and taint eviction controllers run.  Otherwise nothing
   * fails, and the heartbeats, which would cost every run their events, are not modelled. */
  gboolean node_lifecycle;
  /* kube-controller-manager's settings (the scenario's controllers section over the defaults);
   * NULL: the defaults (a loaded scenario always has them).  Only the node lifecycle settings
   * and the terminated-pod threshold are taken from it; which controllers run is the sim's. */
  KsControllerOptions *controllers;
  GPtrArray *failures; /* KsFailureModel*, in order */
  /* The scenario's hpa section (metrics-server and HPA controller settings). */
  gboolean has_autoscaling;    /* the section is there */
  gint64 metric_resolution;    /* µs, metrics-server's --metric-resolution (15 s) */
  gint64 scrape_delay;         /* µs a scrape's points take to be stored (0) */
  gint64 hpa_sync_period;      /* µs (15 s) */
  double hpa_tolerance;        /* 0.1 */
  gint64 hpa_downscale_window; /* µs (5 min) */
  gint64 hpa_cpu_init_period;  /* µs (5 min) */
  gint64 hpa_readiness_delay;  /* µs (30 s) */
  const char *hpa_policy;      /* hpa.policy: a policy's own name, "kubernetes" */
} KsScenario;

/* The kubelet model's default startup time when the scenario gives none. */
#define KS_DEFAULT_STARTUP (1 * KS_USEC_PER_SEC)

/* Load and check a scenario.  Every problem goes to diag ("file:line:column: path: message");
 * returns NULL when there was any. */
KsScenario *ks_scenario_load (const char *path, KsDiag *diag);
void ks_scenario_free (KsScenario *scenario);
/* A scenario with nothing in it and the loader's defaults (default scheduler, kubelet startup,
 * controllers and hpa settings), for inputs built in code (trace replay). */
KsScenario *ks_scenario_new (const char *name, const char *path);

/* Load Kubernetes manifests from a file (all documents), checking them; objects appended to
 * out.  Used for scenario objects and by other commands. */
gboolean ks_manifests_load (const char *path, GPtrArray *out, KsDiag *diag);

/* The node names the scenario's cluster will have, in creation order. */
GPtrArray *ks_scenario_node_names (const KsScenario *scenario);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsScenario, ks_scenario_free)

G_END_DECLS

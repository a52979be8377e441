/* ks-pod.h: v1 Pod, its shared spec, and pod templates.
 *
 * A pod's spec (containers, resources, scheduling constraints) is an immutable, reference-counted
 * KsPodSpec: every pod made from one template shares it, which keeps a live pod small.  What
 * changes per pod (nodeName, status) lives in KsPod itself. */
#pragma once

#include "ks-object.h"
#include "ks-resources.h"
#include "ks-selector.h"
#include "ks-taint.h"

G_BEGIN_DECLS

typedef enum
{
  KS_RESTART_ALWAYS,
  KS_RESTART_ON_FAILURE,
  KS_RESTART_NEVER,
} KsRestartPolicy;

typedef enum
{
  KS_PREEMPT_LOWER_PRIORITY,
  KS_PREEMPT_NEVER,
} KsPreemptionPolicy;

typedef enum
{
  KS_QOS_BEST_EFFORT,
  KS_QOS_BURSTABLE,
  KS_QOS_GUARANTEED,
} KsQosClass;

const char *ks_restart_policy_name (KsRestartPolicy policy);
const char *ks_preemption_policy_name (KsPreemptionPolicy policy);
const char *ks_qos_class_name (KsQosClass qos);

/* intstr.IntOrString as a port: a number, or the name of a container port. */
typedef struct
{
  gint32 number; /* when name is NULL; 0: unset */
  char *name;    /* a port name, or NULL */
} KsIntOrString;

void ks_int_or_string_clear (KsIntOrString *v);
void ks_int_or_string_copy (KsIntOrString *dst, const KsIntOrString *src);
/* Decode member field of obj as a port: a number 1–65535 or a port name (IsValidPortName),
 * reported with Kubernetes' messages.  With allow_unset, 0 and "" are accepted and leave *out
 * unset (a Service's targetPort defaults to its port).  Absent leaves *out unchanged. */
gboolean ks_port_decode (KsDecoder *dec, JsonNode *obj, const char *field, gboolean allow_unset,
                         KsIntOrString *out);
/* Add member with the number, or the name as a string. */
void ks_builder_add_int_or_string (JsonBuilder *b, const char *member, const KsIntOrString *v);
/* "8080" or "http", for messages.  Newly allocated. */
char *ks_int_or_string_to_string (const KsIntOrString *v);

typedef struct
{
  char *name;
  gint32 container_port;
  gint32 host_port; /* 0 when unset */
  char *protocol;   /* "TCP", "UDP", "SCTP" */
  char *host_ip;    /* NULL when unset */
} KsContainerPort;

typedef struct
{
  char *name;
  char *value;      /* "" when unset */
  char *field_path; /* valueFrom.fieldRef.fieldPath (the downward API), or NULL */
} KsEnvVar;

/* A probe's handler: exactly one.  gRPC probes are decoded but refused (not supported). */
typedef enum
{
  KS_PROBE_EXEC,
  KS_PROBE_HTTP_GET,
  KS_PROBE_TCP_SOCKET,
} KsProbeHandler;

typedef struct
{
  char *name;
  char *value;
} KsHttpHeader;

/* v1.Probe with Kubernetes' defaults applied. */
typedef struct
{
  KsProbeHandler handler;
  char **command;             /* exec: NULL-terminated, not empty */
  char *path;                 /* httpGet: default "/" */
  KsIntOrString port;         /* httpGet, tcpSocket: a number or a container port's name */
  char *host;                 /* httpGet, tcpSocket: NULL for the pod's IP */
  gboolean https;             /* httpGet: scheme HTTPS (default HTTP) */
  KsHttpHeader *http_headers; /* httpGet */
  guint n_http_headers;
  gint32 initial_delay_seconds;            /* default 0 */
  gint32 timeout_seconds;                  /* default 1 */
  gint32 period_seconds;                   /* default 10 */
  gint32 success_threshold;                /* default 1; must be 1 for liveness and startup */
  gint32 failure_threshold;                /* default 3 */
  gint64 termination_grace_period_seconds; /* -1 when unset (the pod's applies) */
} KsProbe;

void ks_probe_free (KsProbe *probe);
KsProbe *ks_probe_copy (const KsProbe *probe);

/* v1.VolumeMount: a volume of the pod (by name) at mount_path in the container, optionally only
 * its sub_path (relative, without ".."), read-only or not. */
typedef struct
{
  char *name;
  char *mount_path;
  char *sub_path; /* NULL when unset */
  gboolean read_only;
} KsVolumeMount;

typedef struct
{
  char *name;
  char *image;
  char **command; /* NULL-terminated or NULL */
  char **args;
  char *working_dir;
  char *image_pull_policy; /* defaulted: Always for :latest or no tag, else IfNotPresent */
  KsEnvVar *env;
  guint n_env;
  KsContainerPort *ports;
  guint n_ports;
  KsResources requests; /* defaulted from limits where a limit is set without a request */
  KsResources limits;
  gboolean restart_always; /* init containers: restartPolicy Always (a sidecar) */
  KsProbe *liveness_probe; /* NULL when unset; owned, like the rest of the shared spec */
  KsProbe *readiness_probe;
  KsProbe *startup_probe;
  /* Last, so that the fields above keep their offsets for policy modules. */
  KsVolumeMount *volume_mounts; /* volumeMounts, in order */
  guint n_volume_mounts;
} KsContainer;

/* The port number a probe's port means in container c: a number as it is, a name through the
 * container's ports (the kubelet's findPortByName).  FALSE when c has no port of that name. */
gboolean ks_container_resolve_port (const KsContainer *c, const KsIntOrString *port, gint32 *out);

/* v1.PodAffinityTerm, decoded and validated.  Which pods a term selects: those whose
 * namespace is listed in namespaces (the term owner's namespace when both namespaces and
 * namespaceSelector are unset) or whose namespace's labels match namespace_selector, and whose
 * labels match label_selector together with matchLabelKeys / mismatchLabelKeys (kube-apiserver
 * merges those into labelSelector when it creates a pod; kubesim keeps them apart, with the same
 * effect, so that a pod encodes as it was written). */
typedef struct
{
  KsLabelSelector *label_selector;     /* NULL when unset: selects no pod */
  char **namespaces;                   /* NULL-terminated; NULL when unset or empty */
  KsLabelSelector *namespace_selector; /* NULL when unset; empty: every namespace */
  char *topology_key;
  char **match_label_keys;    /* NULL-terminated; NULL when unset or empty */
  char **mismatch_label_keys; /* likewise */
} KsPodAffinityTerm;

/* v1.WeightedPodAffinityTerm. */
typedef struct
{
  gint32 weight; /* 1-100 */
  KsPodAffinityTerm term;
} KsWeightedPodAffinityTerm;

/* v1.PodAffinity or v1.PodAntiAffinity (they have the same shape).  Immutable and
 * reference-counted; a present but empty one ({}) has no terms. */
typedef struct
{
  gint ref_count;
  KsPodAffinityTerm *required; /* requiredDuringSchedulingIgnoredDuringExecution */
  guint n_required;
  KsWeightedPodAffinityTerm *preferred; /* preferredDuringSchedulingIgnoredDuringExecution */
  guint n_preferred;
} KsPodAffinity;

KsPodAffinity *ks_pod_affinity_ref (KsPodAffinity *affinity);
void ks_pod_affinity_unref (KsPodAffinity *affinity);
/* Decode a PodAffinity / PodAntiAffinity mapping (the path already names it), with Kubernetes'
 * validation and field paths.  NULL after reporting problems. */
KsPodAffinity *ks_pod_affinity_decode (KsDecoder *dec, JsonNode *node);
void ks_pod_affinity_encode (const KsPodAffinity *affinity, JsonBuilder *b);

typedef enum
{
  KS_DO_NOT_SCHEDULE,
  KS_SCHEDULE_ANYWAY,
} KsUnsatisfiableAction;

typedef enum
{
  KS_NODE_INCLUSION_UNSET, /* the default applies: Honor for node affinity, Ignore for taints */
  KS_NODE_INCLUSION_HONOR,
  KS_NODE_INCLUSION_IGNORE,
} KsNodeInclusionPolicy;

const char *ks_unsatisfiable_action_name (KsUnsatisfiableAction action);

/* v1.TopologySpreadConstraint, decoded and validated. */
typedef struct
{
  gint32 max_skew; /* > 0 */
  char *topology_key;
  KsUnsatisfiableAction when_unsatisfiable;
  KsLabelSelector *label_selector; /* NULL when unset: selects no pod */
  gint32 min_domains;              /* 0 when unset (counts as 1); DoNotSchedule only */
  KsNodeInclusionPolicy node_affinity_policy;
  KsNodeInclusionPolicy node_taints_policy;
  char **match_label_keys; /* NULL-terminated; NULL when unset or empty */
} KsTopologySpreadConstraint;

/* spec.topologySpreadConstraints: immutable and reference-counted. */
typedef struct
{
  gint ref_count;
  guint n;
  KsTopologySpreadConstraint items[];
} KsTopologySpreadConstraints;

KsTopologySpreadConstraints *ks_topology_spread_constraints_ref (KsTopologySpreadConstraints *c);
void ks_topology_spread_constraints_unref (KsTopologySpreadConstraints *c);
/* Decode a list of constraints (the path already names it) with Kubernetes' validation.  With
 * for_args, as PodTopologySpreadArgs.defaultConstraints: a labelSelector is forbidden and
 * kube-scheduler's messages are used.  NULL after reporting problems. */
KsTopologySpreadConstraints *ks_topology_spread_constraints_decode (KsDecoder *dec, JsonNode *node,
                                                                    gboolean for_args);
void ks_topology_spread_constraints_encode (const KsTopologySpreadConstraints *c, JsonBuilder *b);

typedef struct _KsPodSpec KsPodSpec;

struct _KsPodSpec
{
  gint ref_count;
  KsContainer *containers;
  guint n_containers;
  KsContainer *init_containers;
  guint n_init_containers;
  KsStrMap *node_selector;
  KsNodeAffinity *node_affinity;                            /* NULL when unset */
  KsPodAffinity *pod_affinity;                              /* NULL when unset */
  KsPodAffinity *pod_anti_affinity;                         /* NULL when unset */
  KsTopologySpreadConstraints *topology_spread_constraints; /* NULL when unset or empty */
  KsToleration *tolerations;
  guint n_tolerations;
  char *priority_class_name;
  gboolean has_priority;
  gint32 priority;
  gboolean has_preemption_policy;
  KsPreemptionPolicy preemption_policy;
  char *scheduler_name; /* defaulted to "default-scheduler" */
  char *node_name;      /* as written (templates); a pod's own binding is KsPod.node_name */
  KsRestartPolicy restart_policy;
  gint64 termination_grace_period_seconds; /* default 30 */
  gint64 active_deadline_seconds;          /* -1 when unset */
  char *hostname;
  char *subdomain;
  char *service_account_name;
  KsResources overhead;

  /* Derived when the spec is decoded or built (ks_pod_spec_finish): */
  KsResources
      requests; /* effective requests, scheduler rules (§1.7.1): max(init, sum) + overhead */
  gint64 nonzero_milli_cpu; /* the same with 100m / 200Mi defaults per container, for scoring */
  gint64 nonzero_memory;
  KsQosClass qos_class;

  /* Admission (src/store/ks-admission.c): whether this spec went through it, and the admitted
   * copy made from this spec last time, so pods of one template share one admitted spec. */
  gboolean admitted;
  KsPodSpec *admitted_cache;

  /* Last, so that the fields above keep their offsets for policy modules: spec.volumes as
   * written (an array node; NULL when unset), kept and encoded as is, and the claimName of each
   * persistentVolumeClaim volume (NULL-terminated; NULL when there is none), which the
   * scheduler's volume plugins and the PV controller read. */
  JsonNode *volumes;
  char **claim_names;
};

KsPodSpec *ks_pod_spec_new (void);
KsPodSpec *ks_pod_spec_ref (KsPodSpec *spec);
void ks_pod_spec_unref (KsPodSpec *spec);
/* A modifiable deep copy (ref_count 1). */
KsPodSpec *ks_pod_spec_copy (const KsPodSpec *spec);
/* Recompute the derived fields after changing containers or overhead. */
void ks_pod_spec_finish (KsPodSpec *spec);
/* Decode a PodSpec mapping; NULL after reporting problems. */
KsPodSpec *ks_pod_spec_decode (KsDecoder *dec, JsonNode *node);
void ks_pod_spec_encode (const KsPodSpec *spec, const char *node_name, JsonBuilder *b);
/* ValidateVolumeMounts' name check: every volumeMount of spec's containers (decoded from the
 * PodSpec mapping node, the current path) names one of spec's volumes or one of extra
 * (NULL-terminated, may be NULL: a StatefulSet's claim templates); reports "Not found" at
 * containers[i].volumeMounts[j].name otherwise.  FALSE when it reported a problem. */
gboolean ks_pod_spec_check_mounts (KsDecoder *dec, JsonNode *node, const KsPodSpec *spec,
                                   const char *const *extra);
/* The volume named name of spec.volumes (a mapping), or NULL. */
JsonObject *ks_pod_spec_find_volume (const KsPodSpec *spec, const char *name);
/* Canonical JSON of the spec (for hashing and equality of templates).  Newly allocated. */
char *ks_pod_spec_to_json (const KsPodSpec *spec);

/* The non-zero request of one container for scoring: 100m cpu / 200Mi memory when unset. */
#define KS_DEFAULT_MILLI_CPU_REQUEST 100
#define KS_DEFAULT_MEMORY_REQUEST (200 * 1024 * 1024)

typedef enum
{
  KS_POD_PENDING,
  KS_POD_RUNNING,
  KS_POD_SUCCEEDED,
  KS_POD_FAILED,
  KS_POD_UNKNOWN,
} KsPodPhase;

const char *ks_pod_phase_name (KsPodPhase phase);

typedef enum
{
  KS_CONDITION_UNSET,
  KS_CONDITION_TRUE,
  KS_CONDITION_FALSE,
  KS_CONDITION_UNKNOWN,
} KsConditionStatus;

const char *ks_condition_status_name (KsConditionStatus status);

typedef struct
{
  const char *reason; /* interned */
  char *message;      /* owned, may be NULL */
  /* Packed into one word (every pod has five conditions): times are µs and fit in 56 bits. */
  gint64 last_transition_time : 56;
  KsConditionStatus status : 8;
} KsCondition;

typedef enum
{
  KS_POD_COND_SCHEDULED,
  KS_POD_COND_INITIALIZED,
  KS_POD_COND_CONTAINERS_READY,
  KS_POD_COND_READY,
  KS_POD_COND_DISRUPTION_TARGET,
  KS_N_POD_CONDITIONS
} KsPodConditionType;

const char *ks_pod_condition_name (KsPodConditionType type);

/* The DisruptionTarget condition's reasons (k8s.io/api/core/v1), each set by one component just
 * before it deletes the pod or makes it Failed: the scheduler's preemption (its victims), the
 * Eviction API (pods/eviction), the taint eviction controller, the pod garbage collector and the
 * kubelet's node-pressure eviction. */
#define KS_DISRUPTION_PREEMPTION_BY_SCHEDULER "PreemptionByScheduler"
#define KS_DISRUPTION_EVICTION_BY_EVICTION_API "EvictionByEvictionAPI"
#define KS_DISRUPTION_DELETION_BY_TAINT_MANAGER "DeletionByTaintManager"
#define KS_DISRUPTION_DELETION_BY_POD_GC "DeletionByPodGC"
#define KS_DISRUPTION_TERMINATION_BY_KUBELET "TerminationByKubelet"

typedef enum
{
  KS_CONTAINER_WAITING,
  KS_CONTAINER_RUNNING,
  KS_CONTAINER_TERMINATED,
} KsContainerState;

typedef struct
{
  const char *reason; /* interned: ContainerCreating, CrashLoopBackOff, Completed, Error, ... */
  char *message;
  gint64 started_at;
  gint64 finished_at;
  gint32 exit_code;
  gint32 restart_count;
  guint8 state; /* KsContainerState */
  guint8 ready;
  guint8 started;
  /* The previous instance, once the container has restarted. */
  guint8 has_last;
  gint32 last_exit_code;
  const char *last_reason;
  gint64 last_started_at;
  gint64 last_finished_at;
  /* owned, "<runtime>://<id>": the instance that runs or ran last (also state.terminated's, and
   * lastState.terminated's while the container waits to restart); NULL when there is none
   * (sim's runtime reports none). */
  char *container_id;
} KsContainerStatus;

/* Status strings most pods never have, kept out of line (ks_pod_get/set_status_string). */
typedef enum
{
  KS_POD_NOMINATED_NODE_NAME,
  KS_POD_REASON,
  KS_POD_MESSAGE,
  KS_POD_HOST_IP,
  KS_POD_POD_IP,
  KS_N_POD_STATUS_STRINGS
} KsPodStatusString;

typedef struct
{
  KsObject parent;
  KsPodSpec *spec;
  const char *node_name; /* interned; NULL until bound */
  KsPodPhase phase;
  /* Messages are interned reference-counted strings (g_ref_string_new_intern), shared by the
   * pods that carry the same text: set them with ks_pod_set_condition only. */
  KsCondition conditions[KS_N_POD_CONDITIONS];
  gint64 start_time; /* KS_TIME_NONE until the kubelet starts the pod */
  char **strings;    /* KS_N_POD_STATUS_STRINGS entries, or NULL when all are unset */
  /* spec->n_containers entries, then the spec->n_init_containers of the init containers
   * (ks_pod_init_container_statuses): one allocation, as both lists exist or neither does and
   * few pods have init containers.  NULL before the kubelet first writes statuses. */
  KsContainerStatus *container_statuses;
} KsPod;

const char *ks_pod_get_status_string (const KsPod *pod, KsPodStatusString which);
/* Set (a copy of) value, or unset with NULL. */
void ks_pod_set_status_string (KsPod *pod, KsPodStatusString which, const char *value);

#define KS_POD(o) ((KsPod *) (o))

/* A new pod (ref_count 1) with no name, sharing spec. */
KsPod *ks_pod_new (KsPodSpec *spec);
/* A modifiable copy. */
KsPod *ks_pod_copy (const KsPod *pod);

/* Succeeded or Failed. */
gboolean ks_pod_is_terminal (const KsPod *pod);
/* Not terminal and not being deleted. */
gboolean ks_pod_is_active (const KsPod *pod);
gboolean ks_pod_is_ready (const KsPod *pod);
/* Ready for at least min_ready_seconds at now (IsPodAvailable). */
gboolean ks_pod_is_available (const KsPod *pod, gint32 min_ready_seconds, gint64 now);
/* Set a condition; changes lastTransitionTime only when the status changes.  message is
 * copied (may be NULL). */
void ks_pod_set_condition (KsPod *pod, KsPodConditionType type, KsConditionStatus status,
                           const char *reason, const char *message, gint64 now);
/* Sum of restartCount over containers, and the largest one. */
gint32 ks_pod_max_restarts (const KsPod *pod);
/* The first time one of the pod's containers ran, or KS_TIME_NONE (a container that restarted
 * more than once keeps only its last two starts: the earlier of them). */
gint64 ks_pod_first_start (const KsPod *pod);
/* Allocate container statuses (all Waiting/ContainerCreating, init containers
 * Waiting/PodInitializing) if missing. */
void ks_pod_ensure_container_statuses (KsPod *pod);

/* The init containers' statuses (spec->n_init_containers entries after the regular ones), or
 * NULL when the pod has no statuses yet or no init containers. */
static inline KsContainerStatus *
ks_pod_init_container_statuses (const KsPod *pod)
{
  return pod->container_statuses != NULL && pod->spec->n_init_containers > 0
             ? pod->container_statuses + pod->spec->n_containers
             : NULL;
}

/* The priority the scheduler uses: spec.priority, 0 when unset. */
static inline gint32
ks_pod_get_priority (const KsPod *pod)
{
  return pod->spec->has_priority ? pod->spec->priority : 0;
}

/* v1.PodTemplateSpec (metadata labels/annotations + spec). */
typedef struct
{
  KsStrMap *labels;
  KsStrMap *annotations;
  KsPodSpec *spec;
} KsPodTemplate;

void ks_pod_template_clear (KsPodTemplate *t);
void ks_pod_template_copy (KsPodTemplate *dst, const KsPodTemplate *src);
/* Decode the template at member "template" of node; reports missing template/spec. */
gboolean ks_pod_template_decode (KsDecoder *dec, JsonNode *node, KsPodTemplate *out);
/* ks_pod_spec_check_mounts for the template at member "template" of the workload spec node,
 * when it was decoded (t->spec non-NULL). */
gboolean ks_pod_template_check_mounts (KsDecoder *dec, JsonNode *node, const KsPodTemplate *t,
                                       const char *const *extra);
void ks_pod_template_encode (const KsPodTemplate *t, JsonBuilder *b);
/* A workload spec's "selector" (when set) and "template" (when it has a spec) members, as
 * ReplicaSets, Deployments, StatefulSets and Jobs encode them. */
void ks_builder_add_selector_and_template (JsonBuilder *b, const KsLabelSelector *selector,
                                           const KsPodTemplate *t);
/* Canonical JSON of the template, optionally without one label key (for pod-template-hash
 * comparisons).  Newly allocated. */
char *ks_pod_template_to_json (const KsPodTemplate *t, const char *skip_label);
/* A new pod from the template: labels, annotations and spec shared; nodeName from the spec. */
KsPod *ks_pod_new_from_template (const KsPodTemplate *t);

KS_DEFINE_OBJECT_AUTOPTR (KsPod, ks_pod)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsPodAffinity, ks_pod_affinity_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTopologySpreadConstraints, ks_topology_spread_constraints_unref)

G_END_DECLS

/* ks-trace-objects.h: trace records as Kubernetes objects (docs/user-guide.md "Replaying a
 * trace"), shared by `kubesim replay` and `kubesim trace convert`.
 *
 * A submitted task becomes a Pod in namespace default with one container "task" requesting the
 * record's cpu and memory, restartPolicy Never, the job as label kubesim.io/job, the reader's
 * PriorityClass band as priorityClassName, the recorded run time (when the row gives it) as
 * kubesim.io/duration, whole GPUs as the extended resource nvidia.com/gpu and a share of one GPU
 * (openb gpu_milli below 1000) as the GPUPacking policy's annotations kubesim.io/gpu-milli and
 * kubesim.io/gpu-count; allowed GPU models become a required node affinity on the node label
 * nvidia.com/gpu.product.  A machine becomes a Node with that capacity (and allocatable), its GPU
 * model as nvidia.com/gpu.product and its failure domain as topology.kubernetes.io/zone.
 *
 * Manifests are built with json-glib in a fixed member order, so that the same record always
 * gives the same bytes. */
#pragma once

#include "ks-trace.h"

G_BEGIN_DECLS

#define KS_TRACE_LABEL_JOB "kubesim.io/job"
#define KS_TRACE_LABEL_GPU_MODEL "nvidia.com/gpu.product"
#define KS_TRACE_LABEL_ZONE "topology.kubernetes.io/zone"
#define KS_TRACE_ANNOTATION_PRIORITY "kubesim.io/trace-priority"
#define KS_TRACE_ANNOTATION_ATTEMPT "kubesim.io/attempt"
#define KS_TRACE_CONTAINER "task"
#define KS_TRACE_IMAGE "kubesim/trace-task"
#define KS_TRACE_NAMESPACE "default"

/* The PriorityClass bands that replay creates before the first record (docs/traces.md), from
 * the Google traces' tiers: free, best-effort batch, mid, production, monitoring. */
typedef struct
{
  const char *name;
  gint32 value;
  const char *description;
} KsTraceBand;

#define KS_TRACE_BAND_FREE "trace-free"
#define KS_TRACE_BAND_BATCH "trace-batch"
#define KS_TRACE_BAND_MID "trace-mid"
#define KS_TRACE_BAND_PRODUCTION "trace-production"
#define KS_TRACE_BAND_MONITORING "trace-monitoring"

/* The bands, lowest first; *n_bands set to their number. */
const KsTraceBand *ks_trace_bands (guint *n_bands);
/* The band of a Google priority: 2011 (0-11: 0-1 free, 2-8 batch, 9-11 production) or 2019 (≤99
 * free, 100-115 batch, 116-119 mid, 120-359 production, ≥360 monitoring). */
const char *ks_trace_google_band (int priority, gboolean google_2019);
/* A PriorityClass manifest (scheduling.k8s.io/v1). */
JsonObject *ks_trace_priority_class_manifest (const char *name, gint32 value,
                                              const char *description);

/* The outcome's name in the native format and pods.csv ("succeeded", "failed", "killed",
 * "evicted", "lost"; "" for NONE), and back (FALSE for an unknown name). */
const char *ks_trace_outcome_name (KsTraceOutcome outcome);
gboolean ks_trace_outcome_parse (const char *name, KsTraceOutcome *out);

/* A label value made of text: characters outside [A-Za-z0-9._-] become '-', at most 63, starting
 * and ending alphanumeric ("x" when nothing is left).  Newly allocated. */
char *ks_trace_label_value (const char *text);

/* The Pod of a POD_SUBMIT record (newly allocated). */
JsonObject *ks_trace_pod_manifest (const KsTraceRecord *record);
/* The Node of a NODE_ADD or NODE_UPDATE record (newly allocated).  Capacity not given (-1) is
 * left out; pods is 110, the kubelet's default. */
JsonObject *ks_trace_node_manifest (const KsTraceRecord *record);

G_END_DECLS

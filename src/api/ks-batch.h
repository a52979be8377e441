/* ks-batch.h: batch/v1 Job. */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"
#include "ks-selector.h"

G_BEGIN_DECLS

typedef enum
{
  KS_JOB_NON_INDEXED,
  KS_JOB_INDEXED,
} KsJobCompletionMode;

/* The Job condition types kubesim sets, in Kubernetes' names. */
typedef enum
{
  KS_JOB_COND_SUCCESS_CRITERIA_MET,
  KS_JOB_COND_FAILURE_TARGET,
  KS_JOB_COND_COMPLETE,
  KS_JOB_COND_FAILED,
  KS_N_JOB_CONDITIONS
} KsJobConditionType;

typedef struct
{
  KsJobConditionType type;
  KsConditionStatus status;
  gint64 last_probe_time;
  gint64 last_transition_time;
  const char *reason; /* interned */
  char *message;
} KsJobCondition;

typedef struct
{
  KsObject parent;
  gint32 parallelism;       /* default 1 */
  gboolean has_completions; /* unset: a work queue (done once one pod succeeded and none run) */
  gint32 completions;       /* default 1 when parallelism is unset too */
  gint32 backoff_limit;     /* default 6 */
  gint64 active_deadline_seconds;    /* -1 when unset */
  gint64 ttl_seconds_after_finished; /* -1 when unset */
  KsJobCompletionMode completion_mode;
  gboolean manual_selector;
  KsLabelSelector *selector; /* generated at creation unless manualSelector */
  KsPodTemplate template;
  struct
  {
    gint64 start_time;      /* KS_TIME_NONE when unset */
    gint64 completion_time; /* KS_TIME_NONE when unset */
    gint32 active;
    gint32 succeeded;
    gint32 failed;
    gint32 ready;
    gint32 terminating;
    char *completed_indexes; /* Indexed jobs: "0-2,4"; NULL when none */
    guint n_conditions;
    KsJobCondition conditions[KS_N_JOB_CONDITIONS]; /* in the order they were added */
  } status;
} KsJob;

#define KS_JOB(o) ((KsJob *) (o))

/* Labels and annotation the Job controller and API server put on a Job's pods. */
#define KS_JOB_LABEL_CONTROLLER_UID "batch.kubernetes.io/controller-uid"
#define KS_JOB_LABEL_JOB_NAME "batch.kubernetes.io/job-name"
#define KS_JOB_LABEL_LEGACY_CONTROLLER_UID "controller-uid"
#define KS_JOB_LABEL_LEGACY_JOB_NAME "job-name"
#define KS_JOB_COMPLETION_INDEX "batch.kubernetes.io/job-completion-index"

const char *ks_job_condition_name (KsJobConditionType type);
/* The condition of type, or NULL. */
const KsJobCondition *ks_job_get_condition (const KsJob *job, KsJobConditionType type);
/* Add (or update) a condition with lastProbeTime and lastTransitionTime now. */
void ks_job_set_condition (KsJob *job, KsJobConditionType type, KsConditionStatus status,
                           const char *reason, const char *message, gint64 now);
/* Complete=True or Failed=True. */
gboolean ks_job_is_finished (const KsJob *job);
/* The API server's generateSelector, once the Job has its UID: without manualSelector, add the
 * controller-uid and job-name labels (both spellings) to the template and set the selector to
 * controller-uid.  A modifiable job. */
void ks_job_generate_selector (KsJob *job);

KS_DEFINE_OBJECT_AUTOPTR (KsJob, ks_job)

G_END_DECLS

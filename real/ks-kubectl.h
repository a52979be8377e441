/* ks-kubectl.h: real mode's kubectl-like commands, as clients of the API server.
 *
 * `kubesim apply`, `get`, `describe`, `delete`, `scale`, `rollout status|undo`, `logs` and `top` do
 * what kubectl v1.32 does against a Kubernetes API server, and print what it prints: the same
 * requests (client-side apply with the last-applied-configuration annotation and a three-way
 * strategic merge patch, the scale subresource, list+watch for waits), the same tables, -o
 * json|yaml|name, messages ("deployment.apps/web created", `pod "x" deleted`, "Waiting for
 * deployment ...") and errors ("Error from server (NotFound): deployments.apps \"x\" not found").
 * docs/real-mode.md
 * ("The kubectl-like commands") lists them with their options and where they differ from
 * kubectl.
 *
 * Each command takes a KsKubectl (server, namespace, output streams) and its options, writes to
 * the streams and returns an exit status: 0 done, 1 the server refused or a wait failed, 2 bad
 * usage or input (a manifest that does not decode: "file:line:column: field: problem"). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KS_KUBECTL_OK 0
#define KS_KUBECTL_FAILED 1
#define KS_KUBECTL_USAGE 2

typedef struct
{
  const char *server;    /* the API's URL, "http://127.0.0.1:6443" */
  const char *namespace; /* -n; NULL: "default" */
  GOutputStream *out;    /* standard output (borrowed) */
  GOutputStream *err;    /* standard error (borrowed) */
  /* The time ages are computed at, in µs since the Unix epoch; 0: the real time of each use
   * (tests pass a fixed one). */
  gint64 now;
  /* Ends waits and streams (get -w, logs -f, rollout status, delete's wait) when cancelled; may
   * be NULL. */
  GCancellable *cancellable;
} KsKubectlConfig;

typedef struct _KsKubectl KsKubectl;

/* A context for commands; NULL with error when the server URL is not an http:// URL. */
KsKubectl *ks_kubectl_new (const KsKubectlConfig *config, GError **error);
void ks_kubectl_free (KsKubectl *kubectl);

/* Resource arguments, in every command that takes them, are as kubectl accepts them: "TYPE",
 * "TYPE NAME...", "TYPE/NAME...", several types "pods,svc"; TYPE is a plural, singular or short
 * name, or a kind, optionally with its group ("deployments.apps"); "all" is pods, services,
 * deployments and replica sets. */

typedef struct
{
  char **args;          /* resource arguments (NULL-terminated) */
  const char *output;   /* -o: NULL (a table), "wide", "json", "yaml", "name" */
  const char *selector; /* -l, or NULL */
  gboolean all_namespaces;
  gboolean show_labels;
  gboolean no_headers;
  gboolean watch; /* -w: after the list, print the changes as they come */
} KsGetOptions;

int ks_kubectl_get (KsKubectl *kubectl, const KsGetOptions *options);

typedef struct
{
  char **files; /* -f: files, directories (their .json, .yaml, .yml files) or "-" for stdin */
  gboolean recursive;
  const char *output; /* -o name, or NULL */
} KsApplyOptions;

/* Client-side apply of every object of the files: "created", "configured" or "unchanged". */
int ks_kubectl_apply (KsKubectl *kubectl, const KsApplyOptions *options);

typedef struct
{
  char **args;
  const char *selector;
  gboolean all_namespaces;
  gboolean show_events; /* default TRUE */
} KsDescribeOptions;

int ks_kubectl_describe (KsKubectl *kubectl, const KsDescribeOptions *options);

typedef struct
{
  char **args;
  char **files; /* -f, like apply's */
  gboolean recursive;
  const char *selector;
  gboolean all;
  gboolean all_namespaces;
  gint grace_period;   /* -1: the object's default */
  gboolean now;        /* --now: grace period 1 */
  gboolean force;      /* --force: grace period 0, with kubectl's warning */
  gboolean wait;       /* wait until the objects are gone (kubectl's default) */
  gint64 timeout;      /* µs for the wait; 0: a week, as kubectl */
  const char *cascade; /* "background" (default), "foreground", "orphan" */
  gboolean ignore_not_found;
  const char *output; /* "name" or NULL */
} KsKubectlDeleteOptions;

int ks_kubectl_delete (KsKubectl *kubectl, const KsKubectlDeleteOptions *options);

typedef struct
{
  char **args;
  gint replicas;                /* required: -1 when not given */
  gint current_replicas;        /* precondition; -1 for none */
  const char *resource_version; /* precondition; NULL for none */
  gint64 timeout;               /* µs to wait for the replicas; 0: do not wait */
} KsScaleOptions;

int ks_kubectl_scale (KsKubectl *kubectl, const KsScaleOptions *options);

typedef struct
{
  char **args;      /* TYPE NAME or TYPE/NAME */
  gint min;         /* -1: unset (the server's default, 1) */
  gint max;         /* required: -1 when not given */
  gint cpu_percent; /* -1: unset (the default target, 80 %) */
  const char *name; /* the HPA's name; NULL: the target's */
} KsAutoscaleOptions;

/* kubectl autoscale (v1.32): an HPA without behavior for a deployment, replica set or stateful
 * set, made with its min, max and cpu target; prints "horizontalpodautoscaler.autoscaling/NAME
 * autoscaled". */
int ks_kubectl_autoscale (KsKubectl *kubectl, const KsAutoscaleOptions *options);

typedef struct
{
  char **args;
  gint64 timeout; /* µs; 0: wait forever */
  gboolean watch; /* default TRUE; FALSE prints the status once */
  gint64 revision;
} KsRolloutStatusOptions;

int ks_kubectl_rollout_status (KsKubectl *kubectl, const KsRolloutStatusOptions *options);

typedef struct
{
  char **args;
  gint64 to_revision; /* 0: the previous revision */
} KsRolloutUndoOptions;

int ks_kubectl_rollout_undo (KsKubectl *kubectl, const KsRolloutUndoOptions *options);

typedef struct
{
  char **args;           /* POD, or TYPE/NAME of a workload (deploy/web), optionally CONTAINER */
  const char *container; /* -c */
  gboolean follow;
  gboolean previous;
  gint64 tail;        /* -1: all */
  gint64 limit_bytes; /* 0: no limit */
  gboolean timestamps;
  gint64 since_seconds;       /* 0: unset */
  gint64 pod_running_timeout; /* µs to wait for a pod of a workload; 0: 20 s */
} KsLogsOptions;

int ks_kubectl_logs (KsKubectl *kubectl, const KsLogsOptions *options);

typedef struct
{
  const char *name;           /* a pod, or NULL for every pod (of the namespace) */
  const char *selector;       /* -l, or NULL */
  const char *field_selector; /* --field-selector, or NULL */
  gboolean all_namespaces;
  gboolean containers; /* a line per container */
  gboolean no_headers;
  gboolean sum;        /* a last line with the totals */
  const char *sort_by; /* NULL, "cpu" or "memory" */
} KsTopPodOptions;

/* kubectl top pod: the pods' usage from the metrics API (metrics.k8s.io), "NAME CPU(cores)
 * MEMORY(bytes)".  When no pod has metrics: "error: metrics not available yet", or kubectl's
 * "error: Metrics not available for pod NS/NAME, age: 2m30s" when a pod is older than 2 min. */
int ks_kubectl_top_pods (KsKubectl *kubectl, const KsTopPodOptions *options);

typedef struct
{
  const char *name;     /* a node, or NULL for every node */
  const char *selector; /* -l, or NULL */
  gboolean no_headers;
  gboolean show_capacity; /* percentages of the capacity rather than the allocatable */
  const char *sort_by;    /* NULL, "cpu" or "memory" */
} KsTopNodeOptions;

/* kubectl top node: "NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%)", nodes without metrics as
 * "<unknown>". */
int ks_kubectl_top_nodes (KsKubectl *kubectl, const KsTopNodeOptions *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsKubectl, ks_kubectl_free)

G_END_DECLS

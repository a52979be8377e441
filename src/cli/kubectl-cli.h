/* kubectl-cli.h: what the kubectl-like commands' handlers (cmd-get.c, cmd-apply.c, ...) share:
 * the options that say which cluster and namespace (--server, --kubeconfig, --data-dir,
 * -n/--namespace), and making the KsKubectl they run with. */
#pragma once

#include "real/ks-kubectl.h"

G_BEGIN_DECLS

typedef struct
{
  char *server;
  char *kubeconfig;
  char *data_dir;
  char *namespace;
  gboolean no_namespace; /* the command has no -n (it is not a namespaced command) */
} KsCliCluster;

/* Add the cluster options to context (NULL-terminated entries owned by the caller's cluster). */
void ks_cli_cluster_add_options (GOptionContext *context, KsCliCluster *cluster);
void ks_cli_cluster_clear (KsCliCluster *cluster);

/* A KsKubectl for the cluster the options name, writing to standard output and error.  NULL
 * after printing the reason ("kubesim COMMAND: ..."); *status is then the exit status. */
KsKubectl *ks_cli_kubectl_new (const char *command, KsCliCluster *cluster, int *status);

/* Parse a duration option ("30s", "5m", "0"); FALSE after printing the problem. */
gboolean ks_cli_parse_duration (const char *command, const char *option, const char *text,
                                gint64 *out);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsCliCluster, ks_cli_cluster_clear)

G_END_DECLS

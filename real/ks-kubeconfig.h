/* ks-kubeconfig.h: the kubeconfig file real mode writes and the CLI reads.
 *
 * `kubesim cluster up` writes <data-dir>/kubeconfig, a kubectl-compatible v1 Config with one
 * cluster, context and user named "kubesim"; kubectl can use it too.  The CLI finds the server
 * as kubectl finds it: --server, else the file named by --kubeconfig, else $KUBECONFIG (the first
 * file of the list), else <data-dir>/kubeconfig ($KUBESIM_DATA_DIR or /var/lib/kubesim). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Real mode's default data directory. */
#define KS_DEFAULT_DATA_DIR "/var/lib/kubesim"

/* The data directory: dir when not NULL, else $KUBESIM_DATA_DIR, else KS_DEFAULT_DATA_DIR.
 * Newly allocated. */
char *ks_data_dir_resolve (const char *dir);

/* Write a kubeconfig for server (e.g. "http://127.0.0.1:6443") to path atomically. */
gboolean ks_kubeconfig_write (const char *path, const char *server, GError **error);

/* The server of the current context of the kubeconfig at path.  Errors name the file, and for
 * a malformed file the line, column and field (KS_INPUT_ERROR). */
char *ks_kubeconfig_read_server (const char *path, GError **error);

/* The server the CLI talks to, by the rules above; server and kubeconfig are the command-line
 * options (may be NULL).  A missing default kubeconfig gets a message suggesting
 * `kubesim cluster up`. */
char *ks_kubeconfig_find_server (const char *server, const char *kubeconfig, GError **error);

G_END_DECLS

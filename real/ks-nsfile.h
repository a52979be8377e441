/* ks-nsfile.h: persistent namespaces for pod sandboxes: a new network or IPC namespace kept
 * alive by bind-mounting it on a file (as `ip netns add` does), so the containers of a pod join
 * the same namespaces however often they restart. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Make a new network namespace (with lo up) at net_path and a new IPC namespace at ipc_path
 * (either may be NULL); the files are created.  Needs CAP_SYS_ADMIN.  Nothing is left behind on
 * failure. */
gboolean ks_ns_files_create (const char *net_path, const char *ipc_path, GError **error);

/* Unmount the namespace at path and remove the file.  A missing file is not an error. */
gboolean ks_ns_file_remove (const char *path, GError **error);

/* Unmount (lazily) every mount point at or below dir, deepest first: what a crashed agent left. */
gboolean ks_unmount_below (const char *dir, GError **error);

G_END_DECLS

/* ks-nsfile.h: persistent namespaces for pod sandboxes: a new network or IPC namespace kept
 * alive by bind-mounting it on a file (as `ip netns add` does), so the containers of a pod join
 * the same namespaces however often they restart.  And whether joining this process's mount
 * namespace, as `runc exec` does, lands in its root. */
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

/* Whether a process joining this process's mount namespace (setns(2), as `runc exec` does to run
 * a command in a container) lands somewhere other than this process's root: TRUE under a chroot
 * whose root is not what is mounted on the namespace's "/".  setns puts the joining process at
 * the namespace's "/"; runc's pivot_root put the container's root where this process's root was
 * mounted, so there the command would run in the namespace's "/", outside the container.  FALSE
 * when it cannot tell (joining needs CAP_SYS_ADMIN and CAP_SYS_CHROOT, and /proc). */
gboolean ks_mount_ns_root_is_elsewhere (void);

G_END_DECLS

/* ks-fsutil.h: file-system helpers of real mode (directories, trees, small files), with errors
 * in G_FILE_ERROR that name the path. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Create path and its missing parents with mode (like mkdir -p). */
gboolean ks_fs_mkdirs (const char *path, int mode, GError **error);

/* Remove path and everything under it (like rm -rf), without following symbolic links or
 * crossing into other mounted file systems (a mount point below path makes this fail with
 * EBUSY).  A missing path is not an error.  Directories without write or search permission are
 * opened up first when not running as root. */
gboolean ks_fs_remove_tree (const char *path, GError **error);

/* Replace path with contents atomically (a temporary file renamed over it), mode 0644; not
 * flushed to disk.  length -1: contents is NUL-terminated. */
gboolean ks_fs_write_file (const char *path, const char *contents, gssize length, GError **error);

/* Create an empty regular file at path if nothing is there (a mount point for a bind mount). */
gboolean ks_fs_touch (const char *path, GError **error);

G_END_DECLS

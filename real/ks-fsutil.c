/* ks-fsutil.c: file-system helpers of real mode (see ks-fsutil.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ks-fsutil.h"

static gboolean
fail_errno (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "%s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

gboolean
ks_fs_mkdirs (const char *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) < 0)
    return fail_errno (error, errno, "cannot create directory", path);
  return TRUE;
}

/* Remove name in parent_fd (path is its full name, for messages); dev is the file system of the
 * top, which the walk does not leave. */
static gboolean
remove_at (int parent_fd, const char *name, const char *path, dev_t dev, gboolean top,
           GError **error)
{
  struct stat st;
  DIR *dir;
  struct dirent *e;
  int fd;
  gboolean ok = TRUE;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return fail_errno (error, errno, "cannot remove", path);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_fd, name, 0) < 0 && errno != ENOENT)
        return fail_errno (error, errno, "cannot remove", path);
      return TRUE;
    }
  if (!top && st.st_dev != dev)
    return fail_errno (error, EBUSY, "cannot remove (a mount point)", path);
  if (geteuid () != 0 && (st.st_mode & S_IRWXU) != S_IRWXU)
    (void) fchmodat (parent_fd, name, (st.st_mode & 07777) | S_IRWXU, 0);
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (error, errno, "cannot open directory", path);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int errsv = errno;
      close (fd);
      return fail_errno (error, errsv, "cannot open directory", path);
    }
  while (ok && (e = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      child = g_build_filename (path, e->d_name, NULL);
      ok = remove_at (dirfd (dir), e->d_name, child, st.st_dev, FALSE, error);
    }
  closedir (dir);
  if (!ok)
    return FALSE;
  if (unlinkat (parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return fail_errno (error, errno, "cannot remove directory", path);
  return TRUE;
}

gboolean
ks_fs_remove_tree (const char *path, GError **error)
{
  return remove_at (AT_FDCWD, path, path, 0, TRUE, error);
}

gboolean
ks_fs_write_file (const char *path, const char *contents, gssize length, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());
  gsize len = length < 0 ? strlen (contents) : (gsize) length;
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  gsize done = 0;

  /* Not fsync'ed (as g_file_set_contents would): these files are remade whenever they are
   * needed, and an fsync per file costs milliseconds per container. */
  if (fd < 0)
    return fail_errno (error, errno, "cannot create", tmp);
  while (done < len)
    {
      gssize n = write (fd, contents + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          close (fd);
          unlink (tmp);
          return fail_errno (error, errsv, "cannot write", tmp);
        }
      done += (gsize) n;
    }
  if (close (fd) < 0 || rename (tmp, path) < 0)
    {
      int errsv = errno;
      unlink (tmp);
      return fail_errno (error, errsv, "cannot write", path);
    }
  return TRUE;
}

gboolean
ks_fs_touch (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

  if (fd < 0)
    {
      struct stat st;
      if (errno == EEXIST || (errno == ELOOP && lstat (path, &st) == 0))
        return TRUE;
      return fail_errno (error, errno, "cannot create", path);
    }
  close (fd);
  return TRUE;
}

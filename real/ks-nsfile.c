/* ks-nsfile.c: persistent namespaces (see ks-nsfile.h). */
#define _GNU_SOURCE /* unshare, setns, statx, CLONE_NEW* */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ks-fsutil.h"
#include "ks-nsfile.h"

typedef struct
{
  const char *net_path;
  const char *ipc_path;
  int errsv;
  const char *what;
} Job;

static gboolean
bind_ns (Job *job, const char *kind, const char *path)
{
  g_autofree char *self = g_strconcat ("/proc/thread-self/ns/", kind, NULL);

  if (mount (self, path, "none", MS_BIND, NULL) < 0)
    {
      job->errsv = errno;
      job->what = "bind-mount the namespace";
      return FALSE;
    }
  return TRUE;
}

static gboolean
lo_up (Job *job)
{
  struct ifreq ifr = { 0 };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    {
      job->errsv = errno;
      job->what = "open a socket";
      return FALSE;
    }
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  ok = ioctl (fd, SIOCGIFFLAGS, &ifr) == 0;
  if (ok)
    {
      ifr.ifr_flags |= IFF_UP;
      ok = ioctl (fd, SIOCSIFFLAGS, &ifr) == 0;
    }
  if (!ok)
    {
      job->errsv = errno;
      job->what = "bring lo up";
    }
  close (fd);
  return ok;
}

/* In a thread of its own: unshare changes only the calling thread's namespaces, and the thread
 * ends right after, so the rest of the process never runs in them. */
static gpointer
ns_thread (gpointer data)
{
  Job *job = data;
  int flags
      = (job->net_path != NULL ? CLONE_NEWNET : 0) | (job->ipc_path != NULL ? CLONE_NEWIPC : 0);

  if (unshare (flags) < 0)
    {
      job->errsv = errno;
      job->what = "unshare";
      return NULL;
    }
  if (job->net_path != NULL && (!lo_up (job) || !bind_ns (job, "net", job->net_path)))
    return NULL;
  if (job->ipc_path != NULL)
    bind_ns (job, "ipc", job->ipc_path);
  return NULL;
}

gboolean
ks_ns_files_create (const char *net_path, const char *ipc_path, GError **error)
{
  Job job = { net_path, ipc_path, 0, NULL };
  GThread *thread;

  if (net_path == NULL && ipc_path == NULL)
    return TRUE;
  if ((net_path != NULL && !ks_fs_touch (net_path, error))
      || (ipc_path != NULL && !ks_fs_touch (ipc_path, error)))
    return FALSE;
  thread = g_thread_new ("ks-ns", ns_thread, &job);
  g_thread_join (thread);
  if (job.errsv != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (job.errsv),
                   "cannot make the pod's namespaces (%s%s%s): %s failed: %s",
                   net_path != NULL ? net_path : "",
                   net_path != NULL && ipc_path != NULL ? ", " : "",
                   ipc_path != NULL ? ipc_path : "", job.what, g_strerror (job.errsv));
      if (net_path != NULL)
        ks_ns_file_remove (net_path, NULL);
      if (ipc_path != NULL)
        ks_ns_file_remove (ipc_path, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_ns_file_remove (const char *path, GError **error)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot unmount %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  if (unlink (path) < 0 && errno != ENOENT)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot remove %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static char *
unescape (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
        && s[3] <= '7')
      {
        g_string_append_c (out, (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
        s += 3;
      }
    else
      g_string_append_c (out, *s);
  return g_string_free (out, FALSE);
}

static int
longest_first (gconstpointer a, gconstpointer b)
{
  return (int) strlen (*(char *const *) b) - (int) strlen (*(char *const *) a);
}

gboolean
ks_unmount_below (const char *dir, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) points = g_ptr_array_new_with_free_func (g_free);
  gsize n = strlen (dir);

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 6);
      char *point;
      if (g_strv_length (f) < 5)
        continue;
      point = unescape (f[4]);
      if (strncmp (point, dir, n) == 0 && (point[n] == '\0' || point[n] == '/'))
        g_ptr_array_add (points, point);
      else
        g_free (point);
    }
  g_ptr_array_sort (points, longest_first);
  for (guint i = 0; i < points->len; i++)
    if (umount2 (points->pdata[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      {
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot unmount %s: %s",
                     (char *) points->pdata[i], g_strerror (errno));
        return FALSE;
      }
  return TRUE;
}

typedef struct
{
  struct statx joined;
  gboolean ok;
} RootProbe;

/* In a thread of its own, with its own root (setns refuses to change the mount namespace of a
 * thread sharing its root and working directory): joining the namespace moves them, and the
 * thread ends right after. */
static gpointer
root_probe_thread (gpointer data)
{
  RootProbe *probe = data;
  int fd;

  if (unshare (CLONE_FS) < 0)
    return NULL;
  fd = open ("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  probe->ok = setns (fd, CLONE_NEWNS) == 0
              && statx (AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &probe->joined) == 0;
  close (fd);
  return NULL;
}

gboolean
ks_mount_ns_root_is_elsewhere (void)
{
  RootProbe probe = { 0 };
  struct statx ours;

  if (statx (AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &ours) < 0)
    return FALSE;
  g_thread_join (g_thread_new ("ks-ns-root", root_probe_thread, &probe));
  if (!probe.ok)
    return FALSE;
  /* The mount too: a chroot into a bind mount of "/" shows the same inode. */
  return ours.stx_dev_major != probe.joined.stx_dev_major
         || ours.stx_dev_minor != probe.joined.stx_dev_minor || ours.stx_ino != probe.joined.stx_ino
         || ((ours.stx_mask & probe.joined.stx_mask & STATX_MNT_ID) != 0
             && ours.stx_mnt_id != probe.joined.stx_mnt_id);
}

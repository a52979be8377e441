/* ks-cgroup.c: cgroup v1 and v2 file systems (see ks-cgroup.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "ks-cgroup.h"
#include "ks-fsutil.h"
#include "ks-oci-bundle.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"

typedef struct
{
  char *point;
  char *options; /* super options: "rw,cpu,cpuacct" */
  gboolean v2;
} Mount;

KsCgroupVersion
ks_cgroup_detect (void)
{
  struct statfs st;

  if (statfs (CGROUP_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return KS_CGROUP_V2;
  return KS_CGROUP_V1;
}

gboolean
ks_cgroup_has_namespaces (void)
{
  return access ("/proc/self/ns/cgroup", F_OK) == 0;
}

/* mountinfo escapes blanks and backslashes as \ooo. */
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

static GArray *
read_mounts (void)
{
  GArray *mounts = g_array_new (FALSE, TRUE, sizeof (Mount));
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return mounts;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (f), sep;
      Mount m = { 0 };
      /* id parent dev root point options [optional...] - fstype source superoptions */
      for (sep = 6; sep < n && strcmp (f[sep], "-") != 0; sep++)
        ;
      if (n < 5 || sep + 3 >= n)
        continue;
      if (strcmp (f[sep + 1], "cgroup") != 0 && strcmp (f[sep + 1], "cgroup2") != 0)
        continue;
      m.point = unescape (f[4]);
      m.options = g_strdup (f[sep + 3]);
      m.v2 = strcmp (f[sep + 1], "cgroup2") == 0;
      g_array_append_val (mounts, m);
    }
  return mounts;
}

static void
mount_clear (gpointer p)
{
  Mount *m = p;
  g_free (m->point);
  g_free (m->options);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
ks_cgroup_list_mounts (void)
{
  GArray *mounts = read_mounts ();
  GPtrArray *points = g_ptr_array_new ();

  for (guint i = 0; i < mounts->len; i++)
    {
      Mount *m = &g_array_index (mounts, Mount, i);
      gboolean seen = FALSE;
      for (guint j = 0; j < points->len && !seen; j++)
        seen = strcmp (points->pdata[j], m->point) == 0;
      if (!seen)
        g_ptr_array_add (points, g_strdup (m->point));
      mount_clear (m);
    }
  g_array_unref (mounts);
  g_ptr_array_sort (points, compare_strings);
  g_ptr_array_add (points, NULL);
  return (char **) g_ptr_array_free (points, FALSE);
}

static gboolean
has_option (const char *options, const char *option)
{
  g_auto (GStrv) opts = g_strsplit (options, ",", -1);
  return g_strv_contains ((const char *const *) opts, option);
}

char *
ks_cgroup_dir (const char *controller, const char *path)
{
  GArray *mounts = read_mounts ();
  KsCgroupVersion version = ks_cgroup_detect ();
  char *dir = NULL;

  for (guint i = 0; i < mounts->len && dir == NULL; i++)
    {
      Mount *m = &g_array_index (mounts, Mount, i);
      if (version == KS_CGROUP_V2 ? m->v2 && strcmp (m->point, CGROUP_ROOT) == 0
                                  : !m->v2 && has_option (m->options, controller))
        dir = g_build_filename (m->point, path, NULL);
    }
  for (guint i = 0; i < mounts->len; i++)
    mount_clear (&g_array_index (mounts, Mount, i));
  g_array_unref (mounts);
  return dir;
}

static gboolean
write_value (const char *dir, const char *file, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gssize n;

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot open %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  n = write (fd, value, strlen (value));
  if (n < 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "cannot write \"%s\" to %s: %s", value, path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
write_int (const char *dir, const char *file, gint64 value, GError **error)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  return write_value (dir, file, buf, error);
}

static gboolean
create_v1 (const char *path, gint64 milli_cpu, gint64 memory, GError **error)
{
  g_autofree char *cpu = ks_cgroup_dir ("cpu", path);
  g_autofree char *mem = ks_cgroup_dir ("memory", path);

  if (cpu == NULL || mem == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "no cgroup v1 hierarchy for the %s controller is mounted",
                   cpu == NULL ? "cpu" : "memory");
      return FALSE;
    }
  if (!ks_fs_mkdirs (cpu, 0755, error) || !ks_fs_mkdirs (mem, 0755, error))
    return FALSE;
  if (milli_cpu > 0
      && (!write_int (cpu, "cpu.shares", ks_oci_milli_cpu_to_shares (milli_cpu), error)
          || !write_int (cpu, "cpu.cfs_period_us", KS_OCI_CPU_PERIOD, error)
          || !write_int (cpu, "cpu.cfs_quota_us",
                         ks_oci_milli_cpu_to_quota (milli_cpu, KS_OCI_CPU_PERIOD), error)))
    return FALSE;
  if (memory > 0 && !write_int (mem, "memory.limit_in_bytes", memory, error))
    return FALSE;
  return TRUE;
}

/* Enable in dir's subtree_control the controllers kubesim limits that dir has. */
static gboolean
enable_controllers (const char *dir, GError **error)
{
  static const char *const wanted[] = { "cpu", "memory", "pids" };
  g_autofree char *file = g_build_filename (dir, "cgroup.controllers", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) have = NULL;

  if (!g_file_get_contents (file, &text, NULL, error))
    return FALSE;
  have = g_strsplit_set (g_strstrip (text), " \n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    if (g_strv_contains ((const char *const *) have, wanted[i]))
      {
        g_autofree char *op = g_strconcat ("+", wanted[i], NULL);
        if (!write_value (dir, "cgroup.subtree_control", op, error))
          return FALSE;
      }
  return TRUE;
}

static gboolean
create_v2 (const char *path, gint64 milli_cpu, gint64 memory, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autofree char *dir = g_strdup (CGROUP_ROOT);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *next;
      if (parts[i][0] == '\0')
        continue;
      if (!enable_controllers (dir, error))
        return FALSE;
      next = g_build_filename (dir, parts[i], NULL);
      g_free (dir);
      dir = next;
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot create cgroup %s: %s", dir, g_strerror (errno));
          return FALSE;
        }
    }
  if (milli_cpu > 0)
    {
      g_autofree char *max = g_strdup_printf (
          "%" G_GINT64_FORMAT " %d", ks_oci_milli_cpu_to_quota (milli_cpu, KS_OCI_CPU_PERIOD),
          KS_OCI_CPU_PERIOD);
      if (!write_value (dir, "cpu.max", max, error)
          || !write_int (dir, "cpu.weight",
                         ks_oci_shares_to_weight (ks_oci_milli_cpu_to_shares (milli_cpu)), error))
        return FALSE;
    }
  if (memory > 0 && !write_int (dir, "memory.max", memory, error))
    return FALSE;
  return TRUE;
}

gboolean
ks_cgroup_create (const char *path, gint64 milli_cpu, gint64 memory, GError **error)
{
  gboolean ok = ks_cgroup_detect () == KS_CGROUP_V2 ? create_v2 (path, milli_cpu, memory, error)
                                                    : create_v1 (path, milli_cpu, memory, error);
  if (!ok)
    g_prefix_error (error, "cgroup %s: ", path);
  return ok;
}

static void
kill_procs (const char *dir)
{
  g_autofree char *file = g_build_filename (dir, "cgroup.procs", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) pids = NULL;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return;
  pids = g_strsplit (text, "\n", -1);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      gint64 pid = g_ascii_strtoll (pids[i], NULL, 10);
      if (pid > 1)
        kill ((pid_t) pid, SIGKILL);
    }
}

/* rmdir dir after its sub-cgroups, depth first. */
static gboolean
remove_dir (const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return TRUE; /* gone (or never made in this hierarchy) */
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      struct stat st;
      if (lstat (child, &st) == 0 && S_ISDIR (st.st_mode) && !remove_dir (child, error))
        return FALSE;
    }
  /* A cgroup whose last process is still exiting is busy for a moment. */
  for (guint attempt = 0; rmdir (dir) < 0; attempt++)
    {
      if (errno == ENOENT)
        return TRUE;
      if (errno != EBUSY || attempt == 200)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot remove cgroup %s: %s", dir, g_strerror (errno));
          return FALSE;
        }
      kill_procs (dir);
      g_usleep (5000);
    }
  return TRUE;
}

gboolean
ks_cgroup_remove (const char *path, GError **error)
{
  g_auto (GStrv) mounts = ks_cgroup_list_mounts ();
  gboolean ok = TRUE;

  g_return_val_if_fail (path != NULL && path[0] == '/' && path[1] != '\0', FALSE);
  for (guint i = 0; mounts[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (mounts[i], path, NULL);
      g_autoptr (GError) local = NULL;
      if (!remove_dir (dir, &local))
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
        }
    }
  return ok;
}

gboolean
ks_cgroup_read_int (const char *file, const char *key, gint64 *value)
{
  g_autofree char *text = NULL;
  const char *p;
  char *end;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return FALSE;
  p = text;
  if (key != NULL)
    {
      gsize n = strlen (key);
      p = NULL;
      for (const char *line = text; line != NULL && *line != '\0';)
        {
          if (strncmp (line, key, n) == 0 && line[n] == ' ')
            {
              p = line + n + 1;
              break;
            }
          line = strchr (line, '\n');
          if (line != NULL)
            line++;
        }
      if (p == NULL)
        return FALSE;
    }
  *value = g_ascii_strtoll (p, &end, 10);
  return end != p;
}

static gboolean
read_in (const char *controller, const char *path, const char *file, const char *key, gint64 *value)
{
  g_autofree char *dir = ks_cgroup_dir (controller, path);
  g_autofree char *name = NULL;

  if (dir == NULL)
    return FALSE;
  name = g_build_filename (dir, file, NULL);
  return ks_cgroup_read_int (name, key, value);
}

gboolean
ks_cgroup_read_usage (const char *path, guint64 *cpu_ns, gint64 *working_set)
{
  gint64 cpu, usage, inactive;

  if (ks_cgroup_detect () == KS_CGROUP_V2)
    {
      if (!read_in ("cpu", path, "cpu.stat", "usage_usec", &cpu)
          || !read_in ("memory", path, "memory.current", NULL, &usage)
          || !read_in ("memory", path, "memory.stat", "inactive_file", &inactive))
        return FALSE;
      cpu *= 1000;
    }
  else if (!read_in ("cpuacct", path, "cpuacct.usage", NULL, &cpu)
           || !read_in ("memory", path, "memory.usage_in_bytes", NULL, &usage)
           || !read_in ("memory", path, "memory.stat", "total_inactive_file", &inactive))
    return FALSE;
  *cpu_ns = (guint64) cpu;
  *working_set = usage > inactive ? usage - inactive : 0;
  return TRUE;
}

gint64
ks_cgroup_oom_kills (const char *path)
{
  gint64 n = 0;

  if (ks_cgroup_detect () == KS_CGROUP_V2)
    read_in ("memory", path, "memory.events", "oom_kill", &n);
  else
    read_in ("memory", path, "memory.oom_control", "oom_kill", &n);
  return n;
}

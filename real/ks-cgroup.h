/* ks-cgroup.h: the cgroup file systems as real mode uses them: v1 (each controller its own
 * hierarchy, as on hybrid systems) or v2 (one unified hierarchy), detected at run time.
 *
 * Cgroups are named by an absolute path inside the hierarchies ("/kubesim/node-1/pod<uid>"), the
 * way runc's linux.cgroupsPath names them: on v1 the same path exists in every hierarchy. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KS_CGROUP_V1, /* legacy or hybrid: one hierarchy per controller (v2 mounted too, unused) */
  KS_CGROUP_V2, /* unified */
} KsCgroupVersion;

/* What /sys/fs/cgroup is. */
KsCgroupVersion ks_cgroup_detect (void);

/* Whether this kernel has cgroup namespaces. */
gboolean ks_cgroup_has_namespaces (void);

/* The mount points of every cgroup hierarchy (v1 and v2), sorted; newly allocated. */
char **ks_cgroup_list_mounts (void);

/* The directory of cgroup path in the hierarchy holding controller ("cpu", "cpuacct", "memory";
 * on v2 the unified one), or NULL when there is none.  Newly allocated. */
char *ks_cgroup_dir (const char *controller, const char *path);

/* Create cgroup path (and its parents) with limits: cpu (millicores, as CFS quota over 100 ms,
 * and shares or weight) and memory (bytes); 0 means no limit.  On v2 the cpu, memory and pids
 * controllers are enabled down to path. */
gboolean ks_cgroup_create (const char *path, gint64 milli_cpu, gint64 memory, GError **error);

/* Remove cgroup path and every cgroup below it, in every hierarchy.  Processes still in them are
 * killed first.  A missing path is not an error. */
gboolean ks_cgroup_remove (const char *path, GError **error);

/* Usage of cgroup path (and its descendants): CPU time used so far (ns) and the memory working
 * set (usage minus inactive file pages, as the kubelet counts it).  FALSE when not readable. */
gboolean ks_cgroup_read_usage (const char *path, guint64 *cpu_ns, gint64 *working_set);

/* How many processes of cgroup path the OOM killer has killed (memory.oom_control or
 * memory.events "oom_kill"); 0 when unknown. */
gint64 ks_cgroup_oom_kills (const char *path);

/* Read one integer from file: the whole file, or the value after key in a "key value" file
 * (key NULL: the first word).  FALSE when missing. */
gboolean ks_cgroup_read_int (const char *file, const char *key, gint64 *value);

G_END_DECLS

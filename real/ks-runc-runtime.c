/* ks-runc-runtime.c: the runc container runtime (see ks-runc-runtime.h).
 *
 * Each container is a record whose state moves on as runc commands and the init process's exit
 * complete.  At most one runc command per container runs at a time (busy); every event sets what
 * is wanted (start, stop, kill, remove) and calls step(), which starts the next command the
 * record's phase allows.  So a stop that arrives while `runc create` runs is acted on when it
 * returns, and nothing races on one container.
 *
 * One instance of a container is: runc create (phase NONE → CREATED: the init process waits,
 * it is our child, a child watch is on it), runc start (→ RUNNING, STARTED reported), the exit
 * (→ EXITED), runc delete (→ NONE, EXITED reported).  The record lives on between instances
 * (a restart is create+start again) until remove. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks-cgroup.h"
#include "ks-fsutil.h"
#include "ks-image-store.h"
#include "ks-nsfile.h"
#include "ks-oci-bundle.h"
#include "ks-runc-runtime.h"
#include "ks-runc.h"
#include "src/api/ks-decode.h"

typedef struct _RuncRuntime RuncRuntime;

/* What the containers of one pod share. */
typedef struct
{
  KsUid uid;
  char *dir;         /* nodes/<node>/pods/<uid> */
  char *sandbox_dir; /* <dir>/sandbox.d */
  char *cgroup;      /* /<parent>/<node>/pod<uid> */
  char *netns;       /* the network namespace's path */
  char *ipcns;
  char *ip;
  char *hosts, *hostname, *resolv_conf;
  gboolean ready;          /* namespaces and files made */
  gboolean own_netns;      /* netns is ours (no network provider) */
  gboolean provider_setup; /* the provider's setup succeeded: tear it down */
  gboolean explicit;       /* made by sandbox_create: stays until sandbox_remove */
  guint n_containers;      /* records of this pod */
} RPod;

typedef enum
{
  P_NONE,    /* no runc container */
  P_CREATED, /* runc create done: the init process waits for start */
  P_RUNNING, /* runc start done */
  P_EXITED,  /* the init process has exited; runc still knows the container */
} Phase;

typedef struct
{
  KsUid pod_uid;
  const char *name; /* interned */
} Key;

typedef struct
{
  gint ref_count;
  RuncRuntime *rt; /* NULL once the runtime is gone */
  Key key;
  gboolean init;
  RPod *pod;
  char *id; /* this instance's runc id, "<pod-uid>-<container>-<attempt>" */
  char *bundle;
  char *cgroup;
  char *log_path;
  int log_fd; /* the next instance's log, between create() and runc create */
  gint attempt;
  gboolean attempt_used;
  Phase phase;
  gboolean busy;    /* a runc command for this container runs */
  gboolean removed; /* gone from the table */
  gboolean silent;  /* report nothing more (removed, or the node was killed) */
  /* This instance: */
  gboolean prepared;        /* create() done, start() not yet called */
  gboolean start_requested; /* start() called: EXITED is owed when the instance ends */
  gboolean start_wanted;    /* runc create/start still to do */
  gboolean stop_wanted;
  gboolean remove_wanted;
  gboolean term_sent;
  gboolean kill_due; /* the grace period is over, or the container must end at once */
  gboolean kill_sent;
  gboolean start_failed;
  gboolean force_delete; /* runc may hold a broken container: delete --force */
  gboolean exit_pending; /* the instance ended: report EXITED once it is deleted */
  gint64 stop_deadline;
  gint64 started_at; /* when runc start returned (clock µs): the instance's start time */
  guint64 grace_timer;
  GPid pid;
  guint watch;
  gint exit_code;
  const char *reason;
} RContainer;

struct _RuncRuntime
{
  KsRuntime parent;
  KsClock *clock;
  KsRunc *runc;
  KsImageStore *images;
  GCancellable *cancellable;
  char *data_dir;
  char *node;
  char *cgroup_parent;
  char *node_cgroup;
  gint64 started_at; /* clock µs when the runtime (and the node's cgroup) started */
  char *pods_dir;
  char *logs_dir;
  gint64 node_memory;
  gboolean cgroup_v2;
  gboolean cgroup_ns;
  gboolean limit_oom_score_adj; /* no CAP_SYS_RESOURCE: no value below our own */
  gint oom_score_adj_min;
  gboolean exec_outside; /* runc exec would run commands outside the containers (a chroot) */
  const KsNetworkProvider *network;
  KsClaimPathFunc claim_path;
  gpointer claim_path_data;
  char *resolv_conf;      /* the host's, for pods */
  GHashTable *pods;       /* &uid → RPod */
  GHashTable *containers; /* &Key → RContainer (a reference) */
  GHashTable *execs;      /* ExecOp* set */
  guint n_busy;
  guint64 exec_seq;
};

static void step (RContainer *c);

/* Names */

char *
ks_runc_runtime_container_id (const KsUid *pod_uid, const char *container, gint instance)
{
  char uid[KS_UID_STRING_LEN];
  return g_strdup_printf ("%s-%s-%d", ks_uid_to_string (pod_uid, uid), container, instance);
}

gboolean
ks_runc_runtime_parse_container_id (const char *container_id, const KsUid *pod_uid,
                                    const char *container, gint *instance)
{
  char uid[KS_UID_STRING_LEN];
  g_autofree char *prefix = NULL;
  guint64 n;

  g_return_val_if_fail (container_id != NULL && pod_uid != NULL && container != NULL, FALSE);
  prefix = g_strconcat (KS_RUNC_CONTAINER_ID_PREFIX, ks_uid_to_string (pod_uid, uid), "-",
                        container, "-", NULL);
  if (!g_str_has_prefix (container_id, prefix)
      || !g_ascii_string_to_unsigned (container_id + strlen (prefix), 10, 0, G_MAXINT, &n, NULL))
    return FALSE;
  *instance = (gint) n;
  return TRUE;
}

char *
ks_runc_runtime_cgroup_path (const char *cgroup_parent, const char *node_name, const KsUid *pod_uid,
                             const char *container)
{
  char uid[KS_UID_STRING_LEN];

  ks_uid_to_string (pod_uid, uid);
  if (container == NULL)
    return g_strdup_printf ("/%s/%s/pod%s", cgroup_parent, node_name, uid);
  return g_strdup_printf ("/%s/%s/pod%s/%s", cgroup_parent, node_name, uid, container);
}

/* Records */

static guint
key_hash (gconstpointer p)
{
  const Key *k = p;
  return ks_uid_hash (&k->pod_uid) ^ g_str_hash (k->name);
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return ks_uid_equal (&x->pod_uid, &y->pod_uid) && strcmp (x->name, y->name) == 0;
}

static RContainer *
container_ref (RContainer *c)
{
  c->ref_count++;
  return c;
}

static void
container_unref (gpointer p)
{
  RContainer *c = p;

  if (c == NULL || --c->ref_count > 0)
    return;
  if (c->log_fd >= 0)
    close (c->log_fd);
  g_free (c->id);
  g_free (c->bundle);
  g_free (c->cgroup);
  g_free (c->log_path);
  g_free (c);
}

static void
pod_free (gpointer p)
{
  RPod *pod = p;
  g_free (pod->dir);
  g_free (pod->sandbox_dir);
  g_free (pod->cgroup);
  g_free (pod->netns);
  g_free (pod->ipcns);
  g_free (pod->ip);
  g_free (pod->hosts);
  g_free (pod->hostname);
  g_free (pod->resolv_conf);
  g_free (pod);
}

static RContainer *
lookup (RuncRuntime *rt, const KsPod *pod, const char *name)
{
  Key k = { pod->parent.meta.uid, name };
  return g_hash_table_lookup (rt->containers, &k);
}

static void
notify (RContainer *c, KsContainerEventType type)
{
  KsRuntime *rt = &c->rt->parent;
  g_autofree char *container_id = g_strconcat (KS_RUNC_CONTAINER_ID_PREFIX, c->id, NULL);
  KsContainerEvent event = {
    .type = type,
    .pod_uid = c->key.pod_uid,
    .container = c->key.name,
    .init = c->init,
    .exit_code = c->exit_code,
    .reason = c->reason,
    .container_id = container_id,
  };

  if (rt->notify != NULL && !c->silent)
    rt->notify (&event, rt->notify_data);
}

static void
set_busy (RContainer *c, gboolean busy)
{
  c->busy = busy;
  if (c->rt != NULL)
    {
      if (busy)
        c->rt->n_busy++;
      else
        c->rt->n_busy--;
    }
}

/* Pod sandboxes */

static RPod *
pod_lookup (RuncRuntime *rt, const KsUid *uid)
{
  return g_hash_table_lookup (rt->pods, uid);
}

static void
pod_teardown (RuncRuntime *rt, RPod *p)
{
  g_autoptr (GError) error = NULL;

  if (p->own_netns && !ks_ns_file_remove (p->netns, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (p->ipcns != NULL && !ks_ns_file_remove (p->ipcns, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (p->provider_setup)
    rt->network->teardown (rt->network->user_data, &p->uid);
  if (!ks_cgroup_remove (p->cgroup, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (!ks_fs_remove_tree (p->dir, &error))
    g_warning ("%s", error->message);
  g_hash_table_remove (rt->pods, &p->uid);
}

static RPod *
pod_get (RuncRuntime *rt, const KsPod *pod)
{
  RPod *p = pod_lookup (rt, &pod->parent.meta.uid);
  char uid[KS_UID_STRING_LEN];

  if (p != NULL)
    return p;
  p = g_new0 (RPod, 1);
  p->uid = pod->parent.meta.uid;
  ks_uid_to_string (&p->uid, uid);
  p->dir = g_build_filename (rt->pods_dir, uid, NULL);
  p->sandbox_dir = g_build_filename (p->dir, "sandbox.d", NULL);
  p->cgroup = ks_runc_runtime_cgroup_path (rt->cgroup_parent, rt->node, &p->uid, NULL);
  g_hash_table_insert (rt->pods, &p->uid, p);
  return p;
}

static gboolean
write_sandbox_files (RuncRuntime *rt, const KsPod *pod, RPod *p, GError **error)
{
  g_autofree char *hosts = ks_oci_hosts_file (pod, p->ip);
  g_autofree char *hostname = ks_oci_pod_hostname (pod);
  g_autofree char *hostname_line = g_strconcat (hostname, "\n", NULL);

  p->hosts = g_build_filename (p->sandbox_dir, "hosts", NULL);
  p->hostname = g_build_filename (p->sandbox_dir, "hostname", NULL);
  p->resolv_conf = g_build_filename (p->sandbox_dir, "resolv.conf", NULL);
  return ks_fs_write_file (p->hosts, hosts, -1, error)
         && ks_fs_write_file (p->hostname, hostname_line, -1, error)
         && ks_fs_write_file (p->resolv_conf, rt->resolv_conf, -1, error);
}

/* The pod's sandbox, made now if it is not there yet. */
static RPod *
ensure_sandbox (RuncRuntime *rt, const KsPod *pod, GError **error)
{
  RPod *p = pod_get (rt, pod);
  g_autoptr (GError) local = NULL;

  if (p->ready)
    return p;
  if (!ks_fs_mkdirs (p->sandbox_dir, 0755, &local))
    goto fail;
  if (rt->network != NULL)
    {
      if (!rt->network->setup (rt->network->user_data, pod, &p->netns, &p->ip, &local))
        goto fail;
      p->provider_setup = TRUE;
    }
  else
    {
      p->netns = g_build_filename (p->sandbox_dir, "netns", NULL);
      p->own_netns = TRUE;
    }
  p->ipcns = g_build_filename (p->sandbox_dir, "ipcns", NULL);
  if (!ks_ns_files_create (p->own_netns ? p->netns : NULL, p->ipcns, &local))
    {
      /* Nothing of ours was left: forget the paths so teardown does not try. */
      p->own_netns = FALSE;
      g_clear_pointer (&p->ipcns, g_free);
      goto fail;
    }
  if (!write_sandbox_files (rt, pod, p, &local))
    goto fail;
  p->ready = TRUE;
  return p;

fail:
  g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_SANDBOX,
               "cannot set up the sandbox of pod %s/%s: %s", pod->parent.meta.namespace,
               pod->parent.meta.name, local->message);
  if (p->n_containers == 0)
    pod_teardown (rt, p);
  return NULL;
}

/* A record is gone: drop the pod when it was its last and nothing else keeps it. */
static void
pod_release (RuncRuntime *rt, RPod *p)
{
  g_autoptr (GError) error = NULL;

  if (--p->n_containers > 0)
    return;
  if (!p->explicit)
    pod_teardown (rt, p);
  else if (!ks_cgroup_remove (p->cgroup, &error))
    g_warning ("%s", error->message);
}

/* Running commands */

static char *
bundle_file (RContainer *c, const char *name)
{
  return g_build_filename (c->bundle, name, NULL);
}

/* Take the result of a command: FALSE when the runtime has gone meanwhile. */
static gboolean
command_done (RContainer *c, const KsRuncResult *result)
{
  if (result->cancelled || c->rt == NULL)
    return FALSE;
  set_busy (c, FALSE);
  return TRUE;
}

static void
run (RContainer *c, char **argv, int output_fd, KsRuncDoneFunc done)
{
  set_busy (c, TRUE);
  ks_runc_run_async (c->rt->runc, (const char *const *) argv, output_fd, c->rt->cancellable, done,
                     container_ref (c));
  g_strfreev (argv);
}

/* The instance is over (deleted, or never created): reset and report EXITED if it is owed. */
static void
finish_instance (RContainer *c)
{
  gboolean report = c->exit_pending && c->start_requested;

  if (c->rt != NULL)
    ks_clock_cancel (c->rt->clock, c->grace_timer);
  c->grace_timer = 0;
  c->phase = P_NONE;
  c->start_requested = c->start_wanted = c->stop_wanted = FALSE;
  c->term_sent = c->kill_due = c->kill_sent = FALSE;
  c->start_failed = c->force_delete = c->exit_pending = FALSE;
  container_ref (c);
  if (report)
    notify (c, KS_CONTAINER_EXITED);
  step (c);
  container_unref (c);
}

static void
deleted (const KsRuncResult *result, gpointer data)
{
  RContainer *c = data;

  if (command_done (c, result))
    {
      if (result->status != 0 && !c->force_delete)
        {
          g_warning ("runc delete %s failed: %s; trying --force", c->id,
                     result->err != NULL ? g_strstrip (result->err) : "");
          c->force_delete = TRUE;
          step (c);
        }
      else
        {
          if (result->status != 0)
            g_warning ("runc delete --force %s failed: %s", c->id,
                       result->err != NULL ? g_strstrip (result->err) : "");
          finish_instance (c);
        }
    }
  container_unref (c);
}

static void
run_delete (RContainer *c)
{
  run (c, ks_runc_argv_delete (c->rt->runc, c->id, c->force_delete), -1, deleted);
}

/* The init process has exited (the child watch). */
static void
exited (GPid pid, gint status, gpointer data)
{
  RContainer *c = data;

  c->watch = 0;
  c->pid = 0;
  if (c->rt == NULL)
    return;
  if (WIFEXITED (status))
    c->exit_code = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    c->exit_code = 128 + WTERMSIG (status);
  else
    c->exit_code = 128;
  /* A fresh cgroup per instance: any OOM kill in it was this instance's. */
  if (c->start_failed)
    c->exit_code = 128, c->reason = "StartError";
  else if (ks_cgroup_oom_kills (c->cgroup) > 0)
    c->reason = "OOMKilled";
  else
    c->reason = c->exit_code == 0 ? "Completed" : "Error";
  c->phase = P_EXITED;
  c->exit_pending = TRUE;
  step (c);
}

/* The pid runc wrote, if it is our child (the subreaper inherits it when runc create exits). */
static GPid
read_init_pid (RContainer *c)
{
  g_autofree char *file = bundle_file (c, "init.pid");
  g_autofree char *text = NULL;
  g_autofree char *stat_file = NULL;
  g_autofree char *stat = NULL;
  gint64 pid;
  const char *close_paren;
  gint64 ppid;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 1)
    return 0;
  stat_file = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (!g_file_get_contents (stat_file, &stat, NULL, NULL)
      || (close_paren = strrchr (stat, ')')) == NULL)
    return 0;
  /* "pid (comm) state ppid ..." */
  ppid = g_ascii_strtoll (close_paren + 4, NULL, 10);
  if (ppid != getpid ())
    {
      g_warning ("container %s: init process %" G_GINT64_FORMAT
                 " is not our child (parent %" G_GINT64_FORMAT "): is the agent a child subreaper?",
                 c->id, pid, ppid);
      return 0;
    }
  return (GPid) pid;
}

static void
start_failed_before_create (RContainer *c, const char *why)
{
  /* Usually the pod's fault (a command that does not exist): not a warning of the agent's. */
  g_message ("container %s could not be created: %s", c->id, why);
  c->start_wanted = FALSE;
  c->force_delete = TRUE; /* runc may have kept part of it */
  c->exit_code = 128;
  c->reason = "StartError";
  c->exit_pending = TRUE;
}

static void
created (const KsRuncResult *result, gpointer data)
{
  RContainer *c = data;

  if (command_done (c, result))
    {
      if (result->status != 0)
        {
          g_autofree char *log = bundle_file (c, "runc.log");
          g_autofree char *why = ks_runc_log_error (log);
          start_failed_before_create (c, why != NULL ? why : "runc create failed");
        }
      else if ((c->pid = read_init_pid (c)) == 0)
        start_failed_before_create (c, "no init process after runc create");
      else
        {
          c->phase = P_CREATED;
          c->watch = g_child_watch_add_full (G_PRIORITY_DEFAULT, c->pid, exited, container_ref (c),
                                             container_unref);
        }
      step (c);
    }
  container_unref (c);
}

static void
run_create (RContainer *c)
{
  g_autofree char *pid_file = bundle_file (c, "init.pid");
  g_autofree char *log = bundle_file (c, "runc.log");

  unlink (pid_file);
  unlink (log);
  if (c->log_fd < 0)
    {
      /* create() opened it; should it be gone, the output is lost rather than the container (a
       * pipe would stay open for the container's whole life). */
      g_warning ("container %s: no log file open; its output goes to /dev/null", c->id);
      c->log_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
    }
  /* The container's stdout and stderr are runc create's: the log file (runc duplicates it). */
  run (c, ks_runc_argv_create (c->rt->runc, c->id, c->bundle, pid_file, log), c->log_fd, created);
  close (c->log_fd);
  c->log_fd = -1;
}

static void
started (const KsRuncResult *result, gpointer data)
{
  RContainer *c = data;

  if (command_done (c, result))
    {
      if (result->status != 0)
        {
          g_warning ("runc start %s failed: %s", c->id,
                     result->err != NULL ? g_strstrip (result->err) : "");
          c->start_failed = TRUE;
          step (c);
        }
      else
        {
          c->start_wanted = FALSE;
          if (c->phase == P_CREATED)
            c->phase = P_RUNNING;
          c->started_at = ks_clock_now (c->rt->clock);
          container_ref (c);
          if (c->stop_wanted || c->remove_wanted)
            c->kill_due = TRUE; /* stopped while starting: it ends at once */
          else
            notify (c, KS_CONTAINER_STARTED);
          step (c);
          container_unref (c);
        }
    }
  container_unref (c);
}

static void
run_start (RContainer *c)
{
  run (c, ks_runc_argv_start (c->rt->runc, c->id), -1, started);
}

static void
grace_over (gpointer data)
{
  RContainer *c = data;

  c->grace_timer = 0;
  c->kill_due = TRUE;
  step (c);
}

static void
killed (const KsRuncResult *result, gpointer data)
{
  RContainer *c = data;

  if (command_done (c, result))
    {
      if (result->status != 0 && c->kill_sent && c->pid > 0)
        {
          /* runc could not (the container is ending?); the init process is our child, so its
           * pid cannot have been reused: kill it directly. */
          kill (c->pid, SIGKILL);
        }
      if (c->term_sent && !c->kill_due && c->grace_timer == 0 && !c->kill_sent)
        c->grace_timer = ks_clock_schedule (c->rt->clock, c->stop_deadline, grace_over,
                                            container_ref (c), container_unref);
      step (c);
    }
  container_unref (c);
}

static void
run_kill (RContainer *c, const char *signal)
{
  if (strcmp (signal, "KILL") == 0)
    c->kill_sent = TRUE;
  else
    c->term_sent = TRUE;
  run (c, ks_runc_argv_kill (c->rt->runc, c->id, signal), -1, killed);
}

static void
finish_remove (RContainer *c)
{
  RuncRuntime *rt = c->rt;
  g_autoptr (GError) error = NULL;
  RPod *p = c->pod;

  c->removed = TRUE;
  if (!ks_fs_remove_tree (c->bundle, &error))
    g_warning ("%s", error->message);
  c->rt = NULL;
  g_hash_table_remove (rt->containers, &c->key);
  pod_release (rt, p);
}

static void
step (RContainer *c)
{
  if (c->rt == NULL || c->busy || c->removed)
    return;
  switch (c->phase)
    {
    case P_NONE:
      if (c->force_delete)
        run_delete (c);
      else if (c->start_wanted && (c->stop_wanted || c->remove_wanted))
        {
          /* Stopped before runc create ran: it ends at once. */
          c->exit_code = 137;
          c->reason = "Error";
          c->exit_pending = TRUE;
          finish_instance (c);
        }
      else if (c->exit_pending)
        finish_instance (c);
      else if (c->remove_wanted)
        finish_remove (c);
      else if (c->start_wanted)
        run_create (c);
      break;
    case P_CREATED:
      if (c->remove_wanted || c->stop_wanted || c->start_failed || c->kill_due)
        {
          if (!c->kill_sent)
            run_kill (c, "KILL");
        }
      else if (c->start_wanted)
        run_start (c);
      break;
    case P_RUNNING:
      if (c->remove_wanted || c->kill_due)
        {
          if (!c->kill_sent)
            run_kill (c, "KILL");
        }
      else if (c->stop_wanted && !c->term_sent)
        run_kill (c, "TERM");
      break;
    case P_EXITED:
      run_delete (c);
      break;
    }
}

/* KsRuntime ops */

static char *
pod_name (const KsPod *pod)
{
  return g_strdup_printf ("%s/%s", pod->parent.meta.namespace, pod->parent.meta.name);
}

/* The restart count the kubelet has for container c (the first log's number). */
static gint
status_restart_count (const KsPod *pod, const KsContainer *kc, gboolean init)
{
  const KsPodSpec *spec = pod->spec;
  const KsContainerStatus *statuses
      = init ? ks_pod_init_container_statuses (pod) : pod->container_statuses;
  const KsContainer *list = init ? spec->init_containers : spec->containers;
  guint n = init ? spec->n_init_containers : spec->n_containers;

  if (statuses == NULL)
    return 0;
  for (guint i = 0; i < n; i++)
    if (strcmp (list[i].name, kc->name) == 0)
      return statuses[i].restart_count;
  return 0;
}

static RContainer *
container_new (RuncRuntime *rt, const KsPod *pod, const KsContainer *kc, gboolean init, RPod *p)
{
  RContainer *c = g_new0 (RContainer, 1);

  c->ref_count = 1;
  c->rt = rt;
  c->key.pod_uid = pod->parent.meta.uid;
  c->key.name = ks_intern (kc->name);
  c->init = init;
  c->pod = p;
  p->n_containers++;
  c->bundle = g_build_filename (p->dir, kc->name, NULL);
  c->cgroup = ks_runc_runtime_cgroup_path (rt->cgroup_parent, rt->node, &c->key.pod_uid, kc->name);
  c->log_fd = -1;
  c->attempt = status_restart_count (pod, kc, init);
  c->id = ks_runc_runtime_container_id (&c->key.pod_uid, kc->name, c->attempt);
  g_hash_table_insert (rt->containers, &c->key, c);
  return c;
}

static gboolean
write_bundle (RuncRuntime *rt, const KsPod *pod, const KsContainer *kc, RContainer *c,
              const KsImage *image, GError **error)
{
  RPod *p = c->pod;
  KsOciSpec spec = {
    .pod = pod,
    .container = kc,
    .image = &image->config,
    .rootfs = image->rootfs,
    .netns = p->netns,
    .ipcns = p->ipcns,
    .hosts = p->hosts,
    .hostname = p->hostname,
    .resolv_conf = p->resolv_conf,
    .pod_ip = p->ip,
    .cgroups_path = c->cgroup,
    .cgroup_namespace = rt->cgroup_ns,
    .cgroup_v2 = rt->cgroup_v2,
    .node_memory = rt->node_memory,
    .limit_oom_score_adj = rt->limit_oom_score_adj,
    .oom_score_adj_min = rt->oom_score_adj_min,
  };
  g_autoptr (JsonNode) config = NULL;
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  g_autofree char *file = bundle_file (c, "config.json");
  g_autoptr (GPtrArray) mounts
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_oci_mount_free);

  if (!ks_volume_mounts (pod, kc, p->dir, rt->claim_path, rt->claim_path_data, mounts, error))
    return FALSE;
  spec.volume_mounts = (KsOciMount *const *) mounts->pdata;
  spec.n_volume_mounts = mounts->len;
  config = ks_oci_config_new (&spec, error);
  if (config == NULL)
    return FALSE;
  json_generator_set_root (gen, config);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return ks_fs_mkdirs (c->bundle, 0755, error) && ks_fs_write_file (file, text, -1, error);
}

static gboolean
open_log (RuncRuntime *rt, const KsPod *pod, RContainer *c, GError **error)
{
  char uid[KS_UID_STRING_LEN];
  g_autofree char *pod_dir
      = g_strdup_printf ("%s_%s_%s", pod->parent.meta.namespace, pod->parent.meta.name,
                         ks_uid_to_string (&pod->parent.meta.uid, uid));
  g_autofree char *dir = g_build_filename (rt->logs_dir, pod_dir, c->key.name, NULL);
  g_autofree char *file = g_strdup_printf ("%d.log", c->attempt);

  if (!ks_fs_mkdirs (dir, 0755, error))
    return FALSE;
  g_free (c->log_path);
  c->log_path = g_build_filename (dir, file, NULL);
  if (c->log_fd >= 0)
    close (c->log_fd);
  c->log_fd = open (c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (c->log_fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot open %s: %s",
                   c->log_path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
rr_create (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, GError **error)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  g_autofree char *name = pod_name (pod);
  g_autoptr (KsImage) image = NULL;
  g_autoptr (GError) local = NULL;
  const char *why;
  RContainer *c;
  RPod *p;

  if ((why = ks_validate_dns1123_label (kc->name)) != NULL)
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_CREATE,
                   "pod %s: invalid container name \"%s\": %s", name, kc->name, why);
      return FALSE;
    }
  image = ks_image_store_lookup (rt->images, kc->image != NULL ? kc->image : "", &local);
  if (image == NULL)
    {
      gboolean missing
          = g_error_matches (local, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND)
            || g_error_matches (local, KS_IMAGE_ERROR, KS_IMAGE_ERROR_INVALID_REFERENCE);
      g_set_error (error, KS_RUNTIME_ERROR,
                   missing ? KS_RUNTIME_ERROR_IMAGE_NOT_FOUND : KS_RUNTIME_ERROR_CREATE, "%s",
                   local->message);
      return FALSE;
    }
  c = lookup (rt, pod, kc->name);
  if (c != NULL && (c->phase != P_NONE || c->busy || c->start_wanted || c->exit_pending))
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_CREATE,
                   "pod %s: container %s is still running or being stopped", name, kc->name);
      return FALSE;
    }
  p = ensure_sandbox (rt, pod, error);
  if (p == NULL)
    return FALSE;
  if (c == NULL)
    c = container_new (rt, pod, kc, init, p);
  else if (c->attempt_used)
    {
      /* A new instance: the next number, and a runc id of its own (as each CRI container has
       * one), so that status.containerID tells the instances apart. */
      c->attempt++;
      c->attempt_used = FALSE;
      g_free (c->id);
      c->id = ks_runc_runtime_container_id (&c->key.pod_uid, kc->name, c->attempt);
    }
  c->remove_wanted = FALSE;
  c->silent = FALSE;
  if (!write_bundle (rt, pod, kc, c, image, &local) || !open_log (rt, pod, c, &local))
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_CREATE, "pod %s: container %s: %s",
                   name, kc->name, local->message);
      return FALSE;
    }
  c->prepared = TRUE;
  return TRUE;
}

static gboolean
rr_start (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, GError **error)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RContainer *c = lookup (rt, pod, kc->name);

  if (c == NULL || !c->prepared)
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_START,
                   "container %s of pod %s/%s was not created", kc->name,
                   pod->parent.meta.namespace, pod->parent.meta.name);
      return FALSE;
    }
  c->prepared = FALSE;
  c->attempt_used = TRUE;
  c->start_requested = TRUE;
  c->start_wanted = TRUE;
  step (c);
  return TRUE;
}

static void
rr_stop (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, gint64 grace)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RContainer *c = lookup (rt, pod, kc->name);
  gint64 deadline;

  if (c == NULL || !c->start_requested)
    return; /* never started, or already reported as exited */
  deadline = ks_clock_now (rt->clock) + MAX (grace, 0);
  if (c->stop_wanted)
    {
      /* A second stop may shorten the grace period, never lengthen it. */
      if (deadline < c->stop_deadline && c->grace_timer != 0)
        {
          ks_clock_cancel (rt->clock, c->grace_timer);
          c->grace_timer = ks_clock_schedule (rt->clock, deadline, grace_over, container_ref (c),
                                              container_unref);
        }
      c->stop_deadline = MIN (deadline, c->stop_deadline);
      return;
    }
  c->stop_wanted = TRUE;
  c->stop_deadline = deadline;
  if (grace <= 0)
    c->kill_due = TRUE;
  step (c);
}

static void
rr_remove (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RContainer *c = lookup (rt, pod, kc->name);

  if (c == NULL)
    return;
  c->remove_wanted = TRUE;
  c->silent = TRUE;
  c->prepared = FALSE;
  step (c);
}

static gboolean
rr_container_stats (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init,
                    KsStats *out)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RContainer *c = lookup (rt, pod, kc->name);
  gint64 working_set;

  /* An instance that runs: started, its init process not yet reaped.  Each instance has a cgroup
   * of its own, so its counter starts at 0 with it. */
  if (c == NULL || c->phase != P_RUNNING || c->init != init
      || !ks_cgroup_read_usage (c->cgroup, &out->cpu_ns, &working_set))
    return FALSE;
  out->timestamp = ks_clock_now (rt->clock);
  out->start_time = c->started_at;
  out->working_set = (guint64) working_set;
  return TRUE;
}

static gboolean
rr_node_stats (KsRuntime *self, KsStats *out)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  gint64 working_set;

  if (!ks_cgroup_read_usage (rt->node_cgroup, &out->cpu_ns, &working_set))
    return FALSE;
  out->timestamp = ks_clock_now (rt->clock);
  out->start_time = rt->started_at;
  out->working_set = (guint64) working_set;
  return TRUE;
}

static void
rr_kill_all (KsRuntime *self)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (container_unref);
  g_autoptr (GPtrArray) pods = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, rt->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, container_ref (value));
  g_hash_table_iter_init (&iter, rt->pods);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      RPod *p = value;
      p->explicit = FALSE;
      if (p->n_containers == 0)
        g_ptr_array_add (pods, p);
    }
  for (guint i = 0; i < pods->len; i++)
    pod_teardown (rt, pods->pdata[i]);
  for (guint i = 0; i < all->len; i++)
    {
      RContainer *c = all->pdata[i];
      c->silent = TRUE;
      c->remove_wanted = TRUE;
      c->prepared = FALSE;
      step (c);
    }
}

static char *
rr_sandbox_create (KsRuntime *self, const KsPod *pod, GError **error)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RPod *p = ensure_sandbox (rt, pod, error);

  if (p == NULL)
    return NULL;
  p->explicit = TRUE;
  return g_strdup (p->ip != NULL ? p->ip : "");
}

static void
rr_sandbox_remove (KsRuntime *self, const KsPod *pod)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RPod *p = pod_lookup (rt, &pod->parent.meta.uid);

  if (p == NULL)
    return;
  p->explicit = FALSE;
  if (p->n_containers == 0)
    pod_teardown (rt, p);
}

/* Exec */

typedef struct
{
  gint ref_count;
  RuncRuntime *rt;
  KsExecDoneFunc done;
  gpointer user_data;
  guint64 timer;
  gboolean finished;
  char *pid_file;
  gint64 timeout;
} ExecOp;

static ExecOp *
exec_op_ref (ExecOp *op)
{
  op->ref_count++;
  return op;
}

static void
exec_op_unref (gpointer p)
{
  ExecOp *op = p;

  if (--op->ref_count > 0)
    return;
  unlink (op->pid_file);
  g_free (op->pid_file);
  g_free (op);
}

static void
exec_finish (ExecOp *op, gint code, const char *message)
{
  RuncRuntime *rt = op->rt;

  op->finished = TRUE;
  if (rt != NULL)
    {
      ks_clock_cancel (rt->clock, op->timer);
      op->timer = 0;
      g_hash_table_remove (rt->execs, op);
    }
  op->done (code, message, op->user_data);
}

static void
exec_ran (const KsRuncResult *result, gpointer data)
{
  ExecOp *op = data;

  if (!result->cancelled && !op->finished && op->rt != NULL)
    {
      g_autofree char *message = NULL;
      if (result->status < 0)
        message = g_strdup_printf ("runc exec failed: %s",
                                   result->err != NULL ? g_strstrip (result->err) : "killed");
      else if (result->status != 0)
        message = g_strstrip (g_strdup (result->err != NULL && result->err[0] != '\0' ? result->err
                                        : result->out != NULL                         ? result->out
                                                                                      : ""));
      exec_finish (op, result->status, message);
    }
  exec_op_unref (op);
}

static void
exec_timed_out (gpointer data)
{
  ExecOp *op = data;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  op->timer = 0;
  if (op->finished)
    return;
  /* Kill the command, not runc exec: its process would be orphaned to us. */
  if (g_file_get_contents (op->pid_file, &text, NULL, NULL))
    {
      gint64 pid = g_ascii_strtoll (text, NULL, 10);
      if (pid > 1)
        kill ((pid_t) pid, SIGKILL);
    }
  message = g_strdup_printf ("command timed out after %" G_GINT64_FORMAT "ms",
                             op->timeout / KS_USEC_PER_MSEC);
  exec_finish (op, -1, message);
}

typedef struct
{
  KsExecDoneFunc done;
  gpointer user_data;
  char *message;
} ExecFail;

static void
exec_fail_run (gpointer data)
{
  ExecFail *f = data;
  f->done (-1, f->message, f->user_data);
}

static void
exec_fail_free (gpointer data)
{
  ExecFail *f = data;
  g_free (f->message);
  g_free (f);
}

static void
rr_exec (KsRuntime *self, const KsPod *pod, const KsContainer *kc, const char *const *argv,
         gint64 timeout, KsExecDoneFunc done, gpointer user_data)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  RContainer *c = lookup (rt, pod, kc->name);
  ExecOp *op;
  char **cmd;

  if (c == NULL || c->phase != P_RUNNING || argv == NULL || argv[0] == NULL || rt->exec_outside)
    {
      ExecFail *f = g_new0 (ExecFail, 1);
      f->done = done;
      f->user_data = user_data;
      if (argv == NULL || argv[0] == NULL)
        f->message = g_strdup ("no command to run");
      else if (c == NULL || c->phase != P_RUNNING)
        f->message = g_strdup_printf ("container %s is not running", kc->name);
      else
        f->message = g_strdup_printf (
            "exec in container %s refused: runc exec would run the command outside the "
            "container, at the root of kubesim's mount namespace, since kubesim runs under a "
            "chroot that is not that root; run kubesim in a mount namespace whose root is that "
            "directory (pivot_root(8), systemd-nspawn) instead of a chroot",
            kc->name);
      /* done is never called from within exec. */
      ks_clock_schedule (rt->clock, ks_clock_now (rt->clock), exec_fail_run, f, exec_fail_free);
      return;
    }
  op = g_new0 (ExecOp, 1);
  op->ref_count = 1;
  op->rt = rt;
  op->done = done;
  op->user_data = user_data;
  op->timeout = timeout;
  op->pid_file = g_strdup_printf ("%s/exec-%" G_GUINT64_FORMAT ".pid", c->bundle, ++rt->exec_seq);
  g_hash_table_add (rt->execs, op);
  cmd = ks_runc_argv_exec (rt->runc, c->id, op->pid_file, argv);
  ks_runc_run_async (rt->runc, (const char *const *) cmd, -1, rt->cancellable, exec_ran,
                     exec_op_ref (op));
  g_strfreev (cmd);
  op->timer = ks_clock_schedule (rt->clock, ks_clock_now (rt->clock) + timeout, exec_timed_out,
                                 exec_op_ref (op), exec_op_unref);
  exec_op_unref (op);
}

static void
rr_free (KsRuntime *self)
{
  RuncRuntime *rt = (RuncRuntime *) self;
  GHashTableIter iter;
  gpointer value;

  g_cancellable_cancel (rt->cancellable);
  g_hash_table_iter_init (&iter, rt->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      RContainer *c = value;
      ks_clock_cancel (rt->clock, c->grace_timer);
      c->grace_timer = 0;
      if (c->watch != 0)
        g_source_remove (c->watch);
      c->rt = NULL;
    }
  g_hash_table_iter_init (&iter, rt->execs);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    {
      ExecOp *op = value;
      ks_clock_cancel (rt->clock, op->timer);
      op->rt = NULL;
    }
  g_hash_table_unref (rt->execs);
  g_hash_table_unref (rt->containers);
  g_hash_table_unref (rt->pods);
  g_object_unref (rt->cancellable);
  ks_image_store_free (rt->images);
  ks_runc_free (rt->runc);
  g_free (rt->data_dir);
  g_free (rt->node);
  g_free (rt->cgroup_parent);
  g_free (rt->node_cgroup);
  g_free (rt->pods_dir);
  g_free (rt->logs_dir);
  g_free (rt->resolv_conf);
  g_free (rt);
}

static const KsRuntimeOps runc_ops = {
  .create = rr_create,
  .start = rr_start,
  .stop = rr_stop,
  .remove = rr_remove,
  .container_stats = rr_container_stats,
  .node_stats = rr_node_stats,
  .kill_all = rr_kill_all,
  .exec = rr_exec,
  .free = rr_free,
};

/* With a network provider, pods have sandboxes (and IPs). */
static const KsRuntimeOps runc_ops_network = {
  .create = rr_create,
  .start = rr_start,
  .stop = rr_stop,
  .remove = rr_remove,
  .container_stats = rr_container_stats,
  .node_stats = rr_node_stats,
  .kill_all = rr_kill_all,
  .sandbox_create = rr_sandbox_create,
  .sandbox_remove = rr_sandbox_remove,
  .exec = rr_exec,
  .free = rr_free,
};

gboolean
ks_runc_runtime_become_subreaper (GError **error)
{
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot become a child subreaper: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Whether this process may lower oom_score_adj (CAP_SYS_RESOURCE in CapEff); if not, the lowest
 * value its children may have is its own. */
static gboolean
may_lower_oom_score_adj (gint *own)
{
  g_autofree char *status = NULL;
  g_autofree char *adj = NULL;
  const char *cap;
  guint64 eff;

  *own = 0;
  if (g_file_get_contents ("/proc/self/oom_score_adj", &adj, NULL, NULL))
    *own = (gint) g_ascii_strtoll (adj, NULL, 10);
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (cap = strstr (status, "\nCapEff:")) == NULL)
    return FALSE;
  eff = g_ascii_strtoull (cap + strlen ("\nCapEff:"), NULL, 16);
  return (eff & (G_GUINT64_CONSTANT (1) << 24)) != 0; /* CAP_SYS_RESOURCE */
}

static gboolean
valid_path_name (const char *what, const char *name, GError **error)
{
  if (name == NULL || name[0] == '\0' || strchr (name, '/') != NULL || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid %s \"%s\": expected a name without '/'", what, name ? name : "");
      return FALSE;
    }
  return TRUE;
}

KsRuntime *
ks_runc_runtime_new (KsClock *clock, const KsRuncRuntimeOptions *options, GError **error)
{
  RuncRuntime *rt;
  g_autofree char *runc_dir = NULL;
  g_autofree char *runc_path = NULL;
  g_autofree char *node_dir = NULL;
  const char *parent
      = options->cgroup_parent != NULL ? options->cgroup_parent : KS_RUNC_DEFAULT_CGROUP_PARENT;
  int subreaper = 0;

  g_return_val_if_fail (options->data_dir != NULL, NULL);
  if (!valid_path_name ("node name", options->node_name, error)
      || !valid_path_name ("cgroup parent", parent, error))
    return NULL;
  if (prctl (PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0) < 0 || !subreaper)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the runc runtime needs a child subreaper: call "
                   "ks_runc_runtime_become_subreaper () first");
      return NULL;
    }
  runc_path = g_find_program_in_path (options->runc != NULL ? options->runc : "runc");
  if (runc_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s not found: real mode runs containers with runc (Debian package runc)",
                   options->runc != NULL ? options->runc : "runc");
      return NULL;
    }

  rt = g_new0 (RuncRuntime, 1);
  rt->parent.ops = options->network != NULL ? &runc_ops_network : &runc_ops;
  rt->clock = clock;
  rt->data_dir = g_canonicalize_filename (options->data_dir, NULL);
  rt->node = g_strdup (options->node_name);
  rt->cgroup_parent = g_strdup (parent);
  rt->node_cgroup = g_strdup_printf ("/%s/%s", parent, options->node_name);
  rt->node_memory = options->node_memory;
  rt->started_at = ks_clock_now (clock);
  rt->network = options->network;
  rt->claim_path = options->claim_path;
  rt->claim_path_data = options->claim_path_data;
  rt->cgroup_v2 = ks_cgroup_detect () == KS_CGROUP_V2;
  rt->cgroup_ns = ks_cgroup_has_namespaces ();
  rt->limit_oom_score_adj = !may_lower_oom_score_adj (&rt->oom_score_adj_min);
  rt->exec_outside = ks_mount_ns_root_is_elsewhere ();
  if (rt->exec_outside)
    g_message ("node %s: exec in containers (exec probes) is refused: this process runs under a "
               "chroot that is not its mount namespace's root, where runc exec would run commands "
               "outside the containers",
               rt->node);
  node_dir = g_build_filename (rt->data_dir, "nodes", rt->node, NULL);
  rt->pods_dir = g_build_filename (node_dir, "pods", NULL);
  rt->logs_dir = g_build_filename (node_dir, "logs", NULL);
  runc_dir = g_build_filename (rt->data_dir, "runc", NULL);
  rt->runc = ks_runc_new (runc_path, runc_dir);
  rt->images = ks_image_store_new (rt->data_dir);
  rt->cancellable = g_cancellable_new ();
  rt->pods = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, pod_free);
  rt->containers = g_hash_table_new_full (key_hash, key_equal, NULL, container_unref);
  rt->execs = g_hash_table_new (NULL, NULL);
  if (!g_file_get_contents ("/etc/resolv.conf", &rt->resolv_conf, NULL, NULL))
    rt->resolv_conf = g_strdup ("");
  if (!ks_fs_mkdirs (runc_dir, 0700, error) || !ks_fs_mkdirs (rt->pods_dir, 0755, error)
      || !ks_fs_mkdirs (rt->logs_dir, 0755, error)
      || !ks_cgroup_create (rt->node_cgroup, options->node_milli_cpu, options->node_memory, error))
    {
      rr_free (&rt->parent);
      return NULL;
    }
  return &rt->parent;
}

guint
ks_runc_runtime_n_containers (KsRuntime *runtime)
{
  return g_hash_table_size (((RuncRuntime *) runtime)->containers);
}

gboolean
ks_runc_runtime_is_idle (KsRuntime *runtime)
{
  RuncRuntime *rt = (RuncRuntime *) runtime;
  return rt->n_busy == 0 && g_hash_table_size (rt->execs) == 0;
}

/* Cleanup */

static gboolean
delete_leftover_containers (KsRunc *runc, const char *prefix, GError **error)
{
  g_auto (GStrv) argv = ks_runc_argv_list (runc);
  g_auto (KsRuncResult) r = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *list;
  gboolean ok = TRUE;

  if (!ks_runc_run (runc, (const char *const *) argv, &r, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, r.out != NULL ? r.out : "null", -1, error))
    {
      g_prefix_error (error, "runc list: ");
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_HOLDS_NULL (root) || !JSON_NODE_HOLDS_ARRAY (root))
    return TRUE;
  list = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      const char *id
          = o != NULL ? json_object_get_string_member_with_default (o, "id", NULL) : NULL;
      const char *bundle
          = o != NULL ? json_object_get_string_member_with_default (o, "bundle", "") : "";
      g_auto (GStrv) del = NULL;
      g_autoptr (GError) local = NULL;
      if (id == NULL || !g_str_has_prefix (bundle, prefix))
        continue;
      del = ks_runc_argv_delete (runc, id, TRUE);
      if (!ks_runc_run (runc, (const char *const *) del, NULL, &local))
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
        }
    }
  return ok;
}

static gboolean
remove_pods_dir (const char *node_dir, GError **error)
{
  g_autofree char *pods = g_build_filename (node_dir, "pods", NULL);
  return ks_unmount_below (pods, error) && ks_fs_remove_tree (pods, error);
}

gboolean
ks_runc_cleanup (const char *data_dir, const char *node_name, const char *cgroup_parent,
                 const char *runc_path, GError **error)
{
  g_autofree char *abs = g_canonicalize_filename (data_dir, NULL);
  g_autofree char *runc_dir = g_build_filename (abs, "runc", NULL);
  g_autofree char *nodes = g_build_filename (abs, "nodes", NULL);
  g_autofree char *prefix = NULL;
  g_autofree char *cgroup = NULL;
  const char *parent = cgroup_parent != NULL ? cgroup_parent : KS_RUNC_DEFAULT_CGROUP_PARENT;
  g_autoptr (GError) first = NULL;

  if (node_name != NULL && !valid_path_name ("node name", node_name, error))
    return FALSE;
  if (!valid_path_name ("cgroup parent", parent, error))
    return FALSE;
  prefix = node_name != NULL ? g_strconcat (nodes, "/", node_name, "/", NULL)
                             : g_strconcat (nodes, "/", NULL);
  cgroup = node_name != NULL ? g_strdup_printf ("/%s/%s", parent, node_name)
                             : g_strdup_printf ("/%s", parent);
  if (g_file_test (runc_dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (KsRunc) runc = ks_runc_new (runc_path, runc_dir);
      delete_leftover_containers (runc, prefix, first == NULL ? &first : NULL);
    }
  if (node_name != NULL)
    {
      g_autofree char *node_dir = g_build_filename (nodes, node_name, NULL);
      remove_pods_dir (node_dir, first == NULL ? &first : NULL);
    }
  else if (g_file_test (nodes, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (nodes, 0, first == NULL ? &first : NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *node_dir = g_build_filename (nodes, name, NULL);
          remove_pods_dir (node_dir, first == NULL ? &first : NULL);
        }
    }
  ks_cgroup_remove (cgroup, first == NULL ? &first : NULL);
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

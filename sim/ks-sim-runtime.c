/* ks-sim-runtime.c: modelled containers driven by clock tasks. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "ks-sim-model.h"
#include "ks-sim-runtime.h"
#include "src/api/ks-node.h"
#include "src/ks-rng.h"

typedef enum
{
  SC_CREATED,
  SC_STARTING,
  SC_RUNNING,
  SC_EXITED,
} SimState;

typedef struct
{
  KsUid pod_uid;
  const char *name; /* interned in stored keys; any string in lookup keys */
  gboolean init;
} Key;

typedef struct _SimRuntime SimRuntime;

typedef struct
{
  Key key;
  SimRuntime *rt;
  SimState state;
  gboolean sidecar;  /* a restartable init container: runs until stopped */
  guint64 timer;     /* the pending STARTED or EXITED */
  gint64 exit_at;    /* when a pending EXITED fires */
  gint64 started_at; /* when the instance started running */
  gint exit_code;
  const char *reason;
  gsl_rng *crashes;  /* kubesim.io/crash-rate draws; made at the first start, kept over restarts */
  guint64 load_base; /* the pod's served-request CPU (core-ns) when the instance started */
} SimContainer;

struct _SimRuntime
{
  KsRuntime parent;
  KsClock *clock;
  gint64 default_startup;
  guint64 seed;
  GHashTable *containers; /* &Key → SimContainer */
  /* Pod IPs (ks_sim_runtime_set_network); client NULL: none */
  KsClient *client;
  char *node_name;
  GHashTable *sandboxes; /* KsUid* (owned) → host index in the podCIDR + 1 */
  GArray *used;          /* gboolean per host index of the podCIDR */
  /* Served requests' CPU (ks_sim_runtime_set_load) */
  KsSimLoadFunc load;
  gpointer load_data;
};

static guint
key_hash (gconstpointer p)
{
  const Key *k = p;
  return ks_uid_hash (&k->pod_uid) ^ g_str_hash (k->name) ^ (guint) k->init;
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  const Key *ka = a, *kb = b;
  return ka->init == kb->init && ks_uid_equal (&ka->pod_uid, &kb->pod_uid)
         && strcmp (ka->name, kb->name) == 0;
}

static void
container_free (gpointer p)
{
  SimContainer *c = p;
  ks_clock_cancel (c->rt->clock, c->timer);
  if (c->crashes != NULL)
    gsl_rng_free (c->crashes);
  g_free (c);
}

static SimContainer *
lookup (SimRuntime *rt, const KsPod *pod, const KsContainer *c, gboolean init)
{
  Key k = { pod->parent.meta.uid, c->name, init };
  return g_hash_table_lookup (rt->containers, &k);
}

static void
notify (SimContainer *c, KsContainerEventType type)
{
  KsRuntime *rt = &c->rt->parent;
  KsContainerEvent event = {
    .type = type,
    .pod_uid = c->key.pod_uid,
    .container = c->key.name,
    .init = c->key.init,
    .exit_code = c->exit_code,
    .reason = c->reason,
  };
  if (rt->notify != NULL)
    rt->notify (&event, rt->notify_data);
}

static void
exited (gpointer data)
{
  SimContainer *c = data;

  c->timer = 0;
  c->state = SC_EXITED;
  notify (c, KS_CONTAINER_EXITED);
}

static void
schedule_exit (SimContainer *c, gint64 at, gint code, const char *reason)
{
  ks_clock_cancel (c->rt->clock, c->timer);
  c->exit_at = at;
  c->exit_code = code;
  c->reason = reason;
  c->timer = ks_clock_schedule (c->rt->clock, at, exited, c, NULL);
}

/* What a start decides, kept until the container runs (one per starting container: the fields
 * are ordered so that no padding makes it bigger). */
typedef struct
{
  SimContainer *c;
  gint64 duration;
  gdouble crash_rate;
  gint64 oom_after; /* with memory growth: µs from its start to usage over its limit; -1: never */
  gint exit_code;
  gboolean oom; /* the container's memory usage exceeds its limit */
} StartData;

/* The time to the next crash: exponential with mean 1/rate, from the container's own stream
 * (the run's seed, the pod's uid and the container), so that runs with one seed repeat and
 * other pods' crashes never shift it. */
static gint64
next_crash (SimContainer *c, gdouble per_hour)
{
  if (c->crashes == NULL)
    {
      char uid[KS_UID_STRING_LEN];
      g_autofree char *stream
          = g_strdup_printf ("crash-rate/%s/%s/%s", ks_uid_to_string (&c->key.pod_uid, uid),
                             c->key.init ? "init" : "main", c->key.name);
      c->crashes = ks_rng_new (c->rt->seed, stream);
    }
  return (gint64) llround (gsl_ran_exponential (c->crashes, 3600.0 * G_USEC_PER_SEC / per_hour));
}

static void
started (gpointer data)
{
  StartData *s = data;
  SimContainer *c = s->c;
  gint64 now = ks_clock_now (c->rt->clock);

  c->timer = 0;
  c->state = SC_RUNNING;
  c->started_at = now;
  if (c->rt->load != NULL)
    c->load_base = c->rt->load (&c->key.pod_uid, c->rt->load_data);
  /* Decide the end before telling the kubelet, which may stop the container at once.  An init
   * container completes at once, a sidecar runs until it is stopped, and the pod's run time is
   * its containers'. */
  if (c->key.init && !c->sidecar)
    schedule_exit (c, now, 0, "Completed");
  else if (s->oom)
    /* The kernel's OOM killer ends it as soon as it runs (SIGKILL: 137). */
    schedule_exit (c, now, 137, "OOMKilled");
  else if (!c->key.init && s->duration >= 0)
    schedule_exit (c, now + s->duration, s->exit_code, s->exit_code == 0 ? "Completed" : "Error");
  else if (!c->key.init && s->crash_rate > 0)
    schedule_exit (c, now + next_crash (c, s->crash_rate), s->exit_code,
                   s->exit_code == 0 ? "Completed" : "Error");
  /* A growing container is OOMKilled when it outgrows its limit, unless it ends before. */
  if (!(c->key.init && !c->sidecar) && !s->oom && s->oom_after >= 0
      && (c->timer == 0 || now + s->oom_after < c->exit_at))
    schedule_exit (c, now + s->oom_after, 137, "OOMKilled");
  notify (c, KS_CONTAINER_STARTED);
}

static gboolean
sr_create (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, GError **error)
{
  SimRuntime *rt = (SimRuntime *) self;
  SimContainer *c = lookup (rt, pod, kc, init);

  if (c == NULL)
    {
      c = g_new0 (SimContainer, 1);
      c->key = (Key){ pod->parent.meta.uid, ks_intern (kc->name), init };
      c->rt = rt;
      g_hash_table_insert (rt->containers, &c->key, c);
    }
  ks_clock_cancel (rt->clock, c->timer);
  c->timer = 0;
  c->state = SC_CREATED;
  return TRUE;
}

/* How many containers run alongside each other: sidecars and containers. */
static guint
n_steady (const KsPod *pod)
{
  guint n = pod->spec->n_containers;

  for (guint i = 0; i < pod->spec->n_init_containers; i++)
    n += pod->spec->init_containers[i].restart_always;
  return n;
}

/* A container's share of the pod's kubesim.io/memory-growth, bytes per second: split among the
 * containers that run alongside each other; init containers that complete have none.  Worked out
 * again when needed rather than kept per container, which would cost every pod memory. */
static gdouble
growth_share (const KsPod *pod, const KsContainer *kc, gboolean init, const KsSimPodModel *model)
{
  return init && !kc->restart_always ? 0 : model->memory_growth / MAX (n_steady (pod), 1);
}

/* A container's steady share of the pod's kubesim.io/memory-usage: split equally among the
 * containers that run alongside each other (sidecars and containers; the first ones take the
 * remainders), as the metrics see it once all run.  Init containers that complete use none. */
static gint64
memory_share (const KsPod *pod, const KsContainer *kc, gboolean init, gint64 usage)
{
  const KsPodSpec *spec = pod->spec;
  guint n = 0, rank = 0;
  gboolean found = FALSE;

  for (guint i = 0; i < spec->n_init_containers + spec->n_containers; i++)
    {
      gboolean is_init = i < spec->n_init_containers;
      const KsContainer *one
          = is_init ? &spec->init_containers[i] : &spec->containers[i - spec->n_init_containers];
      if (is_init && !one->restart_always)
        continue;
      if (is_init == init && strcmp (one->name, kc->name) == 0)
        {
          rank = n;
          found = TRUE;
        }
      n++;
    }
  if (!found)
    return 0;
  return usage / n + ((gint64) rank < usage % n ? 1 : 0);
}

static gboolean
sr_start (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, GError **error)
{
  SimRuntime *rt = (SimRuntime *) self;
  SimContainer *c = lookup (rt, pod, kc, init);
  KsSimPodModel model;
  StartData *s;
  gdouble growth;

  if (c == NULL)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT, "container %s was not created",
                   kc->name);
      return FALSE;
    }
  if (!ks_sim_pod_model_parse (pod->parent.meta.annotations, &model, error))
    return FALSE;
  c->state = SC_STARTING;
  c->sidecar = init && kc->restart_always;
  s = g_new (StartData, 1);
  s->c = c;
  s->duration = model.duration;
  s->exit_code = model.exit_code;
  s->crash_rate = model.crash_rate;
  s->oom = kc->limits.set & KS_RES_SET_MEMORY && model.memory_usage >= 0
           && memory_share (pod, kc, init, model.memory_usage) > kc->limits.memory;
  growth = growth_share (pod, kc, init, &model);
  s->oom_after = -1;
  if (growth > 0 && kc->limits.set & KS_RES_SET_MEMORY)
    {
      /* The first µs at which share + growth × t is over the limit. */
      gint64 headroom
          = kc->limits.memory - memory_share (pod, kc, init, MAX (model.memory_usage, 0));
      s->oom_after = (gint64) floor ((gdouble) headroom * KS_USEC_PER_SEC / growth) + 1;
    }
  c->timer = ks_clock_schedule_in (
      rt->clock, model.startup >= 0 ? model.startup : rt->default_startup, started, s, g_free);
  return TRUE;
}

static void
sr_stop (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init, gint64 grace)
{
  SimRuntime *rt = (SimRuntime *) self;
  SimContainer *c = lookup (rt, pod, kc, init);
  gint64 now = ks_clock_now (rt->clock);

  if (c == NULL)
    return;
  switch (c->state)
    {
    case SC_STARTING:
      schedule_exit (c, now, 137, "Error");
      break;
    case SC_RUNNING:
      /* A container that would end on its own within the grace period does so. */
      if (c->timer != 0 && c->exit_at <= now + grace)
        break;
      schedule_exit (c, now + grace, 137, "Error");
      break;
    default:
      break;
    }
}

guint
ks_sim_runtime_end_pod (KsRuntime *runtime, const KsPod *pod, gint64 at, gint exit_code)
{
  SimRuntime *rt = (SimRuntime *) runtime;
  gint64 now = ks_clock_now (rt->clock);
  guint n = 0;

  for (guint i = 0; i < pod->spec->n_containers; i++)
    {
      SimContainer *c = lookup (rt, pod, &pod->spec->containers[i], FALSE);
      if (c == NULL || c->state != SC_RUNNING)
        continue;
      schedule_exit (c, MAX (at, now), exit_code, exit_code == 0 ? "Completed" : "Error");
      n++;
    }
  return n;
}

static void
sr_remove (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init)
{
  SimRuntime *rt = (SimRuntime *) self;
  Key k = { pod->parent.meta.uid, kc->name, init };

  g_hash_table_remove (rt->containers, &k);
}

/* The modelled usage (kubesim.io/cpu-usage, memory-usage) is the pod's: its running containers
 * (sidecars included) share it equally (the first ones take the remainders), and a container's CPU
 * time accrues at its share since it started. */
static gboolean
sr_container_stats (KsRuntime *self, const KsPod *pod, const KsContainer *kc, gboolean init,
                    KsStats *out)
{
  SimRuntime *rt = (SimRuntime *) self;
  SimContainer *c = lookup (rt, pod, kc, init);
  KsSimPodModel model;
  guint n_running = 0, rank = 0;
  gint64 now = ks_clock_now (rt->clock);
  gint64 cpu, memory;

  if (c == NULL || c->state != SC_RUNNING)
    return FALSE;
  out->timestamp = now;
  out->start_time = c->started_at;
  out->cpu_ns = 0;
  out->working_set = 0;
  if (!ks_sim_pod_model_parse (pod->parent.meta.annotations, &model, NULL))
    return TRUE;
  /* Sidecars (the init containers that run alongside) first, in order, then the containers. */
  for (guint i = 0; i < pod->spec->n_init_containers + pod->spec->n_containers; i++)
    {
      gboolean is_init = i < pod->spec->n_init_containers;
      const KsContainer *spec = is_init ? &pod->spec->init_containers[i]
                                        : &pod->spec->containers[i - pod->spec->n_init_containers];
      SimContainer *other = lookup (rt, pod, spec, is_init);
      if (other == NULL || other->state != SC_RUNNING)
        continue;
      if (other == c)
        rank = n_running;
      n_running++;
    }
  cpu = MAX (model.cpu_usage, 0);
  memory = MAX (model.memory_usage, 0);
  cpu = cpu / n_running + ((gint64) rank < cpu % n_running ? 1 : 0);
  memory = memory / n_running + ((gint64) rank < memory % n_running ? 1 : 0);
  /* A leak (kubesim.io/memory-growth) adds its share since the instance started. */
  memory += (gint64) floor (growth_share (pod, kc, init, &model)
                            * (gdouble) MAX (now - c->started_at, 0) / KS_USEC_PER_SEC);
  /* millicores × µs = core-nanoseconds */
  out->cpu_ns = (guint64) cpu * (guint64) MAX (now - c->started_at, 0);
  if (rt->load != NULL)
    {
      guint64 load = rt->load (&pod->parent.meta.uid, rt->load_data) - c->load_base;
      out->cpu_ns += load / n_running + ((guint64) rank < load % n_running ? 1 : 0);
    }
  out->working_set = (guint64) memory;
  return TRUE;
}

static void
sr_kill_all (KsRuntime *self)
{
  SimRuntime *rt = (SimRuntime *) self;
  g_hash_table_remove_all (rt->containers);
  if (rt->sandboxes != NULL)
    {
      g_hash_table_remove_all (rt->sandboxes);
      g_array_set_size (rt->used, 0);
    }
}

/* Pod sandboxes: only the pod's IP is modelled. */
static char *
sr_sandbox_create (KsRuntime *self, const KsPod *pod, GError **error)
{
  SimRuntime *rt = (SimRuntime *) self;
  g_autoptr (KsObject) obj = NULL;
  const char *cidr;
  guint a, b, c, d, prefix;
  guint32 base;
  guint n_hosts;
  gpointer found;

  if (rt->client == NULL)
    return g_strdup ("");
  obj = ks_client_get (rt->client, ks_kind_get (KS_KIND_NODE), NULL, rt->node_name, NULL);
  cidr = obj != NULL ? KS_NODE (obj)->pod_cidr : NULL;
  if (cidr == NULL || sscanf (cidr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) != 5 || a > 255
      || b > 255 || c > 255 || d > 255 || prefix < 8 || prefix > 30)
    {
      if (cidr == NULL)
        g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_SANDBOX,
                     "network is not ready: node %s has no podCIDR", rt->node_name);
      else
        g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_SANDBOX,
                     "node %s: podCIDR \"%s\" is not an IPv4 CIDR of /8 to /30", rt->node_name,
                     cidr);
      return NULL;
    }
  base = (a << 24) | (b << 16) | (c << 8) | d;
  n_hosts = 1u << (32 - prefix);
  if (rt->used->len != n_hosts)
    g_array_set_size (rt->used, n_hosts);
  if (g_hash_table_lookup_extended (rt->sandboxes, &pod->parent.meta.uid, NULL, &found))
    {
      guint32 ip = base + GPOINTER_TO_UINT (found) - 1;
      return g_strdup_printf ("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
                              ip & 0xff);
    }
  /* .1 is the node's bridge; the last address is the broadcast address. */
  for (guint i = 2; i + 1 < n_hosts; i++)
    if (!g_array_index (rt->used, gboolean, i))
      {
        guint32 ip = base + i;
        KsUid *uid = g_new (KsUid, 1);
        *uid = pod->parent.meta.uid;
        g_array_index (rt->used, gboolean, i) = TRUE;
        g_hash_table_insert (rt->sandboxes, uid, GUINT_TO_POINTER (i + 1));
        return g_strdup_printf ("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
                                ip & 0xff);
      }
  g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_SANDBOX,
               "failed to allocate an IP address for the pod: every address of %s is in use", cidr);
  return NULL;
}

static void
sr_sandbox_remove (KsRuntime *self, const KsPod *pod)
{
  SimRuntime *rt = (SimRuntime *) self;
  gpointer found;

  if (rt->sandboxes == NULL
      || !g_hash_table_lookup_extended (rt->sandboxes, &pod->parent.meta.uid, NULL, &found))
    return;
  if (GPOINTER_TO_UINT (found) - 1 < rt->used->len)
    g_array_index (rt->used, gboolean, GPOINTER_TO_UINT (found) - 1) = FALSE;
  g_hash_table_remove (rt->sandboxes, &pod->parent.meta.uid);
}

static void
sr_free (KsRuntime *self)
{
  SimRuntime *rt = (SimRuntime *) self;
  g_hash_table_unref (rt->containers);
  if (rt->sandboxes != NULL)
    g_hash_table_unref (rt->sandboxes);
  if (rt->used != NULL)
    g_array_unref (rt->used);
  g_free (rt->node_name);
  g_free (rt);
}

static const KsRuntimeOps sim_runtime_ops = {
  .create = sr_create,
  .start = sr_start,
  .stop = sr_stop,
  .remove = sr_remove,
  .container_stats = sr_container_stats,
  .kill_all = sr_kill_all,
  .free = sr_free,
};

/* The same with pod sandboxes (ks_sim_runtime_set_network). */
static const KsRuntimeOps sim_runtime_network_ops = {
  .create = sr_create,
  .start = sr_start,
  .stop = sr_stop,
  .remove = sr_remove,
  .container_stats = sr_container_stats,
  .kill_all = sr_kill_all,
  .sandbox_create = sr_sandbox_create,
  .sandbox_remove = sr_sandbox_remove,
  .free = sr_free,
};

KsRuntime *
ks_sim_runtime_new (KsClock *clock, gint64 default_startup)
{
  SimRuntime *rt = g_new0 (SimRuntime, 1);

  rt->parent.ops = &sim_runtime_ops;
  rt->clock = clock;
  rt->default_startup = default_startup;
  rt->seed = 1;
  rt->containers = g_hash_table_new_full (key_hash, key_equal, NULL, container_free);
  return &rt->parent;
}

guint
ks_sim_runtime_n_containers (KsRuntime *runtime)
{
  return g_hash_table_size (((SimRuntime *) runtime)->containers);
}

void
ks_sim_runtime_set_seed (KsRuntime *runtime, guint64 seed)
{
  ((SimRuntime *) runtime)->seed = seed;
}

void
ks_sim_runtime_set_network (KsRuntime *runtime, KsClient *client, const char *node_name)
{
  SimRuntime *rt = (SimRuntime *) runtime;

  g_return_if_fail (rt->client == NULL);
  rt->parent.ops = &sim_runtime_network_ops;
  rt->client = client;
  rt->node_name = g_strdup (node_name);
  rt->sandboxes = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
  rt->used = g_array_new (FALSE, TRUE, sizeof (gboolean));
}

void
ks_sim_runtime_set_load (KsRuntime *runtime, KsSimLoadFunc func, gpointer data)
{
  SimRuntime *rt = (SimRuntime *) runtime;
  rt->load = func;
  rt->load_data = data;
}

guint64
ks_sim_runtime_get_load_cpu (KsRuntime *runtime, const KsUid *pod_uid)
{
  SimRuntime *rt = (SimRuntime *) runtime;
  return rt->load != NULL ? rt->load (pod_uid, rt->load_data) : 0;
}

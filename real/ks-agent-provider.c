/* ks-agent-provider.c: real mode's node group provider (see ks-agent-provider.h). */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "ks-agent-provider.h"
#include "ks-daemon.h"
#include "ks-net.h"
#include "ks-node-agent.h"
#include "ks-runc-runtime.h"
#include "src/api/ks-node.h"
#include "src/store/ks-store.h"

/* How often a starting or stopping agent is looked at, how long a new node may take to register,
 * and how long an agent may take to stop before it is killed (as `cluster down`). */
#define POLL (200 * KS_USEC_PER_SEC / 1000)
#define REGISTER_TIMEOUT (60 * KS_USEC_PER_SEC)
#define STOP_TIMEOUT (10 * KS_USEC_PER_SEC)

struct _KsAgentProvider
{
  KsClient *client;
  KsClock *clock;
  GPtrArray *pools;
  char *data_dir;
  char *server;
  char *cgroup_parent;
  char **node_args;
  KsClusterAutoscaler *ca;
  GHashTable *tasks; /* node name → Task*: agents starting for a scale-up, or stopping */
};

typedef struct
{
  KsAgentProvider *p;
  guint pool;
  char *name;
  gboolean stopping;
  gboolean killed;
  gint64 deadline;
  char *pod_cidr; /* of a stopping node, for its network's cleanup */
  guint64 timer;
} Task;

static void
task_free (gpointer data)
{
  Task *t = data;

  if (t->timer != 0)
    ks_clock_cancel (t->p->clock, t->timer);
  g_free (t->name);
  g_free (t->pod_cidr);
  g_free (t);
}

char *
ks_agent_daemon_name (const char *node)
{
  return g_strconcat ("node-agent-", node, NULL);
}

KsAgentProvider *
ks_agent_provider_new (KsClient *client, KsClock *clock, GPtrArray *pools,
                       const KsAgentProviderOptions *o)
{
  KsAgentProvider *p = g_new0 (KsAgentProvider, 1);

  p->client = client;
  p->clock = clock;
  p->pools = pools;
  p->data_dir = g_strdup (o->data_dir);
  p->server = g_strdup (o->server);
  p->cgroup_parent = g_strdup (o->cgroup_parent);
  p->node_args = g_strdupv (o->node_args);
  p->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, task_free);
  return p;
}

void
ks_agent_provider_free (KsAgentProvider *p)
{
  if (p == NULL)
    return;
  /* Agents keep running, as they do when the control plane stops. */
  g_hash_table_unref (p->tasks);
  g_free (p->data_dir);
  g_free (p->server);
  g_free (p->cgroup_parent);
  g_strfreev (p->node_args);
  g_free (p);
}

void
ks_agent_provider_set_autoscaler (KsAgentProvider *p, KsClusterAutoscaler *ca)
{
  p->ca = ca;
}

/* The options of the agent of node name of pool. */
static void
agent_options (KsAgentProvider *p, const KsNodePool *pool, const char *name, KsNodeAgentOptions *o)
{
  ks_node_agent_options_init (o);
  o->server = g_strdup (p->server);
  o->node_name = g_strdup (name);
  o->milli_cpu = pool->capacity.milli_cpu;
  o->memory = pool->capacity.memory;
  if (pool->capacity.set & KS_RES_SET_PODS)
    o->max_pods = pool->capacity.pods;
  o->data_dir = g_strdup (p->data_dir);
  o->cgroup_parent = g_strdup (p->cgroup_parent);
  o->labels = ks_str_map_with (pool->labels, KS_NODE_GROUP_LABEL, pool->name);
  o->taints = g_new0 (KsTaint, MAX (pool->n_taints, 1));
  for (guint i = 0; i < pool->n_taints; i++)
    ks_taint_copy (&o->taints[i], &pool->taints[i]);
  o->n_taints = pool->n_taints;
}

/* Start the agent of node name of pool, unless one runs. */
static gboolean
start_agent (KsAgentProvider *p, const KsNodePool *pool, const char *name, GError **error)
{
  g_autofree char *daemon = ks_agent_daemon_name (name);
  g_auto (KsNodeAgentOptions) o = { 0 };
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GString *labels = g_string_new (NULL);
  GString *taints = g_string_new (NULL);

  if (ks_daemon_get_pid (p->data_dir, daemon) > 0)
    return TRUE;
  agent_options (p, pool, name, &o);
  for (guint i = 0; i < ks_str_map_size (o.labels); i++)
    g_string_append_printf (labels, "%s%s=%s", i > 0 ? "," : "", ks_str_map_key (o.labels, i),
                            ks_str_map_value (o.labels, i));
  for (guint i = 0; i < o.n_taints; i++)
    g_string_append_printf (taints, "%s%s%s%s:%s", i > 0 ? "," : "", o.taints[i].key,
                            o.taints[i].value[0] != '\0' ? "=" : "", o.taints[i].value,
                            ks_taint_effect_name (o.taints[i].effect));
  g_ptr_array_add (argv, g_strdup (ks_daemon_self_path ()));
  g_ptr_array_add (argv, g_strdup ("node"));
  g_ptr_array_add (argv, g_strdup ("--server"));
  g_ptr_array_add (argv, g_strdup (p->server));
  g_ptr_array_add (argv, g_strdup ("--name"));
  g_ptr_array_add (argv, g_strdup (name));
  g_ptr_array_add (argv, g_strdup_printf ("--cpu=%" G_GINT64_FORMAT "m", o.milli_cpu));
  g_ptr_array_add (argv, g_strdup_printf ("--memory=%" G_GINT64_FORMAT, o.memory));
  g_ptr_array_add (argv, g_strdup_printf ("--pods=%" G_GINT64_FORMAT, o.max_pods));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (p->data_dir));
  if (p->cgroup_parent != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--cgroup-parent"));
      g_ptr_array_add (argv, g_strdup (p->cgroup_parent));
    }
  g_ptr_array_add (argv, g_strconcat ("--node-labels=", labels->str, NULL));
  if (taints->len > 0)
    g_ptr_array_add (argv, g_strconcat ("--register-with-taints=", taints->str, NULL));
  g_string_free (labels, TRUE);
  g_string_free (taints, TRUE);
  for (guint i = 0; p->node_args != NULL && p->node_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (p->node_args[i]));
  g_ptr_array_add (argv, NULL);
  if (ks_daemon_start (p->data_dir, daemon, (const char *const *) argv->pdata, error) <= 0)
    {
      g_prefix_error (error, "cannot start the node agent of %s: ", name);
      return FALSE;
    }
  g_message ("cluster autoscaler: started the node agent of %s (group %s)", name, pool->name);
  return TRUE;
}

/* Scale-up */

static void
watch_start (gpointer data)
{
  Task *t = data;
  KsAgentProvider *p = t->p;
  g_autofree char *daemon = ks_agent_daemon_name (t->name);
  g_autoptr (KsObject) obj
      = ks_client_get (p->client, ks_kind_get (KS_KIND_NODE), NULL, t->name, NULL);
  /* Registered and Ready (its pod network configured): until then the autoscaler counts it as
   * upcoming, as CA counts unready new nodes, so that a node still starting is not made twice. */
  KsNode *node = obj != NULL && ks_node_is_ready (KS_NODE (obj)) ? KS_NODE (obj) : NULL;
  g_autoptr (GError) error = NULL;

  GPid pid = ks_daemon_get_pid (p->data_dir, daemon);

  t->timer = 0;
  if (node == NULL && pid == 0)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "its node agent exited before the node was Ready (its log: %s/log/%s.log)",
                 p->data_dir, daemon);
  else if (node == NULL && ks_clock_now (p->clock) >= t->deadline)
    {
      kill (pid, SIGKILL); /* pid > 0: checked above */
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "not Ready within %d s: its node agent was killed (its log: %s/log/%s.log)",
                   (int) (REGISTER_TIMEOUT / KS_USEC_PER_SEC), p->data_dir, daemon);
    }
  else if (node == NULL)
    {
      t->timer = ks_clock_schedule_in (p->clock, POLL, watch_start, t, NULL);
      return;
    }
  {
    guint pool = t->pool;
    g_autofree char *name = g_strdup (t->name);
    g_hash_table_remove (p->tasks, t->name);
    if (p->ca != NULL)
      ks_cluster_autoscaler_node_registered (p->ca, pool, name, error);
  }
}

static void
create_node (gpointer data, guint pool, const char *name)
{
  KsAgentProvider *p = data;
  g_autoptr (GError) error = NULL;
  Task *t;

  if (g_hash_table_contains (p->tasks, name)
      || !start_agent (p, g_ptr_array_index (p->pools, pool), name, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS, "node %s is being stopped", name);
      if (p->ca != NULL)
        ks_cluster_autoscaler_node_registered (p->ca, pool, name, error);
      return;
    }
  t = g_new0 (Task, 1);
  t->p = p;
  t->pool = pool;
  t->name = g_strdup (name);
  t->deadline = ks_clock_now (p->clock) + REGISTER_TIMEOUT;
  g_hash_table_insert (p->tasks, t->name, t);
  t->timer = ks_clock_schedule_in (p->clock, POLL, watch_start, t, NULL);
}

/* Scale-down */

/* The agent is gone: remove what it left of its node, then the Node. */
static void
stopped (Task *t)
{
  KsAgentProvider *p = t->p;
  g_autofree char *daemon = ks_agent_daemon_name (t->name);
  g_autoptr (GError) error = NULL;

  ks_daemon_stop (p->data_dir, daemon, 0, NULL); /* its pid file */
  if (!ks_runc_cleanup (p->data_dir, t->name,
                        p->cgroup_parent != NULL ? p->cgroup_parent : KS_RUNC_DEFAULT_CGROUP_PARENT,
                        NULL, &error))
    {
      g_printerr ("kubesim: warning: cluster autoscaler: removing the containers of node %s: %s\n",
                  t->name, error->message);
      g_clear_error (&error);
    }
  if (t->pod_cidr != NULL)
    {
      g_autoptr (KsNet) net = ks_net_new (p->data_dir);
      if (!ks_net_set_node (net, t->name, t->pod_cidr, &error)
          || !ks_net_node_gc (net, NULL, &error))
        {
          g_printerr ("kubesim: warning: cluster autoscaler: removing the pod network of node "
                      "%s: %s\n",
                      t->name, error->message);
          g_clear_error (&error);
        }
    }
  if (!ks_client_delete (p->client, ks_kind_get (KS_KIND_NODE), NULL, t->name, NULL, &error)
      && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    g_printerr ("kubesim: warning: cluster autoscaler: deleting Node %s: %s\n", t->name,
                error->message);
  g_message ("cluster autoscaler: stopped the node agent of %s and deleted its Node%s", t->name,
             t->killed ? " (killed after 10 s)" : "");
  g_hash_table_remove (p->tasks, t->name);
}

static void
watch_stop (gpointer data)
{
  Task *t = data;
  KsAgentProvider *p = t->p;
  g_autofree char *daemon = ks_agent_daemon_name (t->name);
  GPid pid = ks_daemon_get_pid (p->data_dir, daemon);

  t->timer = 0;
  if (pid == 0)
    {
      stopped (t);
      return;
    }
  if (!t->killed && ks_clock_now (p->clock) >= t->deadline)
    {
      kill (pid, SIGKILL);
      t->killed = TRUE;
    }
  t->timer = ks_clock_schedule_in (p->clock, POLL, watch_stop, t, NULL);
}

static gboolean
delete_node (gpointer data, guint pool, const char *name, GError **error)
{
  KsAgentProvider *p = data;
  g_autofree char *daemon = ks_agent_daemon_name (name);
  g_autoptr (KsObject) obj
      = ks_client_get (p->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
  GPid pid = ks_daemon_get_pid (p->data_dir, daemon);
  Task *t;

  if (g_hash_table_contains (p->tasks, name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "node %s is being started or stopped", name);
      return FALSE;
    }
  t = g_new0 (Task, 1);
  t->p = p;
  t->pool = pool;
  t->name = g_strdup (name);
  t->stopping = TRUE;
  if (obj != NULL && KS_NODE (obj)->pod_cidr != NULL)
    t->pod_cidr = g_strdup (KS_NODE (obj)->pod_cidr);
  t->deadline = ks_clock_now (p->clock) + STOP_TIMEOUT;
  g_hash_table_insert (p->tasks, t->name, t);
  if (pid > 0)
    kill (pid, SIGTERM);
  t->timer = ks_clock_schedule_in (p->clock, POLL, watch_stop, t, NULL);
  return TRUE;
}

static KsNode *
template_node (gpointer data, guint pool, const char *name)
{
  KsAgentProvider *p = data;
  g_auto (KsNodeAgentOptions) o = { 0 };
  KsNode *node;
  gint64 now = ks_clock_now (p->clock);

  agent_options (p, g_ptr_array_index (p->pools, pool), name, &o);
  node = ks_node_agent_initial_node (&o, 0);
  ks_node_set_condition (node, KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", now);
  return node;
}

static const KsNodeGroupProvider agent_provider = { template_node, create_node, delete_node };

const KsNodeGroupProvider *
ks_agent_provider_get_ops (void)
{
  return &agent_provider;
}

/* Start */

/* A removal the control plane did not finish before it stopped is given up, as
 * cluster-autoscaler cleans up its taints when it starts: the node stays in its group. */
static void
untaint (KsAgentProvider *p, const KsNode *node)
{
  g_autoptr (KsNode) copy = NULL;
  g_autoptr (KsObject) updated = NULL;
  g_autoptr (GError) error = NULL;
  gboolean tainted = FALSE;
  guint j = 0;

  for (guint i = 0; i < node->n_taints; i++)
    tainted |= strcmp (node->taints[i].key, KS_CLUSTER_AUTOSCALER_TAINT) == 0;
  if (!tainted)
    return;
  copy = ks_node_copy (node);
  for (guint i = 0; i < copy->n_taints; i++)
    if (strcmp (copy->taints[i].key, KS_CLUSTER_AUTOSCALER_TAINT) == 0)
      ks_taint_clear (&copy->taints[i]);
    else
      copy->taints[j++] = copy->taints[i];
  copy->n_taints = j;
  updated = ks_client_update (p->client, KS_OBJECT (copy), &error);
  if (updated == NULL)
    g_printerr ("kubesim: warning: cluster autoscaler: removing the taint %s of node %s: %s\n",
                KS_CLUSTER_AUTOSCALER_TAINT, node->parent.meta.name, error->message);
}

gboolean
ks_agent_provider_start (KsAgentProvider *p, GError **error)
{
  g_autoptr (GPtrArray) nodes = ks_client_list (p->client, ks_kind_get (KS_KIND_NODE), NULL, NULL);

  for (guint i = 0; i < p->pools->len; i++)
    {
      KsNodePool *pool = g_ptr_array_index (p->pools, i);
      guint have = 0, want, next = 0;
      if (!pool->group)
        continue;
      for (guint j = 0; nodes != NULL && j < nodes->len; j++)
        {
          KsObject *node = g_ptr_array_index (nodes, j);
          if (g_strcmp0 (ks_object_get_label (node, KS_NODE_GROUP_LABEL), pool->name) != 0)
            continue;
          have++;
          untaint (p, KS_NODE (node));
          if (!start_agent (p, pool, node->meta.name, error))
            return FALSE;
        }
      want = CLAMP (MAX (have, pool->count), pool->min, pool->max);
      while (have < want)
        {
          g_autofree char *name = g_strdup_printf ("%s-%u", pool->name, next++);
          g_autofree char *daemon = ks_agent_daemon_name (name);
          g_autoptr (KsObject) existing
              = ks_client_get (p->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
          if (existing != NULL || ks_daemon_get_pid (p->data_dir, daemon) > 0)
            continue;
          if (!start_agent (p, pool, name, error))
            return FALSE;
          have++;
        }
      pool->count = have;
    }
  return TRUE;
}

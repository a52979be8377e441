/* ks-cluster.c: cluster up, down and status (see ks-cluster.h). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "ks-cgroup.h"
#include "ks-cluster.h"
#include "ks-daemon.h"
#include "ks-fsutil.h"
#include "ks-http-client.h"
#include "ks-kubeconfig.h"
#include "ks-net.h"
#include "ks-runc-runtime.h"
#include "ks-runc.h"
#include "src/api/ks-node.h"
#include "src/api/ks-quantity.h"
#include "src/controllers/ks-node-groups.h"

/* clang-format off */
G_DEFINE_QUARK (ks-cluster-error-quark, ks_cluster_error)
/* clang-format on */

#define CONTROL_PLANE "control-plane"
#define STOP_TIMEOUT (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

void
ks_cluster_options_init (KsClusterOptions *o)
{
  memset (o, 0, sizeof *o);
  o->n_nodes = 1;
  o->node_cpu = g_strdup ("1");
  o->node_memory = g_strdup ("1Gi");
  o->node_pods = g_strdup ("110");
  o->port = 6443;
  o->cgroup_parent = g_strdup (KS_RUNC_DEFAULT_CGROUP_PARENT);
  o->timeout = 60 * G_USEC_PER_SEC;
}

void
ks_cluster_options_clear (KsClusterOptions *o)
{
  g_clear_pointer (&o->data_dir, g_free);
  g_clear_pointer (&o->node_cpu, g_free);
  g_clear_pointer (&o->node_memory, g_free);
  g_clear_pointer (&o->node_pods, g_free);
  g_clear_pointer (&o->scheduler_config, g_free);
  g_clear_pointer (&o->cgroup_parent, g_free);
  g_clear_pointer (&o->control_plane_args, g_strfreev);
  g_clear_pointer (&o->node_args, g_strfreev);
  g_clear_pointer (&o->autoscaler, g_free);
}

static void say (KsClusterPrintFunc print, gpointer data, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
say (KsClusterPrintFunc print, gpointer data, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list ap;

  if (print == NULL)
    return;
  va_start (ap, format);
  line = g_strdup_vprintf (format, ap);
  va_end (ap);
  print (line, data);
}

/* ---- preflight ---------------------------------------------------------------------------------
 */

char *
ks_cluster_preflight (const char *data_dir)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autoptr (KsNet) net = ks_net_new (data_dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *runc = g_find_program_in_path ("runc");
  static const char *const controllers[] = { "cpu", "memory", "pids", NULL };

  if (geteuid () != 0)
    g_string_append (problems, "not root: a cluster creates cgroups, network namespaces and "
                               "containers; run kubesim cluster up as root (sudo)\n");
  if (runc == NULL)
    g_string_append (problems, "runc is not installed: apt-get install runc (scripts/deps "
                               "installs every package kubesim needs)\n");
  for (guint i = 0; controllers[i] != NULL; i++)
    {
      g_autofree char *dir = ks_cgroup_dir (controllers[i], "/");
      if (dir == NULL)
        g_string_append_printf (problems,
                                "no cgroup hierarchy with the %s controller is mounted under "
                                "/sys/fs/cgroup: containers could not be limited\n",
                                controllers[i]);
      else if (geteuid () == 0 && access (dir, W_OK) != 0)
        g_string_append_printf (problems, "the cgroup directory %s is not writable: %s\n", dir,
                                g_strerror (errno));
    }
  if (!ks_net_preflight (net, &error))
    g_string_append_printf (problems, "%s\n", error->message);
  if (problems->len == 0)
    return NULL;
  g_string_truncate (problems, problems->len - 1);
  return g_string_free (g_steal_pointer (&problems), FALSE);
}

/* ---- settings kept between up and down
 * ----------------------------------------------------------- */

static char *
settings_path (const char *data_dir)
{
  return g_build_filename (data_dir, "cluster.json", NULL);
}

/* A string array member of the settings (an empty array for NULL). */
static void
add_strv (JsonBuilder *b, const char *member, char **strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static gboolean
settings_write (const KsClusterOptions *o, const char *url, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = settings_path (o->data_dir);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "server");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, o->port);
  json_builder_set_member_name (b, "nodes");
  json_builder_add_int_value (b, o->n_nodes);
  json_builder_set_member_name (b, "nodeCpu");
  json_builder_add_string_value (b, o->node_cpu);
  json_builder_set_member_name (b, "nodeMemory");
  json_builder_add_string_value (b, o->node_memory);
  json_builder_set_member_name (b, "nodePods");
  json_builder_add_string_value (b, o->node_pods);
  json_builder_set_member_name (b, "cgroupParent");
  json_builder_add_string_value (b, o->cgroup_parent);
  if (o->scheduler_config != NULL)
    {
      json_builder_set_member_name (b, "schedulerConfig");
      json_builder_add_string_value (b, o->scheduler_config);
    }
  if (o->autoscaler != NULL)
    {
      json_builder_set_member_name (b, "autoscaler");
      json_builder_add_string_value (b, o->autoscaler);
    }
  add_strv (b, "controlPlaneArgs", o->control_plane_args);
  add_strv (b, "nodeArgs", o->node_args);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return ks_fs_write_file (path, text, -1, error);
}

/* *setting from a string array member of o, when there is one (other elements are skipped). */
static void
replace_strv (char ***setting, JsonObject *o, const char *member)
{
  g_autoptr (GStrvBuilder) sb = NULL;
  JsonArray *a;

  if (!json_object_has_member (o, member)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, member)))
    return;
  a = json_object_get_array_member (o, member);
  sb = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        g_strv_builder_add (sb, json_node_get_string (e));
    }
  g_strfreev (*setting);
  *setting = g_strv_builder_end (sb);
}

static void
replace_string (char **setting, JsonObject *o, const char *member)
{
  const char *v = json_object_get_string_member_with_default (o, member, NULL);

  if (v != NULL && v[0] != '\0')
    {
      g_free (*setting);
      *setting = g_strdup (v);
    }
}

/* The settings of the cluster last brought up in data_dir into o (initialized: what the file
 * lacks keeps its default), and its server URL.  FALSE when there is no readable file. */
static gboolean
settings_read (const char *data_dir, KsClusterOptions *o, char **server)
{
  g_autofree char *path = settings_path (data_dir);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;
  gint64 n;

  if (server != NULL)
    *server = NULL;
  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));
  n = json_object_get_int_member_with_default (root, "port", o->port);
  if (n > 0 && n <= 65535)
    o->port = (guint) n;
  n = json_object_get_int_member_with_default (root, "nodes", o->n_nodes);
  if (n >= 0 && n <= 100)
    o->n_nodes = (guint) n;
  replace_string (&o->node_cpu, root, "nodeCpu");
  replace_string (&o->node_memory, root, "nodeMemory");
  replace_string (&o->node_pods, root, "nodePods");
  replace_string (&o->cgroup_parent, root, "cgroupParent");
  replace_string (&o->scheduler_config, root, "schedulerConfig");
  replace_string (&o->autoscaler, root, "autoscaler");
  if (strchr (o->cgroup_parent, '/') != NULL)
    {
      g_free (o->cgroup_parent);
      o->cgroup_parent = g_strdup (KS_RUNC_DEFAULT_CGROUP_PARENT);
    }
  replace_strv (&o->control_plane_args, root, "controlPlaneArgs");
  replace_strv (&o->node_args, root, "nodeArgs");
  if (server != NULL)
    *server = g_strdup (json_object_get_string_member_with_default (root, "server", NULL));
  return TRUE;
}

/* ---- readiness ---------------------------------------------------------------------------------
 */

/* The last lines of a daemon's log, indented, for an error message. */
static char *
log_tail (const char *data_dir, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".log", NULL);
  g_autofree char *path = g_build_filename (data_dir, "log", file, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  guint n;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_string_free (out, FALSE);
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  n = g_strv_length (lines);
  for (guint i = n > 5 ? n - 5 : 0; i < n; i++)
    g_string_append_printf (out, "\n  %s", lines[i]);
  g_string_append_printf (out, "\n(the whole log: %s)", path);
  return g_string_free (out, FALSE);
}

static gboolean
api_ready (SoupSession *session, const char *url)
{
  g_autofree char *uri = g_strconcat (url, "/readyz", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GBytes) body = NULL;

  if (msg == NULL)
    return FALSE;
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  return body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK;
}

/* Wait for the API of the control plane started as pid. */
static gboolean
wait_api (const char *data_dir, const char *url, gint64 deadline, GError **error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);

  for (;;)
    {
      if (api_ready (session, url))
        return TRUE;
      if (ks_daemon_get_pid (data_dir, CONTROL_PLANE) == 0)
        {
          g_autofree char *tail = log_tail (data_dir, CONTROL_PLANE);
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "the control plane exited:%s", tail);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *tail = log_tail (data_dir, CONTROL_PLANE);
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "the control plane did not answer on %s in time:%s", url, tail);
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
}

static char *
node_name (guint i)
{
  return g_strdup_printf ("node-%u", i);
}

/* Wait until the n nodes are Ready; an agent that exits is an error at once. */
static gboolean
wait_nodes (const char *data_dir, const char *url, guint n, gint64 deadline, GError **error)
{
  g_autoptr (KsClient) client = ks_http_client_new (url, 0, error);

  if (client == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr (GPtrArray) nodes = ks_client_list (client, ks_kind_get (KS_KIND_NODE), NULL, NULL);
      g_autoptr (GString) waiting = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *name = node_name (i);
          g_autofree char *daemon = g_strconcat ("node-agent-", name, NULL);
          gboolean ready = FALSE;

          for (guint j = 0; nodes != NULL && j < nodes->len; j++)
            {
              KsNode *node = g_ptr_array_index (nodes, j);
              if (strcmp (node->parent.meta.name, name) == 0)
                ready = ks_node_is_ready (node);
            }
          if (ready)
            continue;
          if (ks_daemon_get_pid (data_dir, daemon) == 0)
            {
              g_autofree char *tail = log_tail (data_dir, daemon);
              g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                           "the node agent of %s exited:%s", name, tail);
              return FALSE;
            }
          g_string_append_printf (waiting, " %s", name);
        }
      if (waiting->len == 0)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "nodes not Ready in time:%s (their logs: %s/log/node-agent-*.log)",
                       waiting->str, data_dir);
          return FALSE;
        }
      g_usleep (200 * 1000);
    }
}

/* Wait until the agent daemon has registered Node name.  Agents start one after the other, so
 * the nodes register, and the scheduler lists them, in name order: with a --seed, ties between
 * nodes are then broken as in sim. */
static gboolean
wait_registered (const char *data_dir, const char *url, const char *name, const char *daemon,
                 gint64 deadline, GError **error)
{
  g_autoptr (KsClient) client = ks_http_client_new (url, 0, error);

  if (client == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr (KsObject) node
          = ks_client_get (client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
      if (node != NULL)
        return TRUE;
      if (ks_daemon_get_pid (data_dir, daemon) == 0)
        {
          g_autofree char *tail = log_tail (data_dir, daemon);
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "the node agent of %s exited:%s", name, tail);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "node %s did not register in time (its log: %s/log/%s.log)", name, data_dir,
                       daemon);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
}

/* The Ready nodes of node group name among nodes. */
static guint
group_ready (GPtrArray *nodes, const char *name, guint *all)
{
  guint n = 0;

  *all = 0;
  for (guint j = 0; nodes != NULL && j < nodes->len; j++)
    {
      KsNode *node = g_ptr_array_index (nodes, j);
      if (g_strcmp0 (ks_object_get_label (KS_OBJECT (node), KS_NODE_GROUP_LABEL), name) != 0)
        continue;
      (*all)++;
      if (ks_node_is_ready (node))
        n++;
    }
  return n;
}

/* Wait until every node group of o's autoscaler file has its initial size (count, else min) of
 * Ready nodes, which the control plane's autoscaler starts; *n the group nodes Ready then. */
static gboolean
wait_groups (const KsClusterOptions *o, const char *url, gint64 deadline, guint *n,
             KsClusterPrintFunc print, gpointer data, GError **error)
{
  g_autoptr (KsClient) client = ks_http_client_new (url, 0, error);
  g_autoptr (GPtrArray) groups = NULL;
  KsAutoscalerOptions options;

  ks_autoscaler_options_init (&options);
  if (client == NULL || !ks_node_groups_load_file (o->autoscaler, &groups, &options, error))
    return FALSE;
  say (print, data, "Waiting for the node groups' nodes (started by the cluster autoscaler)");
  for (;;)
    {
      g_autoptr (GPtrArray) nodes = ks_client_list (client, ks_kind_get (KS_KIND_NODE), NULL, NULL);
      g_autoptr (GString) waiting = g_string_new (NULL);

      *n = 0;
      for (guint i = 0; i < groups->len; i++)
        {
          const KsNodePool *g = g_ptr_array_index (groups, i);
          guint all, ready = group_ready (nodes, g->name, &all);
          *n += ready;
          if (ready < g->count)
            g_string_append_printf (waiting, " %s (%u of %u Ready)", g->name, ready, g->count);
        }
      if (waiting->len == 0)
        return TRUE;
      if (ks_daemon_get_pid (o->data_dir, CONTROL_PLANE) == 0)
        {
          g_autofree char *tail = log_tail (o->data_dir, CONTROL_PLANE);
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "the control plane exited:%s", tail);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_START,
                       "node groups not Ready in time:%s (logs: %s/log)", waiting->str,
                       o->data_dir);
          return FALSE;
        }
      g_usleep (200 * 1000);
    }
}

/* ---- teardown ----------------------------------------------------------------------------------
 */

/* Stop every daemon of data_dir: the agents first, then the control plane, then any agent its
 * cluster autoscaler started in the meantime. */
static void
stop_daemons (const char *data_dir, KsClusterPrintFunc print, gpointer data)
{
  for (int pass = 0; pass < 3; pass++)
    {
      g_autoptr (GPtrArray) names = ks_daemon_list (data_dir);
      for (guint i = 0; i < names->len; i++)
        {
          const char *name = g_ptr_array_index (names, i);
          gboolean killed = FALSE;
          if ((strcmp (name, CONTROL_PLANE) == 0) != (pass == 1))
            continue;
          if (ks_daemon_get_pid (data_dir, name) > 0)
            say (print, data, "Stopping %s", name);
          ks_daemon_stop (data_dir, name, STOP_TIMEOUT, &killed);
          if (killed)
            say (print, data, "%s did not stop within %" G_GINT64_FORMAT " s: killed", name,
                 STOP_TIMEOUT / G_USEC_PER_SEC);
        }
    }
}

/* What is left of kubesim's cgroups, containers of data_dir; "" when nothing. */
static char *
leftovers (const char *data_dir, const char *cgroup_parent)
{
  g_autofree char *root = g_build_filename (data_dir, "runc", NULL);
  g_autofree char *parent = g_strconcat ("/", cgroup_parent, NULL);
  g_auto (GStrv) mounts = ks_cgroup_list_mounts ();
  GString *out = g_string_new (NULL);
  g_autoptr (KsRunc) runc = ks_runc_new (NULL, root);
  g_auto (KsRuncResult) result = { 0 };
  g_auto (GStrv) argv = ks_runc_argv_list (runc);

  for (guint i = 0; mounts != NULL && mounts[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (mounts[i], cgroup_parent, NULL);
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_string_append_printf (out, "\n  cgroup %s", dir);
    }
  if (g_file_test (root, G_FILE_TEST_IS_DIR)
      && ks_runc_run (runc, (const char *const *) argv, &result, NULL) && result.status == 0)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (json_parser_load_from_data (parser, result.out, -1, NULL)
          && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
        {
          JsonArray *a = json_node_get_array (json_parser_get_root (parser));
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonObject *c = json_array_get_object_element (a, i);
              g_string_append_printf (out, "\n  container %s",
                                      json_object_get_string_member_with_default (c, "id", "?"));
            }
        }
    }
  return g_string_free (out, FALSE);
}

/* Stop the daemons and remove every container, cgroup and network object. */
static gboolean
remove_everything (const char *data_dir, const char *cgroup_parent, KsClusterPrintFunc print,
                   gpointer data, GError **error)
{
  g_autoptr (KsNet) net = ks_net_new (data_dir);
  g_autoptr (GError) runc_error = NULL;
  g_autoptr (GError) net_error = NULL;
  g_autofree char *left = NULL;

  stop_daemons (data_dir, print, data);
  /* A runc command an agent started before it was killed may still create a container after the
   * first sweep: look again a few times. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      if (attempt > 0)
        g_usleep (500 * 1000);
      g_clear_error (&runc_error);
      g_clear_error (&net_error);
      g_clear_pointer (&left, g_free);
      if (!ks_runc_cleanup (data_dir, NULL, cgroup_parent, NULL, &runc_error))
        g_message ("removing containers: %s", runc_error->message);
      if (!ks_net_sweep (net, &net_error))
        g_message ("removing the pod network: %s", net_error->message);
      left = leftovers (data_dir, cgroup_parent);
      if (left[0] == '\0' && net_error == NULL)
        break;
    }
  if (left[0] != '\0' || net_error != NULL)
    {
      g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_LEFTOVER,
                   "could not remove everything:%s%s%s", left, net_error != NULL ? "\n  " : "",
                   net_error != NULL ? net_error->message : "");
      return FALSE;
    }
  return TRUE;
}

/* ---- up ----------------------------------------------------------------------------------------
 */

static gboolean
start_daemon (const char *data_dir, const char *name, GPtrArray *argv, GError **error)
{
  g_ptr_array_add (argv, NULL);
  return ks_daemon_start (data_dir, name, (const char *const *) argv->pdata, error) > 0;
}

/* Start the daemons of o that are not running (all of them for a fresh cluster) and wait until
 * the cluster is ready. */
static gboolean
start_missing (const KsClusterOptions *o, const char *url, KsClusterPrintFunc print, gpointer data,
               GError **error)
{
  g_autofree char *kubeconfig = g_build_filename (o->data_dir, "kubeconfig", NULL);
  g_autofree char *port = g_strdup_printf ("%u", o->port);
  gint64 deadline = g_get_monotonic_time () + o->timeout;
  guint started = 0, n_group = 0;

  if (ks_daemon_get_pid (o->data_dir, CONTROL_PLANE) == 0)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
      say (print, data, "Starting the control plane on %s (data in %s)", url, o->data_dir);
      g_ptr_array_add (argv, (gpointer) ks_daemon_self_path ());
      g_ptr_array_add (argv, (gpointer) "control-plane");
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, o->data_dir);
      g_ptr_array_add (argv, (gpointer) "--port");
      g_ptr_array_add (argv, port);
      if (o->scheduler_config != NULL)
        {
          g_ptr_array_add (argv, (gpointer) "--config");
          g_ptr_array_add (argv, o->scheduler_config);
        }
      if (o->autoscaler != NULL)
        {
          g_ptr_array_add (argv, (gpointer) "--autoscaler");
          g_ptr_array_add (argv, o->autoscaler);
          g_ptr_array_add (argv, (gpointer) "--node-cgroup-parent");
          g_ptr_array_add (argv, o->cgroup_parent);
          for (guint i = 0; o->node_args != NULL && o->node_args[i] != NULL; i++)
            g_ptr_array_add (owned, g_strconcat ("--node-arg=", o->node_args[i], NULL));
          g_ptr_array_extend (argv, owned, NULL, NULL);
        }
      for (guint i = 0; o->control_plane_args != NULL && o->control_plane_args[i] != NULL; i++)
        g_ptr_array_add (argv, o->control_plane_args[i]);
      if (!start_daemon (o->data_dir, CONTROL_PLANE, argv, error))
        return FALSE;
    }
  if (!wait_api (o->data_dir, url, deadline, error)
      || !ks_kubeconfig_write (kubeconfig, url, error))
    return FALSE;
  for (guint i = 0; i < o->n_nodes; i++)
    {
      g_autofree char *name = node_name (i);
      g_autofree char *daemon = g_strconcat ("node-agent-", name, NULL);
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      const char *args[] = {
        ks_daemon_self_path (),
        "node",
        "--server",
        url,
        "--name",
        name,
        "--cpu",
        o->node_cpu,
        "--memory",
        o->node_memory,
        "--pods",
        o->node_pods,
        "--data-dir",
        o->data_dir,
        "--cgroup-parent",
        o->cgroup_parent,
      };

      if (ks_daemon_get_pid (o->data_dir, daemon) > 0)
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (args); j++)
        g_ptr_array_add (argv, (gpointer) args[j]);
      for (guint j = 0; o->node_args != NULL && o->node_args[j] != NULL; j++)
        g_ptr_array_add (argv, o->node_args[j]);
      if (!start_daemon (o->data_dir, daemon, argv, error)
          || !wait_registered (o->data_dir, url, name, daemon, deadline, error))
        return FALSE;
      started++;
    }
  if (started > 0)
    say (print, data, "Started %u node agent%s", started, started == 1 ? "" : "s");
  if (!wait_nodes (o->data_dir, url, o->n_nodes, deadline, error))
    return FALSE;
  if (o->autoscaler != NULL && !wait_groups (o, url, deadline, &n_group, print, data, error))
    return FALSE;
  say (print, data, "Cluster up: %u node%s Ready; kubeconfig %s, logs in %s/log",
       o->n_nodes + n_group, o->n_nodes + n_group == 1 ? "" : "s", kubeconfig, o->data_dir);
  return TRUE;
}

/* Whether any daemon of data_dir runs (the agents of node groups too), and whether all of the
 * control plane and the n agents of --nodes do (the control plane starts the groups' agents that
 * are missing itself). */
static void
daemons_running (const char *data_dir, guint n, gboolean *any, gboolean *all)
{
  g_autoptr (GPtrArray) names = ks_daemon_list (data_dir);

  *all = ks_daemon_get_pid (data_dir, CONTROL_PLANE) > 0;
  *any = *all;
  for (guint i = 0; i < names->len && !*any; i++)
    *any = ks_daemon_get_pid (data_dir, g_ptr_array_index (names, i)) > 0;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = node_name (i);
      g_autofree char *daemon = g_strconcat ("node-agent-", name, NULL);
      gboolean running = ks_daemon_get_pid (data_dir, daemon) > 0;
      *any |= running;
      *all &= running;
    }
}

gboolean
ks_cluster_up (const KsClusterOptions *o, KsClusterPrintFunc print, gpointer data, GError **error)
{
  g_autofree char *problems = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", o->port);
  g_autofree char *kubeconfig = g_build_filename (o->data_dir, "kubeconfig", NULL);
  g_auto (KsClusterOptions) old = { 0 };
  g_autofree char *old_url = NULL;
  g_autoptr (GError) local = NULL;
  gboolean any, all, had_settings;

  if (o->autoscaler != NULL)
    {
      g_autoptr (GPtrArray) groups = NULL;
      KsAutoscalerOptions options;
      ks_autoscaler_options_init (&options);
      if (!ks_node_groups_load_file (o->autoscaler, &groups, &options, error))
        return FALSE;
    }
  problems = ks_cluster_preflight (o->data_dir);
  if (problems != NULL)
    {
      g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_PREFLIGHT,
                   "this machine cannot run a cluster yet:\n%s", problems);
      return FALSE;
    }
  ks_cluster_options_init (&old);
  old.data_dir = g_strdup (o->data_dir);
  had_settings = settings_read (o->data_dir, &old, &old_url);
  daemons_running (o->data_dir, had_settings ? old.n_nodes : 0, &any, &all);
  if (any && all)
    {
      g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_RUNNING,
                   "a cluster is already up in %s (%s); `kubesim cluster down` stops it",
                   o->data_dir, old_url != NULL ? old_url : "its control plane runs");
      return FALSE;
    }
  if (any)
    {
      /* Part of the cluster died (a crashed control plane or node agent): start what is
       * missing, as it was configured; the running parts and their pods stay. */
      say (print, data, "Part of the cluster in %s is running: starting what is missing",
           o->data_dir);
      old.timeout = o->timeout;
      return start_missing (&old, old_url != NULL ? old_url : url, print, data, error);
    }

  /* A fresh start.  What a crashed cluster left behind goes first (its cgroups under its own
   * parent); the database stays, so objects come back. */
  if (!ks_fs_mkdirs (o->data_dir, 0755, error)
      || !remove_everything (o->data_dir, old.cgroup_parent, print, data, error)
      || (strcmp (old.cgroup_parent, o->cgroup_parent) != 0
          && !remove_everything (o->data_dir, o->cgroup_parent, print, data, error))
      || !settings_write (o, url, error))
    return FALSE;
  if (start_missing (o, url, print, data, &local))
    return TRUE;
  /* Nothing half up stays behind. */
  say (print, data, "Start failed: stopping what was started");
  remove_everything (o->data_dir, o->cgroup_parent, print, data, NULL);
  g_unlink (kubeconfig);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* ---- down and status ---------------------------------------------------------------------------
 */

gboolean
ks_cluster_down (const char *data_dir, gboolean purge, KsClusterPrintFunc print, gpointer data,
                 GError **error)
{
  g_auto (KsClusterOptions) o = { 0 };
  g_autofree char *kubeconfig = g_build_filename (data_dir, "kubeconfig", NULL);
  g_autofree char *store = g_build_filename (data_dir, "store.db", NULL);
  g_autofree char *settings = settings_path (data_dir);

  ks_cluster_options_init (&o);
  settings_read (data_dir, &o, NULL);
  if (!remove_everything (data_dir, o.cgroup_parent, print, data, error))
    return FALSE;
  g_unlink (kubeconfig);
  if (purge && g_file_test (data_dir, G_FILE_TEST_IS_DIR))
    {
      /* Only a kubesim data directory: a mistyped --data-dir must not empty another folder. */
      if (!g_file_test (store, G_FILE_TEST_EXISTS) && !g_file_test (settings, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, KS_CLUSTER_ERROR, KS_CLUSTER_ERROR_LEFTOVER,
                       "%s is not a kubesim data directory (no store.db or cluster.json): not "
                       "removing it",
                       data_dir);
          return FALSE;
        }
      if (!ks_fs_remove_tree (data_dir, error))
        return FALSE;
      say (print, data, "Removed %s", data_dir);
    }
  say (print, data, "Cluster down: no container, cgroup, pod network or bridge left");
  return TRUE;
}

gboolean
ks_cluster_status (const char *data_dir, KsClusterPrintFunc print, gpointer data)
{
  g_auto (KsClusterOptions) o = { 0 };
  g_autofree char *url = NULL;
  g_autoptr (GPtrArray) names = ks_daemon_list (data_dir);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);
  g_autoptr (KsClient) client = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  gboolean up = TRUE;
  GPid pid = ks_daemon_get_pid (data_dir, CONTROL_PLANE);

  ks_cluster_options_init (&o);
  settings_read (data_dir, &o, &url);
  if (url == NULL || pid == 0)
    {
      say (print, data, "No cluster is up in %s", data_dir);
      return FALSE;
    }
  if (!api_ready (session, url))
    {
      say (print, data, "control plane: process %d, not answering on %s", pid, url);
      return FALSE;
    }
  say (print, data, "control plane: process %d, serving %s", pid, url);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GPid agent;
      if (strcmp (name, CONTROL_PLANE) == 0)
        continue;
      agent = ks_daemon_get_pid (data_dir, name);
      if (agent > 0)
        say (print, data, "%s: process %d", name, agent);
      else
        {
          say (print, data, "%s: not running", name);
          up = FALSE;
        }
    }
  client = ks_http_client_new (url, 0, NULL);
  nodes = client != NULL ? ks_client_list (client, ks_kind_get (KS_KIND_NODE), NULL, NULL) : NULL;
  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      KsNode *node = g_ptr_array_index (nodes, i);
      gboolean ready = ks_node_is_ready (node);
      say (print, data, "node %s: %s", node->parent.meta.name, ready ? "Ready" : "NotReady");
      up &= ready;
    }
  if (o.autoscaler != NULL)
    {
      g_autoptr (GPtrArray) groups = NULL;
      g_autoptr (GError) error = NULL;
      KsAutoscalerOptions options;
      ks_autoscaler_options_init (&options);
      if (!ks_node_groups_load_file (o.autoscaler, &groups, &options, &error))
        say (print, data, "node groups: %s", error->message);
      for (guint i = 0; groups != NULL && i < groups->len; i++)
        {
          const KsNodePool *g = g_ptr_array_index (groups, i);
          guint all, ready = group_ready (nodes, g->name, &all);
          say (print, data, "node group %s: %u node%s, %u Ready (min %u, max %u)", g->name, all,
               all == 1 ? "" : "s", ready, g->min, g->max);
        }
    }
  return up && nodes != NULL && nodes->len > 0;
}

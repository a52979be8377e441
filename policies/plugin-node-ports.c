/* plugin-node-ports.c: NodePorts (nodeports/node_ports.go) and the node view's host ports
 * (framework.HostPortInfo in framework/types.go).
 *
 * PreFilter: Skip for a pod without hostPorts, so that the Filter costs nothing for most pods.
 * Filter: a wanted (hostIP, protocol, hostPort) must not collide with the node's used ports. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

#define BIND_ALL_IP "0.0.0.0"

/* HostPortInfo.sanitize: an empty IP binds every address, an empty protocol is TCP. */
static void
sanitize (const char **ip, const char **protocol)
{
  if (*ip == NULL || (*ip)[0] == '\0')
    *ip = BIND_ALL_IP;
  if (*protocol == NULL || (*protocol)[0] == '\0')
    *protocol = "TCP";
}

static gint
find_port (const GArray *used, const char *ip, const char *protocol, gint32 port)
{
  if (used == NULL)
    return -1;
  for (guint i = 0; i < used->len; i++)
    {
      const KsHostPort *p = &g_array_index (used, KsHostPort, i);
      if (p->port == port && strcmp (p->protocol, protocol) == 0 && strcmp (p->ip, ip) == 0)
        return (gint) i;
    }
  return -1;
}

void
ks_host_ports_update (GArray **used, const KsPod *pod, gboolean add)
{
  const KsPodSpec *spec = pod->spec;

  /* NodeInfo.updateUsedPorts reads the regular containers only in v1.32. */
  for (guint c = 0; c < spec->n_containers; c++)
    for (guint k = 0; k < spec->containers[c].n_ports; k++)
      {
        const KsContainerPort *cp = &spec->containers[c].ports[k];
        const char *ip = cp->host_ip, *protocol = cp->protocol;
        gint i;
        if (cp->host_port <= 0)
          continue;
        sanitize (&ip, &protocol);
        i = find_port (*used, ip, protocol, cp->host_port);
        if (add && i < 0)
          {
            KsHostPort p = { ks_intern (ip), ks_intern (protocol), cp->host_port };
            if (*used == NULL)
              *used = g_array_new (FALSE, FALSE, sizeof (KsHostPort));
            g_array_append_val (*used, p);
          }
        else if (!add && i >= 0)
          {
            /* A set, as HostPortInfo is: two pods holding the same port leave one entry, and
             * removing either removes it. */
            g_array_remove_index (*used, i);
            if ((*used)->len == 0)
              g_clear_pointer (used, g_array_unref);
          }
      }
}

gboolean
ks_host_ports_conflict (const GArray *used, const char *ip, const char *protocol, gint32 port)
{
  if (port <= 0 || used == NULL)
    return FALSE;
  sanitize (&ip, &protocol);
  for (guint i = 0; i < used->len; i++)
    {
      const KsHostPort *p = &g_array_index (used, KsHostPort, i);
      if (p->port != port || strcmp (p->protocol, protocol) != 0)
        continue;
      /* 0.0.0.0 collides with the port on any IP; another IP with itself and 0.0.0.0. */
      if (strcmp (ip, BIND_ALL_IP) == 0 || strcmp (p->ip, BIND_ALL_IP) == 0
          || strcmp (p->ip, ip) == 0)
        return TRUE;
    }
  return FALSE;
}

static KsStatusCode
ports_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;

  for (guint c = 0; c < spec->n_containers; c++)
    for (guint k = 0; k < spec->containers[c].n_ports; k++)
      if (spec->containers[c].ports[k].host_port > 0)
        return KS_STATUS_SUCCESS;
  return KS_STATUS_SKIP;
}

/* The wanted ports are read from the pod itself rather than from a PreFilter state: they are a
 * few, and what-if filtering (preemption) then needs no state of this plugin. */
static KsStatusCode
ports_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;

  if (ni->used_ports == NULL)
    return KS_STATUS_SUCCESS;
  for (guint c = 0; c < spec->n_containers; c++)
    for (guint k = 0; k < spec->containers[c].n_ports; k++)
      {
        const KsContainerPort *cp = &spec->containers[c].ports[k];
        if (ks_host_ports_conflict (ni->used_ports, cp->host_ip, cp->protocol, cp->host_port))
          {
            ks_status_add_reason (status,
                                  "node(s) didn't have free ports for the requested pod ports");
            return KS_STATUS_UNSCHEDULABLE;
          }
      }
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_node_ports = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodePorts",
  .pre_filter = ports_pre_filter,
  .filter = ports_filter,
};

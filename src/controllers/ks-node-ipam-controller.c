/* ks-node-ipam-controller.c: node IPAM with --allocate-node-cidrs (pkg/controller/nodeipam, the
 * range allocator and its cidrset).
 *
 * Each Node without spec.podCIDR gets the next free block of the cluster CIDR (/24s of
 * 10.244.0.0/16 by default); a deleted Node's block is free again.  The allocator is Kubernetes'
 * bitmap with a round-robin cursor: a search starts after the block handed out last and wraps,
 * so a released block is reused only once the cursor comes round (or after a restart, when the
 * cursor starts from the beginning again).  At start the blocks of the existing Nodes are marked
 * used before anything is handed out: the watch replays every Node before the first sync runs,
 * so a control plane restarted from its database never hands a block out twice.  With no free
 * block the Node gets the event CIDRNotAvailable and stays without one; each later change to it
 * tries again, as Kubernetes' update handler does.
 *
 * kubesim reserves the first block of the cluster CIDR: real mode's bridge holds the cluster
 * CIDR's first address (10.244.0.1), which lies in 10.244.0.0/24, so no node may route pods
 * there.  The first Node gets 10.244.1.0/24, the next 10.244.2.0/24, and so on
 * (docs/architecture.md, Network).  Like Kubernetes, the allocator also marks used whatever part
 * of the Service ClusterIP range lies in the cluster CIDR (none with the defaults). */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-node.h"
#include "src/store/ks-admission.h"

#define OTHER_ERROR_RETRY KS_USEC_PER_SEC

struct _KsNodeIpamController
{
  KsController c;
  guint32 cluster;    /* the cluster CIDR's network address, host order */
  guint cluster_size; /* its prefix length */
  guint node_size;    /* the nodes' prefix length */
  guint max_cidrs;
  guint allocated;
  guint next_candidate;
  guint32 *used; /* bitmap of max_cidrs bits */
};

static gboolean
bit_get (KsNodeIpamController *ic, guint i)
{
  return (ic->used[i / 32] >> (i % 32)) & 1;
}

static void
bit_set (KsNodeIpamController *ic, guint i, gboolean value)
{
  if (value)
    ic->used[i / 32] |= 1u << (i % 32);
  else
    ic->used[i / 32] &= ~(1u << (i % 32));
}

static guint32
prefix_mask (guint size)
{
  return size == 0 ? 0 : 0xffffffffu << (32 - size);
}

gboolean
ks_ipv4_cidr_parse (const char *text, guint32 *address, guint *prefix)
{
  const char *slash = text != NULL ? strchr (text, '/') : NULL;
  g_autofree char *ip = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  guint64 size;
  const guint8 *bytes;

  if (slash == NULL || !g_ascii_isdigit (slash[1])
      || !g_ascii_string_to_unsigned (slash + 1, 10, 0, 32, &size, NULL))
    return FALSE;
  ip = g_strndup (text, slash - text);
  inet = g_inet_address_new_from_string (ip);
  if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV4)
    return FALSE;
  bytes = g_inet_address_to_bytes (inet);
  *address = ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) | ((guint32) bytes[2] << 8)
             | bytes[3];
  *prefix = (guint) size;
  return TRUE;
}

char *
ks_ipv4_cidr_format (guint32 address, guint prefix)
{
  return g_strdup_printf ("%u.%u.%u.%u/%u", address >> 24, (address >> 16) & 0xff,
                          (address >> 8) & 0xff, address & 0xff, prefix);
}

/* getBeginningAndEndIndices: the blocks a CIDR covers.  FALSE when it lies outside the cluster
 * CIDR. */
static gboolean
block_range (KsNodeIpamController *ic, guint32 address, guint size, guint *begin, guint *end)
{
  guint32 cluster_mask = prefix_mask (ic->cluster_size);
  guint32 mask = prefix_mask (size);

  /* Overlap: one contains the other. */
  if ((address & cluster_mask) != ic->cluster && (ic->cluster & mask) != (address & mask))
    return FALSE;
  *begin = 0;
  *end = ic->max_cidrs - 1;
  if (ic->cluster_size < size)
    {
      guint32 node_mask = prefix_mask (ic->node_size);
      guint32 last = address | ~mask;
      *begin = ((address & node_mask) ^ ic->cluster) >> (32 - ic->node_size);
      *end = ((last & node_mask) ^ ic->cluster) >> (32 - ic->node_size);
    }
  return TRUE;
}

/* Occupy: mark the blocks of a CIDR used (those already used stay so). */
static gboolean
occupy (KsNodeIpamController *ic, guint32 address, guint size)
{
  guint begin, end;

  if (!block_range (ic, address, size, &begin, &end))
    return FALSE;
  for (guint i = begin; i <= end; i++)
    if (!bit_get (ic, i))
      {
        bit_set (ic, i, TRUE);
        ic->allocated++;
      }
  return TRUE;
}

static gboolean
release (KsNodeIpamController *ic, guint32 address, guint size)
{
  guint begin, end;

  if (!block_range (ic, address, size, &begin, &end))
    return FALSE;
  for (guint i = begin; i <= end; i++)
    if (bit_get (ic, i))
      {
        bit_set (ic, i, FALSE);
        ic->allocated--;
      }
  return TRUE;
}

/* AllocateNext: the first free block from the cursor on, wrapping; the cursor moves past it. */
static gboolean
allocate_next (KsNodeIpamController *ic, guint *out)
{
  guint candidate = ic->next_candidate;

  if (ic->allocated == ic->max_cidrs)
    return FALSE;
  for (guint i = 0; i < ic->max_cidrs && bit_get (ic, candidate); i++)
    candidate = (candidate + 1) % ic->max_cidrs;
  ic->next_candidate = (candidate + 1) % ic->max_cidrs;
  bit_set (ic, candidate, TRUE);
  ic->allocated++;
  *out = candidate;
  return TRUE;
}

static guint32
block_address (KsNodeIpamController *ic, guint index)
{
  return ic->cluster | ((guint32) index << (32 - ic->node_size));
}

/* Mark a Node's podCIDR used (or free); a CIDR that does not parse or lies outside the cluster
 * CIDR is reported and left alone (Kubernetes refuses to start over it). */
static void
node_cidr_apply (KsNodeIpamController *ic, const KsNode *node, gboolean use)
{
  guint32 address;
  guint size;

  if (!ks_ipv4_cidr_parse (node->pod_cidr, &address, &size))
    {
      g_message ("node %s: podCIDR \"%s\" is not an IPv4 CIDR: ignored by the IPAM controller",
                 node->parent.meta.name, node->pod_cidr);
      return;
    }
  address &= prefix_mask (size);
  if (!(use ? occupy (ic, address, size) : release (ic, address, size)))
    {
      g_autofree char *cluster = ks_ipv4_cidr_format (ic->cluster, ic->cluster_size);
      g_message ("node %s: podCIDR %s is outside the cluster CIDR %s: ignored by the IPAM "
                 "controller",
                 node->parent.meta.name, node->pod_cidr, cluster);
    }
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  KsNodeIpamController *ic = data;
  const KsNode *node = KS_NODE (event->object);

  if (event->type == KS_WATCH_DELETED)
    {
      if (node->pod_cidr != NULL)
        node_cidr_apply (ic, node, FALSE);
      return;
    }
  if (node->pod_cidr != NULL)
    {
      /* Already used unless the Node came with its CIDR, or it changed by hand. */
      if (event->type == KS_WATCH_ADDED
          || g_strcmp0 (KS_NODE (event->old_object)->pod_cidr, node->pod_cidr) != 0)
        node_cidr_apply (ic, node, TRUE);
      return;
    }
  ks_workqueue_add (ic->c.queue, event->object->meta.name);
}

static void
sync_node (const char *name, gpointer data)
{
  KsNodeIpamController *ic = data;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GError) error = NULL;
  KsNode *copy;
  KsObject *updated;
  guint index;

  obj = ks_client_get (ic->c.client, ks_kind_get (KS_KIND_NODE), NULL, name, &error);
  if (obj == NULL)
    {
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        ks_workqueue_add_after (ic->c.queue, name, OTHER_ERROR_RETRY);
      return;
    }
  if (KS_NODE (obj)->pod_cidr != NULL)
    return;
  if (!allocate_next (ic, &index))
    {
      ks_event_record (&ic->c.events, obj, FALSE, "CIDRNotAvailable", name,
                       "Node %s status is now: CIDRNotAvailable", name);
      return;
    }
  copy = KS_NODE (ks_object_copy (obj));
  copy->pod_cidr = ks_ipv4_cidr_format (block_address (ic, index), ic->node_size);
  updated = ks_client_update (ic->c.client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  if (updated != NULL)
    {
      ks_object_unref (updated);
      return;
    }
  /* Not written: the block is free again. */
  bit_set (ic, index, FALSE);
  ic->allocated--;
  if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    return;
  if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
    {
      /* The Node changed meanwhile (a heartbeat): read it again. */
      ks_workqueue_add (ic->c.queue, name);
      return;
    }
  ks_event_record (&ic->c.events, obj, FALSE, "CIDRAssignmentFailed", name,
                   "Node %s status is now: CIDRAssignmentFailed", name);
  ks_workqueue_add_after (ic->c.queue, name, OTHER_ERROR_RETRY);
}

KsNodeIpamController *
ks_node_ipam_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink,
                             const KsControllerOptions *options)
{
  KsNodeIpamController *ic = g_new0 (KsNodeIpamController, 1);
  guint32 service;
  guint service_size;

  ks_controller_init (&ic->c, client, clock, sink, "cidrAllocator", sync_node, ic);
  ic->cluster_size = (guint) options->cluster_cidr_prefix;
  ic->cluster = options->cluster_cidr & prefix_mask (ic->cluster_size);
  ic->node_size = (guint) options->node_cidr_mask_size;
  ic->max_cidrs = 1u << (ic->node_size - ic->cluster_size);
  ic->used = g_new0 (guint32, (ic->max_cidrs + 31) / 32);
  /* The first block holds the bridge's address (real mode). */
  occupy (ic, ic->cluster, ic->node_size);
  if (ks_ipv4_cidr_parse (KS_SERVICE_CLUSTER_IP_RANGE, &service, &service_size))
    occupy (ic, service, service_size);
  ic->c.watches[ic->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, ic, NULL);
  return ic;
}

void
ks_node_ipam_controller_free (KsNodeIpamController *ic)
{
  if (ic == NULL)
    return;
  ks_controller_clear (&ic->c);
  g_free (ic->used);
  g_free (ic);
}

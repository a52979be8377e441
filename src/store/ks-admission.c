/* ks-admission.c: admission of new objects (Priority, DefaultTolerationSeconds, PriorityClass)
 * and Service address allocation (pkg/registry/core/service: ipallocator, portallocator). */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ks-admission.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/api/ks-storage.h"
#include "src/ks-rng.h"

struct _KsAdmission
{
  gsl_rng *rng; /* "apiserver/services" */
  /* Service range: the allocatable addresses are base .. base + ip_max - 1 (host order). */
  char *ip_range;
  guint32 ip_base;
  guint32 ip_max;
  guint32 ip_offset; /* the static band: the first ip_offset addresses */
  char *port_range;
  guint32 port_base;
  guint32 port_max;
  guint32 port_offset;
};

/* min(max(lo, size / step), hi), 0 for ranges of lo or less (calculateRangeOffset). */
static guint32
range_offset (guint64 size, guint32 lo, guint32 hi, guint32 step)
{
  if (size <= lo)
    return 0;
  return (guint32) CLAMP (size / step, lo, hi);
}

static gboolean
parse_ip_range (const char *cidr, guint32 *network, guint *prefix)
{
  g_auto (GStrv) parts = g_strsplit (cidr, "/", 2);
  struct in_addr addr;
  char *end;
  guint64 p;

  if (g_strv_length (parts) != 2 || inet_pton (AF_INET, parts[0], &addr) != 1)
    return FALSE;
  p = g_ascii_strtoull (parts[1], &end, 10);
  if (end == parts[1] || *end != '\0' || p < 12 || p > 30)
    return FALSE;
  *network = ntohl (addr.s_addr);
  *prefix = (guint) p;
  return (*network & ((G_GUINT64_CONSTANT (1) << (32 - p)) - 1)) == 0;
}

static void
set_ip_range (KsAdmission *adm, const char *cidr, guint32 network, guint prefix)
{
  guint64 size = G_GUINT64_CONSTANT (1) << (32 - prefix);

  g_free (adm->ip_range);
  adm->ip_range = g_strdup (cidr);
  /* Neither the network nor the broadcast address. */
  adm->ip_base = network + 1;
  adm->ip_max = (guint32) (size - 2);
  adm->ip_offset = range_offset (size, 16, 256, 16);
}

static gboolean
parse_port_range (const char *range, guint32 *first, guint32 *last)
{
  g_auto (GStrv) parts = g_strsplit (range, "-", 2);
  char *end1, *end2;
  guint64 a, b;

  if (g_strv_length (parts) != 2)
    return FALSE;
  a = g_ascii_strtoull (parts[0], &end1, 10);
  b = g_ascii_strtoull (parts[1], &end2, 10);
  if (end1 == parts[0] || *end1 != '\0' || end2 == parts[1] || *end2 != '\0' || a < 1 || a > b
      || b > 65535)
    return FALSE;
  *first = (guint32) a;
  *last = (guint32) b;
  return TRUE;
}

static void
set_port_range (KsAdmission *adm, const char *range, guint32 first, guint32 last)
{
  g_free (adm->port_range);
  adm->port_range = g_strdup (range);
  adm->port_base = first;
  adm->port_max = last - first + 1;
  adm->port_offset = range_offset (adm->port_max, 16, 128, 32);
}

KsAdmission *
ks_admission_new (guint64 seed)
{
  KsAdmission *adm = g_new0 (KsAdmission, 1);
  guint32 network, first, last;
  guint prefix;

  adm->rng = ks_rng_new (seed, "apiserver/services");
  g_assert (parse_ip_range (KS_SERVICE_CLUSTER_IP_RANGE, &network, &prefix));
  set_ip_range (adm, KS_SERVICE_CLUSTER_IP_RANGE, network, prefix);
  g_assert (parse_port_range (KS_SERVICE_NODE_PORT_RANGE, &first, &last));
  set_port_range (adm, KS_SERVICE_NODE_PORT_RANGE, first, last);
  return adm;
}

void
ks_admission_reseed (KsAdmission *adm, guint64 seed)
{
  gsl_rng_free (adm->rng);
  adm->rng = ks_rng_new (seed, "apiserver/services");
}

void
ks_admission_free (KsAdmission *adm)
{
  if (adm == NULL)
    return;
  gsl_rng_free (adm->rng);
  g_free (adm->ip_range);
  g_free (adm->port_range);
  g_free (adm);
}

gboolean
ks_admission_set_service_cluster_ip_range (KsStore *store, const char *cidr, GError **error)
{
  guint32 network;
  guint prefix;

  if (!parse_ip_range (cidr, &network, &prefix))
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                   "invalid service IP range \"%s\": expected an IPv4 network address with a "
                   "prefix of 12 to 30 bits, such as %s",
                   cidr, KS_SERVICE_CLUSTER_IP_RANGE);
      return FALSE;
    }
  set_ip_range (ks_store_get_admission (store), cidr, network, prefix);
  return TRUE;
}

gboolean
ks_admission_set_service_node_port_range (KsStore *store, const char *range, GError **error)
{
  guint32 first, last;

  if (!parse_port_range (range, &first, &last))
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                   "invalid NodePort range \"%s\": expected first-last, two ports with first "
                   "not above last, such as %s",
                   range, KS_SERVICE_NODE_PORT_RANGE);
      return FALSE;
    }
  set_port_range (ks_store_get_admission (store), range, first, last);
  return TRUE;
}

/* Services: what is in use */

typedef struct
{
  guint8 *bits;
  guint32 max;
  guint32 count;
} Bitmap;

static void
bitmap_init (Bitmap *bm, guint32 max)
{
  bm->bits = g_malloc0 (max / 8 + 1);
  bm->max = max;
  bm->count = 0;
}

static gboolean
bitmap_test (const Bitmap *bm, guint32 i)
{
  return (bm->bits[i / 8] >> (i % 8)) & 1;
}

static void
bitmap_set (Bitmap *bm, guint32 i)
{
  if (!bitmap_test (bm, i))
    bm->count++;
  bm->bits[i / 8] |= 1 << (i % 8);
}

/* randomScanStrategyWithOffset: from a random start, the first free bit of [offset, max),
 * wrapping around; then the same over [0, offset). */
static gboolean
bitmap_allocate_next (Bitmap *bm, guint32 offset, gsl_rng *rng, guint32 *out)
{
  guint32 sub, start;

  if (bm->count >= bm->max)
    return FALSE;
  if (offset >= bm->max)
    offset = 0;
  sub = bm->max - offset;
  start = (guint32) ks_rng_uniform (rng, sub);
  for (guint32 i = 0; i < sub; i++)
    {
      guint32 at = offset + (start + i) % sub;
      if (!bitmap_test (bm, at))
        {
          bitmap_set (bm, at);
          *out = at;
          return TRUE;
        }
    }
  if (offset == 0)
    return FALSE;
  start = (guint32) ks_rng_uniform (rng, offset);
  for (guint32 i = 0; i < offset; i++)
    {
      guint32 at = (start + i) % offset;
      if (!bitmap_test (bm, at))
        {
          bitmap_set (bm, at);
          *out = at;
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  KsAdmission *adm;
  const char *name; /* the Service's, for messages */
  Bitmap ips;
  Bitmap ports;
} Used;

static gboolean
ip_index (const KsAdmission *adm, const char *ip, guint32 *index)
{
  struct in_addr addr;
  guint32 host;

  if (ip == NULL || inet_pton (AF_INET, ip, &addr) != 1)
    return FALSE;
  host = ntohl (addr.s_addr);
  if (host < adm->ip_base || host - adm->ip_base >= adm->ip_max)
    return FALSE;
  *index = host - adm->ip_base;
  return TRUE;
}

static gboolean
port_index (const KsAdmission *adm, gint32 port, guint32 *index)
{
  if (port < (gint64) adm->port_base || (guint32) port - adm->port_base >= adm->port_max)
    return FALSE;
  *index = (guint32) port - adm->port_base;
  return TRUE;
}

/* The addresses and ports the Services of the store hold, but skip's. */
static void
used_init (Used *u, KsStore *store, const KsService *svc, const KsObject *skip)
{
  g_autoptr (GPtrArray) services = g_ptr_array_new ();
  guint32 i;

  u->adm = ks_store_get_admission (store);
  u->name = svc->parent.meta.name;
  bitmap_init (&u->ips, u->adm->ip_max);
  bitmap_init (&u->ports, u->adm->port_max);
  ks_store_list (store, ks_kind_get (KS_KIND_SERVICE), NULL, services);
  for (guint k = 0; k < services->len; k++)
    {
      const KsService *s = g_ptr_array_index (services, k);
      if (skip != NULL && s->parent.meta.namespace == skip->meta.namespace
          && strcmp (s->parent.meta.name, skip->meta.name) == 0)
        continue;
      if (ip_index (u->adm, s->cluster_ip, &i))
        bitmap_set (&u->ips, i);
      for (guint j = 0; j < s->n_ports; j++)
        if (s->ports[j].node_port != 0 && port_index (u->adm, s->ports[j].node_port, &i))
          bitmap_set (&u->ports, i);
      if (s->health_check_node_port != 0 && port_index (u->adm, s->health_check_node_port, &i))
        bitmap_set (&u->ports, i);
    }
}

static void
used_clear (Used *u)
{
  g_free (u->ips.bits);
  g_free (u->ports.bits);
}

static gboolean
invalid (GError **error, const Used *u, const char *field_error)
{
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID, "Service \"%s\" is invalid: %s",
               u->name, field_error);
  return FALSE;
}

static gboolean
allocate_cluster_ip (Used *u, KsService *svc, GError **error)
{
  KsAdmission *adm = u->adm;
  guint32 i;

  if (svc->cluster_ip == NULL || svc->cluster_ip[0] == '\0')
    {
      guint32 ip;
      if (!bitmap_allocate_next (&u->ips, adm->ip_offset, adm->rng, &i))
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL,
                       "Internal error occurred: failed to allocate a serviceIP: range is full");
          return FALSE;
        }
      ip = adm->ip_base + i;
      g_free (svc->cluster_ip);
      svc->cluster_ip
          = g_strdup_printf ("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
      return TRUE;
    }
  if (!ip_index (adm, svc->cluster_ip, &i) || bitmap_test (&u->ips, i))
    {
      g_autofree char *msg = NULL;
      if (!ip_index (adm, svc->cluster_ip, &i))
        msg = g_strdup_printf ("provided IP is not in the valid range. The range of valid IPs "
                               "is %s",
                               adm->ip_range);
      else
        msg = g_strdup ("provided IP is already allocated");
      g_autofree char *fe
          = g_strdup_printf ("spec.clusterIPs: Invalid value: []string{\"%s\"}: failed to "
                             "allocate IP %s: %s",
                             svc->cluster_ip, svc->cluster_ip, msg);
      return invalid (error, u, fe);
    }
  bitmap_set (&u->ips, i);
  return TRUE;
}

/* Take a requested port; the message of the failure (static) otherwise. */
static const char *
take_port (Used *u, gint32 port)
{
  guint32 i;

  if (!port_index (u->adm, port, &i))
    return NULL;
  if (bitmap_test (&u->ports, i))
    return "provided port is already allocated";
  bitmap_set (&u->ports, i);
  return "";
}

static gboolean
request_port (Used *u, gint32 port, const char *field, GError **error)
{
  const char *why = take_port (u, port);
  g_autofree char *range_msg = NULL;
  g_autofree char *fe = NULL;

  if (why != NULL && why[0] == '\0')
    return TRUE;
  if (why == NULL)
    why = range_msg = g_strdup_printf ("provided port is not in the valid range. The range of "
                                       "valid ports is %s",
                                       u->adm->port_range);
  fe = g_strdup_printf ("%s: Invalid value: %d: %s", field, port, why);
  return invalid (error, u, fe);
}

static gboolean
next_port (Used *u, gint32 *out, GError **error)
{
  guint32 i;

  if (!bitmap_allocate_next (&u->ports, u->adm->port_offset, u->adm->rng, &i))
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL,
                   "Internal error occurred: failed to allocate a nodePort: range is full");
      return FALSE;
    }
  *out = (gint32) (u->adm->port_base + i);
  return TRUE;
}

/* initNodePorts: ports of the same number share one NodePort (TCP and UDP on 53); a requested
 * one is taken, the others drawn. */
static gboolean
allocate_node_ports (Used *u, KsService *svc, GError **error)
{
  gboolean needed = ks_service_needs_node_ports (svc);

  for (guint i = 0; i < svc->n_ports; i++)
    {
      KsServicePort *p = &svc->ports[i];
      gint32 allocated = 0;
      g_autofree char *field = NULL;

      if (p->node_port == 0 && !needed)
        continue;
      field = g_strdup_printf ("spec.ports[%u].nodePort", i);
      for (guint j = 0; j < i; j++)
        if (svc->ports[j].port == p->port && svc->ports[j].node_port != 0)
          {
            allocated = svc->ports[j].node_port;
            break;
          }
      if (allocated == 0)
        {
          gint32 requested = 0;
          for (guint j = 0; j < svc->n_ports && requested == 0; j++)
            if (svc->ports[j].port == p->port)
              requested = svc->ports[j].node_port;
          if (requested != 0)
            {
              if (!request_port (u, requested, field, error))
                return FALSE;
              p->node_port = requested;
            }
          else if (!next_port (u, &p->node_port, error))
            return FALSE;
        }
      else if (p->node_port != allocated)
        {
          if (p->node_port == 0)
            p->node_port = allocated;
          else if (!request_port (u, p->node_port, field, error))
            return FALSE;
        }
    }
  if (ks_service_needs_health_check_node_port (svc))
    {
      if (svc->health_check_node_port != 0)
        return request_port (u, svc->health_check_node_port, "spec.healthCheckNodePort", error);
      return next_port (u, &svc->health_check_node_port, error);
    }
  return TRUE;
}

static gboolean
admit_service_create (KsStore *store, KsService *svc, GError **error)
{
  Used u;
  gboolean ok = TRUE;

  used_init (&u, store, svc, NULL);
  if (ks_service_needs_cluster_ip (svc))
    ok = allocate_cluster_ip (&u, svc, error);
  if (ok)
    ok = allocate_node_ports (&u, svc, error);
  used_clear (&u);
  return ok;
}

static gboolean
has_node_port (const KsService *svc, gint32 node_port)
{
  for (guint i = 0; i < svc->n_ports; i++)
    if (svc->ports[i].node_port == node_port)
      return TRUE;
  return FALSE;
}

static gboolean
admit_service_update (KsStore *store, const KsService *old, KsService *svc, GError **error)
{
  Used u;
  gboolean ok = TRUE;

  /* patchAllocatedValues: what the update leaves unset keeps its allocated value. */
  if (ks_service_needs_cluster_ip (old) && ks_service_needs_cluster_ip (svc)
      && (svc->cluster_ip == NULL || svc->cluster_ip[0] == '\0'))
    {
      g_free (svc->cluster_ip);
      svc->cluster_ip = g_strdup (old->cluster_ip);
    }
  if (old->cluster_ip != NULL && g_strcmp0 (svc->cluster_ip, old->cluster_ip) != 0)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID,
                   "Service \"%s\" is invalid: spec.clusterIP: Invalid value: \"%s\": field is "
                   "immutable",
                   svc->parent.meta.name, svc->cluster_ip != NULL ? svc->cluster_ip : "");
      return FALSE;
    }
  if (ks_service_needs_node_ports (old) && ks_service_needs_node_ports (svc))
    {
      /* By port name; not a NodePort another port of the update already uses. */
      for (guint i = 0; i < svc->n_ports; i++)
        {
          KsServicePort *p = &svc->ports[i];
          if (p->node_port != 0)
            continue;
          for (guint j = 0; j < old->n_ports; j++)
            if (g_strcmp0 (old->ports[j].name, p->name) == 0)
              {
                if (!has_node_port (svc, old->ports[j].node_port))
                  p->node_port = old->ports[j].node_port;
                break;
              }
        }
    }
  else if (!ks_service_needs_node_ports (svc))
    /* dropTypeDependentFields: NodePorts the Service had go with the type that needed them. */
    for (guint i = 0; i < svc->n_ports; i++)
      if (svc->ports[i].node_port != 0 && has_node_port (old, svc->ports[i].node_port))
        svc->ports[i].node_port = 0;
  if (svc->type == KS_SERVICE_CLUSTER_IP)
    for (guint i = 0; i < svc->n_ports; i++)
      if (svc->ports[i].node_port != 0)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID,
                       "Service \"%s\" is invalid: spec.ports[%u].nodePort: Forbidden: may not "
                       "be used when `type` is 'ClusterIP'",
                       svc->parent.meta.name, i);
          return FALSE;
        }
  if (!ks_service_needs_health_check_node_port (svc))
    svc->health_check_node_port = 0;
  else if (svc->health_check_node_port == 0 && ks_service_needs_health_check_node_port (old))
    svc->health_check_node_port = old->health_check_node_port;

  used_init (&u, store, svc, KS_OBJECT (old));
  if (ks_service_needs_cluster_ip (svc))
    ok = allocate_cluster_ip (&u, svc, error);
  if (ok)
    ok = allocate_node_ports (&u, svc, error);
  used_clear (&u);
  return ok;
}

static KsPriorityClass *
global_default (KsStore *store)
{
  g_autoptr (GPtrArray) classes = g_ptr_array_new ();

  ks_store_list (store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, classes);
  for (guint i = 0; i < classes->len; i++)
    if (KS_PRIORITY_CLASS (g_ptr_array_index (classes, i))->global_default)
      return g_ptr_array_index (classes, i);
  return NULL;
}

static void
add_default_toleration (KsPodSpec *spec, const char *key)
{
  KsTaint taint = { .key = (char *) key, .value = (char *) "", .effect = KS_TAINT_NO_EXECUTE };

  if (ks_tolerations_tolerate (spec->tolerations, spec->n_tolerations, &taint))
    return;
  spec->tolerations = g_renew (KsToleration, spec->tolerations, spec->n_tolerations + 1);
  spec->tolerations[spec->n_tolerations++] = (KsToleration){
    .key = g_strdup (key),
    .op = KS_TOLERATION_EXISTS,
    .value = g_strdup (""),
    .effect = KS_TAINT_NO_EXECUTE,
    .has_seconds = TRUE,
    .toleration_seconds = KS_DEFAULT_TOLERATION_SECONDS,
  };
}

static gboolean
admit_pod (KsStore *store, KsPod *pod, GError **error)
{
  KsPodSpec *spec = pod->spec, *admitted, *cache;
  KsPriorityClass *pc = NULL;
  const char *class_name = spec->priority_class_name;
  gint32 value = 0;
  KsPreemptionPolicy policy = KS_PREEMPT_LOWER_PRIORITY;

  if (spec->admitted)
    return TRUE;
  if (class_name != NULL)
    {
      pc = KS_PRIORITY_CLASS (
          ks_store_get (store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, class_name));
      if (pc == NULL)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                       "pods \"%s\" is forbidden: no PriorityClass with name %s was found",
                       pod->parent.meta.name, class_name);
          return FALSE;
        }
    }
  else
    pc = global_default (store);
  if (pc != NULL)
    {
      value = pc->value;
      policy = pc->preemption_policy;
      class_name = pc->parent.meta.name;
    }
  if (spec->has_priority && spec->priority != value)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                   "pods \"%s\" is forbidden: the integer value of priority (%d) must not be "
                   "provided in pod spec; priority admission controller computed %d from the "
                   "given PriorityClass name",
                   pod->parent.meta.name, spec->priority, value);
      return FALSE;
    }

  /* Pods of one template share one admitted spec. */
  cache = spec->admitted_cache;
  if (cache != NULL && cache->priority == value
      && g_strcmp0 (cache->priority_class_name, class_name) == 0
      && cache->preemption_policy
             == (spec->has_preemption_policy ? spec->preemption_policy : policy))
    {
      pod->spec = ks_pod_spec_ref (cache);
      ks_pod_spec_unref (spec);
      return TRUE;
    }
  admitted = ks_pod_spec_copy (spec);
  admitted->has_priority = TRUE;
  admitted->priority = value;
  if (admitted->priority_class_name == NULL && class_name != NULL)
    admitted->priority_class_name = g_strdup (class_name);
  if (!admitted->has_preemption_policy)
    {
      admitted->has_preemption_policy = TRUE;
      admitted->preemption_policy = policy;
    }
  add_default_toleration (admitted, "node.kubernetes.io/not-ready");
  add_default_toleration (admitted, "node.kubernetes.io/unreachable");
  admitted->admitted = TRUE;
  ks_pod_spec_unref (spec->admitted_cache);
  spec->admitted_cache = ks_pod_spec_ref (admitted);
  pod->spec = admitted;
  ks_pod_spec_unref (spec);
  return TRUE;
}

/* The DefaultStorageClass admission plugin (GetDefaultClass, v1.32): a claim created without
 * spec.storageClassName (nor the beta annotation) gets the default class; among several
 * defaults the newest, then the first by name. */
static void
admit_pvc (KsStore *store, KsPersistentVolumeClaim *pvc)
{
  g_autoptr (GPtrArray) classes = NULL;
  const KsStorageClass *best = NULL;

  if (pvc->storage_class_name != NULL
      || ks_object_get_annotation (KS_OBJECT (pvc), KS_ANN_BETA_STORAGE_CLASS) != NULL)
    return;
  classes = g_ptr_array_new ();
  ks_store_list (store, ks_kind_get (KS_KIND_STORAGE_CLASS), NULL, classes);
  for (guint i = 0; i < classes->len; i++)
    {
      const KsStorageClass *sc = g_ptr_array_index (classes, i);
      const KsObjectMeta *m = &sc->parent.meta;
      if (!ks_storage_class_is_default (sc))
        continue;
      if (best == NULL || m->creation_timestamp > best->parent.meta.creation_timestamp
          || (m->creation_timestamp == best->parent.meta.creation_timestamp
              && strcmp (m->name, best->parent.meta.name) < 0))
        best = sc;
    }
  if (best != NULL)
    pvc->storage_class_name = g_strdup (best->parent.meta.name);
}

gboolean
ks_admission_admit_create (KsStore *store, KsObject *obj, GError **error)
{
  switch (obj->kind->id)
    {
    case KS_KIND_PERSISTENT_VOLUME_CLAIM:
      admit_pvc (store, KS_PERSISTENT_VOLUME_CLAIM (obj));
      /* StorageObjectInUseProtection */
      ks_object_add_finalizer (obj, KS_FINALIZER_PVC_PROTECTION);
      return TRUE;
    case KS_KIND_PERSISTENT_VOLUME:
      ks_object_add_finalizer (obj, KS_FINALIZER_PV_PROTECTION);
      return TRUE;
    case KS_KIND_POD:
      return admit_pod (store, KS_POD (obj), error);
    case KS_KIND_SERVICE:
      return admit_service_create (store, KS_SERVICE (obj), error);
    case KS_KIND_PRIORITY_CLASS:
      {
        KsPriorityClass *other;
        if (!KS_PRIORITY_CLASS (obj)->global_default)
          return TRUE;
        other = global_default (store);
        if (other != NULL)
          {
            g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                         "%s.%s \"%s\" is forbidden: PriorityClass %s is already marked as "
                         "default. Only one default can exist",
                         obj->kind->plural, obj->kind->group, obj->meta.name,
                         other->parent.meta.name);
            return FALSE;
          }
        return TRUE;
      }
    default:
      return TRUE;
    }
}

gboolean
ks_admission_admit_update (KsStore *store, const KsObject *current, KsObject *obj, GError **error)
{
  switch (obj->kind->id)
    {
    case KS_KIND_SERVICE:
      return admit_service_update (store, KS_SERVICE (current), KS_SERVICE (obj), error);
    default:
      return TRUE;
    }
}

/* ks-resources.h: resource lists (requests, limits, capacity, allocatable) as integers, the way
 * the scheduler's framework.Resource keeps them: cpu in millicores, memory and
 * ephemeral-storage in bytes, pods as a count, and other ("scalar") resources such as
 * nvidia.com/gpu or hugepages-2Mi as integers. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks-decode.h"

G_BEGIN_DECLS

#define KS_RESOURCE_CPU "cpu"
#define KS_RESOURCE_MEMORY "memory"
#define KS_RESOURCE_EPHEMERAL_STORAGE "ephemeral-storage"
#define KS_RESOURCE_PODS "pods"

typedef enum
{
  KS_RES_SET_CPU = 1 << 0,
  KS_RES_SET_MEMORY = 1 << 1,
  KS_RES_SET_EPHEMERAL = 1 << 2,
  KS_RES_SET_PODS = 1 << 3,
} KsResourceSetFlags;

typedef struct
{
  const char *name; /* interned */
  gint64 value;
} KsScalarResource;

typedef struct
{
  gint64 milli_cpu;
  gint64 memory;
  gint64 ephemeral_storage;
  gint64 pods;
  guint8 set; /* KsResourceSetFlags: which of the four above were given (0 given ≠ absent) */
  guint8 n_scalar;
  KsScalarResource *scalar; /* sorted by name; owned */
} KsResources;

void ks_resources_clear (KsResources *r);
void ks_resources_copy (KsResources *dst, const KsResources *src);
gboolean ks_resources_is_zero (const KsResources *r);
gboolean ks_resources_equal (const KsResources *a, const KsResources *b);

/* Value by resource name ("cpu" gives millicores); 0 when absent. */
gint64 ks_resources_get (const KsResources *r, const char *name);
gboolean ks_resources_has (const KsResources *r, const char *name);
void ks_resources_set (KsResources *r, const char *name, gint64 value);

/* r += b and r = max(r, b), per resource (scalars merged by name). */
void ks_resources_add (KsResources *r, const KsResources *b);
void ks_resources_sub (KsResources *r, const KsResources *b);
void ks_resources_max (KsResources *r, const KsResources *b);

/* Whether name is a valid resource name for pods (standard, hugepages-*, or a qualified
 * extended name such as example.com/foo). */
gboolean ks_resource_name_is_valid (const char *name);
/* Extended resources (qualified names outside kubernetes.io/) must be whole numbers and are
 * never overcommitted. */
gboolean ks_resource_name_is_extended (const char *name);

/* Decode a ResourceList mapping at node (path set).  Quantities must be non-negative. */
gboolean ks_resources_decode (KsDecoder *dec, JsonNode *node, KsResources *out);
/* Encode as a ResourceList mapping ("cpu": "500m", "memory": "1Gi", ...). */
void ks_resources_encode (const KsResources *r, JsonBuilder *builder);

G_END_DECLS

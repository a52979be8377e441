/* plugin-image-locality.c: ImageLocality (imagelocality/image_locality.go).
 *
 * Score: favour nodes that already hold the pod's images, by the images' sizes scaled by how
 * many nodes hold them (so that an image everywhere does not pull every pod to one node):
 *
 *   sum   = Σ over init and regular containers whose image the node holds of
 *           int(sizeBytes × (nodesWithImage / totalNodes))          (float64)
 *   max   = 1000 MiB × (number of init and regular containers)
 *   score = 100 · (clamp(sum, 23 MiB, max) − 23 MiB) div (max − 23 MiB)
 *
 * There is no PreScore and no NormalizeScore, as in Kubernetes.  What does not depend on the
 * node (the normalized image names and how many nodes hold each) is worked out at the first
 * Score call of a cycle and kept in the cycle state. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

#define MB G_GINT64_CONSTANT (1048576)
#define MIN_THRESHOLD (23 * MB)
#define MAX_CONTAINER_THRESHOLD (1000 * MB)

typedef struct
{
  const char *image; /* interned, normalized */
  guint n_nodes;     /* nodes of the snapshot holding it */
} ImageRef;

typedef struct
{
  guint n_containers;
  gboolean any_held; /* some node holds one of the images: otherwise every node scores 0 */
  gint64 none_score; /* the score of a node holding none of them (0; worked out once, since the
                      * division would cost more than the rest of Score on every node) */
  ImageRef refs[];   /* one per container, init containers first */
} ImageCycle;

char *
ks_normalized_image_name (const char *image)
{
  const char *colon = strrchr (image, ':'), *slash = strrchr (image, '/');

  /* No tag when the last ':' is not after the last '/' (a registry port is not a tag). */
  if (colon == NULL || (slash != NULL && colon < slash))
    return g_strconcat (image, ":latest", NULL);
  return g_strdup (image);
}

static ImageCycle *
cycle_new (KsPluginCtx *ctx, const KsPod *pod)
{
  const KsPodSpec *spec = pod->spec;
  guint n = spec->n_init_containers + spec->n_containers;
  ImageCycle *c = g_malloc0 (sizeof *c + MAX (n, 1) * sizeof (ImageRef));

  c->n_containers = n;
  for (guint i = 0; i < n; i++)
    {
      const KsContainer *k = i < spec->n_init_containers
                                 ? &spec->init_containers[i]
                                 : &spec->containers[i - spec->n_init_containers];
      g_autofree char *name = ks_normalized_image_name (k->image != NULL ? k->image : "");
      c->refs[i].image = ks_intern (name);
      c->refs[i].n_nodes = ctx->handle->nodes_with_image (ctx->handle->data, c->refs[i].image);
      c->any_held |= c->refs[i].n_nodes > 0;
    }
  c->none_score = ks_image_locality_priority (0, n);
  return c;
}

/* The size of image on the node, or -1 when it does not hold it. */
static gint64
image_size (const KsNode *node, const char *image)
{
  for (guint k = 0; k < node->n_images; k++)
    for (char **name = node->images[k].names; name != NULL && *name != NULL; name++)
      if (strcmp (*name, image) == 0)
        return node->images[k].size_bytes;
  return -1;
}

gint64
ks_image_locality_priority (gint64 sum, guint n_containers)
{
  gint64 max_threshold = MAX_CONTAINER_THRESHOLD * (gint64) n_containers;

  if (sum < MIN_THRESHOLD)
    sum = MIN_THRESHOLD;
  else if (sum > max_threshold)
    sum = max_threshold;
  return KS_MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD);
}

static gint64
image_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  ImageCycle *c = ctx->cycle;
  gint64 sum = 0;

  if (c == NULL)
    c = ctx->cycle = cycle_new (ctx, pod);
  if (!c->any_held || ni->node->n_images == 0)
    return c->none_score;
  for (guint i = 0; i < c->n_containers; i++)
    {
      gint64 size;
      if (c->refs[i].n_nodes == 0 || (size = image_size (ni->node, c->refs[i].image)) < 0)
        continue;
      /* scaledImageScore: the spread first, then the product, truncated. */
      sum += (gint64) ((double) size * ((double) c->refs[i].n_nodes / (double) ctx->n_all_nodes));
    }
  return ks_image_locality_priority (sum, c->n_containers);
}

const KsSchedulerPlugin ks_plugin_image_locality = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "ImageLocality",
  .default_weight = 1,
  .score = image_score,
  .free_cycle = g_free,
};

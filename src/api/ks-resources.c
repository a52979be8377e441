/* ks-resources.c: integer resource lists. */
#include "config.h"

#include <string.h>

#include "ks-quantity.h"
#include "ks-resources.h"
#include "src/ks-intern.h"

void
ks_resources_clear (KsResources *r)
{
  g_free (r->scalar);
  memset (r, 0, sizeof *r);
}

void
ks_resources_copy (KsResources *dst, const KsResources *src)
{
  if (dst == src)
    return;
  g_free (dst->scalar);
  *dst = *src;
  dst->scalar = src->n_scalar > 0
                    ? g_memdup2 (src->scalar, src->n_scalar * sizeof (KsScalarResource))
                    : NULL;
}

gboolean
ks_resources_is_zero (const KsResources *r)
{
  if (r->milli_cpu != 0 || r->memory != 0 || r->ephemeral_storage != 0)
    return FALSE;
  for (guint i = 0; i < r->n_scalar; i++)
    if (r->scalar[i].value != 0)
      return FALSE;
  return TRUE;
}

gboolean
ks_resources_equal (const KsResources *a, const KsResources *b)
{
  if (a->milli_cpu != b->milli_cpu || a->memory != b->memory
      || a->ephemeral_storage != b->ephemeral_storage || a->pods != b->pods || a->set != b->set
      || a->n_scalar != b->n_scalar)
    return FALSE;
  for (guint i = 0; i < a->n_scalar; i++)
    if (a->scalar[i].name != b->scalar[i].name || a->scalar[i].value != b->scalar[i].value)
      return FALSE;
  return TRUE;
}

static KsScalarResource *
find_scalar (const KsResources *r, const char *name)
{
  for (guint i = 0; i < r->n_scalar; i++)
    if (strcmp (r->scalar[i].name, name) == 0)
      return &r->scalar[i];
  return NULL;
}

gint64
ks_resources_get (const KsResources *r, const char *name)
{
  KsScalarResource *s;

  if (strcmp (name, KS_RESOURCE_CPU) == 0)
    return r->milli_cpu;
  if (strcmp (name, KS_RESOURCE_MEMORY) == 0)
    return r->memory;
  if (strcmp (name, KS_RESOURCE_EPHEMERAL_STORAGE) == 0)
    return r->ephemeral_storage;
  if (strcmp (name, KS_RESOURCE_PODS) == 0)
    return r->pods;
  s = find_scalar (r, name);
  return s != NULL ? s->value : 0;
}

gboolean
ks_resources_has (const KsResources *r, const char *name)
{
  if (strcmp (name, KS_RESOURCE_CPU) == 0)
    return r->set & KS_RES_SET_CPU;
  if (strcmp (name, KS_RESOURCE_MEMORY) == 0)
    return r->set & KS_RES_SET_MEMORY;
  if (strcmp (name, KS_RESOURCE_EPHEMERAL_STORAGE) == 0)
    return r->set & KS_RES_SET_EPHEMERAL;
  if (strcmp (name, KS_RESOURCE_PODS) == 0)
    return r->set & KS_RES_SET_PODS;
  return find_scalar (r, name) != NULL;
}

static int
scalar_cmp (const void *a, const void *b)
{
  return strcmp (((const KsScalarResource *) a)->name, ((const KsScalarResource *) b)->name);
}

void
ks_resources_set (KsResources *r, const char *name, gint64 value)
{
  KsScalarResource *s;

  if (strcmp (name, KS_RESOURCE_CPU) == 0)
    r->milli_cpu = value, r->set |= KS_RES_SET_CPU;
  else if (strcmp (name, KS_RESOURCE_MEMORY) == 0)
    r->memory = value, r->set |= KS_RES_SET_MEMORY;
  else if (strcmp (name, KS_RESOURCE_EPHEMERAL_STORAGE) == 0)
    r->ephemeral_storage = value, r->set |= KS_RES_SET_EPHEMERAL;
  else if (strcmp (name, KS_RESOURCE_PODS) == 0)
    r->pods = value, r->set |= KS_RES_SET_PODS;
  else if ((s = find_scalar (r, name)) != NULL)
    s->value = value;
  else
    {
      g_return_if_fail (r->n_scalar < G_MAXUINT8);
      r->scalar = g_renew (KsScalarResource, r->scalar, r->n_scalar + 1);
      r->scalar[r->n_scalar].name = ks_intern (name);
      r->scalar[r->n_scalar].value = value;
      r->n_scalar++;
      qsort (r->scalar, r->n_scalar, sizeof (KsScalarResource), scalar_cmp);
    }
}

static void
combine (KsResources *r, const KsResources *b, int how)
{
#define COMBINE(x, y) ((how) == 0 ? (x) + (y) : (how) == 1 ? (x) - (y) : MAX ((x), (y)))
  r->milli_cpu = COMBINE (r->milli_cpu, b->milli_cpu);
  r->memory = COMBINE (r->memory, b->memory);
  r->ephemeral_storage = COMBINE (r->ephemeral_storage, b->ephemeral_storage);
  r->pods = COMBINE (r->pods, b->pods);
  r->set |= b->set;
  for (guint i = 0; i < b->n_scalar; i++)
    {
      KsScalarResource *s = find_scalar (r, b->scalar[i].name);
      if (s != NULL)
        s->value = COMBINE (s->value, b->scalar[i].value);
      else
        ks_resources_set (r, b->scalar[i].name, COMBINE (0, b->scalar[i].value));
    }
#undef COMBINE
}

void
ks_resources_add (KsResources *r, const KsResources *b)
{
  combine (r, b, 0);
}

void
ks_resources_sub (KsResources *r, const KsResources *b)
{
  combine (r, b, 1);
}

void
ks_resources_max (KsResources *r, const KsResources *b)
{
  combine (r, b, 2);
}

gboolean
ks_resource_name_is_extended (const char *name)
{
  const char *slash = strchr (name, '/');
  if (slash == NULL)
    return FALSE;
  /* kubernetes.io/ and *.kubernetes.io/ prefixes are native, not extended. */
  if (g_str_has_prefix (name, "kubernetes.io/") || g_str_has_prefix (name, "requests."))
    return FALSE;
  {
    g_autofree char *prefix = g_strndup (name, slash - name);
    if (g_str_has_suffix (prefix, ".kubernetes.io"))
      return FALSE;
  }
  return TRUE;
}

gboolean
ks_resource_name_is_valid (const char *name)
{
  if (strcmp (name, KS_RESOURCE_CPU) == 0 || strcmp (name, KS_RESOURCE_MEMORY) == 0
      || strcmp (name, KS_RESOURCE_EPHEMERAL_STORAGE) == 0 || strcmp (name, KS_RESOURCE_PODS) == 0)
    return TRUE;
  if (g_str_has_prefix (name, "hugepages-"))
    {
      gint64 size;
      return ks_quantity_parse_value (name + strlen ("hugepages-"), &size, NULL) && size > 0;
    }
  if (strchr (name, '/') != NULL)
    return ks_validate_label_key (name) == NULL;
  /* A node's volume attach limit (attachable-volumes-csi-<driver>; NodeVolumeLimits reads it). */
  if (g_str_has_prefix (name, "attachable-volumes-") && name[strlen ("attachable-volumes-")])
    return TRUE;
  return FALSE;
}

gboolean
ks_resources_decode (KsDecoder *dec, JsonNode *node, KsResources *out)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  gboolean ok = TRUE;

  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    {
      gsize mark = ks_decoder_push (dec, name);
      gint64 v = 0;
      gboolean cpu = strcmp (name, KS_RESOURCE_CPU) == 0;

      if (!ks_resource_name_is_valid (name))
        {
          ks_decoder_error (dec, value,
                            "unknown resource name \"%s\": use cpu, memory, ephemeral-storage, "
                            "pods, hugepages-<size>, or a qualified extended resource such as "
                            "example.com/gpu",
                            name);
          ok = FALSE;
        }
      else if (cpu ? ks_decoder_quantity_milli (dec, value, &v)
                   : ks_decoder_quantity_value (dec, value, &v))
        {
          if (v < 0)
            {
              ks_decoder_error (dec, value, "must be greater than or equal to 0");
              ok = FALSE;
            }
          else if (ks_resource_name_is_extended (name))
            {
              gint64 milli = 0;
              g_autofree char *text = ks_decoder_scalar_text (dec, value);
              if (ks_quantity_parse_milli (text, &milli, NULL) && milli % 1000 != 0)
                {
                  ks_decoder_error (dec, value,
                                    "must be a whole number: extended resources cannot be "
                                    "fractional");
                  ok = FALSE;
                }
            }
          if (ok)
            ks_resources_set (out, name, v);
        }
      else
        ok = FALSE;
      ks_decoder_pop (dec, mark);
    }
  return ok;
}

typedef struct
{
  const char *name;
  char *text;
} Entry;

static int
entry_cmp (const void *a, const void *b)
{
  return strcmp (((const Entry *) a)->name, ((const Entry *) b)->name);
}

void
ks_resources_encode (const KsResources *r, JsonBuilder *b)
{
  Entry entries[4 + G_MAXUINT8];
  guint n = 0;

  /* Go's encoding/json writes map keys in byte order; so do we. */
  if (r->set & KS_RES_SET_CPU)
    entries[n++] = (Entry){ KS_RESOURCE_CPU, ks_quantity_format_milli (r->milli_cpu) };
  if (r->set & KS_RES_SET_MEMORY)
    entries[n++] = (Entry){ KS_RESOURCE_MEMORY, ks_quantity_format_value (r->memory, TRUE) };
  if (r->set & KS_RES_SET_EPHEMERAL)
    entries[n++] = (Entry){ KS_RESOURCE_EPHEMERAL_STORAGE,
                            ks_quantity_format_value (r->ephemeral_storage, TRUE) };
  if (r->set & KS_RES_SET_PODS)
    entries[n++] = (Entry){ KS_RESOURCE_PODS, ks_quantity_format_value (r->pods, FALSE) };
  for (guint i = 0; i < r->n_scalar; i++)
    entries[n++]
        = (Entry){ r->scalar[i].name,
                   ks_quantity_format_value (r->scalar[i].value,
                                             g_str_has_prefix (r->scalar[i].name, "hugepages-")) };
  qsort (entries, n, sizeof (Entry), entry_cmp);
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name (b, entries[i].name);
      json_builder_add_string_value (b, entries[i].text);
      g_free (entries[i].text);
    }
  json_builder_end_object (b);
}

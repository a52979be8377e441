/* ks-store-backend.c: what every store backend shares. */
#include "config.h"

#include "ks-store-backend.h"

/* clang-format off */
G_DEFINE_QUARK (ks-store-backend-error-quark, ks_store_backend_error)
/* clang-format on */

char *
ks_store_backend_kind_key (const char *kind_name, const char *group)
{
  if (group == NULL || group[0] == '\0')
    return g_strdup (kind_name);
  return g_strconcat (kind_name, ".", group, NULL);
}

void
ks_store_backend_free (KsStoreBackend *b)
{
  if (b != NULL)
    b->ops->free (b);
}

/* ks-image-store.h: real mode's local image store.
 *
 * An image is a root file system and its config (entrypoint, cmd, env, working directory) at
 * <data-dir>/images/<repository>/<tag>/{rootfs,image.json}, where the repository is the
 * normalised name: "busybox", "busybox:latest" and "docker.io/library/busybox:latest" are one
 * image, docker.io/library/busybox tag latest.  Containers use the rootfs read-only and share it.
 *
 * Images come from `kubesim image import` (a directory or a tarball of a root file system) or are
 * built in: busybox is made on first use from the host's static busybox (Debian's
 * busybox-static).  Images are added whole: a new one is prepared in a temporary directory and
 * renamed into place, so concurrent node agents never see half an image. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KS_IMAGE_ERROR (ks_image_error_quark ())
GQuark ks_image_error_quark (void);

typedef enum
{
  KS_IMAGE_ERROR_INVALID_REFERENCE, /* not NAME[:TAG] */
  KS_IMAGE_ERROR_NOT_FOUND,
  KS_IMAGE_ERROR_EXISTS,  /* import: the image is already there */
  KS_IMAGE_ERROR_CONFIG,  /* a bad image config (image.json, --config file) */
  KS_IMAGE_ERROR_IMPORT,  /* the source cannot be copied or extracted */
  KS_IMAGE_ERROR_BUILTIN, /* a built-in image cannot be made (no /bin/busybox) */
} KsImageError;

/* The part of an OCI image config kubesim uses. */
typedef struct
{
  char **entrypoint; /* NULL-terminated, or NULL when unset */
  char **cmd;        /* NULL-terminated, or NULL when unset */
  char **env;        /* "KEY=VALUE" entries, NULL-terminated, or NULL */
  char *working_dir; /* NULL when unset ("/") */
} KsImageConfig;

void ks_image_config_clear (KsImageConfig *config);
void ks_image_config_copy (KsImageConfig *dst, const KsImageConfig *src);
/* Read a config from the members "entrypoint", "cmd" (arrays of strings), "env" (array of
 * "KEY=VALUE" strings) and "workingDir" (an absolute path) of an object; every member is
 * optional, others are refused.  where names the source in messages. */
gboolean ks_image_config_from_json (JsonNode *node, const char *where, KsImageConfig *out,
                                    GError **error);
/* The config as such an object (members that are unset are left out).  Newly allocated. */
JsonNode *ks_image_config_to_json (const KsImageConfig *config);
/* Read a config file in that format. */
gboolean ks_image_config_load (const char *path, KsImageConfig *out, GError **error);

/* Split and normalise an image reference "[DOMAIN/]PATH[:TAG]" the way Docker and containerd do:
 * no domain means docker.io, a one-component path on docker.io gets "library/", no tag means
 * "latest".  *repository ("docker.io/library/busybox") and *tag are newly allocated. */
gboolean ks_image_reference_parse (const char *reference, char **repository, char **tag,
                                   GError **error);
/* The normalised "REPOSITORY:TAG" of reference, or NULL with an error.  Newly allocated. */
char *ks_image_reference_normalize (const char *reference, GError **error);

typedef struct
{
  char *repository; /* "docker.io/library/busybox" */
  char *tag;        /* "latest" */
  char *reference;  /* "docker.io/library/busybox:latest" */
  char *dir;        /* <data-dir>/images/<repository>/<tag> */
  char *rootfs;     /* <dir>/rootfs */
  KsImageConfig config;
} KsImage;

void ks_image_free (KsImage *image);

typedef struct _KsImageStore KsImageStore;

/* The store under data_dir (nothing is created until an image is added). */
KsImageStore *ks_image_store_new (const char *data_dir);
void ks_image_store_free (KsImageStore *store);
/* The busybox binary the built-in busybox image is made from (default /bin/busybox). */
void ks_image_store_set_busybox (KsImageStore *store, const char *path);

/* The image reference names (newly allocated), or NULL with KS_IMAGE_ERROR_NOT_FOUND (the
 * message names the image and `kubesim image import`) or another error.  busybox[:latest] is
 * made when it is asked for and missing. */
KsImage *ks_image_store_lookup (KsImageStore *store, const char *reference, GError **error);

/* Add image reference from source: a directory (copied with its symbolic links, modes and
 * ownership) or a tarball of a root file system (.tar, .tar.gz, .tgz; extracted).  config may be
 * NULL (cmd "sh").  An image that exists already is an error (KS_IMAGE_ERROR_EXISTS).  Returns
 * the new image. */
KsImage *ks_image_store_import (KsImageStore *store, const char *reference, const char *source,
                                const KsImageConfig *config, GError **error);

/* Make the built-in busybox image (docker.io/library/busybox:latest) if it is missing. */
KsImage *ks_image_store_ensure_busybox (KsImageStore *store, GError **error);

/* Every image in the store (KsImage*, owned by the array), sorted by reference. */
GPtrArray *ks_image_store_list (KsImageStore *store, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsImageConfig, ks_image_config_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsImage, ks_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsImageStore, ks_image_store_free)

G_END_DECLS

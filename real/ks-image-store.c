/* ks-image-store.c: the local image store (see ks-image-store.h). */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ks-fsutil.h"
#include "ks-image-store.h"

/* clang-format off */
G_DEFINE_QUARK (ks-image-error-quark, ks_image_error)
/* clang-format on */

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define OFFICIAL_REPO_PREFIX "library/"
#define DEFAULT_TAG "latest"
#define NAME_MAX_LENGTH 255
#define TAG_MAX_LENGTH 128
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define BUSYBOX_REPOSITORY "docker.io/library/busybox"
#define REFERENCE_HINT                                                                             \
  "expected [DOMAIN/]NAME[:TAG], e.g. busybox or docker.io/library/busybox:1.36"

struct _KsImageStore
{
  char *data_dir;
  char *images_dir;
  char *busybox;
};

/* Image config */

void
ks_image_config_clear (KsImageConfig *config)
{
  g_clear_pointer (&config->entrypoint, g_strfreev);
  g_clear_pointer (&config->cmd, g_strfreev);
  g_clear_pointer (&config->env, g_strfreev);
  g_clear_pointer (&config->working_dir, g_free);
}

void
ks_image_config_copy (KsImageConfig *dst, const KsImageConfig *src)
{
  dst->entrypoint = g_strdupv (src->entrypoint);
  dst->cmd = g_strdupv (src->cmd);
  dst->env = g_strdupv (src->env);
  dst->working_dir = g_strdup (src->working_dir);
}

static gboolean
string_array_from_json (JsonNode *node, const char *where, const char *member, char ***out,
                        GError **error)
{
  JsonArray *array;
  GPtrArray *strings;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                   "%s: %s: expected an array of strings", where, member);
      return FALSE;
    }
  array = json_node_get_array (node);
  strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                       "%s: %s[%u]: expected a string", where, member, i);
          g_ptr_array_unref (strings);
          return FALSE;
        }
      g_ptr_array_add (strings, g_strdup (json_node_get_string (e)));
    }
  g_ptr_array_add (strings, NULL);
  *out = (char **) g_ptr_array_free (strings, FALSE);
  return TRUE;
}

gboolean
ks_image_config_from_json (JsonNode *node, const char *where, KsImageConfig *out, GError **error)
{
  static const char *const members[] = { "entrypoint", "cmd", "env", "workingDir", NULL };
  g_auto (KsImageConfig) config = { 0 };
  JsonObject *object;
  g_autoptr (GList) names = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                   "%s: expected an object with entrypoint, cmd, env and workingDir", where);
      return FALSE;
    }
  object = json_node_get_object (node);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      {
        g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                     "%s: unknown field \"%s\" (valid: entrypoint, cmd, env, workingDir)", where,
                     (const char *) l->data);
        return FALSE;
      }
  if (json_object_has_member (object, "entrypoint")
      && !string_array_from_json (json_object_get_member (object, "entrypoint"), where,
                                  "entrypoint", &config.entrypoint, error))
    return FALSE;
  if (json_object_has_member (object, "cmd")
      && !string_array_from_json (json_object_get_member (object, "cmd"), where, "cmd", &config.cmd,
                                  error))
    return FALSE;
  if (json_object_has_member (object, "env"))
    {
      if (!string_array_from_json (json_object_get_member (object, "env"), where, "env",
                                   &config.env, error))
        return FALSE;
      for (guint i = 0; config.env[i] != NULL; i++)
        if (strchr (config.env[i], '=') == NULL || config.env[i][0] == '=')
          {
            g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                         "%s: env[%u]: \"%s\" is not KEY=VALUE", where, i, config.env[i]);
            return FALSE;
          }
    }
  if (json_object_has_member (object, "workingDir"))
    {
      JsonNode *wd = json_object_get_member (object, "workingDir");
      if (!JSON_NODE_HOLDS_VALUE (wd) || json_node_get_value_type (wd) != G_TYPE_STRING
          || !g_path_is_absolute (json_node_get_string (wd)))
        {
          g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                       "%s: workingDir: expected an absolute path", where);
          return FALSE;
        }
      config.working_dir = g_strdup (json_node_get_string (wd));
    }
  *out = config;
  memset (&config, 0, sizeof config);
  return TRUE;
}

static void
add_strv (JsonBuilder *b, const char *member, char **strv)
{
  if (strv == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

JsonNode *
ks_image_config_to_json (const KsImageConfig *config)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_strv (b, "entrypoint", config->entrypoint);
  add_strv (b, "cmd", config->cmd);
  add_strv (b, "env", config->env);
  if (config->working_dir != NULL)
    {
      json_builder_set_member_name (b, "workingDir");
      json_builder_add_string_value (b, config->working_dir);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
ks_image_config_load (const char *path, KsImageConfig *out, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      if (*error != NULL && (*error)->domain != G_FILE_ERROR)
        {
          /* One domain for the caller: a file that is not JSON is a bad config. */
          (*error)->domain = KS_IMAGE_ERROR;
          (*error)->code = KS_IMAGE_ERROR_CONFIG;
        }
      return FALSE;
    }
  return ks_image_config_from_json (json_parser_get_root (parser), path, out, error);
}

static char *
image_config_to_text (const KsImageConfig *config)
{
  g_autoptr (JsonNode) node = ks_image_config_to_json (config);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

/* References */

static gboolean
is_lower_alnum (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c);
}

/* path-component := alnum+ (separator alnum+)*, separator := "." | "_" | "__" | "-"+ */
static gboolean
valid_path_component (const char *s, gsize n)
{
  gsize i = 0;

  if (n == 0 || !is_lower_alnum (s[0]))
    return FALSE;
  while (i < n)
    {
      while (i < n && is_lower_alnum (s[i]))
        i++;
      if (i == n)
        return TRUE;
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return FALSE;
      if (i == n || !is_lower_alnum (s[i]))
        return FALSE;
    }
  return TRUE;
}

/* domain := component ("." component)* [":" port], component := alnum ([alnum-]* alnum)? */
static gboolean
valid_domain (const char *s)
{
  const char *colon = strchr (s, ':');
  gsize host_len = colon != NULL ? (gsize) (colon - s) : strlen (s);
  gsize start = 0;

  if (colon != NULL)
    {
      if (colon[1] == '\0')
        return FALSE;
      for (const char *p = colon + 1; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
    }
  if (host_len == 0)
    return FALSE;
  while (start <= host_len)
    {
      gsize end = start;
      while (end < host_len && s[end] != '.')
        end++;
      if (end == start || !g_ascii_isalnum (s[start]) || !g_ascii_isalnum (s[end - 1]))
        return FALSE;
      for (gsize i = start; i < end; i++)
        if (!g_ascii_isalnum (s[i]) && s[i] != '-')
          return FALSE;
      start = end + 1;
    }
  return TRUE;
}

static gboolean
valid_tag (const char *tag)
{
  gsize n = strlen (tag);

  if (n == 0 || n > TAG_MAX_LENGTH || !(g_ascii_isalnum (tag[0]) || tag[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_isalnum (tag[i]) && tag[i] != '_' && tag[i] != '.' && tag[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
invalid_reference (GError **error, const char *reference, const char *why)
{
  g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_INVALID_REFERENCE,
               "invalid image reference \"%s\": %s (" REFERENCE_HINT ")", reference, why);
  return FALSE;
}

gboolean
ks_image_reference_parse (const char *reference, char **repository, char **tag, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *domain = NULL;
  const char *remainder, *slash, *colon, *last_slash;
  g_autofree char *path = NULL;
  const char *p;

  g_return_val_if_fail (reference != NULL, FALSE);
  if (reference[0] == '\0')
    return invalid_reference (error, reference, "empty");
  if (strchr (reference, '@') != NULL)
    return invalid_reference (error, reference, "digests are not supported");
  last_slash = strrchr (reference, '/');
  colon = strrchr (reference, ':');
  if (colon != NULL && (last_slash == NULL || colon > last_slash))
    {
      if (!valid_tag (colon + 1))
        return invalid_reference (error, reference,
                                  "a tag is 1 to 128 letters, digits, '_', '.' or '-' and does "
                                  "not start with '.' or '-'");
      name = g_strndup (reference, colon - reference);
      *tag = g_strdup (colon + 1);
    }
  else
    {
      name = g_strdup (reference);
      *tag = g_strdup (DEFAULT_TAG);
    }

  /* The first component is a domain when it looks like a host: it has a '.' or a ':', is
   * "localhost", or has upper-case letters (distribution/reference's splitDockerDomain). */
  slash = strchr (name, '/');
  if (slash != NULL)
    {
      g_autofree char *first = g_strndup (name, slash - name);
      g_autofree char *lower = g_ascii_strdown (first, -1);
      if (strpbrk (first, ".:") != NULL || strcmp (first, "localhost") == 0
          || strcmp (lower, first) != 0)
        {
          domain = g_steal_pointer (&first);
          remainder = slash + 1;
        }
      else
        remainder = name;
    }
  else
    remainder = name;
  if (domain != NULL && !valid_domain (domain))
    {
      g_clear_pointer (tag, g_free);
      return invalid_reference (error, reference, "invalid registry host");
    }
  if (domain == NULL || strcmp (domain, LEGACY_DEFAULT_DOMAIN) == 0)
    {
      g_free (domain);
      domain = g_strdup (DEFAULT_DOMAIN);
    }
  if (strcmp (domain, DEFAULT_DOMAIN) == 0 && strchr (remainder, '/') == NULL)
    path = g_strconcat (OFFICIAL_REPO_PREFIX, remainder, NULL);
  else
    path = g_strdup (remainder);

  for (p = path; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      {
        g_clear_pointer (tag, g_free);
        return invalid_reference (error, reference, "the name must be lower case");
      }
  p = path;
  while (TRUE)
    {
      const char *end = strchr (p, '/');
      gsize n = end != NULL ? (gsize) (end - p) : strlen (p);
      if (!valid_path_component (p, n))
        {
          g_clear_pointer (tag, g_free);
          return invalid_reference (error, reference,
                                    "each part of the name is lower-case letters and digits, "
                                    "separated by '.', '_', '__' or '-'");
        }
      if (end == NULL)
        break;
      p = end + 1;
    }
  *repository = g_strconcat (domain, "/", path, NULL);
  if (strlen (*repository) > NAME_MAX_LENGTH)
    {
      g_clear_pointer (repository, g_free);
      g_clear_pointer (tag, g_free);
      return invalid_reference (error, reference, "the name is longer than 255 characters");
    }
  return TRUE;
}

char *
ks_image_reference_normalize (const char *reference, GError **error)
{
  g_autofree char *repository = NULL;
  g_autofree char *tag = NULL;

  if (!ks_image_reference_parse (reference, &repository, &tag, error))
    return NULL;
  return g_strconcat (repository, ":", tag, NULL);
}

/* Images */

void
ks_image_free (KsImage *image)
{
  if (image == NULL)
    return;
  g_free (image->repository);
  g_free (image->tag);
  g_free (image->reference);
  g_free (image->dir);
  g_free (image->rootfs);
  ks_image_config_clear (&image->config);
  g_free (image);
}

KsImageStore *
ks_image_store_new (const char *data_dir)
{
  KsImageStore *store = g_new0 (KsImageStore, 1);

  store->data_dir = g_strdup (data_dir);
  store->images_dir = g_build_filename (data_dir, "images", NULL);
  store->busybox = g_strdup ("/bin/busybox");
  return store;
}

void
ks_image_store_free (KsImageStore *store)
{
  if (store == NULL)
    return;
  g_free (store->data_dir);
  g_free (store->images_dir);
  g_free (store->busybox);
  g_free (store);
}

void
ks_image_store_set_busybox (KsImageStore *store, const char *path)
{
  g_free (store->busybox);
  store->busybox = g_strdup (path);
}

static char *
image_dir (KsImageStore *store, const char *repository, const char *tag)
{
  return g_build_filename (store->images_dir, repository, tag, NULL);
}

/* The image in dir, or NULL: ENOENT (as KS_IMAGE_ERROR_NOT_FOUND) when dir holds no image. */
static KsImage *
load_image (KsImageStore *store, const char *repository, const char *tag, GError **error)
{
  g_autoptr (KsImage) image = g_new0 (KsImage, 1);
  g_autofree char *json = NULL;

  image->repository = g_strdup (repository);
  image->tag = g_strdup (tag);
  image->reference = g_strconcat (repository, ":", tag, NULL);
  image->dir = image_dir (store, repository, tag);
  image->rootfs = g_build_filename (image->dir, "rootfs", NULL);
  json = g_build_filename (image->dir, "image.json", NULL);
  if (!g_file_test (json, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND, "no image %s in %s",
                   image->reference, store->images_dir);
      return NULL;
    }
  if (!ks_image_config_load (json, &image->config, error))
    return NULL;
  if (!g_file_test (image->rootfs, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG,
                   "image %s: %s is missing or not a directory", image->reference, image->rootfs);
      return NULL;
    }
  return g_steal_pointer (&image);
}

KsImage *
ks_image_store_lookup (KsImageStore *store, const char *reference, GError **error)
{
  g_autofree char *repository = NULL;
  g_autofree char *tag = NULL;
  g_autoptr (GError) local = NULL;
  KsImage *image;

  if (!ks_image_reference_parse (reference, &repository, &tag, error))
    return NULL;
  image = load_image (store, repository, tag, &local);
  if (image != NULL)
    return image;
  if (!g_error_matches (local, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (strcmp (repository, BUSYBOX_REPOSITORY) == 0 && strcmp (tag, DEFAULT_TAG) == 0)
    return ks_image_store_ensure_busybox (store, error);
  g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND,
               "image \"%s\" (%s:%s) is not in the image store %s: add it with "
               "`kubesim image import %s DIR|TARBALL`",
               reference, repository, tag, store->images_dir, reference);
  return NULL;
}

/* Adding images */

/* An image that would sit inside another's directory, or around others, would mix their files:
 * refuse it. */
static gboolean
check_no_overlap (KsImageStore *store, const char *repository, const char *tag, GError **error)
{
  g_autofree char *dir = image_dir (store, repository, tag);
  g_autofree char *parent = g_path_get_dirname (dir);

  while (strlen (parent) > strlen (store->images_dir))
    {
      g_autofree char *json = g_build_filename (parent, "image.json", NULL);
      char *up;
      if (g_file_test (json, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS,
                       "image %s:%s would be stored inside the image in %s; choose another name",
                       repository, tag, parent);
          return FALSE;
        }
      up = g_path_get_dirname (parent);
      g_free (parent);
      parent = up;
    }
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS, "image %s:%s already exists (%s)",
                   repository, tag, dir);
      return FALSE;
    }
  return TRUE;
}

/* Run argv, which must succeed; its stderr (or stdout when out is NULL) goes into the message. */
static gboolean
run_tool (const char *const *argv, char **out, GError **error)
{
  g_autoptr (GSubprocess) p = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                         error);
  if (p == NULL
      || !g_subprocess_communicate_utf8 (p, NULL, NULL, &stdout_text, &stderr_text, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (p) || g_subprocess_get_exit_status (p) != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv);
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT, "%s failed: %s", command,
                   g_strstrip (stderr_text != NULL ? stderr_text : (char *) ""));
      return FALSE;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

/* Make name a directory in dir (a symbolic link or other file there is left alone: nothing is
 * created through links of an untrusted root file system).  Returns whether dir/name is a real
 * directory. */
static gboolean
ensure_dir (const char *dir, const char *name, int mode, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  if (lstat (path, &st) == 0)
    return S_ISDIR (st.st_mode);
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create directory %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  /* mkdir honours the umask; the sticky /tmp needs its mode set. */
  if (chmod (path, mode) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot chmod %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* What runc mounts onto must exist in the rootfs, since containers see it read-only. */
static gboolean
ensure_mount_points (const char *rootfs, GError **error)
{
  static const char *const dirs[] = { "proc", "sys", "dev", "tmp" };
  static const char *const etc_files[] = { "hosts", "hostname", "resolv.conf" };
  g_autoptr (GError) local = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      ensure_dir (rootfs, dirs[i], strcmp (dirs[i], "tmp") == 0 ? 01777 : 0755, &local);
      if (local != NULL)
        goto fail;
    }
  if (ensure_dir (rootfs, "etc", 0755, &local))
    for (guint i = 0; i < G_N_ELEMENTS (etc_files); i++)
      {
        g_autofree char *path = g_build_filename (rootfs, "etc", etc_files[i], NULL);
        if (!ks_fs_touch (path, &local))
          goto fail;
      }
  if (local == NULL)
    return TRUE;
fail:
  g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT, "%s", local->message);
  return FALSE;
}

/* A `docker save` or OCI layout archive holds layers, not a root file system. */
static gboolean
check_rootfs (const char *rootfs, const char *source, GError **error)
{
  g_autofree char *manifest = g_build_filename (rootfs, "manifest.json", NULL);
  g_autofree char *repositories = g_build_filename (rootfs, "repositories", NULL);
  g_autofree char *oci_layout = g_build_filename (rootfs, "oci-layout", NULL);
  g_autoptr (GDir) dir = NULL;

  if ((g_file_test (manifest, G_FILE_TEST_EXISTS) && g_file_test (repositories, G_FILE_TEST_EXISTS))
      || g_file_test (oci_layout, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT,
                   "%s is an image archive (docker save or OCI layout), not a root file system: "
                   "import the output of `docker export` or an unpacked root file system",
                   source);
      return FALSE;
    }
  dir = g_dir_open (rootfs, 0, NULL);
  if (dir == NULL || g_dir_read_name (dir) == NULL)
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT, "%s is empty", source);
      return FALSE;
    }
  return TRUE;
}

/* A temporary directory next to the images, for an image being prepared. */
static char *
make_staging (KsImageStore *store, GError **error)
{
  g_autofree char *tmpl = NULL;
  g_autofree char *rootfs = NULL;

  if (!ks_fs_mkdirs (store->images_dir, 0755, error))
    return NULL;
  tmpl = g_build_filename (store->images_dir, ".tmp-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0755) == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create a directory in %s: %s", store->images_dir, g_strerror (errno));
      return NULL;
    }
  rootfs = g_build_filename (tmpl, "rootfs", NULL);
  if (mkdir (rootfs, 0755) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create directory %s: %s", rootfs, g_strerror (errno));
      ks_fs_remove_tree (tmpl, NULL);
      return NULL;
    }
  return g_steal_pointer (&tmpl);
}

/* Write image.json into staging and rename it to the image's directory. */
static gboolean
commit_image (KsImageStore *store, const char *staging, const char *repository, const char *tag,
              const KsImageConfig *config, GError **error)
{
  g_autofree char *json = g_build_filename (staging, "image.json", NULL);
  g_autofree char *text = image_config_to_text (config);
  g_autofree char *dir = image_dir (store, repository, tag);
  g_autofree char *parent = g_path_get_dirname (dir);

  if (!g_file_set_contents_full (
          json, text, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error)
      || !ks_fs_mkdirs (parent, 0755, error))
    return FALSE;
  if (rename (staging, dir) < 0)
    {
      int errsv = errno;
      if (errsv == EEXIST || errsv == ENOTEMPTY)
        g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS,
                     "image %s:%s already exists (%s)", repository, tag, dir);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                     "cannot rename %s to %s: %s", staging, dir, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

KsImage *
ks_image_store_import (KsImageStore *store, const char *reference, const char *source,
                       const KsImageConfig *config, GError **error)
{
  g_autofree char *repository = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *rootfs = NULL;
  g_auto (KsImageConfig) effective = { 0 };
  struct stat st;
  gboolean ok;

  if (!ks_image_reference_parse (reference, &repository, &tag, error))
    return NULL;
  if (stat (source, &st) < 0)
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT, "%s: %s", source,
                   g_strerror (errno));
      return NULL;
    }
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT,
                   "%s is neither a directory nor a tarball (.tar, .tar.gz, .tgz)", source);
      return NULL;
    }
  if (!check_no_overlap (store, repository, tag, error))
    return NULL;
  if (config != NULL)
    ks_image_config_copy (&effective, config);
  if (effective.entrypoint == NULL && effective.cmd == NULL)
    effective.cmd = g_strdupv ((char *[]){ (char *) "sh", NULL });
  if (effective.env == NULL)
    effective.env = g_strdupv ((char *[]){ (char *) DEFAULT_PATH, NULL });

  staging = make_staging (store, error);
  if (staging == NULL)
    return NULL;
  rootfs = g_build_filename (staging, "rootfs", NULL);
  if (S_ISDIR (st.st_mode))
    {
      g_autofree char *from = g_build_filename (source, ".", NULL);
      const char *argv[] = { "cp", "-a", "--", from, rootfs, NULL };
      ok = run_tool (argv, NULL, error);
    }
  else
    {
      /* GNU tar recognises gzip (and other) compression by the file's contents. */
      const char *argv[] = { "tar", "-x", "--numeric-owner", "-f", source, "-C", rootfs, NULL };
      ok = run_tool (argv, NULL, error);
      if (!ok)
        g_prefix_error (error, "%s: not a readable tarball (.tar, .tar.gz, .tgz): ", source);
    }
  ok = ok && check_rootfs (rootfs, source, error) && ensure_mount_points (rootfs, error)
       && commit_image (store, staging, repository, tag, &effective, error);
  if (!ok)
    {
      ks_fs_remove_tree (staging, NULL);
      return NULL;
    }
  return load_image (store, repository, tag, error);
}

/* The built-in busybox */

/* Whether the ELF file at path asks for a dynamic loader (PT_INTERP): such a busybox would not
 * run in a root file system without its libraries. */
static gboolean
elf_is_dynamic (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  const Elf64_Ehdr *eh;

  if (!g_file_get_contents (path, &data, &len, error))
    return TRUE;
  eh = (const Elf64_Ehdr *) data;
  if (len < sizeof *eh || memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0
      || eh->e_ident[EI_CLASS] != ELFCLASS64)
    return FALSE; /* not something this check understands: let `--list-full` judge */
  for (guint i = 0; i < eh->e_phnum; i++)
    {
      gsize off = eh->e_phoff + (gsize) i * eh->e_phentsize;
      const Elf64_Phdr *ph;
      if (off + sizeof *ph > len)
        break;
      ph = (const Elf64_Phdr *) (data + off);
      if (ph->p_type == PT_INTERP)
        return TRUE;
    }
  return FALSE;
}

static gboolean
build_busybox (KsImageStore *store, const char *rootfs, GError **error)
{
  static const char *const dirs[]
      = { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "proc", "sys", "dev" };
  const char *argv[] = { store->busybox, "--list-full", NULL };
  g_autofree char *list = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *target = g_build_filename (rootfs, "bin", "busybox", NULL);
  g_auto (GStrv) lines = NULL;
  gsize len;

  if (!g_file_test (store->busybox, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_BUILTIN,
                   "the built-in busybox image needs %s (Debian package busybox-static)",
                   store->busybox);
      return FALSE;
    }
  if (elf_is_dynamic (store->busybox, NULL))
    {
      g_set_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_BUILTIN,
                   "%s is dynamically linked; the built-in busybox image needs a static busybox "
                   "(Debian package busybox-static)",
                   store->busybox);
      return FALSE;
    }
  if (!run_tool (argv, &list, error))
    {
      (*error)->code = KS_IMAGE_ERROR_BUILTIN;
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (!ensure_dir (rootfs, dirs[i], strcmp (dirs[i], "root") == 0 ? 0700 : 0755, error))
      return FALSE;
  if (!g_file_get_contents (store->busybox, &binary, &len, error)
      || !g_file_set_contents_full (target, binary, len, G_FILE_SET_CONTENTS_NONE, 0755, error))
    return FALSE;
  lines = g_strsplit (list, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *applet = g_strstrip (lines[i]);
      g_autofree char *link = NULL;
      g_autofree char *dir = NULL;
      if (applet[0] == '\0' || applet[0] == '/' || strstr (applet, "..") != NULL
          || strcmp (applet, "bin/busybox") == 0)
        continue;
      link = g_build_filename (rootfs, applet, NULL);
      dir = g_path_get_dirname (link);
      if (!ks_fs_mkdirs (dir, 0755, error))
        return FALSE;
      if (symlink ("/bin/busybox", link) < 0 && errno != EEXIST)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot create symbolic link %s: %s", link, g_strerror (errno));
          return FALSE;
        }
    }
  {
    g_autofree char *passwd = g_build_filename (rootfs, "etc", "passwd", NULL);
    g_autofree char *group = g_build_filename (rootfs, "etc", "group", NULL);
    if (!ks_fs_write_file (passwd,
                           "root:x:0:0:root:/root:/bin/sh\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
                           -1, error)
        || !ks_fs_write_file (group, "root:x:0:\nnobody:x:65534:\n", -1, error))
      return FALSE;
  }
  if (!ensure_mount_points (rootfs, error))
    return FALSE;
  return TRUE;
}

KsImage *
ks_image_store_ensure_busybox (KsImageStore *store, GError **error)
{
  g_autofree char *repository = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *rootfs = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GError) commit_error = NULL;
  KsImageConfig config = { 0 };
  char *cmd[] = { (char *) "sh", NULL };
  char *env[] = { (char *) DEFAULT_PATH, NULL };
  KsImage *image;

  repository = g_strdup (BUSYBOX_REPOSITORY);
  tag = g_strdup (DEFAULT_TAG);
  image = load_image (store, repository, tag, &local);
  if (image != NULL || !g_error_matches (local, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND))
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return image;
    }
  staging = make_staging (store, error);
  if (staging == NULL)
    return NULL;
  rootfs = g_build_filename (staging, "rootfs", NULL);
  config.cmd = cmd;
  config.env = env;
  if (!build_busybox (store, rootfs, error))
    {
      ks_fs_remove_tree (staging, NULL);
      return NULL;
    }
  if (!commit_image (store, staging, repository, tag, &config, &commit_error))
    {
      ks_fs_remove_tree (staging, NULL);
      /* Another process made it meanwhile: use theirs. */
      if (!g_error_matches (commit_error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&commit_error));
          return NULL;
        }
    }
  return load_image (store, repository, tag, error);
}

/* Listing */

static gboolean
list_dir (KsImageStore *store, const char *dir, GPtrArray *images, GError **error)
{
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *json = g_build_filename (path, "image.json", NULL);
      struct stat st;
      if (lstat (path, &st) < 0 || !S_ISDIR (st.st_mode))
        continue;
      if (g_file_test (json, G_FILE_TEST_EXISTS))
        {
          /* path = images/<repository>/<tag> */
          const char *rel = path + strlen (store->images_dir) + 1;
          g_autofree char *repository = g_path_get_dirname (rel);
          g_autoptr (GError) local = NULL;
          KsImage *image = load_image (store, repository, names->pdata[i], &local);
          if (image != NULL)
            g_ptr_array_add (images, image);
          else
            g_warning ("skipping %s: %s", path, local->message);
          continue;
        }
      if (!list_dir (store, path, images, error))
        return FALSE;
    }
  return TRUE;
}

static int
compare_images (gconstpointer a, gconstpointer b)
{
  const KsImage *x = *(KsImage *const *) a, *y = *(KsImage *const *) b;
  return strcmp (x->reference, y->reference);
}

GPtrArray *
ks_image_store_list (KsImageStore *store, GError **error)
{
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_image_free);

  if (!g_file_test (store->images_dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&images);
  if (!list_dir (store, store->images_dir, images, error))
    return NULL;
  g_ptr_array_sort (images, compare_images);
  return g_steal_pointer (&images);
}

/* ks-volumes.c: a pod's volumes on the host in real mode (see ks-volumes.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "ks-fsutil.h"
#include "ks-volumes.h"

void
ks_oci_mount_free (KsOciMount *m)
{
  if (m == NULL)
    return;
  g_free (m->destination);
  g_free (m->source);
  g_free (m);
}

char *
ks_volume_pv_host_path (const KsPersistentVolume *pv, GError **error)
{
  const char *path = NULL;

  if (pv->source != NULL && JSON_NODE_HOLDS_OBJECT (pv->source)
      && (g_strcmp0 (pv->source_type, "hostPath") == 0
          || g_strcmp0 (pv->source_type, "local") == 0))
    path = json_object_get_string_member_with_default (json_node_get_object (pv->source), "path",
                                                       NULL);
  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "persistent volume %s is a %s volume: real mode mounts only hostPath and local "
                   "volumes with an absolute path (a StorageClass with the kubesim.io/hostpath "
                   "provisioner makes them)",
                   pv->parent.meta.name, pv->source_type != NULL ? pv->source_type : "(no source)");
      return NULL;
    }
  return g_strdup (path);
}

/* Check or make path as a hostPath volume of this type (HostPathType) wants. */
static gboolean
host_path_prepare (const char *volume, const char *path, const char *type, GError **error)
{
  struct stat st;
  gboolean exists = stat (path, &st) == 0;

  if (type == NULL || type[0] == '\0')
    return TRUE;
  if (strcmp (type, "DirectoryOrCreate") == 0)
    {
      if (!exists)
        return ks_fs_mkdirs (path, 0755, error);
      type = "Directory";
    }
  if (strcmp (type, "FileOrCreate") == 0)
    {
      if (!exists)
        {
          g_autofree char *parent = g_path_get_dirname (path);
          return ks_fs_mkdirs (parent, 0755, error) && ks_fs_touch (path, error);
        }
      type = "File";
    }
  if (strcmp (type, "Directory") == 0 || strcmp (type, "File") == 0)
    {
      gboolean dir = strcmp (type, "Directory") == 0;
      if (!exists || (dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "volume \"%s\": hostPath type check failed: %s is not a %s", volume, path,
                       dir ? "directory" : "file");
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "volume \"%s\": hostPath type \"%s\" is not supported in real mode (supported: "
               "\"\", DirectoryOrCreate, Directory, FileOrCreate, File)",
               volume, type);
  return FALSE;
}

/* The host source of volume v (a spec.volumes mapping), made or checked. */
static char *
volume_source (const KsPod *pod, JsonObject *v, const char *name, const char *pod_dir,
               KsClaimPathFunc claim_path, gpointer data, gboolean *read_only, GError **error)
{
  if (json_object_has_member (v, "emptyDir"))
    {
      char *dir = g_build_filename (pod_dir, "volumes", name, NULL);
      if (!ks_fs_mkdirs (dir, 0777, error))
        {
          g_free (dir);
          return NULL;
        }
      /* As the kubelet makes it: writable by every user of the pod. */
      chmod (dir, 0777);
      return dir;
    }
  if (json_object_has_member (v, "hostPath"))
    {
      JsonObject *hp = json_object_get_object_member (v, "hostPath");
      const char *path
          = hp != NULL ? json_object_get_string_member_with_default (hp, "path", NULL) : NULL;
      const char *type
          = hp != NULL ? json_object_get_string_member_with_default (hp, "type", NULL) : NULL;
      if (path == NULL || !g_path_is_absolute (path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "volume \"%s\": hostPath.path must be an absolute path", name);
          return NULL;
        }
      if (!host_path_prepare (name, path, type, error))
        return NULL;
      return g_strdup (path);
    }
  if (json_object_has_member (v, "persistentVolumeClaim"))
    {
      JsonObject *pvc = json_object_get_object_member (v, "persistentVolumeClaim");
      const char *claim = json_object_get_string_member_with_default (pvc, "claimName", NULL);
      char *path;
      if (claim_path == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "volume \"%s\": persistent volume claims cannot be mounted here", name);
          return NULL;
        }
      if (json_object_get_boolean_member_with_default (pvc, "readOnly", FALSE))
        *read_only = TRUE;
      path = claim_path (data, pod->parent.meta.namespace, claim, error);
      if (path == NULL)
        return NULL;
      if (!ks_fs_mkdirs (path, 0777, error))
        {
          g_free (path);
          return NULL;
        }
      return path;
    }
  {
    g_autoptr (GList) members = json_object_get_members (v);
    const char *type = NULL;
    for (GList *l = members; l != NULL; l = l->next)
      if (strcmp (l->data, "name") != 0)
        type = l->data;
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "volume \"%s\": %s volumes are not supported in real mode (supported: emptyDir, "
                 "hostPath, persistentVolumeClaim)",
                 name, type != NULL ? type : "(no source)");
    return NULL;
  }
}

/* base/sub, made as a directory if missing, refused when it resolves outside base (a symbolic
 * link in the volume pointing elsewhere), as the kubelet's safe subPath handling does. */
static char *
sub_path_source (const char *volume, const char *base, const char *sub, GError **error)
{
  g_autofree char *path = g_build_filename (base, sub, NULL);
  g_autofree char *real_base = NULL;
  g_autofree char *real_path = NULL;
  struct stat st;

  if (lstat (path, &st) < 0 && !ks_fs_mkdirs (path, 0777, error))
    return NULL;
  real_base = realpath (base, NULL);
  real_path = realpath (path, NULL);
  if (real_base == NULL || real_path == NULL
      || (strcmp (real_path, real_base) != 0
          && !(g_str_has_prefix (real_path, real_base) && real_path[strlen (real_base)] == '/')))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "volume \"%s\": subPath \"%s\" resolves outside the volume", volume, sub);
      return NULL;
    }
  return g_steal_pointer (&real_path);
}

gboolean
ks_volume_mounts (const KsPod *pod, const KsContainer *c, const char *pod_dir,
                  KsClaimPathFunc claim_path, gpointer claim_path_data, GPtrArray *out,
                  GError **error)
{
  for (guint i = 0; i < c->n_volume_mounts; i++)
    {
      const KsVolumeMount *vm = &c->volume_mounts[i];
      JsonObject *v = ks_pod_spec_find_volume (pod->spec, vm->name);
      gboolean read_only = vm->read_only;
      g_autofree char *source = NULL;
      KsOciMount *m;

      if (v == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "volumeMount \"%s\" of container \"%s\": the pod has no such volume",
                       vm->name, c->name);
          return FALSE;
        }
      source = volume_source (pod, v, vm->name, pod_dir, claim_path, claim_path_data, &read_only,
                              error);
      if (source == NULL)
        return FALSE;
      if (vm->sub_path != NULL)
        {
          char *sub = sub_path_source (vm->name, source, vm->sub_path, error);
          if (sub == NULL)
            return FALSE;
          g_free (source);
          source = sub;
        }
      m = g_new0 (KsOciMount, 1);
      /* The kubelet makes a relative mountPath absolute (makeAbsolutePath). */
      m->destination = g_path_is_absolute (vm->mount_path)
                           ? g_strdup (vm->mount_path)
                           : g_strconcat ("/", vm->mount_path, NULL);
      m->source = g_steal_pointer (&source);
      m->read_only = read_only;
      g_ptr_array_add (out, m);
    }
  return TRUE;
}

gboolean
ks_volume_remove_provisioned (const char *dir, const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *canon_dir = g_canonicalize_filename (dir, NULL);
  struct stat st;

  if (!g_path_is_absolute (path) || strcmp (parent, canon_dir) != 0 || base[0] == '.')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing to remove %s: not a volume directory directly below %s", path, dir);
      return FALSE;
    }
  if (lstat (path, &st) < 0)
    return TRUE;
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "refusing to remove %s: not a directory", path);
      return FALSE;
    }
  return ks_fs_remove_tree (path, error);
}

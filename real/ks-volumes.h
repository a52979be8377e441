/* ks-volumes.h: a pod's volumes on the host in real mode (the kubelet's volume manager, for the
 * volume types kubesim runs).
 *
 * Each volumeMount of a container becomes a bind mount in its OCI config: the volume's host
 * directory (or its subPath below it) at mountPath.  Volumes:
 * - emptyDir: <pod dir>/volumes/<name>, made with the pod's first container and removed with the
 *   pod (the pod directory goes when its sandbox does);
 * - hostPath: the path, checked or made by its type ("", DirectoryOrCreate, Directory,
 *   FileOrCreate, File);
 * - persistentVolumeClaim: the bound PersistentVolume's hostPath or local path, found through a
 *   KsClaimPathFunc (the node agent asks the API), made if missing (a provisioned volume's
 *   directory appears when it is first mounted).
 * Other volume types are refused with an error naming them (the container cannot be created). */
#pragma once

#include "src/api/ks-pod.h"
#include "src/api/ks-storage.h"

G_BEGIN_DECLS

/* A bind mount of a container. */
typedef struct
{
  char *destination; /* absolute, in the container */
  char *source;      /* absolute, on the host */
  gboolean read_only;
} KsOciMount;

void ks_oci_mount_free (KsOciMount *m);

/* The host path of the volume bound to claim in namespace ns (newly allocated), or NULL with an
 * error (no such claim, not bound, a volume that is not a host directory). */
typedef char *(*KsClaimPathFunc) (gpointer user_data, const char *ns, const char *claim,
                                  GError **error);

/* The host directory of pv: spec.hostPath.path or spec.local.path (newly allocated), or NULL with
 * an error naming the volume's source type. */
char *ks_volume_pv_host_path (const KsPersistentVolume *pv, GError **error);

/* The bind mounts of container c of pod (KsOciMount *, appended to out in volumeMounts order),
 * making what is missing: emptyDir directories under pod_dir, hostPath paths as their type says,
 * claims' directories, subPath directories.  claim_path may be NULL (claims are then refused).
 * FALSE with an error (G_IO_ERROR) naming the volume and what is wrong. */
gboolean ks_volume_mounts (const KsPod *pod, const KsContainer *c, const char *pod_dir,
                           KsClaimPathFunc claim_path, gpointer claim_path_data, GPtrArray *out,
                           GError **error);

/* Remove the directory of a deleted volume provisioned by the kubesim.io/hostpath provisioner:
 * path, which must be a directory directly below dir (the provisioner's directory); a missing
 * path is not an error.  Refuses anything else (FALSE with an error). */
gboolean ks_volume_remove_provisioned (const char *dir, const char *path, GError **error);

G_END_DECLS

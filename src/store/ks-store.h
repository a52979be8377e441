/* ks-store.h: the object store: what etcd plus the API server are to Kubernetes.
 *
 * Objects live by kind, namespace and name, each stamped with a global, increasing
 * resourceVersion.  Creates are admitted as the API server admits them (namespace must exist,
 * generated names, UIDs, pod priority from its PriorityClass, default tolerations).  Watchers
 * get ADDED/MODIFIED/DELETED events, in resourceVersion order, after each change; a watcher
 * that changes the store from its callback sees its own change after the current event has
 * reached every watcher.  Deleting a pod that runs on a node is graceful: it gets a
 * deletionTimestamp and stays until its kubelet removes it.
 *
 * Objects returned by the store are borrowed and immutable; to change one, copy it
 * (ks_object_copy) and update the copy.
 *
 * In sim the store lives in memory only.  In real mode it has a backend (ks-store-backend.h, the
 * SQLite one in ks-sqlite-backend.h): each change is written there before the store changes and
 * before its watch event is queued, so a write that returned is durable and one that failed
 * changed nothing; at start the store loads what the backend holds. */
#pragma once

#include <gsl/gsl_rng.h>

#include "ks-store-backend.h"
#include "src/api/ks-object.h"
#include "src/ks-clock.h"

G_BEGIN_DECLS

#define KS_STORE_ERROR (ks_store_error_quark ())
GQuark ks_store_error_quark (void);

/* Error codes, with the HTTP status the API server answers. */
typedef enum
{
  KS_STORE_ERROR_NOT_FOUND,      /* 404 NotFound */
  KS_STORE_ERROR_ALREADY_EXISTS, /* 409 AlreadyExists */
  KS_STORE_ERROR_CONFLICT,       /* 409 Conflict (stale resourceVersion) */
  KS_STORE_ERROR_INVALID,        /* 422 Invalid */
  KS_STORE_ERROR_FORBIDDEN,      /* 403 Forbidden (admission) */
  KS_STORE_ERROR_BAD_REQUEST,    /* 400 BadRequest */
  KS_STORE_ERROR_INTERNAL,       /* 500 InternalError: the backend could not store the change, or an
                                    allocation range is full */
} KsStoreError;

typedef enum
{
  KS_WATCH_ADDED,
  KS_WATCH_MODIFIED,
  KS_WATCH_DELETED,
} KsWatchEventType;

const char *ks_watch_event_type_name (KsWatchEventType type); /* "ADDED", ... */

typedef struct
{
  KsWatchEventType type;
  KsObject *object;     /* the new state; for DELETED the last state.  Borrowed. */
  KsObject *old_object; /* MODIFIED: the previous state; else NULL.  Borrowed. */
} KsWatchEvent;

typedef void (*KsWatchFunc) (const KsWatchEvent *event, gpointer user_data);

typedef enum
{
  KS_PROPAGATION_BACKGROUND, /* delete the owner now; the garbage collector deletes dependents */
  KS_PROPAGATION_ORPHAN,     /* remove the owner's references from dependents, keep them */
  KS_PROPAGATION_FOREGROUND, /* treated as Background (see docs/architecture.md) */
} KsPropagationPolicy;

typedef struct
{
  gint64 grace_period_seconds; /* -1: the object's default (pods: terminationGracePeriodSeconds) */
  KsPropagationPolicy propagation;
} KsDeleteOptions;

#define KS_DELETE_OPTIONS_DEFAULT ((KsDeleteOptions){ .grace_period_seconds = -1 })

typedef struct _KsStore KsStore;

/* A store on clock (for timestamps), drawing UIDs and generated names from its own random
 * stream of seed. */
KsStore *ks_store_new (KsClock *clock, guint64 seed);
void ks_store_free (KsStore *store);
KsClock *ks_store_get_clock (KsStore *store);

/* Draw UIDs and generated names from the system's random source (getrandom(2)) instead of the
 * seeded stream.  For a store whose objects outlive the process (real mode): a stream seeded the
 * same way, or with one of its 2^32 seeds again, would hand out the same UIDs and names after a
 * restart.  Not reproducible, so sim never uses it.  Call before the first create. */
void ks_store_use_system_random (KsStore *store);

/* Write every change through backend (the store takes it and frees it with the store) before
 * making it, encoding objects with ks_object_to_json (obj, epoch) (epoch: the Unix time in µs of
 * the clock's time 0; 0 in real mode).  The store must be new (nothing created yet).  A backend
 * failure fails the write with KS_STORE_ERROR_INTERNAL and leaves the store as it was, but a
 * delete that changes several objects (orphaning dependents, a namespace and what it holds) is one
 * write per object, as Kubernetes' controllers make them: a failure stops it after the objects
 * already changed, whose watch events are delivered, and the object itself stays. */
void ks_store_set_backend (KsStore *store, KsStoreBackend *backend, gint64 epoch);

/* Load every object of the backend into the new store (call before anything else uses it), as
 * stored: no admission, no watch events (watches started afterwards replay them).  Objects are
 * decoded as KS_DECODE_STORED with the backend's epoch; the resourceVersion continues after the
 * backend's last one.  On error (KS_STORE_BACKEND_ERROR: a record that cannot be read back, or
 * the backend's own failure) the store stays empty. */
gboolean ks_store_load (KsStore *store, GError **error);

/* The resourceVersion of the last change. */
guint64 ks_store_get_resource_version (KsStore *store);

/* Reads: borrowed objects. */
KsObject *ks_store_get (KsStore *store, const KsKind *kind, const char *ns, const char *name);
/* Append the objects of kind (in namespace ns, or all when NULL) to out, sorted by namespace
 * and name.  Borrowed. */
void ks_store_list (KsStore *store, const KsKind *kind, const char *ns, GPtrArray *out);
guint ks_store_count (KsStore *store, const KsKind *kind);
/* Append the objects of kind (any kind when NULL) that have an owner reference to owner_uid,
 * sorted by kind, namespace and name.  Borrowed. */
void ks_store_list_dependents (KsStore *store, const KsKind *kind, const KsUid *owner_uid,
                               GPtrArray *out);

/* Writes.  Each returns the stored object (borrowed), or NULL with error. */
/* Create obj (the store takes a reference).  Name from generateName when name is unset. */
KsObject *ks_store_create (KsStore *store, KsObject *obj, GError **error);
/* Replace the stored object with obj (same kind/namespace/name).  A non-zero
 * metadata.resourceVersion must equal the stored one (else CONFLICT).  Server-owned metadata
 * (uid, creationTimestamp, deletionTimestamp) is kept; generation grows when the spec changes
 * and status_only is FALSE.  Admission applies to updates of Services (allocated addresses are
 * kept, clusterIP is immutable: ks-admission.h).  An update that removes the last finalizer of
 * an object being deleted (deletionGracePeriodSeconds 0) removes it: the returned object, which
 * the caller still holds, is then no longer stored.  Adding finalizers to an object being
 * deleted is FORBIDDEN. */
KsObject *ks_store_update (KsStore *store, KsObject *obj, gboolean status_only, GError **error);
/* Delete.  Pods on a node that are not terminal get a deletionTimestamp (now + grace) and stay
 * until deleted again with grace 0; an object with finalizers gets a deletionTimestamp (now,
 * grace 0) and stays until an update removes them; everything else is removed at once.  Returns
 * FALSE with NOT_FOUND when absent. */
gboolean ks_store_delete (KsStore *store, const KsKind *kind, const char *ns, const char *name,
                          const KsDeleteOptions *options, GError **error);

/* The pods/binding subresource: set the pod's nodeName and condition PodScheduled=True.
 * uid (may be NULL) must match.  CONFLICT when the pod is already bound or being deleted. */
gboolean ks_store_bind (KsStore *store, const char *ns, const char *name, const KsUid *uid,
                        const char *node, GError **error);

/* Watch changes to objects of kind (all kinds when NULL).  node_name (pods only) restricts to
 * pods bound to that node: a pod becoming bound to it arrives as ADDED.  With replay, ADDED
 * events for the existing objects are delivered first, now, in list order.  The watcher gets
 * the events of changes made after it started (resourceVersion above the store's at the call),
 * including changes its callback makes during the replay, delivered once the replay is done;
 * events still queued for earlier changes are not its business.  Returns an id for
 * ks_store_unwatch.  destroy is called on user_data at unwatch or store free. */
guint ks_store_watch (KsStore *store, const KsKind *kind, const char *node_name, gboolean replay,
                      KsWatchFunc func, gpointer user_data, GDestroyNotify destroy);
void ks_store_unwatch (KsStore *store, guint id);

G_END_DECLS

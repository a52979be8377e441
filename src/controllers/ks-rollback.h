/* ks-rollback.h: rolling a Deployment back to an earlier revision, as `kubectl rollout undo`
 * does (reference §3.8): the deployment gets the template and annotations of the ReplicaSet of
 * that revision, and its controller then rolls that template out like any other change. */
#pragma once

#include "src/store/ks-client.h"

G_BEGIN_DECLS

#define KS_ROLLBACK_ERROR (ks_rollback_error_quark ())
GQuark ks_rollback_error_quark (void);

typedef enum
{
  KS_ROLLBACK_ERROR_NOT_FOUND,   /* no such deployment */
  KS_ROLLBACK_ERROR_PAUSED,      /* spec.paused */
  KS_ROLLBACK_ERROR_NO_HISTORY,  /* revision 0 without a previous revision */
  KS_ROLLBACK_ERROR_NO_REVISION, /* no ReplicaSet of the given revision */
} KsRollbackError;

/* Roll deployment ns/name back to revision (0: the previous one, i.e. the second-highest
 * revision among the ReplicaSets it controls).  When the current template already is that
 * revision's, nothing changes and *skipped (may be NULL) is set to TRUE.  *revision_out (may be
 * NULL) gets the revision rolled back to.  Errors carry kubectl's messages (KS_ROLLBACK_ERROR, or
 * the client's when the update fails). */
gboolean ks_deployment_rollback (KsClient *client, const char *ns, const char *name,
                                 gint64 revision, gint64 *revision_out, gboolean *skipped,
                                 GError **error);

G_END_DECLS

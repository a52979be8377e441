/* ks-admission.h: what the API server's admission plugins do to new objects: Priority (pod
 * priority from its PriorityClass, or the global default), DefaultTolerationSeconds (pods
 * tolerate not-ready/unreachable for 300 s), and the PriorityClass "one global default" rule. */
#pragma once

#include "ks-store.h"

G_BEGIN_DECLS

/* The DefaultTolerationSeconds admission plugin's default. */
#define KS_DEFAULT_TOLERATION_SECONDS 300

/* Admit obj for creation, modifying it in place.  FALSE with a KS_STORE_ERROR_FORBIDDEN error
 * (Kubernetes' message) when the object is refused. */
gboolean ks_admission_admit_create (KsStore *store, KsObject *obj, GError **error);

G_END_DECLS

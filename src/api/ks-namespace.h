/* ks-namespace.h: v1 Namespace and scheduling.k8s.io/v1 PriorityClass. */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"

G_BEGIN_DECLS

typedef struct
{
  KsObject parent;
  gboolean terminating; /* status.phase Terminating (else Active) */
} KsNamespace;

#define KS_NAMESPACE(o) ((KsNamespace *) (o))

KsNamespace *ks_namespace_new (const char *name);

typedef struct
{
  KsObject parent;
  gint32 value;
  gboolean global_default;
  KsPreemptionPolicy preemption_policy; /* default PreemptLowerPriority */
  char *description;
} KsPriorityClass;

#define KS_PRIORITY_CLASS(o) ((KsPriorityClass *) (o))

/* Priority values (pkg/apis/scheduling). */
#define KS_HIGHEST_USER_DEFINABLE_PRIORITY 1000000000
#define KS_SYSTEM_CRITICAL_PRIORITY 2000000000

KsPriorityClass *ks_priority_class_new (const char *name, gint32 value);

KS_DEFINE_OBJECT_AUTOPTR (KsNamespace, ks_namespace)
KS_DEFINE_OBJECT_AUTOPTR (KsPriorityClass, ks_priority_class)

G_END_DECLS

/* ks-taint.h: node taints and pod tolerations, with Kubernetes' matching rule. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks-decode.h"

G_BEGIN_DECLS

typedef enum
{
  KS_TAINT_EFFECT_ALL, /* toleration only: empty effect matches every effect */
  KS_TAINT_NO_SCHEDULE,
  KS_TAINT_PREFER_NO_SCHEDULE,
  KS_TAINT_NO_EXECUTE,
} KsTaintEffect;

const char *ks_taint_effect_name (KsTaintEffect effect); /* "" for ALL */

typedef struct
{
  char *key;
  char *value; /* never NULL ("" when unset) */
  KsTaintEffect effect;
  gint64 time_added; /* KS_TIME_NONE when unset */
} KsTaint;

typedef enum
{
  KS_TOLERATION_EQUAL,
  KS_TOLERATION_EXISTS,
} KsTolerationOp;

typedef struct
{
  char *key; /* "" with Exists: every key */
  KsTolerationOp op;
  char *value; /* "" when unset */
  KsTaintEffect effect;
  gboolean has_seconds;
  gint64 toleration_seconds;
} KsToleration;

/* The toleration tolerates the taint: effects match (or the toleration's is empty), keys match
 * (or the toleration's is empty with Exists), and Exists, or Equal with the same value. */
gboolean ks_toleration_tolerates (const KsToleration *toleration, const KsTaint *taint);
/* Some toleration of the list tolerates the taint. */
gboolean ks_tolerations_tolerate (const KsToleration *tolerations, guint n, const KsTaint *taint);

void ks_taint_clear (KsTaint *taint);
void ks_taint_copy (KsTaint *dst, const KsTaint *src);
void ks_toleration_clear (KsToleration *toleration);
void ks_toleration_copy (KsToleration *dst, const KsToleration *src);

/* Decode a list of taints / tolerations at node; returns newly allocated arrays. */
gboolean ks_taints_decode (KsDecoder *dec, JsonNode *node, KsTaint **out, guint *n_out);
gboolean ks_tolerations_decode (KsDecoder *dec, JsonNode *node, KsToleration **out, guint *n_out);
void ks_taints_encode (const KsTaint *taints, guint n, JsonBuilder *b, gint64 epoch);
void ks_tolerations_encode (const KsToleration *tolerations, guint n, JsonBuilder *b);

G_END_DECLS

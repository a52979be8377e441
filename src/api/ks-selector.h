/* ks-selector.h: label selectors (matchLabels + matchExpressions) and node selectors (node
 * affinity terms with matchExpressions and matchFields), with Kubernetes' matching rules. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks-decode.h"
#include "ks-strmap.h"

G_BEGIN_DECLS

typedef enum
{
  KS_SELECTOR_IN,
  KS_SELECTOR_NOT_IN,
  KS_SELECTOR_EXISTS,
  KS_SELECTOR_DOES_NOT_EXIST,
  KS_SELECTOR_GT, /* node selectors only: integer comparison */
  KS_SELECTOR_LT,
} KsSelectorOp;

const char *ks_selector_op_name (KsSelectorOp op);

typedef struct
{
  char *key;
  KsSelectorOp op;
  char **values; /* NULL-terminated; sorted for In/NotIn */
  guint n_values;
  gint64 number; /* Gt/Lt: the parsed single value */
} KsRequirement;

/* A requirement holds for labels (Kubernetes labels.Requirement.Matches): In needs the key with
 * a listed value; NotIn holds when the key is absent or its value is not listed; Gt/Lt need the
 * key with an integer value compared to the number. */
gboolean ks_requirement_matches (const KsRequirement *req, const KsStrMap *labels);

/* metav1.LabelSelector.  Immutable and reference-counted.  A NULL selector selects nothing; an
 * empty one (no labels, no expressions) selects everything. */
typedef struct
{
  gint ref_count;
  KsStrMap *match_labels;
  KsRequirement *expressions;
  guint n_expressions;
} KsLabelSelector;

KsLabelSelector *ks_label_selector_new (KsStrMap *match_labels);
KsLabelSelector *ks_label_selector_ref (KsLabelSelector *selector);
void ks_label_selector_unref (KsLabelSelector *selector);
gboolean ks_label_selector_matches (const KsLabelSelector *selector, const KsStrMap *labels);
gboolean ks_label_selector_is_empty (const KsLabelSelector *selector);
gboolean ks_label_selector_equal (const KsLabelSelector *a, const KsLabelSelector *b);
/* Decode the selector at node (path already set).  Returns NULL after reporting a problem. */
KsLabelSelector *ks_label_selector_decode (KsDecoder *dec, JsonNode *node);
void ks_label_selector_encode (const KsLabelSelector *selector, JsonBuilder *builder);
/* "app=web,tier in (a,b)" as kubectl prints selectors. Newly allocated. */
char *ks_label_selector_to_string (const KsLabelSelector *selector);

/* v1.NodeSelectorTerm: expressions on labels, fields on metadata.name; all ANDed.  A term with
 * neither matches nothing. */
typedef struct
{
  KsRequirement *expressions;
  guint n_expressions;
  KsRequirement *fields;
  guint n_fields;
} KsNodeSelectorTerm;

/* v1.NodeSelector: terms ORed. */
typedef struct
{
  KsNodeSelectorTerm *terms;
  guint n_terms;
} KsNodeSelector;

typedef struct
{
  gint32 weight;
  KsNodeSelectorTerm term;
} KsPreferredSchedulingTerm;

typedef struct
{
  KsNodeSelector *required; /* NULL when not set */
  KsPreferredSchedulingTerm *preferred;
  guint n_preferred;
} KsNodeAffinity;

gboolean ks_node_selector_term_matches (const KsNodeSelectorTerm *term, const KsStrMap *labels,
                                        const char *node_name);
gboolean ks_node_selector_matches (const KsNodeSelector *selector, const KsStrMap *labels,
                                   const char *node_name);

/* Decode a v1.NodeSelector mapping (nodeSelectorTerms; the path already names it).  May return
 * a selector after reporting problems (check the decoder's error count); free it with
 * ks_node_selector_free. */
KsNodeSelector *ks_node_selector_decode (KsDecoder *dec, JsonNode *node);
void ks_node_selector_free (KsNodeSelector *selector);

KsNodeAffinity *ks_node_affinity_decode (KsDecoder *dec, JsonNode *node);
void ks_node_affinity_encode (const KsNodeAffinity *affinity, JsonBuilder *builder);
void ks_node_affinity_free (KsNodeAffinity *affinity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsLabelSelector, ks_label_selector_unref)

G_END_DECLS

/* ks-expect.h: a scenario's expectations (docs/user-guide.md "Expectations"): conditions in a
 * small expression language over object fields, cluster metrics, the request model's figures
 * and event counts, checked at an instant (at), eventually in a window (within) or all through a
 * window (always).  Expressions are parsed and their references resolved when the scenario is
 * loaded, so that a typo fails before the run; the run evaluates them on the virtual clock and
 * the results go to summary.json's "expectations".
 *
 * The grammar (docs/user-guide.md has it with examples):
 *
 *   expr    := or
 *   or      := and { ("||" | "or") and }
 *   and     := not { ("&&" | "and") not }
 *   not     := ("!" | "not") not | cmp
 *   cmp     := sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum ]
 *   sum     := product { ("+" | "-") product }
 *   product := unary { ("*" | "/" | "%") unary }
 *   unary   := "-" unary | primary
 *   primary := NUMBER | STRING | "true" | "false" | "null" | "(" expr ")" | "time"
 *            | "cluster" "." NAME
 *            | KIND "/" [NAMESPACE "/"] NAME field { field }
 *            | "count" "(" [ cond { "," cond } ] ")"
 *            | "metric" "(" STRING "," STRING ")"
 *   field   := "." NAME | "[" INTEGER "]" | "[" STRING "]"
 *   cond    := ("event" | "reason" | "object" | "type" | "node") ("==" | "!=") STRING
 */
#pragma once

#include "ks-sim-traffic.h"
#include "src/api/ks-decode.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsExpr KsExpr;

#define KS_EXPR_ERROR (ks_expr_error_quark ())
GQuark ks_expr_error_quark (void);

/* Parse an expression.  On failure returns NULL, sets error (the message says what was expected)
 * and *offset (may be NULL) to the byte offset of the problem in text. */
KsExpr *ks_expr_parse (const char *text, guint *offset, GError **error);
void ks_expr_free (KsExpr *expr);

/* The cluster metrics "cluster.NAME" may name (metrics.csv's object "cluster"), NULL-ended. */
extern const char *const ks_expr_cluster_metrics[];
/* The Service figures "service/NAME.FIGURE" may name from the request model, NULL-ended. */
extern const char *const ks_expr_service_figures[];

/* A value: what an expression or a part of it evaluates to. */
typedef enum
{
  KS_VALUE_NULL,
  KS_VALUE_NUMBER,
  KS_VALUE_STRING,
  KS_VALUE_BOOL,
} KsValueType;

typedef struct
{
  KsValueType type;
  double number;
  gboolean boolean;
  char *string; /* owned */
} KsValue;

void ks_value_clear (KsValue *value);
/* The value as JSON ("4", "\"web\"", "true", "null"). */
void ks_value_append_json (const KsValue *value, GString *out);

/* What an expression reads during the run. */
typedef struct
{
  KsClient *client;      /* objects */
  KsSimTraffic *traffic; /* Service figures; may be NULL (none then) */
  /* A cluster metric by name (one of ks_expr_cluster_metrics); FALSE when not available. */
  gboolean (*cluster_metric) (const char *name, double *out, gpointer data);
  /* The value of metrics.csv's row (name, object) at the last sample; FALSE when none was
   * written (may be NULL: none then). */
  gboolean (*metric) (const char *name, const char *object, double *out, gpointer data);
  gpointer data;
  gint64 now; /* µs, for "time" */
  gint64 epoch;
} KsExprEnv;

/* Evaluate expr.  Returns FALSE with error when it cannot be evaluated (an object that does not
 * exist, a field that is a mapping, a comparison of a string with a number, ...).  *observed
 * (set also on failure, NULL type then) is what a report should show: the left side of a
 * top-level comparison (of the condition that decided a top-level "&&" or "||"), else the
 * value. */
gboolean ks_expr_eval (KsExpr *expr, const KsExprEnv *env, KsValue *result, KsValue *observed,
                       GError **error);
/* Feed an event to expr's count() calls. */
void ks_expr_count_event (KsExpr *expr, const KsEventRecord *record);

/* A reference to an object an expression makes ("deployment/web": kind, namespace, name), and
 * whether it reads a request-model figure of a Service. */
typedef void (*KsExprRefFunc) (const KsKind *kind, const char *ns, const char *name,
                               gboolean service_figure, gpointer data);
void ks_expr_foreach_ref (KsExpr *expr, KsExprRefFunc func, gpointer data);

typedef enum
{
  KS_EXPECT_AT,     /* true at one instant */
  KS_EXPECT_WITHIN, /* true at least once in [from, until] (eventually) */
  KS_EXPECT_ALWAYS, /* true all through [from, until] */
} KsExpectMode;

/* The end of the run, as a time. */
#define KS_EXPECT_END G_MAXINT64

typedef struct
{
  char *name; /* the optional name, or NULL */
  char *that; /* the expression as written */
  KsExpectMode mode;
  gint64 from;  /* µs or KS_EXPECT_END; for at: the instant */
  gint64 until; /* µs or KS_EXPECT_END; for at: the instant */
  gint64 every; /* µs between evaluations of a window (KS_EXPECT_STEP unless set) */
  KsExpr *expr;
  char *where; /* "file:line:column" of the expectation */
} KsExpectation;

void ks_expectation_free (KsExpectation *e);

/* Decode the scenario's expect list (node; the decoder's path names it) into out
 * (KsExpectation*).  Problems, expression syntax included, go to dec. */
void ks_expect_decode (KsDecoder *dec, JsonNode *node, GPtrArray *out);

/* How often windows (within, always) are evaluated by default, in simulated time. */
#define KS_EXPECT_STEP (1 * KS_USEC_PER_SEC)

/* The expectations of one run. */
typedef struct _KsExpectRun KsExpectRun;

/* expectations (KsExpectation*, borrowed: must outlive the run) over env (copied; its client,
 * traffic and data borrowed), on clock, for a run that ends at duration (µs). */
KsExpectRun *ks_expect_run_new (const GPtrArray *expectations, const KsExprEnv *env, KsClock *clock,
                                gint64 duration);
void ks_expect_run_free (KsExpectRun *run);
/* An event sink that counts events for count() and passes them on to next (may be NULL).
 * Borrowed from the run. */
KsEventSink *ks_expect_run_wrap_sink (KsExpectRun *run, KsEventSink *next);
/* Schedule the evaluations (after the scenario's own events at the same instants when called
 * after ks_sim_start). */
void ks_expect_run_start (KsExpectRun *run);
/* After the run reached its end: evaluate "at: end" and close the windows. */
void ks_expect_run_finish (KsExpectRun *run);
/* The number of expectations that failed (after finish). */
guint ks_expect_run_n_failed (KsExpectRun *run);
/* Append summary.json's "expectations" member (",\n  \"expectations\": [...]"). */
void ks_expect_run_append_summary (KsExpectRun *run, GString *json);

G_END_DECLS

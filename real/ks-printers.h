/* ks-printers.h: kubectl's output conventions for objects, for the real-mode CLI.
 *
 * The columns, cell values and layout of `kubectl get` (the server-side printers of
 * pkg/printers/internalversion/printers.go, rendered as cli-runtime's table printer does: a
 * tabwriter with minimum width 6 and padding 3, upper-case headers, priority-1 columns only with
 * -o wide), ages as apimachinery's HumanDuration, and the "kind.group/name" names of -o name and
 * of messages such as "deployment.apps/web created". */
#pragma once

#include "src/api/ks-object.h"
#include "src/api/ks-service.h"

G_BEGIN_DECLS

/* apimachinery's duration.HumanDuration of d µs: "45s", "5m12s", "3h", "2d4h", "<invalid>". */
char *ks_human_duration (gint64 d);
/* The age of timestamp t at now ("<unknown>" for KS_TIME_NONE), as kubectl's
 * translateTimestampSince. */
char *ks_age (gint64 t, gint64 now);

typedef struct _KsTable KsTable;

KsTable *ks_table_new (void);
void ks_table_free (KsTable *table);
/* A column: its name as the server names it ("Name", "Nominated Node"; printed upper-case) and
 * priority (0 always shown, 1 only with -o wide). */
void ks_table_add_column (KsTable *table, const char *name, gint priority);
/* Start a row; then one ks_table_add_cell per column, in order. */
void ks_table_add_row (KsTable *table);
void ks_table_add_cell (KsTable *table, const char *text);
void ks_table_add_cell_printf (KsTable *table, const char *format, ...) G_GNUC_PRINTF (2, 3);
guint ks_table_get_n_rows (const KsTable *table);
/* Render to out: columns separated by at least 3 spaces (a column is at least 6 wide), the last
 * column unpadded; priority-1 columns only when wide. */
void ks_table_print (const KsTable *table, gboolean wide, gboolean no_headers, GString *out);
/* The same, for tables printed one after the other as rows come (get -w): each column is at
 * least as wide as in widths (an array of gsize, updated; empty at first), as kubectl's
 * tabwriter with RememberWidths keeps its columns from growing narrower. */
void ks_table_print_remembering (const KsTable *table, gboolean wide, gboolean no_headers,
                                 GArray *widths, GString *out);

/* The table `kubectl get` prints for objects (all of one kind), as of time now.  with_namespace
 * adds the NAMESPACE column of `-A`. */
KsTable *ks_table_for_objects (const KsKind *kind, GPtrArray *objects, gint64 now,
                               gboolean with_namespace);

typedef enum
{
  KS_TABLE_WITH_NAMESPACE = 1 << 0, /* the NAMESPACE column of -A (namespaced kinds) */
  KS_TABLE_WITH_KIND = 1 << 1,      /* names as "deployment.apps/web" (several kinds asked) */
  KS_TABLE_SHOW_LABELS = 1 << 2,    /* a last LABELS column (--show-labels) */
} KsTableFlags;

/* The same with flags. */
KsTable *ks_table_for_objects_full (const KsKind *kind, GPtrArray *objects, gint64 now,
                                    KsTableFlags flags);

/* labels.FormatLabels: "app=web,tier=front" (sorted), or "<none>".  Newly allocated. */
char *ks_format_labels (const KsStrMap *labels);
/* The ENDPOINTS cell (formatEndpoints): the first three ready "ip:port", then " + N more...";
 * "<none>" without subsets.  Newly allocated. */
char *ks_format_endpoints (const KsEndpoints *endpoints);

/* The STATUS column of a pod (printPod): "Running", "ContainerCreating", "Init:0/1",
 * "CrashLoopBackOff", "Completed", "Terminating", ... */
char *ks_pod_display_status (const KsObject *pod);

/* kubectl's type name: "pod", "deployment.apps", "node" (resource.group, singular). */
char *ks_kind_type_name (const KsKind *kind);
/* "pod/web-1", "deployment.apps/web": -o name. */
char *ks_object_type_name (const KsObject *obj);

/* Go's text/tabwriter as `kubectl describe` sets it up (minimum width 0, padding 2, spaces):
 * text is kept until a flush, then cells (text ended by a tab) are aligned in column blocks of
 * consecutive lines that have a cell in that column. */
typedef struct _KsTabWriter KsTabWriter;

/* A writer that appends what it formats to out (borrowed). */
KsTabWriter *ks_tab_writer_new (GString *out);
/* The same with another minimum column width and padding: cli-runtime's GetNewTabWriter (what
 * kubectl top prints with) is 6 and 3. */
KsTabWriter *ks_tab_writer_new_full (GString *out, guint min_width, guint padding);
/* Flush, then free. */
void ks_tab_writer_free (KsTabWriter *writer);
void ks_tab_writer_printf (KsTabWriter *writer, const char *format, ...) G_GNUC_PRINTF (2, 3);
void ks_tab_writer_write (KsTabWriter *writer, const char *text);
/* Format what was written since the last flush and append it to out. */
void ks_tab_writer_flush (KsTabWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTable, ks_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTabWriter, ks_tab_writer_free)

G_END_DECLS

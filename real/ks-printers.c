/* ks-printers.c: kubectl's tables, ages and names (see ks-printers.h). */
#include "config.h"

#include <string.h>

#include "ks-printers.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-event.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-quantity.h"
#include "src/api/ks-selector.h"
#include "src/api/ks-service.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-storage.h"
#include "src/ks-clock.h"

/* ---- ages ------------------------------------------------------------------------------------ */

char *
ks_human_duration (gint64 d)
{
  /* Go's int(d.Seconds()) truncates toward zero: -1.5 s is -1, "0s". */
  gint64 seconds = d / KS_USEC_PER_SEC;
  gint64 minutes, hours;

  if (seconds < -1)
    return g_strdup ("<invalid>");
  if (seconds < 0)
    return g_strdup ("0s");
  if (seconds < 60 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
  minutes = d / KS_USEC_PER_MIN;
  if (minutes < 10)
    {
      gint64 s = seconds % 60;
      if (s == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT "m", minutes);
      return g_strdup_printf ("%" G_GINT64_FORMAT "m%" G_GINT64_FORMAT "s", minutes, s);
    }
  if (minutes < 60 * 3)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m", minutes);
  hours = d / KS_USEC_PER_HOUR;
  if (hours < 8)
    {
      gint64 m = minutes % 60;
      if (m == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT "h", hours);
      return g_strdup_printf ("%" G_GINT64_FORMAT "h%" G_GINT64_FORMAT "m", hours, m);
    }
  if (hours < 48)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", hours);
  if (hours < 24 * 8)
    {
      gint64 h = hours % 24;
      if (h == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT "d", hours / 24);
      return g_strdup_printf ("%" G_GINT64_FORMAT "d%" G_GINT64_FORMAT "h", hours / 24, h);
    }
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d", hours / 24);
  if (hours < 24 * 365 * 8)
    {
      gint64 dy = (hours / 24) % 365;
      if (dy == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT "y", hours / 24 / 365);
      return g_strdup_printf ("%" G_GINT64_FORMAT "y%" G_GINT64_FORMAT "d", hours / 24 / 365, dy);
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT "y", hours / 24 / 365);
}

char *
ks_age (gint64 t, gint64 now)
{
  if (t == KS_TIME_NONE)
    return g_strdup ("<unknown>");
  return ks_human_duration (now - t);
}

/* ---- tables ---------------------------------------------------------------------------------- */

typedef struct
{
  char *name;
  gint priority;
} Column;

struct _KsTable
{
  GArray *columns; /* Column */
  GPtrArray *rows; /* GPtrArray of char* cells */
};

static void
column_clear (gpointer p)
{
  g_free (((Column *) p)->name);
}

KsTable *
ks_table_new (void)
{
  KsTable *t = g_new0 (KsTable, 1);

  t->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (t->columns, column_clear);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return t;
}

void
ks_table_free (KsTable *t)
{
  if (t == NULL)
    return;
  g_array_unref (t->columns);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

void
ks_table_add_column (KsTable *t, const char *name, gint priority)
{
  Column c = { g_strdup (name), priority };

  g_array_append_val (t->columns, c);
}

void
ks_table_add_row (KsTable *t)
{
  g_ptr_array_add (t->rows, g_ptr_array_new_with_free_func (g_free));
}

void
ks_table_add_cell (KsTable *t, const char *text)
{
  GPtrArray *row = g_ptr_array_index (t->rows, t->rows->len - 1);

  g_return_if_fail (row->len < t->columns->len);
  g_ptr_array_add (row, g_strdup (text != NULL ? text : ""));
}

void
ks_table_add_cell_printf (KsTable *t, const char *format, ...)
{
  va_list ap;
  GPtrArray *row = g_ptr_array_index (t->rows, t->rows->len - 1);

  g_return_if_fail (row->len < t->columns->len);
  va_start (ap, format);
  g_ptr_array_add (row, g_strdup_vprintf (format, ap));
  va_end (ap);
}

guint
ks_table_get_n_rows (const KsTable *t)
{
  return t->rows->len;
}

/* cli-runtime's tabwriter: minwidth 6, padding 3, pad with spaces. */
#define TAB_MIN_WIDTH 6
#define TAB_PADDING 3

void
ks_table_print_remembering (const KsTable *t, gboolean wide, gboolean no_headers, GArray *widths,
                            GString *out)
{
  guint n = t->columns->len;
  g_autofree gsize *width = g_new0 (gsize, n);
  g_autofree gboolean *shown = g_new0 (gboolean, n);
  guint last = 0;
  g_autoptr (GPtrArray) header = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < n; c++)
    {
      Column *col = &g_array_index (t->columns, Column, c);
      shown[c] = col->priority == 0 || wide;
      if (shown[c])
        last = c;
      g_ptr_array_add (header, g_utf8_strup (col->name, -1));
    }
  for (guint c = 0; c < n; c++)
    {
      if (!no_headers)
        width[c] = g_utf8_strlen (g_ptr_array_index (header, c), -1);
      for (guint r = 0; r < t->rows->len; r++)
        {
          GPtrArray *row = g_ptr_array_index (t->rows, r);
          if (c < row->len)
            width[c] = MAX (width[c], (gsize) g_utf8_strlen (g_ptr_array_index (row, c), -1));
        }
      width[c] = MAX (width[c] + TAB_PADDING, TAB_MIN_WIDTH);
      if (widths != NULL)
        {
          if (c < widths->len)
            width[c] = MAX (width[c], g_array_index (widths, gsize, c));
          else
            g_array_append_val (widths, width[c]);
          g_array_index (widths, gsize, c) = width[c];
        }
    }
  for (gint r = no_headers ? 0 : -1; r < (gint) t->rows->len; r++)
    {
      GPtrArray *row = r < 0 ? header : g_ptr_array_index (t->rows, r);
      for (guint c = 0; c < n; c++)
        {
          const char *cell = c < row->len ? g_ptr_array_index (row, c) : "";
          if (!shown[c])
            continue;
          g_string_append (out, cell);
          if (c == last)
            break;
          for (gsize k = g_utf8_strlen (cell, -1); k < width[c]; k++)
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
}

void
ks_table_print (const KsTable *t, gboolean wide, gboolean no_headers, GString *out)
{
  ks_table_print_remembering (t, wide, no_headers, NULL, out);
}

/* ---- names ----------------------------------------------------------------------------------- */

char *
ks_kind_type_name (const KsKind *kind)
{
  g_autofree char *singular = g_ascii_strdown (kind->name, -1);

  if (kind->group == NULL || kind->group[0] == '\0')
    return g_steal_pointer (&singular);
  return g_strconcat (singular, ".", kind->group, NULL);
}

char *
ks_object_type_name (const KsObject *obj)
{
  g_autofree char *type = ks_kind_type_name (obj->kind);

  return g_strconcat (type, "/", obj->meta.name, NULL);
}

/* ---- pods ------------------------------------------------------------------------------------ */

/* What printPod computes: the status, ready containers, total containers, restarts and the time
 * of the last restart (KS_TIME_NONE when unknown). */
typedef struct
{
  char *reason;
  guint ready;
  guint total;
  gint32 restarts;
  gint64 last_restart;
} PodSummary;

static void
note_last_termination (const KsContainerStatus *cs, gint64 *last)
{
  if (cs->has_last && cs->last_finished_at != KS_TIME_NONE
      && (*last == KS_TIME_NONE || cs->last_finished_at > *last))
    *last = cs->last_finished_at;
}

static void
summarize_pod (const KsPod *pod, PodSummary *s)
{
  const KsPodSpec *spec = pod->spec;
  const char *status_reason = ks_pod_get_status_string (pod, KS_POD_REASON);
  gint32 sidecar_restarts = 0;
  gint64 sidecar_last = KS_TIME_NONE;
  gboolean initializing = FALSE;

  memset (s, 0, sizeof *s);
  s->last_restart = KS_TIME_NONE;
  s->total = spec->n_containers;
  s->reason = g_strdup (status_reason != NULL ? status_reason : ks_pod_phase_name (pod->phase));
  for (guint i = 0; i < spec->n_init_containers; i++)
    if (spec->init_containers[i].restart_always)
      s->total++;

  for (guint i = 0; ks_pod_init_container_statuses (pod) != NULL && i < spec->n_init_containers;
       i++)
    {
      const KsContainerStatus *cs = &ks_pod_init_container_statuses (pod)[i];
      gboolean sidecar = spec->init_containers[i].restart_always;

      s->restarts += cs->restart_count;
      note_last_termination (cs, &s->last_restart);
      if (sidecar)
        {
          sidecar_restarts += cs->restart_count;
          note_last_termination (cs, &sidecar_last);
        }
      if (cs->state == KS_CONTAINER_TERMINATED && cs->exit_code == 0)
        continue;
      if (sidecar && cs->started)
        {
          if (cs->ready)
            s->ready++;
          continue;
        }
      g_free (s->reason);
      if (cs->state == KS_CONTAINER_TERMINATED)
        s->reason = cs->reason != NULL ? g_strconcat ("Init:", cs->reason, NULL)
                                       : g_strdup_printf ("Init:ExitCode:%d", cs->exit_code);
      else if (cs->state == KS_CONTAINER_WAITING && cs->reason != NULL && cs->reason[0] != '\0'
               && strcmp (cs->reason, "PodInitializing") != 0)
        s->reason = g_strconcat ("Init:", cs->reason, NULL);
      else
        s->reason = g_strdup_printf ("Init:%u/%u", i, spec->n_init_containers);
      initializing = TRUE;
      break;
    }

  if (!initializing || pod->conditions[KS_POD_COND_INITIALIZED].status == KS_CONDITION_TRUE)
    {
      gboolean has_running = FALSE;

      s->restarts = sidecar_restarts;
      s->last_restart = sidecar_last;
      for (guint i = spec->n_containers; pod->container_statuses != NULL && i-- > 0;)
        {
          const KsContainerStatus *cs = &pod->container_statuses[i];
          const char *reason = NULL;
          g_autofree char *exit_reason = NULL;

          s->restarts += cs->restart_count;
          note_last_termination (cs, &s->last_restart);
          if (cs->state == KS_CONTAINER_WAITING && cs->reason != NULL && cs->reason[0] != '\0')
            reason = cs->reason;
          else if (cs->state == KS_CONTAINER_TERMINATED && cs->reason != NULL
                   && cs->reason[0] != '\0')
            reason = cs->reason;
          else if (cs->state == KS_CONTAINER_TERMINATED)
            reason = exit_reason = g_strdup_printf ("ExitCode:%d", cs->exit_code);
          else if (cs->ready && cs->state == KS_CONTAINER_RUNNING)
            {
              has_running = TRUE;
              s->ready++;
            }
          if (reason != NULL)
            {
              g_free (s->reason);
              s->reason = g_strdup (reason);
            }
        }
      if (strcmp (s->reason, "Completed") == 0 && has_running)
        {
          g_free (s->reason);
          s->reason = g_strdup (ks_pod_is_ready (pod) ? "Running" : "NotReady");
        }
    }

  if (ks_object_is_being_deleted (KS_OBJECT (pod)) && g_strcmp0 (status_reason, "NodeLost") == 0)
    {
      g_free (s->reason);
      s->reason = g_strdup ("Unknown");
    }
  else if (ks_object_is_being_deleted (KS_OBJECT (pod)) && !ks_pod_is_terminal (pod))
    {
      g_free (s->reason);
      s->reason = g_strdup ("Terminating");
    }
}

char *
ks_pod_display_status (const KsObject *obj)
{
  PodSummary s;

  summarize_pod (KS_POD (obj), &s);
  return s.reason;
}

static const char *
or_none (const char *s)
{
  return s != NULL && s[0] != '\0' ? s : "<none>";
}

static void
pod_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Ready", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Restarts", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "IP", 1);
  ks_table_add_column (t, "Node", 1);
  ks_table_add_column (t, "Nominated Node", 1);
  ks_table_add_column (t, "Readiness Gates", 1);
}

static void
pod_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsPod *pod = KS_POD (obj);
  PodSummary s;
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  summarize_pod (pod, &s);
  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%u/%u", s.ready, s.total);
  ks_table_add_cell (t, s.reason);
  if (s.restarts != 0 && s.last_restart != KS_TIME_NONE)
    {
      g_autofree char *ago = ks_age (s.last_restart, now);
      ks_table_add_cell_printf (t, "%d (%s ago)", s.restarts, ago);
    }
  else
    ks_table_add_cell_printf (t, "%d", s.restarts);
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, or_none (ks_pod_get_status_string (pod, KS_POD_POD_IP)));
  ks_table_add_cell (t, or_none (pod->node_name));
  ks_table_add_cell (t, or_none (ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME)));
  ks_table_add_cell (t, "<none>");
  g_free (s.reason);
}

/* ---- workloads ------------------------------------------------------------------------------- */

static void
template_cells (KsTable *t, const KsPodTemplate *tpl, const KsLabelSelector *selector)
{
  g_autoptr (GString) names = g_string_new (NULL);
  g_autoptr (GString) images = g_string_new (NULL);
  g_autofree char *sel = ks_label_selector_to_string (selector);

  for (guint i = 0; i < tpl->spec->n_containers; i++)
    {
      if (i > 0)
        {
          g_string_append_c (names, ',');
          g_string_append_c (images, ',');
        }
      g_string_append (names, tpl->spec->containers[i].name);
      g_string_append (images, tpl->spec->containers[i].image);
    }
  ks_table_add_cell (t, names->str);
  ks_table_add_cell (t, images->str);
  ks_table_add_cell (t, sel[0] != '\0' ? sel : "<none>");
}

static void
deployment_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Ready", 0);
  ks_table_add_column (t, "Up-to-date", 0);
  ks_table_add_column (t, "Available", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Containers", 1);
  ks_table_add_column (t, "Images", 1);
  ks_table_add_column (t, "Selector", 1);
}

static void
deployment_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsDeployment *d = KS_DEPLOYMENT (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%d/%d", d->status.ready_replicas, d->replicas);
  ks_table_add_cell_printf (t, "%d", d->status.updated_replicas);
  ks_table_add_cell_printf (t, "%d", d->status.available_replicas);
  ks_table_add_cell (t, age);
  template_cells (t, &d->template, d->selector);
}

static void
job_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Completions", 0);
  ks_table_add_column (t, "Duration", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Containers", 1);
  ks_table_add_column (t, "Images", 1);
  ks_table_add_column (t, "Selector", 1);
}

static gboolean
job_condition_true (const KsJob *job, KsJobConditionType type)
{
  const KsJobCondition *c = ks_job_get_condition (job, type);
  return c != NULL && c->status == KS_CONDITION_TRUE;
}

/* kubectl's printJob (v1.32). */
static void
job_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsJob *job = KS_JOB (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *duration = NULL;
  const char *status = "Running";

  if (job_condition_true (job, KS_JOB_COND_COMPLETE))
    status = "Complete";
  else if (job_condition_true (job, KS_JOB_COND_FAILED))
    status = "Failed";
  else if (ks_object_is_being_deleted (obj))
    status = "Terminating";
  else if (job_condition_true (job, KS_JOB_COND_FAILURE_TARGET))
    status = "FailureTarget";
  else if (job_condition_true (job, KS_JOB_COND_SUCCESS_CRITERIA_MET))
    status = "SuccessCriteriaMet";
  if (job->status.start_time != KS_TIME_NONE)
    duration = ks_human_duration (
        (job->status.completion_time != KS_TIME_NONE ? job->status.completion_time : now)
        - job->status.start_time);
  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, status);
  if (job->has_completions)
    ks_table_add_cell_printf (t, "%d/%d", job->status.succeeded, job->completions);
  else if (job->parallelism > 1)
    ks_table_add_cell_printf (t, "%d/1 of %d", job->status.succeeded, job->parallelism);
  else
    ks_table_add_cell_printf (t, "%d/1", job->status.succeeded);
  ks_table_add_cell (t, duration != NULL ? duration : "");
  ks_table_add_cell (t, age);
  template_cells (t, &job->template, job->selector);
}

static void
replica_set_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Desired", 0);
  ks_table_add_column (t, "Current", 0);
  ks_table_add_column (t, "Ready", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Containers", 1);
  ks_table_add_column (t, "Images", 1);
  ks_table_add_column (t, "Selector", 1);
}

static void
replica_set_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsReplicaSet *rs = KS_REPLICA_SET (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%d", rs->replicas);
  ks_table_add_cell_printf (t, "%d", rs->status.replicas);
  ks_table_add_cell_printf (t, "%d", rs->status.ready_replicas);
  ks_table_add_cell (t, age);
  template_cells (t, &rs->template, rs->selector);
}

/* ---- nodes and the rest ---------------------------------------------------------------------- */

static void
node_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Roles", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Version", 0);
  ks_table_add_column (t, "Internal-IP", 1);
  ks_table_add_column (t, "External-IP", 1);
  ks_table_add_column (t, "OS-Image", 1);
  ks_table_add_column (t, "Kernel-Version", 1);
  ks_table_add_column (t, "Container-Runtime", 1);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Roles from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted. */
static char *
node_roles (const KsObject *obj)
{
  const KsStrMap *labels = obj->meta.labels;
  g_autoptr (GPtrArray) roles = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; labels != NULL && i < ks_str_map_size (labels); i++)
    {
      const char *key = ks_str_map_key (labels, i);
      if (g_str_has_prefix (key, "node-role.kubernetes.io/")
          && key[strlen ("node-role.kubernetes.io/")] != '\0')
        g_ptr_array_add (roles, (gpointer) (key + strlen ("node-role.kubernetes.io/")));
      else if (strcmp (key, "kubernetes.io/role") == 0 && ks_str_map_value (labels, i)[0] != '\0')
        g_ptr_array_add (roles, (gpointer) ks_str_map_value (labels, i));
    }
  g_ptr_array_sort (roles, compare_strings);
  for (guint i = 0; i < roles->len; i++)
    {
      if (i > 0 && strcmp (g_ptr_array_index (roles, i), g_ptr_array_index (roles, i - 1)) == 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, g_ptr_array_index (roles, i));
    }
  if (out->len == 0)
    g_string_append (out, "<none>");
  return g_string_free (out, FALSE);
}

/* printNode: an empty OS image, kernel or runtime version is "<unknown>". */
static const char *
or_unknown (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : "<unknown>";
}

static void
node_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsNode *node = KS_NODE (obj);
  const KsNodeCondition *ready = &node->conditions[KS_NODE_COND_READY];
  const KsNodeSystemInfo *info = node->node_info;
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *roles = node_roles (obj);
  g_autoptr (GString) status = g_string_new (NULL);

  if (ready->status == KS_CONDITION_UNSET)
    g_string_append (status, "Unknown");
  else
    g_string_append (status, ready->status == KS_CONDITION_TRUE ? "Ready" : "NotReady");
  if (node->unschedulable)
    g_string_append (status, ",SchedulingDisabled");
  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, status->str);
  ks_table_add_cell (t, roles);
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, info != NULL && info->kubelet_version != NULL ? info->kubelet_version : "");
  ks_table_add_cell (t, or_none (node->internal_ip));
  ks_table_add_cell (t, "<none>");
  ks_table_add_cell (t, or_unknown (info != NULL ? info->os_image : NULL));
  ks_table_add_cell (t, or_unknown (info != NULL ? info->kernel_version : NULL));
  ks_table_add_cell (t, or_unknown (info != NULL ? info->container_runtime_version : NULL));
}

static void
namespace_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
namespace_row (KsTable *t, const KsObject *obj, gint64 now)
{
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, KS_NAMESPACE (obj)->terminating ? "Terminating" : "Active");
  ks_table_add_cell (t, age);
}

static void
priority_class_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Value", 0);
  ks_table_add_column (t, "Global-Default", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "PreemptionPolicy", 0);
}

static void
priority_class_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsPriorityClass *pc = KS_PRIORITY_CLASS (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%d", pc->value);
  ks_table_add_cell (t, pc->global_default ? "true" : "false");
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, ks_preemption_policy_name (pc->preemption_policy));
}

/* kubectl's printPodDisruptionBudget: N/A for the field not set. */
static void
pdb_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Min Available", 0);
  ks_table_add_column (t, "Max Unavailable", 0);
  ks_table_add_column (t, "Allowed Disruptions", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
int_or_percent_cell (KsTable *t, const KsIntOrPercent *v)
{
  if (!v->set)
    ks_table_add_cell (t, "N/A");
  else
    ks_table_add_cell_printf (t, v->percent ? "%d%%" : "%d", v->value);
}

static void
pdb_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  int_or_percent_cell (t, &pdb->min_available);
  int_or_percent_cell (t, &pdb->max_unavailable);
  ks_table_add_cell_printf (t, "%d", pdb->status.disruptions_allowed);
  ks_table_add_cell (t, age);
}

/* ---- services, endpoints, events, leases ----------------------------------------------------- */

char *
ks_format_labels (const KsStrMap *labels)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < ks_str_map_size (labels); i++)
    g_string_append_printf (out, "%s%s=%s", i > 0 ? "," : "", ks_str_map_key (labels, i),
                            ks_str_map_value (labels, i));
  if (out->len == 0)
    g_string_append (out, "<none>");
  return g_string_free (out, FALSE);
}

static void
service_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Type", 0);
  ks_table_add_column (t, "Cluster-IP", 0);
  ks_table_add_column (t, "External-IP", 0);
  ks_table_add_column (t, "Port(s)", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Selector", 1);
}

/* makePortString: "80/TCP", "80:30080/TCP", joined by commas. */
static char *
service_ports (const KsService *svc)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < svc->n_ports; i++)
    {
      const KsServicePort *p = &svc->ports[i];
      if (i > 0)
        g_string_append_c (out, ',');
      if (p->node_port > 0)
        g_string_append_printf (out, "%d:%d/%s", p->port, p->node_port, p->protocol);
      else
        g_string_append_printf (out, "%d/%s", p->port, p->protocol);
    }
  if (out->len == 0)
    g_string_append (out, "<none>");
  return g_string_free (out, FALSE);
}

static void
service_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsService *svc = KS_SERVICE (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *ports = service_ports (svc);
  g_autofree char *selector = ks_format_labels (svc->selector);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, ks_service_type_name (svc->type));
  ks_table_add_cell (t, or_none (svc->cluster_ip));
  /* kubesim has no externalIPs, and its load balancers stay pending (getServiceExternalIP). */
  ks_table_add_cell (t, svc->type == KS_SERVICE_LOAD_BALANCER ? "<pending>" : "<none>");
  ks_table_add_cell (t, ports);
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, selector);
}

char *
ks_format_endpoints (const KsEndpoints *ep)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const guint max = 3;
  guint listed = 0, count = 0;
  gboolean more = FALSE;

  if (ep->n_subsets == 0)
    return g_strdup ("<none>");
  for (guint s = 0; s < ep->n_subsets; s++)
    {
      const KsEndpointSubset *ss = &ep->subsets[s];
      if (ss->n_ports == 0)
        {
          /* A headless Service without ports: the addresses alone. */
          count += ss->n_addresses;
          for (guint a = 0; a < ss->n_addresses; a++)
            {
              if (listed == max)
                {
                  more = TRUE;
                  break;
                }
              g_string_append_printf (out, "%s%s", listed > 0 ? "," : "", ss->addresses[a].ip);
              listed++;
            }
          continue;
        }
      for (guint p = 0; p < ss->n_ports; p++)
        {
          count += ss->n_addresses;
          for (guint a = 0; a < ss->n_addresses; a++)
            {
              const char *ip = ss->addresses[a].ip;
              if (listed == max)
                {
                  more = TRUE;
                  break;
                }
              /* net.JoinHostPort: IPv6 addresses in brackets. */
              g_string_append_printf (out, strchr (ip, ':') != NULL ? "%s[%s]:%d" : "%s%s:%d",
                                      listed > 0 ? "," : "", ip, ss->ports[p].port);
              listed++;
            }
        }
    }
  if (more)
    g_string_append_printf (out, " + %u more...", count - max);
  return g_strdup (out->str);
}

static void
endpoints_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Endpoints", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
endpoints_row (KsTable *t, const KsObject *obj, gint64 now)
{
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *endpoints = ks_format_endpoints (KS_ENDPOINTS (obj));

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, endpoints);
  ks_table_add_cell (t, age);
}

/* listWithMoreString: at most three items, then " + N more..."; "<unset>" for none. */
static char *
list_with_more (GPtrArray *list, gboolean more, guint count)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", (const char *) list->pdata[i]);
  if (more)
    g_string_append_printf (out, " + %u more...", count - 3);
  else if (out->len == 0)
    g_string_append (out, "<unset>");
  return g_string_free (out, FALSE);
}

static void
endpoint_slice_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "AddressType", 0);
  ks_table_add_column (t, "Ports", 0);
  ks_table_add_column (t, "Endpoints", 0);
  ks_table_add_column (t, "Age", 0);
}

/* printEndpointSlice: formatDiscoveryPorts and formatDiscoveryEndpoints. */
static void
endpoint_slice_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsEndpointSlice *slice = KS_ENDPOINT_SLICE (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autoptr (GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) addresses = g_ptr_array_new ();
  g_autofree char *ports_text = NULL;
  g_autofree char *addresses_text = NULL;
  guint count = 0;

  for (guint i = 0; i < slice->n_ports && i < 3; i++)
    g_ptr_array_add (ports, slice->ports[i].port > 0
                                ? g_strdup_printf ("%d", slice->ports[i].port)
                                : g_strdup (slice->ports[i].name ? slice->ports[i].name : "*"));
  ports_text = list_with_more (ports, slice->n_ports > 3, slice->n_ports);
  for (guint i = 0; i < slice->n_endpoints; i++)
    for (guint j = 0; slice->endpoints[i].addresses[j] != NULL; j++, count++)
      if (addresses->len < 3)
        g_ptr_array_add (addresses, slice->endpoints[i].addresses[j]);
  addresses_text = list_with_more (addresses, count > 3, count);
  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, slice->address_type);
  ks_table_add_cell (t, ports_text);
  ks_table_add_cell (t, addresses_text);
  ks_table_add_cell (t, age);
}

static void
event_columns (KsTable *t)
{
  ks_table_add_column (t, "Last Seen", 0);
  ks_table_add_column (t, "Type", 0);
  ks_table_add_column (t, "Reason", 0);
  ks_table_add_column (t, "Object", 0);
  ks_table_add_column (t, "Subobject", 1);
  ks_table_add_column (t, "Source", 1);
  ks_table_add_column (t, "Message", 0);
  ks_table_add_column (t, "First Seen", 1);
  ks_table_add_column (t, "Count", 1);
  ks_table_add_column (t, "Name", 1);
}

/* formatEventSource: "component, host", or "<unknown>". */
static char *
event_source (const KsEvent *e)
{
  const char *component = e->source_component != NULL && e->source_component[0] != '\0'
                              ? e->source_component
                              : e->reporting_component;
  const char *host = e->source_host != NULL && e->source_host[0] != '\0' ? e->source_host
                                                                         : e->reporting_instance;

  if (component == NULL || component[0] == '\0')
    return g_strdup ("<unknown>");
  if (host == NULL || host[0] == '\0')
    return g_strdup (component);
  return g_strconcat (component, ", ", host, NULL);
}

static void
event_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsEvent *e = KS_EVENT (obj);
  g_autofree char *first = ks_age (e->first_timestamp, now);
  g_autofree char *last
      = e->last_timestamp != KS_TIME_NONE ? ks_age (e->last_timestamp, now) : g_strdup (first);
  g_autofree char *kind
      = g_ascii_strdown (e->involved_object.kind != NULL ? e->involved_object.kind : "", -1);
  g_autofree char *source = event_source (e);
  g_autofree char *message = g_strstrip (g_strdup (e->message != NULL ? e->message : ""));

  ks_table_add_cell (t, last);
  ks_table_add_cell (t, e->type);
  ks_table_add_cell (t, e->reason);
  if (e->involved_object.name != NULL && e->involved_object.name[0] != '\0')
    ks_table_add_cell_printf (t, "%s/%s", kind, e->involved_object.name);
  else
    ks_table_add_cell (t, kind);
  ks_table_add_cell (t, e->involved_object.field_path);
  ks_table_add_cell (t, source);
  ks_table_add_cell (t, message);
  ks_table_add_cell (t, first);
  /* Singleton events have no count in the new API: 1. */
  ks_table_add_cell_printf (t, "%d", e->count != 0 ? e->count : 1);
  ks_table_add_cell (t, obj->meta.name);
}

/* kubectl's statefulSetColumnDefinitions: READY is readyReplicas/spec.replicas. */
static void
stateful_set_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Ready", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "Containers", 1);
  ks_table_add_column (t, "Images", 1);
}

static void
stateful_set_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsStatefulSet *s = KS_STATEFUL_SET (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autoptr (GString) images = g_string_new (NULL);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%d/%d", s->status.ready_replicas, s->replicas);
  ks_table_add_cell (t, age);
  for (guint i = 0; s->template.spec != NULL && i < s->template.spec->n_containers; i++)
    {
      g_string_append_printf (names, "%s%s", i ? "," : "", s->template.spec->containers[i].name);
      g_string_append_printf (images, "%s%s", i ? "," : "", s->template.spec->containers[i].image);
    }
  ks_table_add_cell (t, names->str);
  ks_table_add_cell (t, images->str);
}

/* kubectl's persistentVolumeColumnDefinitions (v1.32): CLAIM is namespace/name, STORAGECLASS
 * the class as GetPersistentVolumeClass reads it; kubesim has no VolumeAttributesClasses. */
static void
pv_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Capacity", 0);
  ks_table_add_column (t, "Access Modes", 0);
  ks_table_add_column (t, "Reclaim Policy", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Claim", 0);
  ks_table_add_column (t, "StorageClass", 0);
  ks_table_add_column (t, "VolumeAttributesClass", 0);
  ks_table_add_column (t, "Reason", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "VolumeMode", 1);
}

static void
pv_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *capacity = ks_quantity_format_value (pv->capacity, TRUE);
  g_autofree char *modes = ks_access_modes_to_string (pv->access_modes);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, capacity);
  ks_table_add_cell (t, modes);
  ks_table_add_cell (t, ks_reclaim_policy_name (pv->reclaim_policy));
  ks_table_add_cell (t, ks_object_is_being_deleted (obj) ? "Terminating"
                                                         : ks_pv_phase_name (pv->status.phase));
  if (pv->has_claim_ref)
    ks_table_add_cell_printf (t, "%s/%s", pv->claim_ref.namespace ? pv->claim_ref.namespace : "",
                              pv->claim_ref.name ? pv->claim_ref.name : "");
  else
    ks_table_add_cell (t, "");
  ks_table_add_cell (t, ks_pv_class (pv));
  ks_table_add_cell (t, "<unset>");
  ks_table_add_cell (t, pv->status.reason);
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, pv->volume_mode == KS_VOLUME_BLOCK ? "Block" : "Filesystem");
}

/* kubectl's persistentVolumeClaimColumnDefinitions: capacity and access modes once bound. */
static void
pvc_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Status", 0);
  ks_table_add_column (t, "Volume", 0);
  ks_table_add_column (t, "Capacity", 0);
  ks_table_add_column (t, "Access Modes", 0);
  ks_table_add_column (t, "StorageClass", 0);
  ks_table_add_column (t, "VolumeAttributesClass", 0);
  ks_table_add_column (t, "Age", 0);
  ks_table_add_column (t, "VolumeMode", 1);
}

static void
pvc_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsPersistentVolumeClaim *pvc = KS_PERSISTENT_VOLUME_CLAIM (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *capacity = NULL;
  g_autofree char *modes = NULL;

  if (pvc->volume_name != NULL)
    {
      capacity
          = pvc->status.capacity > 0 ? ks_quantity_format_value (pvc->status.capacity, TRUE) : NULL;
      modes = ks_access_modes_to_string (pvc->status.access_modes);
    }
  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, ks_object_is_being_deleted (obj) ? "Terminating"
                                                         : ks_pvc_phase_name (pvc->status.phase));
  ks_table_add_cell (t, pvc->volume_name);
  ks_table_add_cell (t, capacity);
  ks_table_add_cell (t, modes);
  ks_table_add_cell (t, ks_pvc_class (pvc));
  ks_table_add_cell (t, "<unset>");
  ks_table_add_cell (t, age);
  ks_table_add_cell (t, pvc->volume_mode == KS_VOLUME_BLOCK ? "Block" : "Filesystem");
}

/* kubectl's horizontalPodAutoscalerColumnDefinitions: NAME REFERENCE TARGETS MINPODS MAXPODS
 * REPLICAS AGE. */
static void
hpa_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Reference", 0);
  ks_table_add_column (t, "Targets", 0);
  ks_table_add_column (t, "MinPods", 0);
  ks_table_add_column (t, "MaxPods", 0);
  ks_table_add_column (t, "Replicas", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
hpa_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsHorizontalPodAutoscaler *hpa = KS_HPA (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);
  g_autofree char *targets = ks_hpa_format_targets (hpa);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell_printf (t, "%s/%s", hpa->scale_target_ref.kind, hpa->scale_target_ref.name);
  ks_table_add_cell (t, targets);
  ks_table_add_cell_printf (t, "%d", hpa->min_replicas);
  ks_table_add_cell_printf (t, "%d", hpa->max_replicas);
  ks_table_add_cell_printf (t, "%d", hpa->status.current_replicas);
  ks_table_add_cell (t, age);
}

/* kubectl's storageClassColumnDefinitions: the default class is marked in NAME. */
static void
storage_class_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Provisioner", 0);
  ks_table_add_column (t, "ReclaimPolicy", 0);
  ks_table_add_column (t, "VolumeBindingMode", 0);
  ks_table_add_column (t, "AllowVolumeExpansion", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
storage_class_row (KsTable *t, const KsObject *obj, gint64 now)
{
  const KsStorageClass *sc = KS_STORAGE_CLASS (obj);
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  if (ks_storage_class_is_default (sc))
    ks_table_add_cell_printf (t, "%s (default)", obj->meta.name);
  else
    ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, sc->provisioner);
  ks_table_add_cell (t, ks_reclaim_policy_name (sc->reclaim_policy));
  ks_table_add_cell (t, sc->volume_binding_mode == KS_BINDING_WAIT_FOR_FIRST_CONSUMER
                            ? "WaitForFirstConsumer"
                            : "Immediate");
  ks_table_add_cell (t, sc->allow_volume_expansion ? "true" : "false");
  ks_table_add_cell (t, age);
}

static void
lease_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Holder", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
lease_row (KsTable *t, const KsObject *obj, gint64 now)
{
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, KS_LEASE (obj)->holder_identity);
  ks_table_add_cell (t, age);
}

static void
default_columns (KsTable *t)
{
  ks_table_add_column (t, "Name", 0);
  ks_table_add_column (t, "Age", 0);
}

static void
default_row (KsTable *t, const KsObject *obj, gint64 now)
{
  g_autofree char *age = ks_age (obj->meta.creation_timestamp, now);

  ks_table_add_cell (t, obj->meta.name);
  ks_table_add_cell (t, age);
}

typedef struct
{
  KsKindId kind;
  void (*columns) (KsTable *t);
  void (*row) (KsTable *t, const KsObject *obj, gint64 now);
} Printer;

static const Printer printers[] = {
  { KS_KIND_POD, pod_columns, pod_row },
  { KS_KIND_DEPLOYMENT, deployment_columns, deployment_row },
  { KS_KIND_REPLICA_SET, replica_set_columns, replica_set_row },
  { KS_KIND_NODE, node_columns, node_row },
  { KS_KIND_NAMESPACE, namespace_columns, namespace_row },
  { KS_KIND_PRIORITY_CLASS, priority_class_columns, priority_class_row },
  { KS_KIND_SERVICE, service_columns, service_row },
  { KS_KIND_ENDPOINTS, endpoints_columns, endpoints_row },
  { KS_KIND_EVENT, event_columns, event_row },
  { KS_KIND_LEASE, lease_columns, lease_row },
  { KS_KIND_POD_DISRUPTION_BUDGET, pdb_columns, pdb_row },
  { KS_KIND_STATEFUL_SET, stateful_set_columns, stateful_set_row },
  { KS_KIND_JOB, job_columns, job_row },
  { KS_KIND_ENDPOINT_SLICE, endpoint_slice_columns, endpoint_slice_row },
  { KS_KIND_PERSISTENT_VOLUME, pv_columns, pv_row },
  { KS_KIND_PERSISTENT_VOLUME_CLAIM, pvc_columns, pvc_row },
  { KS_KIND_STORAGE_CLASS, storage_class_columns, storage_class_row },
  { KS_KIND_HORIZONTAL_POD_AUTOSCALER, hpa_columns, hpa_row },
};

KsTable *
ks_table_for_objects_full (const KsKind *kind, GPtrArray *objects, gint64 now, KsTableFlags flags)
{
  KsTable *t = ks_table_new ();
  Printer printer = { kind->id, default_columns, default_row };
  gboolean with_namespace = (flags & KS_TABLE_WITH_NAMESPACE) && kind->namespaced;
  g_autofree char *type = ks_kind_type_name (kind);

  for (guint i = 0; i < G_N_ELEMENTS (printers); i++)
    if (printers[i].kind == kind->id)
      printer = printers[i];
  if (with_namespace)
    ks_table_add_column (t, "Namespace", 0);
  printer.columns (t);
  if (flags & KS_TABLE_SHOW_LABELS)
    ks_table_add_column (t, "Labels", 0);
  for (guint i = 0; i < objects->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (objects, i);
      GPtrArray *row;
      ks_table_add_row (t);
      if (with_namespace)
        ks_table_add_cell (t, obj->meta.namespace);
      printer.row (t, obj, now);
      row = g_ptr_array_index (t->rows, t->rows->len - 1);
      if ((flags & KS_TABLE_WITH_KIND) && kind->id != KS_KIND_EVENT)
        {
          /* The name column (after NAMESPACE) says the kind: "deployment.apps/web". */
          guint c = with_namespace ? 1 : 0;
          char *named = g_strconcat (type, "/", (char *) g_ptr_array_index (row, c), NULL);
          g_free (g_ptr_array_index (row, c));
          g_ptr_array_index (row, c) = named;
        }
      if (flags & KS_TABLE_SHOW_LABELS)
        {
          g_autofree char *labels = ks_format_labels (obj->meta.labels);
          ks_table_add_cell (t, labels);
        }
    }
  return t;
}

KsTable *
ks_table_for_objects (const KsKind *kind, GPtrArray *objects, gint64 now, gboolean with_namespace)
{
  return ks_table_for_objects_full (kind, objects, now,
                                    with_namespace ? KS_TABLE_WITH_NAMESPACE : 0);
}

/* ---- Go's text/tabwriter -----------------------------------------------------------------------
 */

struct _KsTabWriter
{
  GString *pending; /* text since the last flush */
  GString *out;
  guint min_width;
  guint padding;
};

KsTabWriter *
ks_tab_writer_new_full (GString *out, guint min_width, guint padding)
{
  KsTabWriter *w = g_new0 (KsTabWriter, 1);

  w->pending = g_string_new (NULL);
  w->out = out;
  w->min_width = min_width;
  w->padding = padding;
  return w;
}

KsTabWriter *
ks_tab_writer_new (GString *out)
{
  return ks_tab_writer_new_full (out, 0, 2);
}

void
ks_tab_writer_free (KsTabWriter *w)
{
  if (w == NULL)
    return;
  ks_tab_writer_flush (w);
  g_string_free (w->pending, TRUE);
  g_free (w);
}

void
ks_tab_writer_printf (KsTabWriter *w, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_string_append_vprintf (w->pending, format, ap);
  va_end (ap);
}

void
ks_tab_writer_write (KsTabWriter *w, const char *text)
{
  g_string_append (w->pending, text);
}

/* Go's tabwriter with padchar ' ' and no flags: a cell is text ended by a tab; a column block is
 * a run of consecutive lines that have a cell in that column; its width is the widest cell plus
 * the padding, at least the minimum width.  The text after a line's last tab is not in a
 * column. */

typedef struct
{
  char **cells; /* the line's cells, the last one not tab-terminated */
  guint n;
} TabLine;

static void
tab_write_lines (TabLine *lines, guint n_lines, GArray *widths, guint line0, guint line1,
                 GString *out)
{
  for (guint i = line0; i < line1; i++)
    {
      TabLine *line = &lines[i];
      for (guint j = 0; j < line->n; j++)
        {
          g_string_append (out, line->cells[j]);
          if (j < widths->len)
            for (glong k = g_utf8_strlen (line->cells[j], -1);
                 k < (glong) g_array_index (widths, guint, j); k++)
              g_string_append_c (out, ' ');
        }
      if (i + 1 < n_lines)
        g_string_append_c (out, '\n');
    }
}

static void
tab_format (const KsTabWriter *w, TabLine *lines, guint n_lines, GArray *widths, guint line0,
            guint line1, GString *out)
{
  guint column = widths->len;

  for (guint this = line0; this < line1; this ++)
    {
      guint width = 0;

      if (column + 1 >= lines[this].n)
        continue;
      /* A cell in this column: a block starts; print the lines before it. */
      tab_write_lines (lines, n_lines, widths, line0, this, out);
      line0 = this;
      width = w->min_width;
      for (; this < line1 && column + 1 < lines[this].n; this ++)
        width = MAX (width, (guint) g_utf8_strlen (lines[this].cells[column], -1) + w->padding);
      g_array_append_val (widths, width);
      tab_format (w, lines, n_lines, widths, line0, this, out);
      g_array_set_size (widths, widths->len - 1);
      line0 = this;
      if (this == line1)
        break;
    }
  tab_write_lines (lines, n_lines, widths, line0, line1, out);
}

void
ks_tab_writer_flush (KsTabWriter *w)
{
  g_auto (GStrv) raw = NULL;
  g_autofree TabLine *lines = NULL;
  g_autoptr (GArray) widths = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_lines;

  if (w->pending->len == 0)
    return;
  raw = g_strsplit (w->pending->str, "\n", -1);
  n_lines = g_strv_length (raw);
  lines = g_new0 (TabLine, n_lines);
  for (guint i = 0; i < n_lines; i++)
    {
      lines[i].cells = g_strsplit (raw[i], "\t", -1);
      lines[i].n = g_strv_length (lines[i].cells);
    }
  tab_format (w, lines, n_lines, widths, 0, n_lines, w->out);
  for (guint i = 0; i < n_lines; i++)
    g_strfreev (lines[i].cells);
  g_string_truncate (w->pending, 0);
}

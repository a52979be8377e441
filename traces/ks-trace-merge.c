/* ks-trace-merge.c: the merge of a trace's tables by time (ks-trace-merge.h). */
#include "config.h"

#include <string.h>

#include "ks-trace-merge.h"

void
ks_trace_merge_add (KsTraceMerge *merge, KsTraceMergeTable *table, const KsTraceMergeClass *klass,
                    gpointer data)
{
  g_assert (merge->n_tables < KS_TRACE_MERGE_MAX_TABLES);
  table->klass = klass;
  table->data = data;
  merge->tables[merge->n_tables++] = table;
}

gboolean
ks_trace_merge_open (KsTraceMerge *merge, const char *format, const char *const *paths,
                     guint n_paths, guint default_table, const char *const *unread, GError **error)
{
  const char *names[KS_TRACE_MERGE_MAX_TABLES + 1] = { NULL };
  GPtrArray *table_paths[KS_TRACE_MERGE_MAX_TABLES];
  guint n_tables = merge->n_tables;
  gboolean ok = FALSE;

  for (guint t = 0; t < n_tables; t++)
    {
      names[t] = merge->tables[t]->klass->name;
      table_paths[t] = g_ptr_array_new_with_free_func (g_free);
    }
  if (!ks_trace_classify (format, paths, n_paths, names, n_tables, default_table, unread,
                          table_paths, error))
    goto out;
  for (guint t = 0; t < n_tables; t++)
    {
      KsTraceMergeTable *table = merge->tables[t];

      if (table_paths[t]->len == 0)
        continue;
      table->input = ks_trace_input_open ((const char *const *) table_paths[t]->pdata,
                                          table_paths[t]->len, error);
      if (table->input == NULL)
        {
          ks_trace_merge_clear (merge);
          goto out;
        }
      merge->active[merge->n_active++] = table;
    }
  ok = TRUE;
out:
  for (guint t = 0; t < n_tables; t++)
    g_ptr_array_unref (table_paths[t]);
  return ok;
}

void
ks_trace_merge_clear (KsTraceMerge *merge)
{
  for (guint t = 0; t < merge->n_tables; t++)
    g_clear_pointer (&merge->tables[t]->input, ks_trace_input_free);
  merge->n_active = 0;
}

/* Read the table's next good row (bad ones are reported and skipped): ROW, END or FAIL. */
static inline KsTraceMergeFill
fill (KsTraceMergeTable *table, KsTraceReader *reader, GError **error)
{
  KsTraceMergeFill got;

  do
    got = table->klass->fill (table, reader, &table->time, error);
  while (got == KS_TRACE_MERGE_SKIP);
  table->pending = got == KS_TRACE_MERGE_ROW;
  return got;
}

gboolean
ks_trace_merge_step (gpointer data, KsTraceReader *reader, GError **error)
{
  KsTraceMerge *merge = data;
  KsTraceMergeTable *next = NULL;

  for (guint i = 0; i < merge->n_active;)
    {
      KsTraceMergeTable *table = merge->active[i];

      if (!table->pending)
        switch (fill (table, reader, error))
          {
          case KS_TRACE_MERGE_FAIL:
            return FALSE;
          case KS_TRACE_MERGE_END:
            /* Later steps look only at the tables left. */
            merge->n_active--;
            memmove (&merge->active[i], &merge->active[i + 1],
                     (merge->n_active - i) * sizeof merge->active[0]);
            continue;
          default:
            break;
          }
      if (next == NULL || table->time < next->time)
        next = table;
      i++;
    }
  if (next == NULL)
    return FALSE;
  next->pending = FALSE;
  return next->klass->handle (next, reader, error);
}

KsTraceInput *
ks_trace_merge_get_input (gpointer data)
{
  KsTraceMerge *merge = data;

  for (guint t = merge->n_tables; t > 0; t--)
    if (merge->tables[t - 1]->input != NULL)
      return merge->tables[t - 1]->input;
  return NULL;
}

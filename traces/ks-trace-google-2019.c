/* ks-trace-google-2019.c: the Google clusterdata-2019 trace (docs/traces.md "google-2019").
 *
 * instance_events, and collection_events and machine_events when given, as JSON lines (the
 * BigQuery export: one object per line, int64 values as strings, enums as names or numbers,
 * resources as {"cpus": …, "memory": …} fractions of the largest machine).  Field names and
 * codes follow clusterdata_trace_format_v3.proto.  As for 2011, each table is read in time order
 * and the tables are merged row by row (machines, then collections, then instances at equal
 * times). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-trace-merge.h"
#include "ks-trace-objects.h"

#define AFTER_WINDOW G_MAXINT64

typedef enum
{
  TABLE_MACHINE,
  TABLE_COLLECTION,
  TABLE_INSTANCE,
  N_TABLES,
} Table;

static const char *const unread_tables[]
    = { "instance_usage", "machine_attributes", "machine_attribute", NULL };

/* EventType (collections and instances), by code. */
static const char *const event_names[] = {
  "SUBMIT", "QUEUE", "ENABLE", "SCHEDULE",       "EVICT",          "FAIL",
  "FINISH", "KILL",  "LOST",   "UPDATE_PENDING", "UPDATE_RUNNING",
};

/* What an instance's event gives: the record's op and, for the ends, the outcome.  QUEUE, ENABLE
   (the batch scheduler holding and releasing it) and the updates: the pod goes on as it was;
   kept for the counts. */
static const struct
{
  KsTraceOp op;
  KsTraceOutcome outcome;
} pod_event_ops[G_N_ELEMENTS (event_names)] = {
  { KS_TRACE_POD_SUBMIT, KS_TRACE_OUTCOME_NONE },   { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },
  { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },   { KS_TRACE_POD_START, KS_TRACE_OUTCOME_NONE },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_EVICTED },   { KS_TRACE_POD_END, KS_TRACE_OUTCOME_FAILED },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_SUCCEEDED }, { KS_TRACE_POD_END, KS_TRACE_OUTCOME_KILLED },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_LOST },      { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },
  { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },
};

/* MachineEvent.EventType, by code (0 "should never happen"). */
static const char *const machine_event_names[]
    = { "EVENT_TYPE_UNKNOWN", "ADD", "REMOVE", "UPDATE" };
static const char *const collection_types[] = { "JOB", "ALLOC_SET" };

/* A table: its parser, which holds the pending row until the next fill of the table. */
typedef struct
{
  KsTraceMergeTable merge;
  JsonParser *parser;
  JsonObject *row; /* the pending row (owned by parser) */
} JsonTable;

typedef struct
{
  KsTraceMerge merge; /* first: the state is the merge's (ks_trace_merge_step) */
  KsTraceOptions options;
  JsonTable tables[N_TABLES];
  char id[64];
  char job[32];
} State;

static const KsTraceMergeClass table_classes[N_TABLES];

static void
state_free (gpointer data)
{
  State *state = data;

  if (state == NULL)
    return;
  ks_trace_merge_clear (&state->merge);
  for (int t = 0; t < N_TABLES; t++)
    g_clear_object (&state->tables[t].parser);
  g_free (state);
}

static gpointer
google_2019_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
                  const KsTraceOptions *options, GError **error)
{
  State *state = g_new0 (State, 1);

  (void) reader;
  state->options = *options;
  for (int t = 0; t < N_TABLES; t++)
    ks_trace_merge_add (&state->merge, &state->tables[t].merge, &table_classes[t], state);
  if (!ks_trace_merge_open (&state->merge, "google-2019", paths, n_paths, TABLE_INSTANCE,
                            unread_tables, error))
    {
      g_clear_pointer (&state, state_free);
      return NULL;
    }
  for (int t = 0; t < N_TABLES; t++)
    if (state->tables[t].merge.input != NULL)
      state->tables[t].parser = json_parser_new_immutable ();
  return state;
}

typedef enum
{
  FIELD_ABSENT, /* missing or null */
  FIELD_OK,
  FIELD_BAD,
} FieldResult;

/* An integer: a JSON number or a string of digits (BigQuery writes int64 as strings). */
static FieldResult
get_int64 (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FIELD_BAD;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = json_node_get_int (node);
      return FIELD_OK;
    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        if (d != floor (d) || fabs (d) > 9.2e18)
          return FIELD_BAD;
        *out = (gint64) d;
        return FIELD_OK;
      }
    case G_TYPE_STRING:
      return ks_trace_parse_int64 (json_node_get_string (node), out) ? FIELD_OK : FIELD_BAD;
    default:
      return FIELD_BAD;
    }
}

/* A number: a JSON number or a string holding one. */
static FieldResult
get_double (JsonObject *o, const char *name, double *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FIELD_BAD;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return FIELD_OK;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return FIELD_OK;
    case G_TYPE_STRING:
      return ks_trace_parse_double (json_node_get_string (node), out) ? FIELD_OK : FIELD_BAD;
    default:
      return FIELD_BAD;
    }
}

/* An enum: its name (any case) or its code, as a number or a string. */
static FieldResult
get_enum (JsonObject *o, const char *name, const char *const *names, guint n_names, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      for (guint i = 0; i < n_names; i++)
        if (g_ascii_strcasecmp (text, names[i]) == 0)
          {
            *out = i;
            return FIELD_OK;
          }
    }
  switch (get_int64 (o, name, out))
    {
    case FIELD_ABSENT:
      return FIELD_ABSENT;
    case FIELD_OK:
      return *out >= 0 && *out < (gint64) n_names ? FIELD_OK : FIELD_BAD;
    default:
      return FIELD_BAD;
    }
}

/* A field's text for messages. */
static char *
field_text (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node != NULL ? json_to_string (node, FALSE) : g_strdup ("(missing)");
}

#define BAD(...)                                                                                   \
  ks_trace_bad_row (reader, ks_trace_input_get_file (table->merge.input),                          \
                    ks_trace_input_get_line (table->merge.input), error, __VA_ARGS__)

/* A Resources object's member as a quantity: -1 when absent; FALSE when not a number ≥ 0. */
static gboolean
get_resource (JsonObject *resources, const char *name, double reference, gint64 *out)
{
  double value;

  *out = -1;
  if (resources == NULL)
    return TRUE;
  switch (get_double (resources, name, &value))
    {
    case FIELD_ABSENT:
      return TRUE;
    case FIELD_OK:
      if (value < 0)
        return FALSE;
      *out = (gint64) llround (value * reference);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The resources object (resource_request, capacity): NULL when absent; FALSE when not an
   object. */
static gboolean
get_resources (JsonObject *o, const char *name, JsonObject **out)
{
  JsonNode *node = json_object_get_member (o, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  *out = json_node_get_object (node);
  return TRUE;
}

/* The PriorityClass band of a 2019 priority (ks-trace-objects.h: the same bands replay creates). */
static const char *
band (gint64 priority)
{
  return ks_trace_google_band ((int) CLAMP (priority, G_MININT, G_MAXINT), TRUE);
}

static gboolean
instance_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  JsonTable *table = (JsonTable *) merge;
  State *state = merge->data;
  JsonObject *o = table->row;
  gint64 type, collection, index, priority = 0, collection_type = 0;
  JsonObject *request;
  KsTraceRecord record = { 0 };
  g_autofree char *text = NULL;

  if (get_enum (o, "type", event_names, G_N_ELEMENTS (event_names), &type) != FIELD_OK)
    return BAD ("type %s is not an event type (0 SUBMIT … 10 UPDATE_RUNNING, by code or name)",
                (text = field_text (o, "type")));
  if (get_int64 (o, "collection_id", &collection) != FIELD_OK || collection < 0)
    return BAD ("collection_id %s is not an integer ≥ 0", (text = field_text (o, "collection_id")));
  if (get_int64 (o, "instance_index", &index) != FIELD_OK || index < 0)
    return BAD ("instance_index %s is not an integer ≥ 0",
                (text = field_text (o, "instance_index")));
  if (get_int64 (o, "priority", &priority) == FIELD_BAD)
    return BAD ("priority %s is not an integer", (text = field_text (o, "priority")));
  if (get_enum (o, "collection_type", collection_types, G_N_ELEMENTS (collection_types),
                &collection_type)
      == FIELD_BAD)
    return BAD ("collection_type %s is not 0 JOB or 1 ALLOC_SET",
                (text = field_text (o, "collection_type")));
  if (!get_resources (o, "resource_request", &request))
    return BAD ("resource_request is not an object {\"cpus\": …, \"memory\": …}");
  if (!get_resource (request, "cpus", state->options.machine_cpu * 1000, &record.cpu_milli))
    return BAD ("resource_request.cpus is not a number ≥ 0");
  if (!get_resource (request, "memory", (double) state->options.machine_memory,
                     &record.memory_bytes))
    return BAD ("resource_request.memory is not a number ≥ 0");
  /* Alloc instances are reservations that tasks run inside, not work of their own. */
  if (collection_type == 1 || table->merge.time == AFTER_WINDOW)
    return TRUE;
  g_snprintf (state->job, sizeof state->job, "%" G_GINT64_FORMAT, collection);
  g_snprintf (state->id, sizeof state->id, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, collection,
              index);
  record.id = state->id;
  record.job = state->job;
  record.event_name = event_names[type];
  record.gpu = -1;
  record.gpu_milli = -1;
  record.priority = (int) CLAMP (priority, G_MININT, G_MAXINT);
  record.priority_class = band (priority);
  record.runtime = -1;
  record.op = pod_event_ops[type].op;
  record.outcome = pod_event_ops[type].outcome;
  ks_trace_merge_emit (merge, reader, &record);
  return TRUE;
}

static gboolean
machine_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  JsonTable *table = (JsonTable *) merge;
  State *state = merge->data;
  JsonObject *o = table->row;
  gint64 machine, type;
  JsonObject *capacity;
  KsTraceRecord record = { 0 };
  g_autofree char *text = NULL;

  if (get_int64 (o, "machine_id", &machine) != FIELD_OK || machine < 0)
    return BAD ("machine_id %s is not an integer ≥ 0", (text = field_text (o, "machine_id")));
  if (get_enum (o, "type", machine_event_names, G_N_ELEMENTS (machine_event_names), &type)
          != FIELD_OK
      || type == 0)
    return BAD ("type %s is not a machine event type (1 ADD, 2 REMOVE, 3 UPDATE)",
                (text = field_text (o, "type")));
  if (!get_resources (o, "capacity", &capacity))
    return BAD ("capacity is not an object {\"cpus\": …, \"memory\": …}");
  if (!get_resource (capacity, "cpus", state->options.machine_cpu * 1000, &record.cpu_milli))
    return BAD ("capacity.cpus is not a number ≥ 0");
  if (!get_resource (capacity, "memory", (double) state->options.machine_memory,
                     &record.memory_bytes))
    return BAD ("capacity.memory is not a number ≥ 0");
  if (table->merge.time == AFTER_WINDOW)
    return TRUE;
  g_snprintf (state->id, sizeof state->id, "machine-%" G_GINT64_FORMAT, machine);
  record.op = type == 1   ? KS_TRACE_NODE_ADD
              : type == 2 ? KS_TRACE_NODE_REMOVE
                          : KS_TRACE_NODE_UPDATE;
  record.id = state->id;
  record.event_name = machine_event_names[type];
  record.gpu = -1;
  record.gpu_milli = -1;
  record.runtime = -1;
  ks_trace_merge_emit (merge, reader, &record);
  return TRUE;
}

/* A collection event: checked and counted; no record (instances name their collection). */
static gboolean
collection_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  JsonTable *table = (JsonTable *) merge;
  JsonObject *o = table->row;
  gint64 type, collection;
  g_autofree char *text = NULL;

  if (get_enum (o, "type", event_names, G_N_ELEMENTS (event_names), &type) != FIELD_OK)
    return BAD ("type %s is not an event type (0 SUBMIT … 10 UPDATE_RUNNING, by code or name)",
                (text = field_text (o, "type")));
  if (get_int64 (o, "collection_id", &collection) != FIELD_OK || collection < 0)
    return BAD ("collection_id %s is not an integer ≥ 0", (text = field_text (o, "collection_id")));
  return TRUE;
}

/* Read a table's next object (blank lines skipped) and get its time. */
static KsTraceMergeFill
fill (KsTraceMergeTable *merge, KsTraceReader *reader, gint64 *time, GError **error)
{
  JsonTable *table = (JsonTable *) merge;
  Table t = (Table) (merge->klass - table_classes);
  g_autoptr (GError) local = NULL;
  const char *line;
  gsize len = 0;
  JsonNode *root;
  g_autofree char *text = NULL;

  while (len == 0)
    {
      if (!ks_trace_input_next_line (merge->input, &line, &len, &local))
        {
          if (local == NULL)
            return KS_TRACE_MERGE_END;
          g_propagate_error (error, g_steal_pointer (&local));
          return KS_TRACE_MERGE_FAIL;
        }
      while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    }
  ks_trace_count_row (reader);
  if (!json_parser_load_from_data (table->parser, line, (gssize) len, &local))
    return BAD ("not JSON (%s): expected one %s object per line", local->message,
                table_classes[t].name)
               ? KS_TRACE_MERGE_SKIP
               : KS_TRACE_MERGE_FAIL;
  root = json_parser_get_root (table->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return BAD ("expected one %s object per line", table_classes[t].name) ? KS_TRACE_MERGE_SKIP
                                                                          : KS_TRACE_MERGE_FAIL;
  table->row = json_node_get_object (root);
  if (get_int64 (table->row, "time", time) != FIELD_OK || *time < 0)
    return BAD ("time %s is not an integer ≥ 0 (µs)", (text = field_text (table->row, "time")))
               ? KS_TRACE_MERGE_SKIP
               : KS_TRACE_MERGE_FAIL;
  return KS_TRACE_MERGE_ROW;
}

static const KsTraceMergeClass table_classes[N_TABLES] = {
  [TABLE_MACHINE] = { "machine_events", fill, machine_row },
  [TABLE_COLLECTION] = { "collection_events", fill, collection_row },
  [TABLE_INSTANCE] = { "instance_events", fill, instance_row },
};

const KsTraceFormat ks_trace_format_google_2019 = {
  .name = "google-2019",
  .open = google_2019_open,
  .step = ks_trace_merge_step,
  .free = state_free,
  .get_input = ks_trace_merge_get_input,
};

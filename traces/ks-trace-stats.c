/* ks-trace-stats.c: what a trace holds (ks-trace-stats.h).
 *
 * The distinct pods, jobs and nodes are counted exactly, so every id seen is kept: a whole trace
 * has tens of millions of pods (11 million instances in the Alibaba 2017 sample alone), and a
 * GHashTable of g_strdup'ed strings spends about 56 bytes on each.  IdSet keeps the ids most
 * traces have (one to three decimal numbers joined by '-': a Google "<job>-<index>", an Alibaba
 * 2017 "<job>-<task>-<instance>") in 8 bytes each: packed losslessly into a 64-bit key, appended
 * to a pending buffer that is radix-sorted and merged into one sorted array of distinct keys
 * whenever it fills (so no hash-table slack and no random access per record).  Any other id is
 * copied once into an arena, found through an open-addressing table whose slots hold the arena
 * offset and a part of the hash.  Nothing is approximate: two ids count once only when they are
 * the same string. */
#include "config.h"

#include "ks-trace-stats.h"

#include <math.h>
#include <string.h>

/* Strings at arena offsets below 2^40 (1 TiB); the slot's top 24 bits hold a part of the hash. */
#define OFFSET_BITS 40
#define OFFSET_MASK ((G_GUINT64_CONSTANT (1) << OFFSET_BITS) - 1)

typedef struct
{
  /* Packed ids: the distinct keys merged so far, ascending, and those added since. */
  guint64 *sorted;
  gsize sorted_len;
  guint64 *pending;
  gsize pending_len, pending_cap;
  /* Other ids: (hash part << 40) | (arena offset + 1) per slot, 0 = empty. */
  guint64 *slots;
  gsize slots_cap, slots_len;
  char *arena; /* the ids, NUL-terminated */
  gsize arena_len, arena_cap;
  gsize last; /* arena offset + 1 of the id added or found last, 0 = none */
} IdSet;

static void
id_set_clear (IdSet *set)
{
  g_free (set->sorted);
  g_free (set->pending);
  g_free (set->slots);
  g_free (set->arena);
  memset (set, 0, sizeof *set);
}

/* A canonical decimal ("0", or digits without a leading zero) at *p, moved past it. */
static gboolean
parse_decimal (const char **p, guint64 *value)
{
  const char *q = *p;
  guint64 v = 0;

  if (*q == '0' && q[1] >= '0' && q[1] <= '9')
    return FALSE;
  for (; *q >= '0' && *q <= '9'; q++)
    {
      if (v > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*q - '0');
    }
  if (q == *p)
    return FALSE;
  *p = q;
  *value = v;
  return TRUE;
}

static guint
bit_length (guint64 v)
{
  return v == 0 ? 0 : g_bit_storage (v);
}

/* One to three canonical decimals joined by '-' ("6251412-0", "12345-2-7") as a key from which
 * they could be read back: the top two bits give how many numbers there are; with two or three,
 * the next six bits (and six more) give the bit length of the last one (two), which fixes where
 * each number's bits begin.  FALSE for any other id, or numbers too long to fit (62 bits for one,
 * 56 together for two, 50 for three): those go to the arena. */
static gboolean
pack_id (const char *id, guint64 *key)
{
  guint64 n[3];
  guint bits[3], count = 0;
  const char *p = id;

  for (;;)
    {
      if (count == 3 || !parse_decimal (&p, &n[count]))
        return FALSE;
      bits[count] = bit_length (n[count]);
      count++;
      if (*p == '\0')
        break;
      if (*p != '-')
        return FALSE;
      p++;
    }
  switch (count)
    {
    case 1:
      if (bits[0] > 62)
        return FALSE;
      *key = (G_GUINT64_CONSTANT (1) << 62) | n[0];
      return TRUE;
    case 2:
      if (bits[0] + bits[1] > 56)
        return FALSE;
      *key = (G_GUINT64_CONSTANT (2) << 62) | ((guint64) bits[1] << 56) | (n[0] << bits[1]) | n[1];
      return TRUE;
    default:
      if (bits[0] + bits[1] + bits[2] > 50)
        return FALSE;
      *key = (G_GUINT64_CONSTANT (3) << 62) | ((guint64) bits[1] << 56) | ((guint64) bits[2] << 50)
             | (n[0] << (bits[1] + bits[2])) | (n[1] << bits[2]) | n[2];
      return TRUE;
    }
}

/* splitmix64's finalizer: the packed keys' low bits alone are far from uniform. */
static guint64
mix (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

/* FNV-1a over the string, mixed. */
static guint64
hash_string (const char *s, gsize *len)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  const char *p = s;

  for (; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * G_GUINT64_CONSTANT (0x100000001b3);
  *len = (gsize) (p - s);
  return mix (h);
}

/* LSD radix sort, a byte at a time; a byte that is the same in every key (the tag, the high
 * bytes of small numbers) costs one counting pass and no move. */
static void
radix_sort (guint64 *keys, gsize n)
{
  g_autofree guint64 *scratch = g_new (guint64, n);
  guint64 *src = keys, *dst = scratch, *swap;

  for (guint shift = 0; shift < 64; shift += 8)
    {
      gsize count[256] = { 0 }, sum = 0;

      for (gsize i = 0; i < n; i++)
        count[(src[i] >> shift) & 0xff]++;
      if (count[(src[0] >> shift) & 0xff] == n)
        continue;
      for (guint d = 0; d < 256; d++)
        {
          gsize c = count[d];

          count[d] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        dst[count[(src[i] >> shift) & 0xff]++] = src[i];
      swap = src;
      src = dst;
      dst = swap;
    }
  if (src != keys)
    memcpy (keys, src, n * sizeof *keys);
}

/* Sort the pending keys, drop repeats, and merge them into sorted, from the back so that the
 * array only grows in place (realloc of a large block moves pages, it copies nothing). */
static void
flush_pending (IdSet *set)
{
  gsize m = 0, total, k;
  gssize i, j;

  if (set->pending_len == 0)
    return;
  radix_sort (set->pending, set->pending_len);
  for (gsize p = 0; p < set->pending_len; p++)
    if (m == 0 || set->pending[p] != set->pending[m - 1])
      set->pending[m++] = set->pending[p];
  set->pending_len = 0;
  total = set->sorted_len + m;
  set->sorted = g_renew (guint64, set->sorted, total);
  i = (gssize) set->sorted_len - 1;
  j = (gssize) m - 1;
  k = total; /* [k, total) is written */
  while (j >= 0)
    {
      if (i >= 0 && set->sorted[i] >= set->pending[j])
        {
          if (set->sorted[i] == set->pending[j])
            j--;
          set->sorted[--k] = set->sorted[i--];
        }
      else
        set->sorted[--k] = set->pending[j--];
    }
  /* Keys already there leave a gap of their number between [0, i] and [k, total). */
  if (k > (gsize) (i + 1))
    {
      memmove (set->sorted + i + 1, set->sorted + k, (total - k) * sizeof *set->sorted);
      total -= k - (gsize) (i + 1);
    }
  set->sorted_len = total;
}

/* Pending keys are merged when there are half as many as merged keys, between 64 Ki and 1 Mi of
 * them: a merge costs a pass over the merged keys, so it is repaid over the adds since the last,
 * and the buffer (with the sort's scratch, twice its size) stays small beside the keys it adds
 * to: 16 MiB at most, less than the sorted array of a set that large. */
#define PENDING_MIN (1 << 16)
#define PENDING_MAX (1 << 20)

static void
add_key (IdSet *set, guint64 key)
{
  /* A record of the same pod or job as the one before is common (a job's tasks in a row). */
  if (set->pending_len > 0 && set->pending[set->pending_len - 1] == key)
    return;
  if (set->pending_len == set->pending_cap)
    {
      gsize limit = CLAMP (set->sorted_len / 2, PENDING_MIN, PENDING_MAX);

      if (set->pending_len >= limit)
        flush_pending (set);
      else
        {
          set->pending_cap = MIN (MAX (set->pending_cap * 2, 256), limit);
          set->pending = g_renew (guint64, set->pending, set->pending_cap);
        }
    }
  set->pending[set->pending_len++] = key;
}

static void
slots_insert (guint64 *slots, gsize cap, guint64 hash, guint64 slot)
{
  gsize mask = cap - 1, i = (gsize) hash & mask;

  while (slots[i] != 0)
    i = (i + 1) & mask;
  slots[i] = slot;
}

static void
add_string (IdSet *set, const char *id)
{
  gsize len, mask, i;
  guint64 hash, tag, slot;

  /* The same job as the record before is the rule (a job's tasks come together), and a probe of
     a large table is a cache miss or two. */
  if (set->last > 0 && strcmp (set->arena + set->last - 1, id) == 0)
    return;
  hash = hash_string (id, &len);
  tag = hash >> OFFSET_BITS << OFFSET_BITS;
  if (set->slots_cap > 0)
    {
      mask = set->slots_cap - 1;
      for (i = (gsize) hash & mask; set->slots[i] != 0; i = (i + 1) & mask)
        if ((set->slots[i] & ~OFFSET_MASK) == tag
            && strcmp (set->arena + (set->slots[i] & OFFSET_MASK) - 1, id) == 0)
          {
            set->last = set->slots[i] & OFFSET_MASK;
            return;
          }
    }
  if (set->arena_len + len + 1 > set->arena_cap)
    {
      set->arena_cap = MAX (set->arena_cap * 2, set->arena_len + len + 1 + 4096);
      set->arena = g_realloc (set->arena, set->arena_cap);
    }
  if ((guint64) set->arena_len + len + 2 > OFFSET_MASK)
    g_error ("trace stats: more than %" G_GUINT64_FORMAT " bytes of distinct ids", OFFSET_MASK);
  memcpy (set->arena + set->arena_len, id, len + 1);
  slot = tag | (set->arena_len + 1);
  set->last = set->arena_len + 1;
  set->arena_len += len + 1;
  if ((set->slots_len + 1) * 4 > set->slots_cap * 3)
    {
      gsize cap = MAX (set->slots_cap * 2, 256);
      guint64 *slots = g_new0 (guint64, cap);

      for (gsize j = 0; j < set->slots_cap; j++)
        if (set->slots[j] != 0)
          {
            gsize n;
            guint64 h = hash_string (set->arena + (set->slots[j] & OFFSET_MASK) - 1, &n);

            slots_insert (slots, cap, h, set->slots[j]);
          }
      g_free (set->slots);
      set->slots = slots;
      set->slots_cap = cap;
    }
  slots_insert (set->slots, set->slots_cap, hash, slot);
  set->slots_len++;
}

static guint64
id_set_size (IdSet *set)
{
  flush_pending (set);
  return set->sorted_len + set->slots_len;
}

/* Add id (NULL: nothing) unless it is there already. */
static void
id_set_add (IdSet *set, const char *id)
{
  guint64 key;

  if (id == NULL)
    return;
  if (pack_id (id, &key))
    add_key (set, key);
  else
    add_string (set, id);
}

struct _KsTraceStats
{
  KsTraceCounts counts;
  IdSet pods;         /* distinct pod ids */
  IdSet jobs;         /* distinct jobs */
  IdSet nodes;        /* distinct node ids */
  GHashTable *events; /* event name → guint64 * */
  guint64 records;
  guint64 submissions;
  gboolean any_time, any_submit;
  gint64 first_time, last_time;
  gint64 first_submit, last_submit;
  gint64 cpu_milli;    /* summed over submissions */
  double memory_bytes; /* a sum of many byte counts may pass 2^63 */
  double gpus;         /* whole GPUs, or a share of them (openb gpu_milli) */
};

KsTraceStats *
ks_trace_stats_new (void)
{
  KsTraceStats *stats = g_new0 (KsTraceStats, 1);

  stats->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return stats;
}

void
ks_trace_stats_free (KsTraceStats *stats)
{
  if (stats == NULL)
    return;
  id_set_clear (&stats->pods);
  id_set_clear (&stats->jobs);
  id_set_clear (&stats->nodes);
  g_hash_table_unref (stats->events);
  g_free (stats);
}

static const char *
object_kind (const KsTraceRecord *record)
{
  if (record->object == NULL || !json_object_has_member (record->object, "kind"))
    return NULL;
  return json_object_get_string_member_with_default (record->object, "kind", NULL);
}

void
ks_trace_stats_add (KsTraceStats *stats, const KsTraceRecord *record)
{
  gboolean pod = FALSE, node = FALSE, submit = FALSE;

  stats->records++;
  if (!stats->any_time || record->time < stats->first_time)
    stats->first_time = record->time;
  if (!stats->any_time || record->time > stats->last_time)
    stats->last_time = record->time;
  stats->any_time = TRUE;
  switch (record->op)
    {
    case KS_TRACE_POD_SUBMIT:
      submit = TRUE;
      pod = TRUE;
      break;
    case KS_TRACE_POD_START:
    case KS_TRACE_POD_END:
    case KS_TRACE_POD_UPDATE:
      pod = TRUE;
      break;
    case KS_TRACE_NODE_ADD:
    case KS_TRACE_NODE_UPDATE:
    case KS_TRACE_NODE_REMOVE:
      node = TRUE;
      break;
    case KS_TRACE_OBJECT:
      {
        /* The native format: a Pod or Node created or deleted. */
        const char *kind = object_kind (record);

        pod = g_strcmp0 (kind, "Pod") == 0;
        node = g_strcmp0 (kind, "Node") == 0;
        submit = pod && !record->delete;
      }
      break;
    }
  if (pod)
    {
      id_set_add (&stats->pods, record->id);
      id_set_add (&stats->jobs, record->job);
    }
  if (node)
    id_set_add (&stats->nodes, record->id);
  if (submit)
    {
      stats->submissions++;
      if (!stats->any_submit || record->time < stats->first_submit)
        stats->first_submit = record->time;
      if (!stats->any_submit || record->time > stats->last_submit)
        stats->last_submit = record->time;
      stats->any_submit = TRUE;
      if (record->cpu_milli > 0)
        stats->cpu_milli += record->cpu_milli;
      if (record->memory_bytes > 0)
        stats->memory_bytes += (double) record->memory_bytes;
      if (record->gpu > 0)
        stats->gpus += (double) record->gpu
                       * (record->gpu_milli >= 0 ? (double) record->gpu_milli / 1000.0 : 1.0);
    }
  if (record->event_name != NULL)
    {
      guint64 *count = g_hash_table_lookup (stats->events, record->event_name);

      if (count == NULL)
        {
          count = g_new0 (guint64, 1);
          g_hash_table_insert (stats->events, g_strdup (record->event_name), count);
        }
      (*count)++;
    }
}

gboolean
ks_trace_stats_read (KsTraceStats *stats, KsTraceReader *reader,
                     void (*progress) (double fraction, gpointer data), gpointer progress_data,
                     GError **error)
{
  KsTraceRecord record;
  guint64 n = 0;

  while (ks_trace_reader_next (reader, &record, error))
    {
      ks_trace_stats_add (stats, &record);
      if (progress != NULL && (++n & 0xffff) == 0)
        progress (ks_trace_reader_get_progress (reader), progress_data);
    }
  stats->counts = *ks_trace_reader_get_counts (reader);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (progress != NULL)
    progress (ks_trace_reader_get_progress (reader), progress_data);
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Event names in name order, so the output never depends on hash-table order. */
static GPtrArray *
sorted_events (KsTraceStats *stats)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, stats->events);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
arrival_rate (KsTraceStats *stats, double *per_hour)
{
  double hours;

  if (stats->submissions < 2 || stats->last_submit <= stats->first_submit)
    return FALSE;
  hours = (double) (stats->last_submit - stats->first_submit) / 3600e6;
  *per_hour = (double) stats->submissions / hours;
  return TRUE;
}

/* A byte total as an integer while it fits. */
static void
add_bytes (JsonBuilder *b, double bytes)
{
  if (bytes < 9.0e18)
    json_builder_add_int_value (b, (gint64) llround (bytes));
  else
    json_builder_add_double_value (b, bytes);
}

JsonNode *
ks_trace_stats_to_json (KsTraceStats *stats)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) names = sorted_events (stats);
  double rate;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, (gint64) stats->counts.rows);
  json_builder_set_member_name (b, "bad_rows");
  json_builder_add_int_value (b, (gint64) stats->counts.bad_rows);
  json_builder_set_member_name (b, "late_rows");
  json_builder_add_int_value (b, (gint64) stats->counts.late_rows);
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, (gint64) stats->records);
  json_builder_set_member_name (b, "pods");
  json_builder_add_int_value (b, (gint64) id_set_size (&stats->pods));
  json_builder_set_member_name (b, "jobs");
  if (id_set_size (&stats->jobs) > 0)
    json_builder_add_int_value (b, (gint64) id_set_size (&stats->jobs));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_add_int_value (b, (gint64) id_set_size (&stats->nodes));
  json_builder_set_member_name (b, "submissions");
  json_builder_add_int_value (b, (gint64) stats->submissions);
  json_builder_set_member_name (b, "first_time_s");
  if (stats->any_time)
    json_builder_add_double_value (b, (double) stats->first_time / 1e6);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "last_time_s");
  if (stats->any_time)
    json_builder_add_double_value (b, (double) stats->last_time / 1e6);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "events");
  json_builder_begin_object (b);
  for (guint i = 0; i < names->len; i++)
    {
      guint64 *count = g_hash_table_lookup (stats->events, names->pdata[i]);

      json_builder_set_member_name (b, names->pdata[i]);
      json_builder_add_int_value (b, (gint64) *count);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "requested");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpu_cores");
  json_builder_add_double_value (b, (double) stats->cpu_milli / 1000.0);
  json_builder_set_member_name (b, "memory_bytes");
  add_bytes (b, stats->memory_bytes);
  json_builder_set_member_name (b, "gpus");
  json_builder_add_double_value (b, stats->gpus);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "arrivals_per_hour");
  if (arrival_rate (stats, &rate))
    json_builder_add_double_value (b, rate);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ks_trace_stats_to_table (KsTraceStats *stats)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GPtrArray) names = sorted_events (stats);
  double rate;

#define ROW(name, ...) g_string_append_printf (out, "%-20s " name "\n", __VA_ARGS__)
  ROW ("%" G_GUINT64_FORMAT, "rows", stats->counts.rows);
  ROW ("%" G_GUINT64_FORMAT, "bad rows", stats->counts.bad_rows);
  ROW ("%" G_GUINT64_FORMAT, "late rows", stats->counts.late_rows);
  ROW ("%" G_GUINT64_FORMAT, "records", stats->records);
  ROW ("%" G_GUINT64_FORMAT, "pods", id_set_size (&stats->pods));
  if (id_set_size (&stats->jobs) > 0)
    ROW ("%" G_GUINT64_FORMAT, "jobs", id_set_size (&stats->jobs));
  else
    ROW ("%s", "jobs", "-");
  ROW ("%" G_GUINT64_FORMAT, "nodes", id_set_size (&stats->nodes));
  ROW ("%" G_GUINT64_FORMAT, "submissions", stats->submissions);
  if (stats->any_time)
    {
      ROW ("%.6f s", "first time", (double) stats->first_time / 1e6);
      ROW ("%.6f s", "last time", (double) stats->last_time / 1e6);
    }
  else
    {
      ROW ("%s", "first time", "-");
      ROW ("%s", "last time", "-");
    }
  ROW ("%.3f", "requested cpu cores", (double) stats->cpu_milli / 1000.0);
  ROW ("%.0f (%.1f GiB)", "requested memory", stats->memory_bytes,
       stats->memory_bytes / (double) (1 << 30));
  ROW ("%.3f", "requested gpus", stats->gpus);
  if (arrival_rate (stats, &rate))
    ROW ("%.1f", "arrivals per hour", rate);
  else
    ROW ("%s", "arrivals per hour", "-");
  if (names->len > 0)
    {
      g_string_append (out, "events\n");
      for (guint i = 0; i < names->len; i++)
        {
          guint64 *count = g_hash_table_lookup (stats->events, names->pdata[i]);

          g_string_append_printf (out, "  %-18s %" G_GUINT64_FORMAT "\n",
                                  (const char *) names->pdata[i], *count);
        }
    }
#undef ROW
  return g_string_free (out, FALSE);
}

/* ks-load.c: decoding and evaluating a scenario's loads. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ks-load.h"
#include "src/api/ks-diag.h"

void
ks_load_free (KsLoad *load)
{
  if (load == NULL)
    return;
  g_free (load->namespace);
  g_free (load->service);
  g_free (load->rate.times);
  g_free (load->rate.rates);
  g_free (load->where);
  g_free (load);
}

/* The index of the last point at or before t, or -1. */
static gint
point_before (const KsRate *r, gint64 t)
{
  gint lo = 0, hi = (gint) r->n - 1, found = -1;

  while (lo <= hi)
    {
      gint mid = (lo + hi) / 2;
      if (r->times[mid] <= t)
        found = mid, lo = mid + 1;
      else
        hi = mid - 1;
    }
  return found;
}

double
ks_rate_at (const KsRate *r, gint64 t)
{
  switch (r->shape)
    {
    case KS_RATE_CONSTANT:
      return r->value;
    case KS_RATE_STEP:
    case KS_RATE_CSV:
      {
        gint i = point_before (r, t);
        if (i < 0)
          return 0;
        if (r->linear && (guint) i + 1 < r->n)
          {
            double f = (double) (t - r->times[i]) / (double) (r->times[i + 1] - r->times[i]);
            return r->rates[i] + f * (r->rates[i + 1] - r->rates[i]);
          }
        return r->rates[i];
      }
    case KS_RATE_RAMP:
      if (t <= r->start)
        return r->from;
      if (t >= r->end)
        return r->to;
      return r->from + (r->to - r->from) * (double) (t - r->start) / (double) (r->end - r->start);
    case KS_RATE_SINE:
      return r->mean + r->amplitude * sin (2 * G_PI * (double) (t - r->phase) / (double) r->period);
    }
  g_return_val_if_reached (0);
}

/* A number (integer or not) of at least 0. */
static gboolean
get_rate (KsDecoder *dec, JsonNode *obj, const char *field, double *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  double v;

  if (m == NULL)
    {
      ks_decoder_error_field (dec, obj, field, "required field is missing (requests per second)");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (m)
      || (json_node_get_value_type (m) != G_TYPE_INT64
          && json_node_get_value_type (m) != G_TYPE_DOUBLE))
    {
      ks_decoder_error_field (dec, obj, field, "expected a number of requests per second, got %s",
                              ks_decoder_node_type_name (m));
      return FALSE;
    }
  v = json_node_get_value_type (m) == G_TYPE_INT64 ? (double) json_node_get_int (m)
                                                   : json_node_get_double (m);
  if (!isfinite (v) || v < 0 || v > KS_LOAD_MAX_RATE)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, m);
      ks_decoder_error_field (dec, obj, field,
                              "invalid rate %s: must be a number from 0 to 10000000 (requests "
                              "per second)",
                              text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* A duration that must be present and not negative. */
static gboolean
get_time (KsDecoder *dec, JsonNode *obj, const char *field, gboolean required, gint64 *out)
{
  if (ks_decoder_member (obj, field) == NULL)
    {
      if (required)
        ks_decoder_error_field (dec, obj, field, "required field is missing (a duration, e.g. 5m)");
      return !required;
    }
  if (!ks_decoder_get_duration (dec, obj, field, out))
    return FALSE;
  if (*out < 0)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, ks_decoder_member (obj, field));
      ks_decoder_error_field (dec, obj, field, "invalid duration \"%s\": must not be negative",
                              text);
      return FALSE;
    }
  return TRUE;
}

static void
decode_step (KsDecoder *dec, JsonNode *node, KsRate *r)
{
  static const char *const fields[] = { "at", "rate", NULL };
  JsonArray *a;

  if (!ks_decoder_expect_array (dec, node))
    return;
  a = json_node_get_array (node);
  r->n = json_array_get_length (a);
  if (r->n == 0)
    {
      ks_decoder_error (dec, node, "at least one step is needed ([{at: 0s, rate: 10}, ...])");
      return;
    }
  r->times = g_new0 (gint64, r->n);
  r->rates = g_new0 (double, r->n);
  for (guint i = 0; i < r->n; i++)
    {
      JsonNode *item = json_array_get_element (a, i);
      gsize mark = ks_decoder_push_index (dec, i);
      if (ks_decoder_expect_object (dec, item))
        {
          ks_decoder_check_fields (dec, item, fields);
          if (get_time (dec, item, "at", TRUE, &r->times[i]) && i > 0
              && r->times[i] <= r->times[i - 1])
            ks_decoder_error_field (dec, item, "at",
                                    "steps must be in time order: this one is not after the one "
                                    "before it");
          get_rate (dec, item, "rate", &r->rates[i]);
        }
      ks_decoder_pop (dec, mark);
    }
}

/* The CSV file of a csv rate: a header, then "seconds,rate" rows. */
static void
load_csv (KsDecoder *dec, JsonNode *at, const char *dir, const char *name, KsRate *r)
{
  g_autofree char *path = g_path_is_absolute (name) || dir == NULL || strcmp (dir, ".") == 0
                              ? g_strdup (name)
                              : g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  guint errors = ks_decoder_n_errors (dec);

  {
    /* strerror's words ("name: No such file or directory"), as for other files. */
    FILE *f = fopen (path, "r");
    g_autoptr (GString) buf = g_string_new (NULL);
    char chunk[4096];
    size_t n;
    if (f == NULL)
      {
        ks_decoder_error (dec, at, "%s: %s", name, g_strerror (errno));
        return;
      }
    while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
      g_string_append_len (buf, chunk, (gssize) n);
    if (ferror (f))
      {
        int saved = errno;
        fclose (f);
        ks_decoder_error (dec, at, "%s: %s", name, g_strerror (saved));
        return;
      }
    fclose (f);
    text = g_string_free (g_steal_pointer (&buf), FALSE);
  }
  lines = g_strsplit (text, "\n", -1);
  /* The first line is a header: a first row of numbers would otherwise be lost. */
  if (lines[0] != NULL)
    {
      g_auto (GStrv) cells = g_strsplit (g_strstrip (lines[0]), ",", -1);
      char *end = NULL;
      if (cells[0] != NULL && cells[0][0] != '\0')
        g_ascii_strtod (g_strstrip (cells[0]), &end);
      if (end != NULL && end != cells[0] && *end == '\0')
        ks_diag_add (dec->diag, path, 1, 1, dec->path->str,
                     "expected a header line first (e.g. seconds,rate), got the row \"%s\"",
                     lines[0]);
    }
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_auto (GStrv) cells = NULL;
      char *end;
      double seconds, rate;

      if (line[0] == '\0')
        continue;
      cells = g_strsplit (line, ",", -1);
      if (g_strv_length (cells) != 2)
        {
          ks_diag_add (dec->diag, path, i + 1, 1, dec->path->str,
                       "expected two columns, seconds,rate (e.g. 60,120.5), got \"%s\"", line);
          continue;
        }
      seconds = g_ascii_strtod (g_strstrip (cells[0]), &end);
      if (end == cells[0] || *end != '\0' || !isfinite (seconds) || seconds < 0 || seconds > 1e12)
        {
          ks_diag_add (dec->diag, path, i + 1, 1, dec->path->str,
                       "invalid time \"%s\": expected seconds from the start, at least 0",
                       cells[0]);
          continue;
        }
      rate = g_ascii_strtod (g_strstrip (cells[1]), &end);
      if (end == cells[1] || *end != '\0' || !isfinite (rate) || rate < 0
          || rate > KS_LOAD_MAX_RATE)
        {
          ks_diag_add (dec->diag, path, i + 1, 2, dec->path->str,
                       "invalid rate \"%s\": expected requests per second, from 0 to 10000000",
                       cells[1]);
          continue;
        }
      {
        gint64 t = (gint64) llround (seconds * KS_USEC_PER_SEC);
        if (times->len == 0 && t != 0)
          ks_diag_add (dec->diag, path, i + 1, 1, dec->path->str,
                       "the first row must be at time 0, not %s", cells[0]);
        else if (times->len > 0 && t <= g_array_index (times, gint64, times->len - 1))
          ks_diag_add (dec->diag, path, i + 1, 1, dec->path->str,
                       "times must increase: %s is not after the row before", cells[0]);
        g_array_append_val (times, t);
        g_array_append_val (rates, rate);
      }
    }
  if (ks_decoder_n_errors (dec) != errors)
    return;
  if (times->len == 0)
    {
      ks_diag_add (dec->diag, path, 1, 1, dec->path->str,
                   "no rows: expected a header line, then rows of seconds,rate");
      return;
    }
  r->n = times->len;
  r->times = (gint64 *) g_array_steal (times, NULL);
  r->rates = (double *) g_array_steal (rates, NULL);
}

static void
decode_csv (KsDecoder *dec, JsonNode *node, const char *dir, KsRate *r)
{
  static const char *const fields[] = { "file", "interpolation", NULL };
  static const char *const interpolations[] = { "step", "linear", NULL };
  g_autofree char *file = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      load_csv (dec, node, dir, json_node_get_string (node), r);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ks_decoder_error (dec, node,
                        "expected a file name or {file: FILE, interpolation: step}, got %s",
                        ks_decoder_node_type_name (node));
      return;
    }
  ks_decoder_check_fields (dec, node, fields);
  if (ks_decoder_member (node, "interpolation") != NULL)
    {
      int which = 0;
      if (ks_decoder_get_enum (dec, node, "interpolation", interpolations, &which))
        r->linear = which == 1;
    }
  if (ks_decoder_require_string (dec, node, "file", &file, " (the CSV file of rates)"))
    load_csv (dec, ks_decoder_member (node, "file"), dir, file, r);
}

static void
decode_rate (KsDecoder *dec, JsonNode *item, const char *dir, KsRate *r)
{
  static const char *const shapes[] = { "constant", "step", "ramp", "sine", "csv", NULL };
  JsonNode *node = ks_decoder_member (item, "rate");
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gint shape = -1;
  gsize mark;

  if (node == NULL)
    {
      ks_decoder_error_field (dec, item, "rate",
                              "required field is missing (requests per second: a number, or "
                              "one of constant, step, ramp, sine, csv)");
      return;
    }
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      r->shape = KS_RATE_CONSTANT;
      get_rate (dec, item, "rate", &r->value);
      return;
    }
  mark = ks_decoder_push (dec, "rate");
  if (!JSON_NODE_HOLDS_OBJECT (node) || json_object_get_size (json_node_get_object (node)) != 1)
    {
      ks_decoder_error (dec, node,
                        "expected a number or a mapping with one of constant, step, ramp, sine, "
                        "csv");
      ks_decoder_pop (dec, mark);
      return;
    }
  json_object_iter_init (&iter, json_node_get_object (node));
  json_object_iter_next (&iter, &key, &value);
  for (gint i = 0; shapes[i] != NULL; i++)
    if (strcmp (key, shapes[i]) == 0)
      shape = i;
  if (shape < 0)
    {
      ks_decoder_error_field (dec, node, key,
                              "unknown rate shape \"%s\"; valid shapes: constant, step, ramp, "
                              "sine, csv",
                              key);
      ks_decoder_pop (dec, mark);
      return;
    }
  r->shape = shape;
  switch (r->shape)
    {
    case KS_RATE_CONSTANT:
      get_rate (dec, node, "constant", &r->value);
      break;
    case KS_RATE_STEP:
      {
        gsize m2 = ks_decoder_push (dec, "step");
        decode_step (dec, value, r);
        ks_decoder_pop (dec, m2);
        break;
      }
    case KS_RATE_RAMP:
      {
        static const char *const fields[] = { "from", "to", "start", "end", NULL };
        gsize m2 = ks_decoder_push (dec, "ramp");
        if (ks_decoder_expect_object (dec, value))
          {
            ks_decoder_check_fields (dec, value, fields);
            get_rate (dec, value, "from", &r->from);
            get_rate (dec, value, "to", &r->to);
            if (get_time (dec, value, "start", TRUE, &r->start)
                && get_time (dec, value, "end", TRUE, &r->end) && r->end <= r->start)
              ks_decoder_error_field (dec, value, "end", "the ramp must end after its start");
          }
        ks_decoder_pop (dec, m2);
        break;
      }
    case KS_RATE_SINE:
      {
        static const char *const fields[] = { "mean", "amplitude", "period", "phase", NULL };
        gsize m2 = ks_decoder_push (dec, "sine");
        if (ks_decoder_expect_object (dec, value))
          {
            ks_decoder_check_fields (dec, value, fields);
            if (get_rate (dec, value, "mean", &r->mean)
                && get_rate (dec, value, "amplitude", &r->amplitude) && r->amplitude > r->mean)
              ks_decoder_error_field (dec, value, "amplitude",
                                      "must not exceed mean (%g): the rate would go below 0",
                                      r->mean);
            if (get_time (dec, value, "period", TRUE, &r->period) && r->period == 0)
              ks_decoder_error_field (dec, value, "period", "must be above 0");
            get_time (dec, value, "phase", FALSE, &r->phase);
          }
        ks_decoder_pop (dec, m2);
        break;
      }
    case KS_RATE_CSV:
      {
        gsize m2 = ks_decoder_push (dec, "csv");
        decode_csv (dec, value, dir, r);
        ks_decoder_pop (dec, m2);
        break;
      }
    }
  ks_decoder_pop (dec, mark);
}

static KsLoad *
decode_item (KsDecoder *dec, JsonNode *item, const char *dir)
{
  static const char *const fields[]
      = { "service", "namespace", "rate", "noise", "cpuPerRequest", "queueCapacity", NULL };
  static const char *const noises[] = { "none", "poisson", NULL };
  KsLoad *l = g_new0 (KsLoad, 1);
  guint line = 0, column = 0;

  ks_source_get_position (dec->source, item, &line, &column);
  l->where = g_strdup_printf ("%s:%u:%u", ks_source_get_name (dec->source), line, column);
  l->queue_capacity = KS_LOAD_DEFAULT_QUEUE_CAPACITY;
  ks_decoder_check_fields (dec, item, fields);
  ks_decoder_require_string (dec, item, "service", &l->service, " (the Service's name)");
  ks_decoder_get_string (dec, item, "namespace", &l->namespace);
  if (l->namespace == NULL)
    l->namespace = g_strdup ("default");
  decode_rate (dec, item, dir, &l->rate);
  if (ks_decoder_member (item, "noise") != NULL)
    {
      int which = 0;
      if (ks_decoder_get_enum (dec, item, "noise", noises, &which))
        l->poisson = which == 1;
    }
  if (ks_decoder_member (item, "cpuPerRequest") == NULL)
    ks_decoder_error_field (dec, item, "cpuPerRequest",
                            "required field is missing (the CPU time of one request, e.g. 5ms)");
  else
    {
      gint64 us = 0;
      if (ks_decoder_get_duration (dec, item, "cpuPerRequest", &us))
        {
          if (us <= 0)
            {
              g_autofree char *text
                  = ks_decoder_scalar_text (dec, ks_decoder_member (item, "cpuPerRequest"));
              ks_decoder_error_field (dec, item, "cpuPerRequest",
                                      "invalid duration \"%s\": must be above 0 (at least 1us)",
                                      text);
            }
          l->cpu_per_request = us * 1000;
        }
    }
  if (ks_decoder_member (item, "queueCapacity") != NULL)
    {
      gint32 k = 0;
      if (ks_decoder_get_int32 (dec, item, "queueCapacity", 1, 100000, &k))
        l->queue_capacity = (guint) k;
    }
  return l;
}

void
ks_load_decode (KsDecoder *dec, JsonNode *node, const char *dir, GPtrArray *out)
{
  JsonArray *a;

  if (!ks_decoder_expect_array (dec, node))
    return;
  a = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *item = json_array_get_element (a, i);
      gsize mark = ks_decoder_push_index (dec, i);
      if (ks_decoder_expect_object (dec, item))
        g_ptr_array_add (out, decode_item (dec, item, dir));
      ks_decoder_pop (dec, mark);
    }
}

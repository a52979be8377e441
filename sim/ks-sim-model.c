/* ks-sim-model.c: simulation annotations. */
#include "config.h"

#include <math.h>

#include "ks-sim-model.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"
#include "src/ks-clock.h"

/* clang-format off */
G_DEFINE_QUARK (ks-sim-error-quark, ks_sim_error)
/* clang-format on */

static gboolean
duration (const KsStrMap *a, const char *key, gint64 *out, GError **error)
{
  const char *v = ks_str_map_lookup (a, key);
  g_autoptr (GError) local = NULL;

  if (v == NULL)
    return TRUE;
  if (!ks_duration_parse (v, out, &local) || *out < 0)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION, "annotation %s: %s", key,
                   local != NULL ? local->message : "must not be negative");
      return FALSE;
    }
  return TRUE;
}

static gboolean
quantity (const KsStrMap *a, const char *key, gboolean milli, gint64 *out, GError **error)
{
  const char *v = ks_str_map_lookup (a, key);
  g_autoptr (GError) local = NULL;
  gboolean ok;

  if (v == NULL)
    return TRUE;
  ok = milli ? ks_quantity_parse_milli (v, out, &local) : ks_quantity_parse_value (v, out, &local);
  if (!ok || *out < 0)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION, "annotation %s: %s", key,
                   local != NULL ? local->message : "must not be negative");
      return FALSE;
    }
  return TRUE;
}

/* "QUANTITY/DURATION": bytes per second, above 0. */
static gboolean
growth (const KsStrMap *a, const char *key, gdouble *out, GError **error)
{
  const char *v = ks_str_map_lookup (a, key);
  g_auto (GStrv) parts = NULL;
  gint64 bytes, per;

  if (v == NULL)
    return TRUE;
  parts = g_strsplit (v, "/", 3);
  if (g_strv_length (parts) != 2 || !ks_quantity_parse_value (parts[0], &bytes, NULL)
      || !ks_duration_parse (parts[1], &per, NULL) || bytes <= 0 || per <= 0)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION,
                   "annotation %s: invalid growth \"%s\": must be QUANTITY/DURATION, a positive "
                   "amount of memory per positive duration, e.g. \"10Mi/1m\"",
                   key, v);
      return FALSE;
    }
  *out = (gdouble) bytes * KS_USEC_PER_SEC / (gdouble) per;
  return TRUE;
}

/* "START-END": two durations, START before END. */
static gboolean
window (const KsStrMap *a, const char *key, gint64 *from, gint64 *to, GError **error)
{
  const char *v = ks_str_map_lookup (a, key);
  g_auto (GStrv) parts = NULL;

  if (v == NULL)
    return TRUE;
  parts = g_strsplit (v, "-", 3);
  if (g_strv_length (parts) != 2 || !ks_duration_parse (parts[0], from, NULL)
      || !ks_duration_parse (parts[1], to, NULL) || *from < 0 || *to <= *from)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION,
                   "annotation %s: invalid window \"%s\": must be START-END, two durations of "
                   "the pod's age with START before END, e.g. \"1m-1m30s\"",
                   key, v);
      *from = *to = -1;
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_sim_pod_model_parse (const KsStrMap *a, KsSimPodModel *out, GError **error)
{
  const char *code, *rate;

  *out = (KsSimPodModel){ .startup = -1,
                          .duration = -1,
                          .cpu_usage = -1,
                          .memory_usage = -1,
                          .readiness_delay = -1,
                          .liveness_fail_after = -1,
                          .startup_probe_delay = -1,
                          .readiness_fail_from = -1,
                          .readiness_fail_to = -1,
                          .liveness_fail_from = -1,
                          .liveness_fail_to = -1 };
  if (!window (a, KS_ANNOTATION_READINESS_FAIL_WINDOW, &out->readiness_fail_from,
               &out->readiness_fail_to, error)
      || !window (a, KS_ANNOTATION_LIVENESS_FAIL_WINDOW, &out->liveness_fail_from,
                  &out->liveness_fail_to, error))
    return FALSE;
  if (!duration (a, KS_ANNOTATION_STARTUP, &out->startup, error)
      || !duration (a, KS_ANNOTATION_DURATION, &out->duration, error)
      || !duration (a, KS_ANNOTATION_READINESS_DELAY, &out->readiness_delay, error)
      || !duration (a, KS_ANNOTATION_LIVENESS_FAIL_AFTER, &out->liveness_fail_after, error)
      || !duration (a, KS_ANNOTATION_STARTUP_PROBE_DELAY, &out->startup_probe_delay, error)
      || !quantity (a, KS_ANNOTATION_CPU_USAGE, TRUE, &out->cpu_usage, error)
      || !quantity (a, KS_ANNOTATION_MEMORY_USAGE, FALSE, &out->memory_usage, error)
      || !growth (a, KS_ANNOTATION_MEMORY_GROWTH, &out->memory_growth, error))
    return FALSE;
  rate = ks_str_map_lookup (a, KS_ANNOTATION_CRASH_RATE);
  if (rate != NULL)
    {
      char *end;
      gdouble v = g_ascii_strtod (rate, &end);
      if (end == rate || *end != '\0' || !isfinite (v) || v <= 0)
        {
          g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION,
                       "annotation %s: invalid crash rate \"%s\": must be a positive number of "
                       "crashes per hour, e.g. \"0.5\"",
                       KS_ANNOTATION_CRASH_RATE, rate);
          return FALSE;
        }
      out->crash_rate = v;
    }
  code = ks_str_map_lookup (a, KS_ANNOTATION_EXIT_CODE);
  if (code != NULL)
    {
      char *end;
      gint64 v = g_ascii_strtoll (code, &end, 10);
      if (end == code || *end != '\0' || v < 0 || v > 255)
        {
          g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION,
                       "annotation %s: invalid exit code \"%s\": must be an integer from 0 to 255",
                       KS_ANNOTATION_EXIT_CODE, code);
          return FALSE;
        }
      if (ks_str_map_lookup (a, KS_ANNOTATION_DURATION) == NULL && rate == NULL)
        {
          g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_ANNOTATION,
                       "annotation %s needs %s or %s: the exit code is what the container "
                       "returns after its run time or when it crashes",
                       KS_ANNOTATION_EXIT_CODE, KS_ANNOTATION_DURATION, KS_ANNOTATION_CRASH_RATE);
          return FALSE;
        }
      out->exit_code = (gint) v;
    }
  else if (rate != NULL && out->duration < 0)
    out->exit_code = 1;
  return TRUE;
}

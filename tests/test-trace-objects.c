/* test-trace-objects.c: records as Kubernetes manifests (traces/ks-trace-objects.h) and the
 * native format's writer (traces/ks-trace-writer.h). */
#include "config.h"

#include <string.h>

#include "src/api/ks-decode.h"
#include "src/api/ks-object.h"
#include "src/api/ks-pod.h"
#include "traces/ks-trace-objects.h"
#include "traces/ks-trace-writer.h"

static KsTraceRecord
submit (const char *id)
{
  KsTraceRecord r = { 0 };

  r.op = KS_TRACE_POD_SUBMIT;
  r.id = id;
  r.cpu_milli = -1;
  r.memory_bytes = -1;
  r.gpu = -1;
  r.gpu_milli = -1;
  r.runtime = -1;
  return r;
}

static char *
to_json (JsonObject *o)
{
  g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), o);
  return json_to_string (n, FALSE);
}

static void
test_pod_plain (void)
{
  KsTraceRecord r = submit ("job-7-0");
  g_autoptr (JsonObject) pod = NULL;
  g_autofree char *json = NULL;

  r.job = "job/7";
  r.cpu_milli = 1500;
  r.memory_bytes = 1073741824;
  r.priority_class = KS_TRACE_BAND_BATCH;
  r.priority = 4;
  r.runtime = 90 * G_USEC_PER_SEC;
  pod = ks_trace_pod_manifest (&r);
  json = to_json (pod);
  g_assert_cmpstr (
      json, ==,
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"job-7-0\",\"namespace\":"
      "\"default\",\"labels\":{\"kubesim.io/job\":\"job-7\"},\"annotations\":{\"kubesim.io/"
      "duration\":\"1m30s\",\"kubesim.io/trace-priority\":\"4\"}},\"spec\":{\"restartPolicy\":"
      "\"Never\",\"priorityClassName\":\"trace-batch\",\"containers\":[{\"name\":\"task\","
      "\"image\":\"kubesim/trace-task\",\"resources\":{\"requests\":{\"cpu\":\"1500m\","
      "\"memory\":\"1073741824\"}}}]}}");
}

static void
test_pod_gpu (void)
{
  const char *models[] = { "V100M16", "A 10", NULL };
  KsTraceRecord r = submit ("openb-pod-0001");
  g_autoptr (JsonObject) share = NULL, whole = NULL;
  g_autofree char *json_share = NULL, *json_whole = NULL;

  r.cpu_milli = 8000;
  r.gpu = 1;
  r.gpu_milli = 250;
  r.gpu_models = models;
  share = ks_trace_pod_manifest (&r);
  json_share = to_json (share);
  /* A share: GPUPacking's annotations, no extended resource (it refuses both). */
  g_assert_nonnull (strstr (json_share, "\"kubesim.io/gpu-milli\":\"250\",\"kubesim.io/"
                                        "gpu-count\":\"1\""));
  g_assert_null (strstr (json_share, "nvidia.com/gpu\":"));
  g_assert_nonnull (strstr (json_share, "\"key\":\"nvidia.com/gpu.product\",\"operator\":\"In\","
                                        "\"values\":[\"V100M16\",\"A-10\"]"));
  g_assert_nonnull (strstr (json_share, "\"cpu\":\"8\""));

  r.gpu = 2;
  r.gpu_milli = 1000;
  r.gpu_models = NULL;
  whole = ks_trace_pod_manifest (&r);
  json_whole = to_json (whole);
  g_assert_null (strstr (json_whole, "gpu-milli"));
  g_assert_null (strstr (json_whole, "affinity"));
  g_assert_nonnull (strstr (json_whole, "\"requests\":{\"cpu\":\"8\",\"nvidia.com/gpu\":\"2\"},"
                                        "\"limits\":{\"nvidia.com/gpu\":\"2\"}"));
}

static void
test_pod_decodes (void)
{
  KsTraceRecord r = submit ("t-1");
  g_autoptr (JsonObject) o = NULL;
  g_autoptr (JsonNode) n = NULL;
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = NULL;
  const char *models[] = { "T4", NULL };
  KsDecoder dec;

  r.cpu_milli = 250;
  r.memory_bytes = 1 << 20;
  r.gpu = 1;
  r.gpu_milli = 500;
  r.gpu_models = models;
  r.runtime = 1500000;
  o = ks_trace_pod_manifest (&r);
  n = json_node_init_object (json_node_alloc (), o);
  ks_decoder_init (&dec, NULL, diag);
  obj = ks_object_decode (&dec, n, NULL);
  ks_decoder_clear (&dec);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (obj);
  g_assert_cmpint (obj->kind->id, ==, KS_KIND_POD);
  g_assert_cmpstr (ks_object_get_annotation (obj, "kubesim.io/duration"), ==, "1.5s");
  g_assert_cmpint (KS_POD (obj)->spec->containers[0].requests.milli_cpu, ==, 250);
  g_assert_cmpint (KS_POD (obj)->spec->restart_policy, ==, KS_RESTART_NEVER);
}

static void
test_node (void)
{
  const char *models[] = { "V100M32", NULL };
  KsTraceRecord r = submit ("openb-node-0007");
  g_autoptr (JsonObject) node = NULL;
  g_autofree char *json = NULL;

  r.op = KS_TRACE_NODE_ADD;
  r.cpu_milli = 96000;
  r.memory_bytes = G_GINT64_CONSTANT (412316860416);
  r.gpu = 8;
  r.gpu_models = models;
  r.zone = "zone a";
  node = ks_trace_node_manifest (&r);
  json = to_json (node);
  g_assert_cmpstr (json, ==,
                   "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"openb-node-"
                   "0007\",\"labels\":{\"nvidia.com/gpu.product\":\"V100M32\",\"topology."
                   "kubernetes.io/zone\":\"zone-a\"}},\"status\":{\"capacity\":{\"cpu\":\"96\","
                   "\"memory\":\"412316860416\",\"nvidia.com/gpu\":\"8\",\"pods\":\"110\"},"
                   "\"allocatable\":{\"cpu\":\"96\",\"memory\":\"412316860416\",\"nvidia.com/"
                   "gpu\":\"8\",\"pods\":\"110\"}}}");
}

static void
test_label_value (void)
{
  struct
  {
    const char *in, *out;
  } cases[] = {
    { "abc", "abc" }, { "-a/b c-", "a-b-c" },         { "///", "x" },
    { "", "x" },      { "6251812952", "6251812952" },
  };
  g_autofree char *longer = g_strnfill (80, 'a');
  g_autofree char *cut = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *v = ks_trace_label_value (cases[i].in);
      g_assert_cmpstr (v, ==, cases[i].out);
    }
  cut = ks_trace_label_value (longer);
  g_assert_cmpuint (strlen (cut), ==, 63);
}

static void
test_bands (void)
{
  guint n;
  const KsTraceBand *b = ks_trace_bands (&n);

  g_assert_cmpuint (n, ==, 5);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (b[i - 1].value, <, b[i].value);
  g_assert_cmpstr (ks_trace_google_band (0, FALSE), ==, KS_TRACE_BAND_FREE);
  g_assert_cmpstr (ks_trace_google_band (2, FALSE), ==, KS_TRACE_BAND_BATCH);
  g_assert_cmpstr (ks_trace_google_band (8, FALSE), ==, KS_TRACE_BAND_BATCH);
  g_assert_cmpstr (ks_trace_google_band (9, FALSE), ==, KS_TRACE_BAND_PRODUCTION);
  g_assert_cmpstr (ks_trace_google_band (11, FALSE), ==, KS_TRACE_BAND_PRODUCTION);
  g_assert_cmpstr (ks_trace_google_band (99, TRUE), ==, KS_TRACE_BAND_FREE);
  g_assert_cmpstr (ks_trace_google_band (115, TRUE), ==, KS_TRACE_BAND_BATCH);
  g_assert_cmpstr (ks_trace_google_band (119, TRUE), ==, KS_TRACE_BAND_MID);
  g_assert_cmpstr (ks_trace_google_band (200, TRUE), ==, KS_TRACE_BAND_PRODUCTION);
  g_assert_cmpstr (ks_trace_google_band (360, TRUE), ==, KS_TRACE_BAND_MONITORING);
}

static void
test_seconds (void)
{
  struct
  {
    gint64 us;
    const char *text;
  } cases[] = {
    { 0, "0.0" },         { 12000000, "12.0" }, { 12500000, "12.5" }, { 3000001, "3.000001" },
    { -1500000, "-1.5" }, { 999, "0.000999" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ks_trace_format_seconds (cases[i].us);
      g_assert_cmpstr (s, ==, cases[i].text);
    }
}

/* Records in, lines out: a pod's delete carries the run time since its recorded start. */
static void
test_writer (void)
{
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr (KsTraceWriter) w = ks_trace_writer_new (mem);
  g_autoptr (GError) error = NULL;
  KsTraceRecord node = submit ("m-1"), pod = submit ("j-0"), start = submit ("j-0");
  KsTraceRecord end = submit ("j-0"), gone = submit ("m-1"), update = submit ("j-0");
  KsTraceRecord never = submit ("j-1"), never_end = submit ("j-1");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  node.op = KS_TRACE_NODE_ADD;
  node.cpu_milli = 4000;
  pod.time = 1000000;
  pod.cpu_milli = 500;
  start.op = KS_TRACE_POD_START;
  start.time = 2500000;
  update.op = KS_TRACE_POD_UPDATE;
  update.time = 3000000;
  never.time = 3000000;
  end.op = KS_TRACE_POD_END;
  end.time = 10000000;
  end.outcome = KS_TRACE_OUTCOME_FAILED;
  never_end.op = KS_TRACE_POD_END;
  never_end.time = 11000000;
  never_end.outcome = KS_TRACE_OUTCOME_KILLED;
  gone.op = KS_TRACE_NODE_REMOVE;
  gone.time = 12000000;
  const KsTraceRecord *all[] = { &node, &pod, &start, &update, &never, &end, &never_end, &gone };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (ks_trace_writer_write_record (w, all[i], &error));
  g_assert_no_error (error);
  g_assert_true (ks_trace_writer_flush (w, &error));
  g_assert_cmpuint (ks_trace_writer_get_count (w), ==, 6);
  g_assert_true (g_output_stream_close (mem, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem)));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_true (g_str_has_prefix (lines[0], "{\"t\":0.0,\"op\":\"node-add\",\"object\":{\"api"));
  g_assert_true (g_str_has_prefix (lines[1], "{\"t\":1.0,\"op\":\"create\",\"object\":{\"api"));
  g_assert_true (g_str_has_prefix (lines[2], "{\"t\":3.0,\"op\":\"create\""));
  g_assert_cmpstr (lines[3], ==,
                   "{\"t\":10.0,\"op\":\"delete\",\"object\":{\"apiVersion\":\"v1\",\"kind\":"
                   "\"Pod\",\"metadata\":{\"name\":\"j-0\",\"namespace\":\"default\"}},"
                   "\"outcome\":\"failed\",\"runtime\":7.5}");
  /* Never placed in the trace: no run time. */
  g_assert_cmpstr (lines[4], ==,
                   "{\"t\":11.0,\"op\":\"delete\",\"object\":{\"apiVersion\":\"v1\",\"kind\":"
                   "\"Pod\",\"metadata\":{\"name\":\"j-1\",\"namespace\":\"default\"}},"
                   "\"outcome\":\"killed\"}");
  g_assert_cmpstr (lines[5], ==, "{\"t\":12.0,\"op\":\"node-remove\",\"name\":\"m-1\"}");
  g_assert_cmpstr (lines[6], ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace-objects/pod", test_pod_plain);
  g_test_add_func ("/trace-objects/pod-gpu", test_pod_gpu);
  g_test_add_func ("/trace-objects/pod-decodes", test_pod_decodes);
  g_test_add_func ("/trace-objects/node", test_node);
  g_test_add_func ("/trace-objects/label-value", test_label_value);
  g_test_add_func ("/trace-objects/bands", test_bands);
  g_test_add_func ("/trace-objects/seconds", test_seconds);
  g_test_add_func ("/trace-objects/writer", test_writer);
  return g_test_run ();
}

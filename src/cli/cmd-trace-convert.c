/* cmd-trace-convert.c: kubesim trace convert TRACE... --format F --to kubesim [-o FILE]: a trace
 * rewritten in the native format (docs/formats.md "Native trace format"), streaming. */
#include "config.h"

#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks-cli.h"
#include "src/api/ks-quantity.h"
#include "traces/ks-trace-writer.h"
#include "traces/ks-trace.h"

int
ks_cmd_trace_convert (int argc, char **argv)
{
  g_autofree char *format = NULL, *to = NULL, *output = NULL;
  g_autofree char *machine_cpu = NULL, *machine_memory = NULL;
  gboolean strict = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "The trace's format (required)", "FORMAT" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "The format to write: kubesim (required)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: standard output)",
      "FILE" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      "Stop at the first bad row (exit 2) instead of reporting and skipping it", NULL },
    { "machine-cpu", 0, 0, G_OPTION_ARG_STRING, &machine_cpu,
      "The reference machine's cpu that normalized requests are scaled by (default 32)",
      "QUANTITY" },
    { "machine-memory", 0, 0, G_OPTION_ARG_STRING, &machine_memory,
      "The reference machine's memory (default 128Gi)", "QUANTITY" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("TRACE...");
  g_autofree char *formats = g_strjoinv (", ", (char **) ks_trace_formats ());
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (KsTraceWriter) writer = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autofree char *tmp = NULL;
  KsTraceOptions options;
  KsTraceRecord record;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Rewrite a trace in kubesim's native format (JSON lines of "
                                "Kubernetes objects,\ndocs/formats.md), which `kubesim replay "
                                "--format kubesim` reads.");
  if (!ks_cli_parse (context, "trace convert", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr ("kubesim trace convert: no TRACE given\nTry \"kubesim trace convert --help\".\n");
      return KS_EXIT_USAGE;
    }
  if (format == NULL)
    {
      g_printerr ("kubesim trace convert: --format is required (one of %s)\n", formats);
      return KS_EXIT_USAGE;
    }
  if (to == NULL || strcmp (to, "kubesim") != 0)
    {
      g_printerr ("kubesim trace convert: --to %s%s%s: the only format written is kubesim\n",
                  to != NULL ? "\"" : "", to != NULL ? to : "is required", to != NULL ? "\"" : "");
      return KS_EXIT_USAGE;
    }
  ks_trace_options_init (&options);
  options.strict = strict;
  if (!ks_cli_trace_machine ("trace convert", machine_cpu, machine_memory, &options))
    return KS_EXIT_USAGE;
  reader = ks_trace_reader_new (format, (const char *const *) argv + 1, (guint) argc - 1, &options,
                                &error);
  if (reader == NULL)
    {
      g_printerr ("kubesim trace convert: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  if (output != NULL && strcmp (output, "-") != 0)
    {
      /* Under a temporary name until complete: a failed conversion leaves nothing behind. */
      g_autoptr (GFile) file = NULL;
      tmp = g_strconcat (output, ".tmp", NULL);
      file = g_file_new_for_path (tmp);
      out = G_OUTPUT_STREAM (
          g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, &error));
      if (out == NULL)
        {
          g_printerr ("kubesim trace convert: %s\n", error->message);
          return KS_EXIT_FAILED;
        }
    }
  else
    out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  writer = ks_trace_writer_new (out);
  for (;;)
    {
      if (!ks_trace_reader_next (reader, &record, &error))
        break;
      if (!ks_trace_writer_write_record (writer, &record, &error))
        break;
    }
  if (error == NULL)
    ks_trace_writer_flush (writer, &error);
  g_clear_pointer (&writer, ks_trace_writer_free);
  if (error == NULL)
    g_output_stream_close (out, NULL, &error);
  if (error != NULL)
    {
      g_printerr ("kubesim trace convert: %s%s\n", error->message,
                  tmp != NULL ? "; nothing was written" : "");
      status = error->domain == KS_TRACE_ERROR && error->code != KS_TRACE_ERROR_IO ? KS_EXIT_USAGE
                                                                                   : KS_EXIT_FAILED;
      if (tmp != NULL)
        g_unlink (tmp);
      return status;
    }
  if (tmp != NULL && g_rename (tmp, output) != 0)
    {
      g_printerr ("kubesim trace convert: cannot rename %s to %s: %s\n", tmp, output,
                  g_strerror (errno));
      g_unlink (tmp);
      return KS_EXIT_FAILED;
    }
  {
    const KsTraceCounts *counts = ks_trace_reader_get_counts (reader);
    if (counts->bad_rows > 0)
      g_printerr ("kubesim trace convert: %" G_GUINT64_FORMAT " bad row%s skipped\n",
                  counts->bad_rows, counts->bad_rows == 1 ? "" : "s");
  }
  return status;
}

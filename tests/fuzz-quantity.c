/* fuzz-quantity.c: fuzz target for the quantity and duration parsers (src/api/ks-quantity.c,
 * src/api/ks-duration.c).
 *
 * Each input is one string (cut at its first NUL).  Beyond "no crash, no leak, no undefined
 * behaviour" it checks:
 *   - a failure sets an error of the module's domain whose message is valid UTF-8 and quotes
 *     the input, and leaves the output alone; a success sets no error;
 *   - ks_quantity_format_milli of a parsed milli value reparses to the same value, and likewise
 *     ks_quantity_format_value (binary and decimal) for a parsed value;
 *   - value and milli agree: when both parse, value is milli / 1000 rounded away from zero;
 *   - a parsed duration formats (ks_duration_format) to text that parses back to it, and
 *     ks_format_seconds fits its buffer.
 *
 * Built with -DKS_FUZZ_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target.  Without it,
 * it is a regression runner: each argument is a file whose contents are one input (for a
 * corpus or crash files); it exits non-zero on the first failed check (by aborting). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* g_assert_* abort, which the fuzzer reports as a crash with the input. */

static void
check_error (const GError *error, GQuark domain, const char *text)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == domain);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strchr (error->message, '"'));
  /* Plain printable ASCII input is quoted verbatim. */
  {
    gboolean plain = TRUE;
    for (const char *p = text; *p != '\0'; p++)
      plain = plain && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\';
    if (plain)
      g_assert_nonnull (strstr (error->message, text));
  }
}

static void
check_quantity (const char *text)
{
  g_autoptr (GError) milli_error = NULL;
  g_autoptr (GError) value_error = NULL;
  gint64 milli = 17, value = 17;
  gboolean milli_ok, value_ok;

  milli_ok = ks_quantity_parse_milli (text, &milli, &milli_error);
  value_ok = ks_quantity_parse_value (text, &value, &value_error);

  if (milli_ok)
    {
      g_autofree char *s = ks_quantity_format_milli (milli);
      gint64 back = 0;
      g_autoptr (GError) error = NULL;

      g_assert_no_error (milli_error);
      g_assert_true (ks_quantity_parse_milli (s, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back, ==, milli);
      /* A milli value always has a value too (it is 1000 times smaller). */
      g_assert_true (value_ok);
      g_assert_cmpint (value, ==,
                       milli / 1000 + (milli % 1000 > 0 ? 1 : 0) - (milli % 1000 < 0 ? 1 : 0));
    }
  else
    {
      check_error (milli_error, KS_QUANTITY_ERROR, text);
      g_assert_cmpint (milli, ==, 17);
    }

  if (value_ok)
    {
      for (int binary = 0; binary <= 1; binary++)
        {
          g_autofree char *s = ks_quantity_format_value (value, binary);
          gint64 back = 0;
          g_autoptr (GError) error = NULL;

          g_assert_true (ks_quantity_parse_value (s, &back, &error));
          g_assert_no_error (error);
          g_assert_cmpint (back, ==, value);
        }
      g_assert_no_error (value_error);
    }
  else
    {
      check_error (value_error, KS_QUANTITY_ERROR, text);
      g_assert_cmpint (value, ==, 17);
      /* A syntax error is one for both. */
      if (value_error->code == KS_QUANTITY_ERROR_SYNTAX)
        g_assert_error (milli_error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_SYNTAX);
    }
}

static void
check_duration (const char *text)
{
  g_autoptr (GError) error = NULL;
  gint64 usec = 17;

  if (ks_duration_parse (text, &usec, &error))
    {
      g_autofree char *s = ks_duration_format (usec);
      gint64 back = 0;
      g_autoptr (GError) error2 = NULL;
      char buf[32];

      g_assert_no_error (error);
      g_assert_true (ks_duration_parse (s, &back, &error2));
      g_assert_no_error (error2);
      g_assert_cmpint (back, ==, usec);
      g_assert_true (ks_format_seconds (usec, buf) == buf);
      g_assert_cmpuint (strlen (buf), <, sizeof buf);
    }
  else
    {
      check_error (error, KS_DURATION_ERROR, text);
      g_assert_cmpint (usec, ==, 17);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The parsers take NUL-terminated text: the input up to its first NUL. */
  g_autofree char *text = g_strndup ((const char *) data, size);

  check_quantity (text);
  check_duration (text);
  return 0;
}

#ifndef KS_FUZZ_LIBFUZZER
int
main (int argc, char *argv[])
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr (GError) error = NULL;

      if (!g_file_get_contents (argv[i], &contents, &length, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
    }
  g_print ("%s: %d input(s) passed\n", argc > 0 ? argv[0] : "fuzz-quantity", argc - 1);
  return 0;
}
#endif

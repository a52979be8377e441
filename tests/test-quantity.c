/* test-quantity.c: tests for resource quantities (src/api/ks-quantity.c) and Go durations
 * (src/api/ks-duration.c).
 *
 * Expected values come from k8s.io/apimachinery/pkg/api/resource (ParseQuantity followed by
 * Value() or MilliValue()) and Go's time.ParseDuration / Duration.String(); the cases that
 * deliberately differ from Go are marked. */
#include "config.h"

#include <string.h>

#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Say which case is being checked (shown with --verbose), escaped to stay valid UTF-8. */
static void
note (const char *what, const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);
  g_test_message ("%s \"%s\"", what, escaped);
}

typedef struct
{
  const char *text;
  gint64 expect;
} Case;

static void
check_milli (const char *text, gint64 expect)
{
  g_autoptr (GError) error = NULL;
  gint64 v = G_MININT64 + 12345;

  note ("milli", text);
  g_assert_true (ks_quantity_parse_milli (text, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, expect);
}

static void
check_value (const char *text, gint64 expect)
{
  g_autoptr (GError) error = NULL;
  gint64 v = G_MININT64 + 12345;

  note ("value", text);
  g_assert_true (ks_quantity_parse_value (text, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, expect);
}

/* Both conversions must fail with code; the out value must be left alone. */
static void
check_quantity_error (const char *text, KsQuantityError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  gint64 v = 42;

  note ("invalid quantity", text);
  g_assert_false (ks_quantity_parse_milli (text, &v, &error));
  g_assert_error (error, KS_QUANTITY_ERROR, (gint) code);
  g_assert_cmpint (v, ==, 42);
  g_assert_false (ks_quantity_parse_value (text, &v, &error2));
  g_assert_error (error2, KS_QUANTITY_ERROR, (gint) code);
  g_assert_cmpint (v, ==, 42);
  /* A NULL error is allowed. */
  g_assert_false (ks_quantity_parse_milli (text, &v, NULL));
  g_assert_false (ks_quantity_parse_value (text, &v, NULL));
}

static void
check_duration (const char *text, gint64 expect)
{
  g_autoptr (GError) error = NULL;
  gint64 v = G_MININT64 + 12345;

  note ("duration", text);
  g_assert_true (ks_duration_parse (text, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, expect);
}

static void
check_duration_error (const char *text, KsDurationError code)
{
  g_autoptr (GError) error = NULL;
  gint64 v = 42;

  note ("invalid duration", text);
  g_assert_false (ks_duration_parse (text, &v, &error));
  g_assert_error (error, KS_DURATION_ERROR, (gint) code);
  g_assert_cmpint (v, ==, 42);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_false (ks_duration_parse (text, &v, NULL));
}

/* ---- quantity: the examples every caller relies on ---------------------------------------- */

static void
test_quantity_examples (void)
{
  check_milli ("500m", 500);
  check_milli ("0.1", 100);
  check_milli ("0.0001", 1);
  check_value ("1.5", 2);
  check_value ("2Gi", G_GINT64_CONSTANT (2147483648));
  check_value ("1e3", 1000);
  check_value ("100M", 100000000);
  check_value ("1Ki", 1024);
  check_value ("0.5Gi", 536870912);
  check_milli ("-1", -1000);
  check_milli ("1n", 1);
  check_value ("9223372036854775807", G_MAXINT64);
  check_quantity_error ("9223372036854775808", KS_QUANTITY_ERROR_RANGE);
  check_value ("1E", G_GINT64_CONSTANT (1000000000000000000));
  check_quantity_error ("10E", KS_QUANTITY_ERROR_RANGE);
}

/* ---- quantity: every suffix ------------------------------------------------------------ */

static void
test_quantity_milli_suffixes (void)
{
  static const Case cases[] = {
    { "1n", 1 }, /* 10^-6 milli, rounded up */
    { "1000000n", 1 },
    { "1000001n", 2 },
    { "5000000n", 5 },
    { "1u", 1 },
    { "1000u", 1 },
    { "1001u", 2 },
    { "250000u", 250 },
    { "1m", 1 },
    { "250m", 250 },
    { "1500m", 1500 },
    { "1", 1000 },
    { "2", 2000 },
    { "1k", 1000000 },
    { "1M", G_GINT64_CONSTANT (1000000000) },
    { "1G", G_GINT64_CONSTANT (1000000000000) },
    { "1T", G_GINT64_CONSTANT (1000000000000000) },
    { "1P", G_GINT64_CONSTANT (1000000000000000000) },
    { "1Ki", 1024000 },
    { "1Mi", G_GINT64_CONSTANT (1048576000) },
    { "1Gi", G_GINT64_CONSTANT (1073741824000) },
    { "1Ti", G_GINT64_CONSTANT (1099511627776000) },
    { "1Pi", G_GINT64_CONSTANT (1125899906842624000) },
    { "8Pi", G_GINT64_CONSTANT (9007199254740992000) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_milli (cases[i].text, cases[i].expect);
  /* 1E and 1Ei are 10^21 and 2^60 × 1000 milli: too large. */
  {
    g_autoptr (GError) error = NULL;
    gint64 v = 0;
    g_assert_false (ks_quantity_parse_milli ("1E", &v, &error));
    g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_RANGE);
    g_clear_error (&error);
    g_assert_false (ks_quantity_parse_milli ("1Ei", &v, &error));
    g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_RANGE);
    g_clear_error (&error);
    g_assert_false (ks_quantity_parse_milli ("9Pi", &v, &error));
    g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_RANGE);
  }
}

static void
test_quantity_value_suffixes (void)
{
  static const Case cases[] = {
    /* Decimal SI, from TestQuantityParse in quantity_test.go. */
    { "5n", 1 },
    { "4u", 1 },
    { "3m", 1 },
    { "9", 9 },
    { "8k", 8000 },
    { "50k", 50000 },
    { "7M", 7000000 },
    { "6G", G_GINT64_CONSTANT (6000000000) },
    { "5T", G_GINT64_CONSTANT (5000000000000) },
    { "40T", G_GINT64_CONSTANT (40000000000000) },
    { "300T", G_GINT64_CONSTANT (300000000000000) },
    { "2P", G_GINT64_CONSTANT (2000000000000000) },
    { "1E", G_GINT64_CONSTANT (1000000000000000000) },
    { "9E", G_GINT64_CONSTANT (9000000000000000000) },
    /* Binary SI. */
    { "1Ki", 1024 },
    { "8Ki", 8 * 1024 },
    { "7Mi", 7 * 1024 * 1024 },
    { "6Gi", G_GINT64_CONSTANT (6) * 1024 * 1024 * 1024 },
    { "5Ti", G_GINT64_CONSTANT (5) * 1024 * 1024 * 1024 * 1024 },
    { "4Pi", G_GINT64_CONSTANT (4) * 1024 * 1024 * 1024 * 1024 * 1024 },
    { "3Ei", G_GINT64_CONSTANT (3) * 1024 * 1024 * 1024 * 1024 * 1024 * 1024 },
    { "7Ei", G_GINT64_CONSTANT (7) << 60 },
    { "10Ti", G_GINT64_CONSTANT (10) * 1024 * 1024 * 1024 * 1024 },
    { "100Ti", G_GINT64_CONSTANT (100) * 1024 * 1024 * 1024 * 1024 },
    { "1536Mi", G_GINT64_CONSTANT (1536) * 1024 * 1024 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_value (cases[i].text, cases[i].expect);
}

static void
test_quantity_zero (void)
{
  /* clang-format off */
  static const char *const zeros[] = {
    "0",  "0n", "0u",   "0m",    "0k",     "0M",   "0G",    "0T",    "0P",     "0E",
    "0Ki", "0Mi", "0Gi", "0Ti",  "0Pi",    "0Ei",  "-0",    "+0",    "0.0",    "00",
    "0.", ".0", "-.0",  "0e5",   "0e-5",   "0E+99", "000000000000000000000000000000000000",
    "0e9223372036854775807", "-0Ei",
  };
  /* clang-format on */

  for (gsize i = 0; i < G_N_ELEMENTS (zeros); i++)
    {
      check_milli (zeros[i], 0);
      check_value (zeros[i], 0);
    }
}

/* ---- quantity: numbers and exponents ------------------------------------------------------ */

static void
test_quantity_numbers (void)
{
  /* Signs, leading zeros, "5." and ".5" (both allowed by Go), fractions with suffixes. */
  check_value ("+5", 5);
  check_value ("-5", -5);
  check_value ("007", 7);
  check_milli ("5.", 5000);
  check_milli (".5", 500);
  check_milli ("-.5", -500);
  check_milli ("+.5", 500);
  check_value ("1.", 1);
  check_value ("1.G", G_GINT64_CONSTANT (1000000000));
  check_milli (".001", 1);
  check_value (".0001k", 1);
  check_milli (".0001k", 100);
  check_value ("100.035k", 100035);
  check_value ("10.035M", 10035000);
  check_value ("7.123456M", 7123456);
  check_value ("6.987654321G", G_GINT64_CONSTANT (6987654321));
  check_value ("5.444T", G_GINT64_CONSTANT (5444000000000));
  check_value ("2.5P", G_GINT64_CONSTANT (2500000000000000));
  check_value ("1.01E", G_GINT64_CONSTANT (1010000000000000000));
  check_milli ("9.01", 9010);
  check_milli ("8.1k", 8100000);
  check_milli ("0.5", 500);
  check_milli ("0.05", 50);
  check_milli ("0.005", 5);
  check_milli ("0.00500", 5);
  check_milli ("0.00050k", 500);
  check_milli ("1.000", 1000);
  check_milli ("1.0001", 1001);
  /* Fractional binary quantities (Go: "We'll accept fractional binary stuff, too"). */
  check_value ("100.035Ki", 102436); /* 102435.84 */
  check_milli ("100.035Ki", 102435840);
  check_value ("0.5Mi", 512 * 1024);
  check_value ("0.05Gi", 53687092);                         /* 53687091.2 */
  check_value ("0.025Ti", G_GINT64_CONSTANT (27487790695)); /* 27487790694.4 */
  check_value ("1.5Gi", G_GINT64_CONSTANT (1610612736));
  check_milli (".001Ki", 1024);
  check_milli (".000001Ki", 2); /* 1.024 milli */
  check_milli ("0.000000000001Ki", 1);
  check_value ("0.000000000001Ki", 1);
  /* 2^-60 exactly, times 2^60, is 1; a hair more is 2; a hair less is 1. */
  check_value ("0.000000000000000000867361737988403547205962240695953369140625Ei", 1);
  check_value ("0.0000000000000000008673617379884035472059622406959533691406250001Ei", 2);
  check_value ("0.000000000000000000867361737988403547205962240695953369140624999999Ei", 1);
  check_value ("1.000000000000000000867361737988403547205962240695953369140625Ei",
               (G_GINT64_CONSTANT (1) << 60) + 1);
  /* Long digit strings: only a bounded window matters. */
  check_value ("1.00000000000000000000000000000000000000000000000000000000000000000000001", 2);
  check_value ("0000000000000000000000000000000000000000000000000000000000000000000000012", 12);
  check_value ("12.000000000000000000000000000000000000000000000000000000000000000000000000", 12);
}

static void
test_quantity_exponents (void)
{
  check_value ("1e3", 1000);
  check_value ("1E3", 1000);
  check_value ("1e+3", 1000);
  check_value ("1E+3", 1000);
  check_value ("1e0", 1);
  check_value ("1e-0", 1);
  check_milli ("1e-3", 1);
  check_milli ("1E-3", 1);
  check_milli ("1e-4", 1); /* rounded up */
  check_value ("1e-3", 1);
  check_value ("1E6", 1000000);
  check_value ("1e9", G_GINT64_CONSTANT (1000000000));
  check_value ("1E12", G_GINT64_CONSTANT (1000000000000));
  check_value ("1e15", G_GINT64_CONSTANT (1000000000000000));
  check_value ("1E18", G_GINT64_CONSTANT (1000000000000000000));
  check_value ("1e14", G_GINT64_CONSTANT (100000000000000));
  check_value ("1e13", G_GINT64_CONSTANT (10000000000000));
  check_milli ("0.5e0", 500);
  check_milli ("0.5e-1", 50);
  check_milli ("0.5e-2", 5);
  check_value ("1.2e3", 1200);
  check_value ("1.3E+6", 1300000);
  check_value ("1.40e9", G_GINT64_CONSTANT (1400000000));
  check_value ("1.53E12", G_GINT64_CONSTANT (1530000000000));
  check_value ("1.6e15", G_GINT64_CONSTANT (1600000000000000));
  check_value ("1.7E18", G_GINT64_CONSTANT (1700000000000000000));
  check_milli ("1.1E-9", 1);
  check_milli ("0.5e-9", 1);
  check_value ("0.5e-9", 1);
  check_value ("1e0003", 1000); /* leading zeros in the exponent, as ParseInt */
  check_value ("5e-99999", 1);  /* tiny, rounds up */
  check_value ("-5e-99999", -1);
  check_value ("123456789e-6", 124); /* 123.456789 */
  check_milli ("123456789e-6", 123457);
  check_value ("922337203685477580.7e1", G_MAXINT64);
  check_value ("9223372036854775807000e-3", G_MAXINT64);
  check_value ("9223372036854775806001e-3", G_MAXINT64);
  check_value ("-9223372036854775807001e-3", G_MININT64);
  /* Exponents that fit int64 but make the value enormous: range.  (Go truncates the exponent
   * to int32; we do not.) */
  check_quantity_error ("1e19", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("1e4294967296", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("1e9223372036854775807", KS_QUANTITY_ERROR_RANGE);
  check_value ("1e-9223372036854775808", 1);
  /* Exponents that do not fit int64 are a syntax error, as strconv.ParseInt makes them. */
  check_quantity_error ("1e9223372036854775808", KS_QUANTITY_ERROR_SYNTAX);
  check_quantity_error ("1e-9223372036854775809", KS_QUANTITY_ERROR_SYNTAX);
  check_quantity_error ("0e99999999999999999999", KS_QUANTITY_ERROR_SYNTAX);
}

/* ---- quantity: rounding ------------------------------------------------------------------ */

static void
test_quantity_rounding (void)
{
  /* Value() and MilliValue() round up: a non-zero request never becomes zero. */
  check_milli ("0.0001", 1);
  check_milli ("0.0009", 1);
  check_milli ("0.0010", 1);
  check_milli ("0.0011", 2);
  check_milli ("0.0000000000000000000000000000000000001", 1);
  check_milli ("1.0000000000000000000000000000000000001", 1001);
  check_milli ("1n", 1);
  check_milli ("999999n", 1);
  check_milli ("1000001n", 2);
  check_milli ("1u", 1);
  check_milli ("1500u", 2);
  check_milli ("3.001n", 1);
  check_value ("1.5", 2);
  check_value ("1.1", 2);
  check_value ("1.0", 1);
  check_value ("2.0000", 2);
  check_value ("999m", 1);
  check_value ("1000m", 1);
  check_value ("1001m", 2);
  check_value ("1n", 1);
  check_value ("0.9n", 1);
  check_value ("9.01", 10);
  /* Negative quantities round away from zero too (negativeScaleInt64 in Go's math.go), so a
   * negative request stays negative and fails ">= 0" checks. */
  check_milli ("-0.0001", -1);
  check_milli ("-1n", -1);
  check_milli ("-1.5", -1500);
  check_value ("-1.5", -2);
  check_value ("-9.01", -10);
  check_value ("-0.5Gi", -536870912);
  check_value ("-100.035Ki", -102436);
}

/* ---- quantity: limits ------------------------------------------------------------------- */

static void
test_quantity_range (void)
{
  check_value ("9223372036854775807", G_MAXINT64);
  check_value ("-9223372036854775807", -G_MAXINT64);
  check_value ("-9223372036854775808", G_MININT64);
  check_value ("9223372036854775806.5", G_MAXINT64);
  check_value ("9223372036854775.807k", G_MAXINT64);
  check_value ("7Ei", G_GINT64_CONSTANT (7) << 60);
  check_value ("-8Ei", G_MININT64);
  check_value ("8191Pi", G_GINT64_CONSTANT (8191) << 50);
  check_value ("9.223372036854775807E", G_MAXINT64);
  check_quantity_error ("9223372036854775808", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("-9223372036854775809", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("9223372036854775807.1", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("10E", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("-10E", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("12E", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("8Ei", KS_QUANTITY_ERROR_RANGE); /* Go caps this at 2^63-1 */
  check_quantity_error ("9Ei", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("8192Pi", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("9223372036854775807Ki", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("100000000000000000000000000000", KS_QUANTITY_ERROR_RANGE);
  check_quantity_error ("-100000000000000000000000000000", KS_QUANTITY_ERROR_RANGE);

  /* milli: the limits are ±9223372036854775.807 / -9223372036854775.808. */
  check_milli ("9223372036854775.807", G_MAXINT64);
  check_milli ("9223372036854775807m", G_MAXINT64);
  check_milli ("9223372036854775806001u", G_MAXINT64);
  check_milli ("-9223372036854775.808", G_MININT64);
  check_milli ("-9223372036854775808m", G_MININT64);
  check_milli ("9223372036854775", G_GINT64_CONSTANT (9223372036854775000));
  check_milli ("8Pi", G_GINT64_CONSTANT (9007199254740992000));
  {
    /* clang-format off */
    static const char *const too_big[] = {
      "9223372036854775.808", "9223372036854775.8071", "9223372036854776",
      "9223372036854775808m", "-9223372036854775.809", "10P",
      "1E", "9Pi", "9223372036854775807",
    };
    /* clang-format on */
    for (gsize i = 0; i < G_N_ELEMENTS (too_big); i++)
      {
        g_autoptr (GError) error = NULL;
        gint64 v = 42;
        note ("milli too big", too_big[i]);
        g_assert_false (ks_quantity_parse_milli (too_big[i], &v, &error));
        g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_RANGE);
        g_assert_cmpint (v, ==, 42);
        g_assert_nonnull (strstr (error->message, too_big[i]));
        g_assert_nonnull (strstr (error->message, "9223372036854775.807"));
      }
  }
}

/* ---- quantity: syntax errors ------------------------------------------------------------- */

static void
test_quantity_syntax (void)
{
  /* clang-format off */
  static const char *const invalid[] = {
    /* From the brief and from quantity_test.go. */
    "1x", "1 ", " 1", "", "1.2.3", "K", "1K", "1kk", "--1", "1.1.M", "1+1.0M", "0.1mi",
    "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", "Non-Numeric",
    /* Suffix shapes. */
    "1Ki5", "1ki", "1KI", "1kb", "1Kb", "1MB", "1GB", "1gi", "1mi", "1Mi1", "1Ei5", "1EE",
    "1e", "1E+", "1e-", "1e+", "1e3.5", "1e3e3", "1e3k", "1ee3", "1eK3", "1Ki-1", "1m1",
    "1k+", "1k-1", "1e3 ", "1e 3", "1e--3", "1e+-3", "1mm", "1nm", "1uM", "1 Gi", "1\tGi",
    "1Gi\n",
    /* Numbers. */
    "++1", "+-1", "-+1", "1-", "1+", "1..2", "1.2.", "..1", "1,5", "1_000", "0x10", "١",
    "1\xc2\xb5", "inf", "NaN", "-inf", "1/2", "e3", "E3", "e", "E", "i",
    /* No digits at all.  Go's scanner accepts these as zero, its documented grammar does not;
     * we follow the grammar. */
    ".", "-", "+", "-.", "+.", "m", "Ki", "Gi", "k", "n", ".m", "-Ki", "e-3", ".e3",
  };
  /* clang-format on */

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    check_quantity_error (invalid[i], KS_QUANTITY_ERROR_SYNTAX);
}

static void
test_quantity_messages (void)
{
  g_autoptr (GError) error = NULL;
  gint64 v = 0;

  g_assert_false (ks_quantity_parse_milli ("1x", &v, &error));
  g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==,
                   "invalid quantity \"1x\": expected a number with an optional suffix (n, u, m, "
                   "k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent (e.g. 1e3)");
  g_clear_error (&error);

  g_assert_false (ks_quantity_parse_value ("10E", &v, &error));
  g_assert_error (error, KS_QUANTITY_ERROR, KS_QUANTITY_ERROR_RANGE);
  g_assert_cmpstr (error->message, ==,
                   "invalid quantity \"10E\": out of range (the value must be between "
                   "-9223372036854775808 and 9223372036854775807)");
  g_clear_error (&error);

  g_assert_false (ks_quantity_parse_milli ("1E", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid quantity \"1E\": out of range (the value must be between "
                   "-9223372036854775.808 and 9223372036854775.807)");
  g_clear_error (&error);

  /* The text is quoted with escapes, and the message stays valid UTF-8. */
  g_assert_false (ks_quantity_parse_value ("", &v, &error));
  g_assert_true (g_str_has_prefix (error->message, "invalid quantity \"\": expected a number"));
  g_clear_error (&error);
  g_assert_false (ks_quantity_parse_value ("1\"\\\n\xff\xc2\xb5", &v, &error));
  g_assert_true (
      g_str_has_prefix (error->message, "invalid quantity \"1\\\"\\\\\\n\\377\\302\\265\": "));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  /* Valid UTF-8 is kept. */
  g_assert_false (ks_quantity_parse_value ("1\xc2\xb5\t", &v, &error));
  g_assert_true (g_str_has_prefix (error->message, "invalid quantity \"1\xc2\xb5\\t\": "));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  /* No position: callers add it. */
  g_assert_false (ks_quantity_parse_value ("1%s%d", &v, &error));
  g_assert_true (g_str_has_prefix (error->message, "invalid quantity \"1%s%d\": "));
}

/* ---- quantity: formatting ---------------------------------------------------------------- */

typedef struct
{
  gint64 value;
  const char *expect;
} FormatCase;

static void
test_quantity_format_milli (void)
{
  static const FormatCase cases[] = {
    { 0, "0" },
    { 1, "1m" },
    { 10, "10m" },
    { 100, "100m" },
    { 500, "500m" },
    { 999, "999m" },
    { 1000, "1" },
    { 1001, "1001m" },
    { 1080, "1080m" },
    { 1500, "1500m" },
    { 2000, "2" },
    { 10000, "10" },
    { 100000, "100" },
    { 1000000, "1k" },
    { 1500000, "1500" },
    { 2000000, "2k" },
    { 1234000, "1234" },
    { G_GINT64_CONSTANT (1000000000), "1M" },
    { G_GINT64_CONSTANT (1000000000000), "1G" },
    { G_GINT64_CONSTANT (1000000000000000), "1T" },
    { G_GINT64_CONSTANT (1000000000000000000), "1P" },
    { G_GINT64_CONSTANT (9000000000000000000), "9P" },
    { -1, "-1m" },
    { -500, "-500m" },
    { -1000, "-1" },
    { -2000000, "-2k" },
    { G_MAXINT64, "9223372036854775807m" },
    { G_MININT64, "-9223372036854775808m" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ks_quantity_format_milli (cases[i].value);
      gint64 back = 0;
      g_assert_cmpstr (s, ==, cases[i].expect);
      g_assert_true (ks_quantity_parse_milli (s, &back, NULL));
      g_assert_cmpint (back, ==, cases[i].value);
    }
}

/* metrics-server's cpu usage: uint64Quantity(nanocores, DecimalSI, -9). */
static void
test_quantity_format_nano (void)
{
  static const FormatCase cases[] = {
    { 0, "0" },
    { 1, "1n" },
    { 1234567, "1234567n" },
    { 1500, "1500n" },
    { 1000, "1u" },
    { 1500000, "1500u" },
    { 1000000, "1m" },
    { 12000000, "12m" },
    { 250000000, "250m" },
    { 1500000000, "1500m" },
    { 2000000000, "2" },
    { G_GINT64_CONSTANT (2000000000000), "2k" },
    { 199999999, "199999999n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ks_quantity_format_nano (cases[i].value);
      gint64 back = 0;
      g_assert_cmpstr (s, ==, cases[i].expect);
      g_assert_true (ks_quantity_parse_nano (s, &back, NULL));
      g_assert_cmpint (back, ==, cases[i].value);
    }
  {
    gint64 v = 0;
    /* Rounded up, as any finer value would be. */
    g_assert_true (ks_quantity_parse_nano ("0.0000000001", &v, NULL));
    g_assert_cmpint (v, ==, 1);
    g_assert_true (ks_quantity_parse_nano ("1.5", &v, NULL));
    g_assert_cmpint (v, ==, 1500000000);
  }
}

/* metrics-server's memory usage: uint64Quantity(bytes, BinarySI, 0). */
static void
test_quantity_format_binary_si (void)
{
  static const FormatCase cases[] = {
    { 0, "0" },
    { 512, "512" },
    { 1000, "1k" }, /* below 1024: the DecimalSI form */
    { 1023, "1023" },
    { 1024, "1Ki" },
    { 12288, "12Ki" },
    { 1000000, "1000000" }, /* not a multiple of 1024: bare, never "1M" */
    { 1000448, "977Ki" },
    { 67108864, "64Mi" },
    { 69206016, "66Mi" },
    { 12520448, "12227Ki" },
    { G_GINT64_CONSTANT (3221225472), "3Gi" },
    { 1048577, "1048577" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ks_quantity_format_binary_si (cases[i].value);
      gint64 back = 0;
      g_assert_cmpstr (s, ==, cases[i].expect);
      g_assert_true (ks_quantity_parse_value (s, &back, NULL));
      g_assert_cmpint (back, ==, cases[i].value);
    }
}

static void
test_quantity_format_value (void)
{
  static const FormatCase binary[] = {
    { 0, "0" },
    { 1, "1" },
    { 5, "5" },
    { 1000, "1k" },
    { 1023, "1023" },
    { 1024, "1Ki" },
    { 1025, "1025" },
    { 1500, "1500" },
    { 2048, "2Ki" },
    { 3000, "3k" },
    { 6 * 1024, "6Ki" },
    { 1500000, "1500k" },
    { 2000000, "2M" },
    { 300 * 1024 * 1024, "300Mi" },
    { G_GINT64_CONSTANT (1024) * 1024 * 1024, "1Gi" },
    { G_GINT64_CONSTANT (2147483648), "2Gi" },
    { G_GINT64_CONSTANT (1536) * 1024 * 1024, "1536Mi" },
    { G_GINT64_CONSTANT (1001) * 1024 * 1024 * 1024, "1001Gi" },
    { G_GINT64_CONSTANT (1024) * 1024 * 1024 * 1024, "1Ti" },
    { G_GINT64_CONSTANT (1) << 50, "1Pi" },
    { G_GINT64_CONSTANT (1) << 60, "1Ei" },
    { G_GINT64_CONSTANT (7) << 60, "7Ei" },
    { 1000 * 1024, "1000Ki" },
    /* 10^18 is a multiple of 1024, so binary wins (as in Kubernetes' BinarySI). */
    { G_GINT64_CONSTANT (1000000000000000000), "976562500000000Ki" },
    { G_GINT64_CONSTANT (5) * 1000 * 1000 * 1000 * 1000 * 1000 * 1000, "4882812500000000Ki" },
    { G_GINT64_CONSTANT (1000000000000000001), "1000000000000000001" },
    { G_MAXINT64, "9223372036854775807" },
    { -1024, "-1Ki" },
    { -1500, "-1500" },
    { -3000, "-3k" },
    { G_MININT64, "-8Ei" },
  };
  static const FormatCase decimal[] = {
    { 0, "0" },
    { 1, "1" },
    { 110, "110" },
    { 1000, "1k" },
    { 1024, "1024" },
    { 1500, "1500" },
    { 3000, "3k" },
    { 1234000, "1234k" },
    { 1500000, "1500k" },
    { 2000000, "2M" },
    { 300000000, "300M" },
    { G_GINT64_CONSTANT (1000000000), "1G" },
    { G_GINT64_CONSTANT (2147483648), "2147483648" },
    { G_GINT64_CONSTANT (1000000000000), "1T" },
    { G_GINT64_CONSTANT (1000000000000000), "1P" },
    { G_GINT64_CONSTANT (1000000000000000000), "1E" },
    { G_GINT64_CONSTANT (9000000000000000000), "9E" },
    { G_MAXINT64, "9223372036854775807" },
    { -1000, "-1k" },
    { G_MININT64, "-9223372036854775808" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (binary); i++)
    {
      g_autofree char *s = ks_quantity_format_value (binary[i].value, TRUE);
      gint64 back = 0;
      g_assert_cmpstr (s, ==, binary[i].expect);
      g_assert_true (ks_quantity_parse_value (s, &back, NULL));
      g_assert_cmpint (back, ==, binary[i].value);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (decimal); i++)
    {
      g_autofree char *s = ks_quantity_format_value (decimal[i].value, FALSE);
      gint64 back = 0;
      g_assert_cmpstr (s, ==, decimal[i].expect);
      g_assert_true (ks_quantity_parse_value (s, &back, NULL));
      g_assert_cmpint (back, ==, decimal[i].value);
    }
}

/* Formatting then parsing gives the same integer back, for many values. */
static void
test_quantity_format_roundtrip (void)
{
  GRand *rand = g_rand_new_with_seed (20240611);

  for (guint i = 0; i < 20000; i++)
    {
      gint64 v;
      g_autofree char *m = NULL;
      g_autofree char *b = NULL;
      g_autofree char *d = NULL;
      gint64 back = 0;

      switch (i % 4)
        {
        case 0:
          v = (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand));
          break;
        case 1:
          v = (gint64) g_rand_int_range (rand, -100000, 100000);
          break;
        case 2: /* multiples of powers of 1000 and 1024 */
          v = (gint64) g_rand_int_range (rand, -5000, 5000);
          for (gint32 j = g_rand_int_range (rand, 0, 6); j > 0; j--)
            v *= (i & 4) ? 1000 : 1024;
          break;
        default:
          v = (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand))
              >> g_rand_int_range (rand, 0, 63);
          break;
        }
      m = ks_quantity_format_milli (v);
      g_assert_true (ks_quantity_parse_milli (m, &back, NULL));
      g_assert_cmpint (back, ==, v);
      b = ks_quantity_format_value (v, TRUE);
      g_assert_true (ks_quantity_parse_value (b, &back, NULL));
      g_assert_cmpint (back, ==, v);
      d = ks_quantity_format_value (v, FALSE);
      g_assert_true (ks_quantity_parse_value (d, &back, NULL));
      g_assert_cmpint (back, ==, v);
    }
  g_rand_free (rand);
}

/* Value and milli agree: milli = ceil(x × 1000), value = ceil(x), so for every quantity with an
 * exact milli value, value = ceil(milli / 1000) (away from zero for negatives). */
static void
test_quantity_milli_value_agree (void)
{
  static const char *const texts[] = {
    "0",     "1",    "1.5",       "0.001", "999m",   "1001m", "-1001m",     "2Gi",
    "0.5Gi", "1.5k", "100.035Ki", "1e3",   "1.2e-2", "-7.5",  "123456789m", "9223372036854775m",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gint64 milli = 0, value = 0, expect;
      g_assert_true (ks_quantity_parse_milli (texts[i], &milli, NULL));
      g_assert_true (ks_quantity_parse_value (texts[i], &value, NULL));
      expect = milli / 1000 + (milli % 1000 > 0 ? 1 : 0) - (milli % 1000 < 0 ? 1 : 0);
      g_assert_cmpint (value, ==, expect);
    }
}

/* ---- duration: parsing ------------------------------------------------------------------- */

static void
test_duration_parse_units (void)
{
  check_duration ("1ns", 0);
  check_duration ("999ns", 0);
  check_duration ("1000ns", 1);
  check_duration ("1500ns", 1);
  check_duration ("1us", 1);
  check_duration ("1\xc2\xb5s", 1); /* U+00B5 */
  check_duration ("1\xce\xbcs", 1); /* U+03BC */
  check_duration ("1ms", 1000);
  check_duration ("1s", G_USEC_PER_SEC);
  check_duration ("1m", 60 * G_USEC_PER_SEC);
  check_duration ("1h", G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  check_duration ("90s", 90 * G_USEC_PER_SEC);
  check_duration ("5m", 300 * G_USEC_PER_SEC);
  check_duration ("300ms", 300000);
  check_duration ("30s", 30 * G_USEC_PER_SEC);
}

static void
test_duration_parse_forms (void)
{
  /* From Go's parseDurationTests. */
  check_duration ("0", 0);
  check_duration ("-0", 0);
  check_duration ("+0", 0);
  check_duration ("5s", 5000000);
  check_duration ("30s", 30000000);
  check_duration ("1478s", 1478000000);
  check_duration ("-5s", -5000000);
  check_duration ("+5s", 5000000);
  check_duration ("-0s", 0);
  check_duration ("+0s", 0);
  check_duration ("0s", 0);
  check_duration ("0h", 0);
  check_duration ("000000s", 0);
  check_duration ("5.0s", 5000000);
  check_duration ("5.6s", 5600000);
  check_duration ("5.s", 5000000);
  check_duration (".5s", 500000);
  check_duration ("1.0s", 1000000);
  check_duration ("1.00s", 1000000);
  check_duration ("1.004s", 1004000);
  check_duration ("1.0040s", 1004000);
  check_duration ("100.00100s", 100001000);
  check_duration ("10ns", 0);
  check_duration ("11us", 11);
  check_duration ("12\xc2\xb5s", 12);
  check_duration ("13ms", 13000);
  check_duration ("14s", 14000000);
  check_duration ("15m", 900000000);
  check_duration ("16h", G_GINT64_CONSTANT (57600000000));
  check_duration ("3h30m", G_GINT64_CONSTANT (12600000000));
  check_duration ("10.5s4m", 250500000);
  check_duration ("-2m3.4s", -123400000);
  check_duration ("1h2m3s4ms5us6ns", G_GINT64_CONSTANT (3723004005));
  check_duration ("39h9m14.425s", G_GINT64_CONSTANT (140954425000));
  check_duration ("52763797000ns", 52763797);
  check_duration ("0.3333333333333333333h", G_GINT64_CONSTANT (1200000000));
  check_duration ("9007199254740993ns", G_GINT64_CONSTANT (9007199254740));
  check_duration ("0.100000000000000000000h", 360000000);
  check_duration ("0.830103483285477580700h", G_GINT64_CONSTANT (2988372539));
  /* The brief's forms. */
  check_duration ("1.5h", G_GINT64_CONSTANT (5400000000));
  check_duration ("1h30m", G_GINT64_CONSTANT (5400000000));
  check_duration ("1m30s", 90000000);
  check_duration ("1s1s", 2000000); /* repeats are allowed, as in Go */
  check_duration ("1s1h", G_GINT64_CONSTANT (3601000000));
  /* Truncation toward zero, per component in ns, then of the total in µs. */
  check_duration ("1.9us", 1);
  check_duration ("-1.9us", -1);
  check_duration ("0.5ns0.5ns", 0);
  check_duration ("999ns1ns", 1);
  check_duration ("-1500ns", -1);
  check_duration ("0.0000001s", 0);
  check_duration ("0.000001s", 1);
}

static void
test_duration_parse_range (void)
{
  /* The largest Go durations: 2^63-1 ns and -2^63 ns. */
  check_duration ("9223372036854775807ns", G_GINT64_CONSTANT (9223372036854775));
  check_duration ("-9223372036854775808ns", G_GINT64_CONSTANT (-9223372036854775));
  check_duration ("9223372036854775.807us", G_GINT64_CONSTANT (9223372036854775));
  check_duration ("9223372036s854775807ns", G_GINT64_CONSTANT (9223372036854775));
  check_duration ("2562047h47m16.854775807s", G_GINT64_CONSTANT (9223372036854775));
  check_duration ("-2562047h47m16.854775808s", G_GINT64_CONSTANT (-9223372036854775));
  check_duration ("2562047h", G_GINT64_CONSTANT (2562047) * 3600 * G_USEC_PER_SEC);

  check_duration_error ("9223372036854775808ns", KS_DURATION_ERROR_RANGE);
  check_duration_error ("-9223372036854775809ns", KS_DURATION_ERROR_RANGE);
  check_duration_error ("9223372036854775807ns1ns", KS_DURATION_ERROR_RANGE);
  check_duration_error ("2562047h47m16.854775808s", KS_DURATION_ERROR_RANGE);
  check_duration_error ("2562048h", KS_DURATION_ERROR_RANGE);
  check_duration_error ("3000000h", KS_DURATION_ERROR_RANGE);
  check_duration_error ("9223372036854775810ns", KS_DURATION_ERROR_RANGE);
  check_duration_error ("99999999999999999999999s", KS_DURATION_ERROR_RANGE);
  check_duration_error ("1000000000000000000000000000000000000000000000000000ns",
                        KS_DURATION_ERROR_RANGE);
  check_duration_error ("-9223372036854775808ns1ns", KS_DURATION_ERROR_RANGE);
  check_duration_error ("2562047.9h", KS_DURATION_ERROR_RANGE);
}

static void
test_duration_parse_invalid (void)
{
  /* clang-format off */
  static const char *const invalid[] = {
    /* From Go's invalid cases. */
    "", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xff" "ff",
    "hello \xff" "ff world", "\xef\xbf\xbd", "9a3b", "4m5.9.2s",
    /* From the brief and others. */
    "30", "1", "1h-30m", "1h30", "1h 30m", " 1s", "1s ", "1 s", "1S", "1H", "1sec", "1min",
    "1hr", "--1s", "+-1s", "1e3s", "1,5s", "1..5s", "0x10s", "h", "1h.", "1.5.5s", "-0.0",
    "00", "+", "0 ", " 0", "1\xc2\xb5", "1\xc2\xb5S", "1u", "1n", "1M", "1ks", "1mss",
  };
  /* clang-format on */

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    check_duration_error (invalid[i], KS_DURATION_ERROR_SYNTAX);
}

static void
test_duration_parse_messages (void)
{
  g_autoptr (GError) error = NULL;
  gint64 v = 0;

  g_assert_false (ks_duration_parse ("30", &v, &error));
  g_assert_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"30\": missing unit (use ns, us, ms, s, m or h, e.g. "
                   "\"30s\")");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("1h1.5", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"1h1.5\": missing unit (use ns, us, ms, s, m or h, e.g. "
                   "\"1.5s\")");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"\": expected a number followed by a unit (ns, us, ms, s, m "
                   "or h), e.g. \"30s\", \"1.5h\" or \"1h30m\"");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("1h-30m", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"1h-30m\": unknown unit \"h-\" (use ns, us, ms, s, m or h)");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("2d", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"2d\": unknown unit \"d\" (use ns, us, ms, s, m or h)");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("3000000h", &v, &error));
  g_assert_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_RANGE);
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"3000000h\": out of range (at most 2562047h47m16.854775807s, "
                   "about 292 years, either way)");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("1\xff\"", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"1\\377\\\"\": unknown unit \"\\377\\\"\" (use ns, us, ms, "
                   "s, m or h)");
  g_clear_error (&error);

  g_assert_false (ks_duration_parse ("1\xce\xbc", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid duration \"1\xce\xbc\": unknown unit \"\xce\xbc\" (use ns, us, ms, "
                   "s, m or h)");
}

/* ---- duration: formatting ---------------------------------------------------------------- */

static void
test_duration_format (void)
{
  static const FormatCase cases[] = {
    /* From Go's durationTests, at microsecond precision. */
    { 0, "0s" },
    { 1, "1\xc2\xb5s" },
    { 2, "2\xc2\xb5s" },
    { 999, "999\xc2\xb5s" },
    { 1000, "1ms" },
    { 1500, "1.5ms" },
    { 1001, "1.001ms" },
    { 2200, "2.2ms" },
    { 300000, "300ms" },
    { 999999, "999.999ms" },
    { 1000000, "1s" },
    { 1500000, "1.5s" },
    { 3300000, "3.3s" },
    { 1000001, "1.000001s" },
    { 59999999, "59.999999s" },
    { 60000000, "1m0s" },
    { 90000000, "1m30s" },
    { 260000000, "4m20s" },
    { 261500000, "4m21.5s" },
    { 3599000000, "59m59s" },
    { G_GINT64_CONSTANT (3600000000), "1h0m0s" },
    { G_GINT64_CONSTANT (5400000000), "1h30m0s" },
    { G_GINT64_CONSTANT (5000000000), "1h23m20s" },
    { G_GINT64_CONSTANT (5001000000), "1h23m21s" },
    { G_GINT64_CONSTANT (5000100000), "1h23m20.1s" },
    { G_GINT64_CONSTANT (86400000000), "24h0m0s" },
    { G_GINT64_CONSTANT (9223372036854775), "2562047h47m16.854775s" },
    { G_MAXINT64, "2562047788h0m54.775807s" },
    { -1, "-1\xc2\xb5s" },
    { -1500, "-1.5ms" },
    { -2000000, "-2s" },
    { G_GINT64_CONSTANT (-5400000000), "-1h30m0s" },
    { G_MININT64, "-2562047788h0m54.775808s" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ks_duration_format (cases[i].value);
      g_assert_cmpstr (s, ==, cases[i].expect);
    }
}

/* Every formatted duration within Go's range parses back to itself. */
static void
test_duration_format_roundtrip (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  const gint64 max = G_GINT64_CONSTANT (9223372036854775);

  for (guint i = 0; i < 20000; i++)
    {
      gint64 v, back = 0;
      g_autofree char *s = NULL;
      g_autoptr (GError) error = NULL;

      if (i % 2 == 0)
        v = g_rand_int_range (rand, -100000000, 100000000);
      else
        v = (gint64) ((((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)) % (guint64) max);
      if (i % 3 == 0)
        v = -v;
      s = ks_duration_format (v);
      g_assert_true (ks_duration_parse (s, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back, ==, v);
    }
  g_rand_free (rand);
}

static void
test_format_seconds (void)
{
  static const FormatCase cases[] = {
    { 0, "0" },
    { 12000000, "12" },
    { 12500000, "12.5" },
    { 1, "0.000001" },
    { 10, "0.00001" },
    { 100000, "0.1" },
    { 1234567, "1.234567" },
    { 1230000, "1.23" },
    { -3250000, "-3.25" },
    { -1, "-0.000001" },
    { -500000, "-0.5" },
    { -2000000, "-2" },
    { G_MAXINT64, "9223372036854.775807" },
    { G_MININT64, "-9223372036854.775808" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char buf[32];
      memset (buf, 'x', sizeof buf);
      g_assert_true (ks_format_seconds (cases[i].value, buf) == buf);
      g_assert_cmpstr (buf, ==, cases[i].expect);
    }
}

static void
test_error_quarks (void)
{
  g_assert_cmpstr (g_quark_to_string (KS_QUANTITY_ERROR), ==, "ks-quantity-error-quark");
  g_assert_cmpstr (g_quark_to_string (KS_DURATION_ERROR), ==, "ks-duration-error-quark");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/quantity/examples", test_quantity_examples);
  g_test_add_func ("/api/quantity/milli/suffixes", test_quantity_milli_suffixes);
  g_test_add_func ("/api/quantity/value/suffixes", test_quantity_value_suffixes);
  g_test_add_func ("/api/quantity/parse/zero", test_quantity_zero);
  g_test_add_func ("/api/quantity/parse/numbers", test_quantity_numbers);
  g_test_add_func ("/api/quantity/parse/exponents", test_quantity_exponents);
  g_test_add_func ("/api/quantity/parse/rounding", test_quantity_rounding);
  g_test_add_func ("/api/quantity/parse/range", test_quantity_range);
  g_test_add_func ("/api/quantity/parse/syntax", test_quantity_syntax);
  g_test_add_func ("/api/quantity/parse/messages", test_quantity_messages);
  g_test_add_func ("/api/quantity/milli/value-agree", test_quantity_milli_value_agree);
  g_test_add_func ("/api/quantity/format/milli", test_quantity_format_milli);
  g_test_add_func ("/api/quantity/format/value", test_quantity_format_value);
  g_test_add_func ("/api/quantity/format/nano", test_quantity_format_nano);
  g_test_add_func ("/api/quantity/format/binary-si", test_quantity_format_binary_si);
  g_test_add_func ("/api/quantity/format/roundtrip", test_quantity_format_roundtrip);
  g_test_add_func ("/api/duration/parse/units", test_duration_parse_units);
  g_test_add_func ("/api/duration/parse/forms", test_duration_parse_forms);
  g_test_add_func ("/api/duration/parse/range", test_duration_parse_range);
  g_test_add_func ("/api/duration/parse/invalid", test_duration_parse_invalid);
  g_test_add_func ("/api/duration/parse/messages", test_duration_parse_messages);
  g_test_add_func ("/api/duration/format/go", test_duration_format);
  g_test_add_func ("/api/duration/format/roundtrip", test_duration_format_roundtrip);
  g_test_add_func ("/api/duration/format/seconds", test_format_seconds);
  g_test_add_func ("/api/errors/quarks", test_error_quarks);

  return g_test_run ();
}

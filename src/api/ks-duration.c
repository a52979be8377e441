/* ks-duration.c: Go durations ("90s", "1h30m", "1.5h", "300ms") read as time.ParseDuration reads
 * them and printed as Duration.String() prints them, in microseconds.
 *
 * Grammar: [-+]?([0-9]*(\.[0-9]*)?[unit])+ where every number has at least one digit and the
 * units are ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h; or "0" alone after the optional sign.
 * A unit is whatever runs up to the next digit or '.', so "1h 30m" and "1h-30m" have the unknown
 * units "h " and "h-".
 *
 * Like Go, each component is converted to whole nanoseconds (fractions truncated), the
 * components are summed, and the total must stay within ±2^63 ns (about 292 years): a duration
 * we accept is one Go accepts.  The total is then truncated toward zero to microseconds.  A
 * fraction is converted to nanoseconds with Go's float64 formula, so that results match Go's
 * to the nanosecond. */
#include "config.h"

#include <string.h>

#include "ks-duration.h"

/* clang-format off */
G_DEFINE_QUARK (ks-duration-error-quark, ks_duration_error)
/* clang-format on */

#define NS_LIMIT (G_GUINT64_CONSTANT (1) << 63)

typedef struct
{
  const char *name;
  guint64 ns;
} Unit;

static const Unit units[] = {
  { "ns", 1 },
  { "us", 1000 },
  { "\xc2\xb5s", 1000 }, /* U+00B5 MICRO SIGN */
  { "\xce\xbcs", 1000 }, /* U+03BC GREEK SMALL LETTER MU */
  { "ms", 1000000 },
  { "s", G_GUINT64_CONSTANT (1000000000) },
  { "m", G_GUINT64_CONSTANT (60000000000) },
  { "h", G_GUINT64_CONSTANT (3600000000000) },
};

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* ---- errors ------------------------------------------------------------------------------ */

/* text escaped for a message in double quotes: C escapes for quotes, backslashes and control
 * characters; other UTF-8 is kept unless the text is not valid UTF-8, then every byte above
 * 0x7e is escaped too.  Returns a newly allocated string. */
static char *
quote (const char *text)
{
  char keep[129];

  for (int i = 0; i < 128; i++)
    keep[i] = (char) (0x80 + i);
  keep[128] = '\0';
  return g_strescape (text, g_utf8_validate (text, -1, NULL) ? keep : NULL);
}

#define UNIT_LIST "ns, us, ms, s, m or h"

typedef enum
{
  PROBLEM_NO_NUMBER,
  PROBLEM_MISSING_UNIT,
  PROBLEM_UNKNOWN_UNIT,
  PROBLEM_RANGE,
} Problem;

/* Set error for text.  For PROBLEM_MISSING_UNIT, [part, part_end) is the number that lacks a
 * unit; for PROBLEM_UNKNOWN_UNIT it is the unit. */
static void
set_error (GError **error, Problem problem, const char *text, const char *part,
           const char *part_end)
{
  g_autofree char *quoted = NULL;
  g_autofree char *part_quoted = NULL;

  if (error == NULL)
    return;
  quoted = quote (text);
  if (part != NULL)
    {
      g_autofree char *copy = g_strndup (part, (gsize) (part_end - part));
      part_quoted = quote (copy);
    }
  switch (problem)
    {
    case PROBLEM_NO_NUMBER:
      g_set_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_SYNTAX,
                   "invalid duration \"%s\": expected a number followed by a unit (" UNIT_LIST
                   "), e.g. \"30s\", \"1.5h\" or \"1h30m\"",
                   quoted);
      break;
    case PROBLEM_MISSING_UNIT:
      g_set_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_SYNTAX,
                   "invalid duration \"%s\": missing unit (use " UNIT_LIST ", e.g. \"%ss\")",
                   quoted, part_quoted);
      break;
    case PROBLEM_UNKNOWN_UNIT:
      g_set_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_SYNTAX,
                   "invalid duration \"%s\": unknown unit \"%s\" (use " UNIT_LIST ")", quoted,
                   part_quoted);
      break;
    case PROBLEM_RANGE:
      g_set_error (error, KS_DURATION_ERROR, KS_DURATION_ERROR_RANGE,
                   "invalid duration \"%s\": out of range (at most 2562047h47m16.854775807s, "
                   "about 292 years, either way)",
                   quoted);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- parsing ----------------------------------------------------------------------------- */

gboolean
ks_duration_parse (const char *text, gint64 *out_usec, GError **error)
{
  const char *s = text;
  gboolean negative = FALSE;
  guint64 total = 0; /* nanoseconds, at most 2^63 */

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_usec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*s == '-' || *s == '+')
    negative = *s++ == '-';
  if (strcmp (s, "0") == 0)
    {
      *out_usec = 0;
      return TRUE;
    }
  if (*s == '\0')
    {
      set_error (error, PROBLEM_NO_NUMBER, text, NULL, NULL);
      return FALSE;
    }

  while (*s != '\0')
    {
      const char *number = s, *unit_start;
      guint64 v = 0, f = 0, unit = 0;
      guint f_digits = 0;
      gboolean pre, post = FALSE, f_overflow = FALSE;
      gsize unit_len;

      if (!(*s == '.' || is_digit (*s)))
        {
          set_error (error, PROBLEM_NO_NUMBER, text, NULL, NULL);
          return FALSE;
        }

      /* [0-9]*: more than 2^63 is an error (leadingInt). */
      for (; is_digit (*s); s++)
        {
          if (v > NS_LIMIT / 10)
            goto range;
          v = v * 10 + (guint64) (*s - '0');
          if (v > NS_LIMIT)
            goto range;
        }
      pre = s != number;

      /* (\.[0-9]*)?: digits past 63 bits of precision are ignored (leadingFraction). */
      if (*s == '.')
        {
          const char *start = ++s;
          for (; is_digit (*s); s++)
            {
              guint64 y;

              if (f_overflow)
                continue;
              if (f > (guint64) G_MAXINT64 / 10)
                {
                  f_overflow = TRUE;
                  continue;
                }
              y = f * 10 + (guint64) (*s - '0');
              if (y > NS_LIMIT)
                {
                  f_overflow = TRUE;
                  continue;
                }
              f = y;
              f_digits++;
            }
          post = s != start;
        }
      if (!pre && !post)
        {
          set_error (error, PROBLEM_NO_NUMBER, text, NULL, NULL);
          return FALSE;
        }

      /* The unit runs up to the next number. */
      unit_start = s;
      while (*s != '\0' && *s != '.' && !is_digit (*s))
        s++;
      unit_len = (gsize) (s - unit_start);
      if (unit_len == 0)
        {
          set_error (error, PROBLEM_MISSING_UNIT, text, number, s);
          return FALSE;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
        if (strlen (units[i].name) == unit_len && memcmp (units[i].name, unit_start, unit_len) == 0)
          unit = units[i].ns;
      if (unit == 0)
        {
          set_error (error, PROBLEM_UNKNOWN_UNIT, text, unit_start, s);
          return FALSE;
        }

      if (v > NS_LIMIT / unit)
        goto range;
      v *= unit;
      if (f > 0)
        {
          /* Go's exact formula, float64 included: uint64(float64(f) * (float64(unit) / scale)).
           * The product is below one unit (at most 3.6e12 ns), and IEEE 754 doubles round
           * the same here as in Go, so "0.3333333333333333333h" is 20m as in Go, not the
           * 19m59.999999999s exact arithmetic would give.  No other double is used. */
          double scale = 1;
          double part;
          for (guint i = 0; i < f_digits; i++)
            scale *= 10;
          part = (double) f * ((double) unit / scale);
          v += (guint64) part;
          if (v > NS_LIMIT)
            goto range;
        }
      total += v;
      if (total > NS_LIMIT)
        goto range;
    }
  if (!negative && total > (guint64) G_MAXINT64)
    goto range;

  *out_usec = negative ? -(gint64) (total / 1000) : (gint64) (total / 1000);
  return TRUE;

range:
  set_error (error, PROBLEM_RANGE, text, NULL, NULL);
  return FALSE;
}

/* ---- formatting -------------------------------------------------------------------------- */

/* Write "." and the prec-digit fraction frac without trailing zeros (nothing if frac is 0) at
 * the end of the buffer ending at *w, moving *w back (fmtFrac in Go). */
static void
put_frac (char **w, guint64 frac, int prec)
{
  gboolean print = FALSE;

  for (int i = 0; i < prec; i++)
    {
      int digit = (int) (frac % 10);
      print = print || digit != 0;
      if (print)
        *--*w = (char) ('0' + digit);
      frac /= 10;
    }
  if (print)
    *--*w = '.';
}

static void
put_int (char **w, guint64 v)
{
  do
    {
      *--*w = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v > 0);
}

static void
put_str (char **w, const char *str)
{
  gsize len = strlen (str);
  *w -= len;
  memcpy (*w, str, len);
}

char *
ks_duration_format (gint64 usec)
{
  /* The longest is "-2562047788h0m54.775808s". */
  char buf[40];
  char *w = buf + sizeof buf;
  guint64 u = usec < 0 ? 0 - (guint64) usec : (guint64) usec;

  *--w = '\0';
  if (u < G_USEC_PER_SEC)
    {
      /* Below a second Go switches to smaller units: 1.5ms, 300µs. */
      if (u == 0)
        return g_strdup ("0s");
      if (u < 1000)
        {
          put_str (&w, "\xc2\xb5s");
          put_int (&w, u);
        }
      else
        {
          put_str (&w, "ms");
          put_frac (&w, u % 1000, 3);
          put_int (&w, u / 1000);
        }
    }
  else
    {
      guint64 secs = u / G_USEC_PER_SEC;

      *--w = 's';
      put_frac (&w, u % G_USEC_PER_SEC, 6);
      put_int (&w, secs % 60);
      if (secs >= 60)
        {
          *--w = 'm';
          put_int (&w, secs / 60 % 60);
          if (secs >= 3600)
            {
              *--w = 'h';
              put_int (&w, secs / 3600);
            }
        }
    }
  if (usec < 0)
    *--w = '-';
  return g_strdup (w);
}

char *
ks_format_seconds (gint64 usec, char *buf)
{
  guint64 u = usec < 0 ? 0 - (guint64) usec : (guint64) usec;
  guint64 frac = u % G_USEC_PER_SEC;
  const char *sign = usec < 0 ? "-" : "";

  g_return_val_if_fail (buf != NULL, NULL);

  if (frac == 0)
    g_snprintf (buf, 32, "%s%" G_GUINT64_FORMAT, sign, u / G_USEC_PER_SEC);
  else
    {
      int digits = 6;
      while (frac % 10 == 0)
        {
          frac /= 10;
          digits--;
        }
      g_snprintf (buf, 32, "%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, sign, u / G_USEC_PER_SEC,
                  digits, frac);
    }
  return buf;
}

/* ks-quantity.c: Kubernetes resource quantities, parsed and converted to integers exactly as
 * k8s.io/apimachinery/pkg/api/resource does (ParseQuantity, then Value() or MilliValue()).
 *
 * Grammar (parseQuantityString and the suffixer in suffix.go):
 *
 *   quantity  ::= sign? number suffix
 *   number    ::= digits | digits "." digits? | "." digits
 *   suffix    ::= "" | n | u | m | k | M | G | T | P | E | Ki | Mi | Gi | Ti | Pi | Ei
 *               | ("e" | "E") sign? digits
 *
 * Nothing else is allowed: no spaces, no second sign or point.  "1E" is 10^18 (the suffix E),
 * "1E3" is 1000 (an exponent).  An exponent that does not fit an int64 is a syntax error, as
 * strconv.ParseInt makes it in Go.
 *
 * Where this deliberately differs from Go (all are values nobody writes on purpose):
 *   - Go's scanner accepts a number with no digits at all: ".", "-", "+", "m", "Ki" and "e3"
 *     all parse as 0 there, against the grammar in its own documentation (and the pattern
 *     CRDs use for quantities); we follow the documentation and reject them.
 *   - Go silently caps binary-suffixed values at 2^63-1 ("8Ei") and lets Value()/MilliValue()
 *     overflow silently for large decimal ones ("10E"); we report KS_QUANTITY_ERROR_RANGE for
 *     any result outside gint64.
 *   - Go truncates a parsed exponent to int32; we use its true value.
 *
 * Rounding: Value() and MilliValue() round a fractional result up in magnitude, away from zero
 * (negativeScaleInt64 in math.go): "1.5" is 2 and "-1.5" is -2, "0.0001" is 1 milli and
 * "-0.0001" is -1 milli.  So a negative quantity never becomes 0 or positive, which keeps
 * "must be >= 0" checks on the integer equivalent to Kubernetes' checks on the quantity.
 *
 * Arithmetic is exact and allocation-free: the value is digits × 10^e × 2^k, and only a bounded
 * window of the digits can matter for a result that fits in 64 bits (see scaled_magnitude). */
#include "config.h"

#include <string.h>

#include "ks-quantity.h"

/* clang-format off */
G_DEFINE_QUARK (ks-quantity-error-quark, ks_quantity_error)
/* clang-format on */

/* ---- scanning ---------------------------------------------------------------------------- */

/* A quantity split into its parts.  The digits are not copied: int_digits and frac_digits point
 * into the text. */
typedef struct
{
  gboolean negative;
  const char *int_digits;
  gsize n_int;
  const char *frac_digits;
  gsize n_frac;
  gint64 exp10; /* decimal exponent from the suffix (clamped, see EXP10_CLAMP) */
  guint exp2;   /* binary exponent from the suffix: 0, 10, ..., 60 */
} Parts;

/* Exponents beyond this behave the same for every string that fits in memory (the result is
 * either out of range or rounds to the smallest unit); clamping keeps the sums below far from
 * gint64 overflow. */
#define EXP10_CLAMP (G_GINT64_CONSTANT (1) << 60)

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* The characters Go's scanner accepts at the start of a suffix. */
static gboolean
is_suffix_letter (char c)
{
  return c != '\0' && strchr ("eEinumkKMGTP", c) != NULL;
}

/* Parse [+-]?[0-9]+ (the whole of [s, end)) like strconv.ParseInt (s, 10, 64), then clamp. */
static gboolean
parse_exponent (const char *s, const char *end, gint64 *out)
{
  gboolean negative = FALSE;
  guint64 v = 0;
  /* ParseInt accepts magnitudes up to 2^63 for negatives and 2^63-1 otherwise. */
  guint64 limit;

  if (s < end && (*s == '+' || *s == '-'))
    negative = *s++ == '-';
  if (s == end)
    return FALSE;
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  for (; s < end; s++)
    {
      if (!is_digit (*s))
        return FALSE;
      if (v > (limit - (guint64) (*s - '0')) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*s - '0');
    }
  if (v > (guint64) EXP10_CLAMP)
    v = (guint64) EXP10_CLAMP;
  *out = negative ? -(gint64) v : (gint64) v;
  return TRUE;
}

typedef struct
{
  const char *name;
  gint8 exp10;
  guint8 exp2;
} Suffix;

static const Suffix suffixes[] = {
  { "", 0, 0 },    { "n", -9, 0 },  { "u", -6, 0 },  { "m", -3, 0 },
  { "k", 3, 0 },   { "M", 6, 0 },   { "G", 9, 0 },   { "T", 12, 0 },
  { "P", 15, 0 },  { "E", 18, 0 },  { "Ki", 0, 10 }, { "Mi", 0, 20 },
  { "Gi", 0, 30 }, { "Ti", 0, 40 }, { "Pi", 0, 50 }, { "Ei", 0, 60 },
};

static gboolean
interpret_suffix (const char *s, const char *end, Parts *parts)
{
  gsize len = (gsize) (end - s);

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (strlen (suffixes[i].name) == len && memcmp (suffixes[i].name, s, len) == 0)
      {
        parts->exp10 = suffixes[i].exp10;
        parts->exp2 = suffixes[i].exp2;
        return TRUE;
      }
  if (len > 1 && (s[0] == 'e' || s[0] == 'E'))
    return parse_exponent (s + 1, end, &parts->exp10);
  return FALSE;
}

/* Split text into parts, or return FALSE for a syntax error. */
static gboolean
scan (const char *text, Parts *parts)
{
  const char *p = text;
  const char *suffix;

  memset (parts, 0, sizeof *parts);
  if (*p == '+' || *p == '-')
    parts->negative = *p++ == '-';

  parts->int_digits = p;
  while (is_digit (*p))
    p++;
  parts->n_int = (gsize) (p - parts->int_digits);
  if (*p == '.')
    {
      p++;
      parts->frac_digits = p;
      while (is_digit (*p))
        p++;
      parts->n_frac = (gsize) (p - parts->frac_digits);
    }
  else
    parts->frac_digits = p;
  if (parts->n_int + parts->n_frac == 0)
    return FALSE;

  /* Go's suffix scanner: letters, then an optional sign, then digits, then the end. */
  suffix = p;
  while (is_suffix_letter (*p))
    p++;
  if (*p == '+' || *p == '-')
    p++;
  while (is_digit (*p))
    p++;
  if (*p != '\0')
    return FALSE;
  return interpret_suffix (suffix, p, parts);
}

/* ---- exact scaling ----------------------------------------------------------------------- */

/* The digits of a quantity as one sequence: the integer digits, then the fraction digits. */
static int
digit_at (const Parts *parts, gsize i)
{
  return i < parts->n_int ? parts->int_digits[i] - '0' : parts->frac_digits[i - parts->n_int] - '0';
}

/* Significant digit i (of n, starting at digit lead), 0 outside [0, n). */
static guint
significant_digit (const Parts *parts, gsize lead, gsize n, gint64 i)
{
  return i >= 0 && i < (gint64) n ? (guint) digit_at (parts, lead + (gsize) i) : 0;
}

/* Compute ceil(|value| × 10^extra10), the magnitude of the result rounded up.  Returns FALSE if
 * it is above limit.
 *
 * Let S be the significant digits (no leading or trailing zeros, n of them) so that
 * |value| × 10^extra10 = S × 10^E × 2^k, whose integer part has q = n + E digits.  If q > 19 the
 * result is at least 10^19 > 2^63: out of range.  Otherwise the integer part of S × 10^E fits a
 * guint64, and we keep the next k fraction digits as a decimal array and double k times.  The
 * digits after those (the "tail") cannot change the integer part: the kept value X × 2^k / 10^k
 * is a multiple of 2^k / 10^k, so when it is not an integer it is at least 2^k / 10^k below the
 * next integer, while the tail adds strictly less than 10^-k × 2^k.  A non-zero tail only
 * matters when the kept value is a whole number, where it rounds up by one. */
static gboolean
scaled_magnitude (const Parts *parts, gint64 extra10, guint64 limit, guint64 *out)
{
  gsize total = parts->n_int + parts->n_frac;
  gsize lead = 0, trail = 0, n;
  gint64 e, q;
  guint64 int_part = 0;
  unsigned __int128 r;
  guint8 frac[64];
  guint k = parts->exp2;
  gboolean frac_nonzero = FALSE, tail_nonzero;

  while (lead < total && digit_at (parts, lead) == 0)
    lead++;
  if (lead == total)
    {
      *out = 0;
      return TRUE;
    }
  while (digit_at (parts, total - 1 - trail) == 0)
    trail++;
  n = total - lead - trail;

  /* Lengths are far below 2^60 (they are string lengths), exponents are clamped to 2^60. */
  e = parts->exp10 + extra10 - (gint64) parts->n_frac + (gint64) trail;
  q = (gint64) n + e;
  if (q > 19)
    return FALSE;

  for (gint64 i = 0; i < q; i++)
    int_part = int_part * 10 + significant_digit (parts, lead, n, i);
  for (guint j = 0; j < k; j++)
    {
      frac[j] = (guint8) significant_digit (parts, lead, n, q + (gint64) j);
      frac_nonzero |= frac[j] != 0;
    }
  tail_nonzero = (gint64) n > q + (gint64) k;

  r = int_part;
  for (guint step = 0; step < k; step++)
    {
      guint carry = 0;

      r <<= 1;
      if (!frac_nonzero)
        continue;
      frac_nonzero = FALSE;
      for (guint j = k; j-- > 0;)
        {
          guint d = frac[j] * 2u + carry;
          carry = d >= 10;
          frac[j] = (guint8) (d - (carry ? 10 : 0));
          frac_nonzero |= frac[j] != 0;
        }
      r += carry;
    }
  /* r < 10^19 × 2^60 < 2^124: no overflow above. */
  if (frac_nonzero || tail_nonzero)
    r++;
  if (r > limit)
    return FALSE;
  *out = (guint64) r;
  return TRUE;
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

static void
set_error (GError **error, KsQuantityError code, const char *text, const char *what)
{
  g_autofree char *quoted = NULL;

  if (error == NULL)
    return;
  quoted = quote (text);
  g_set_error (error, KS_QUANTITY_ERROR, (gint) code, "invalid quantity \"%s\": %s", quoted, what);
}

#define SYNTAX_HELP                                                                                \
  "expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, "     \
  "Ei) or exponent (e.g. 1e3)"

/* ---- public API -------------------------------------------------------------------------- */

static gboolean
parse_scaled (const char *text, gint64 extra10, gint64 *out, GError **error)
{
  Parts parts;
  guint64 magnitude;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!scan (text, &parts))
    {
      set_error (error, KS_QUANTITY_ERROR_SYNTAX, text, SYNTAX_HELP);
      return FALSE;
    }
  /* A negative result may reach -2^63, a positive one 2^63-1. */
  if (!scaled_magnitude (&parts, extra10,
                         parts.negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64,
                         &magnitude))
    {
      set_error (error, KS_QUANTITY_ERROR_RANGE, text,
                 extra10 == 0 ? "out of range (the value must be between "
                                "-9223372036854775808 and 9223372036854775807)"
                              : "out of range (the value must be between "
                                "-9223372036854775.808 and 9223372036854775.807)");
      return FALSE;
    }
  /* Negating in unsigned arithmetic handles 2^63 -> G_MININT64. */
  *out = parts.negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
  return TRUE;
}

gboolean
ks_quantity_parse_milli (const char *text, gint64 *out, GError **error)
{
  return parse_scaled (text, 3, out, error);
}

gboolean
ks_quantity_parse_value (const char *text, gint64 *out, GError **error)
{
  return parse_scaled (text, 0, out, error);
}

gboolean
ks_quantity_parse_nano (const char *text, gint64 *out, GError **error)
{
  return parse_scaled (text, 9, out, error);
}

static guint64
magnitude_of (gint64 v)
{
  return v < 0 ? 0 - (guint64) v : (guint64) v;
}

/* Kubernetes' canonical DecimalSI form (AsCanonicalBytes) of value × 10^scale (scale -9 or -3):
 * strip the factors of ten, then give back just enough of them to make the exponent a multiple
 * of three, so that the suffix is as large as possible with no fraction digits. */
static char *
format_decimal (gint64 value, int scale)
{
  static const char *const names[] = { "n", "u", "m", "", "k", "M", "G", "T", "P", "E" };
  guint64 mantissa = magnitude_of (value);
  int exponent = scale;

  if (mantissa == 0)
    return g_strdup ("0");
  while (mantissa % 10 == 0)
    {
      mantissa /= 10;
      exponent++;
    }
  /* exponent is in [-9, 18]; round it down to a multiple of 3. */
  while ((exponent + 9) % 3 != 0)
    {
      mantissa *= 10;
      exponent--;
    }
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%s", value < 0 ? "-" : "", mantissa,
                          names[(exponent + 9) / 3]);
}

char *
ks_quantity_format_milli (gint64 milli)
{
  return format_decimal (milli, -3);
}

char *
ks_quantity_format_nano (gint64 nano)
{
  return format_decimal (nano, -9);
}

char *
ks_quantity_format_binary_si (gint64 value)
{
  static const char *const names[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
  guint64 m = magnitude_of (value);
  int i = 0;

  /* Below 1024 Go prints the DecimalSI form ("1k" for 1000); above, AsCanonicalBase1024Bytes
   * divides by 1024 while it divides exactly. */
  if (m < 1024)
    return ks_quantity_format_value (value, FALSE);
  while (i < 6 && (m & 1023) == 0)
    {
      m >>= 10;
      i++;
    }
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%s", value < 0 ? "-" : "", m, names[i]);
}

char *
ks_quantity_format_value (gint64 value, gboolean binary)
{
  static const char *const bin_names[] = { "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
  static const char *const dec_names[] = { "k", "M", "G", "T", "P", "E" };
  const char *sign = value < 0 ? "-" : "";
  guint64 m = magnitude_of (value);

  if (m == 0)
    return g_strdup ("0");
  if (binary)
    for (int i = 6; i >= 1; i--)
      if ((m & ((G_GUINT64_CONSTANT (1) << (10 * i)) - 1)) == 0)
        return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%s", sign, m >> (10 * i), bin_names[i - 1]);
  {
    guint64 pow = G_GUINT64_CONSTANT (1000000000000000000); /* 10^18 */
    for (int i = 6; i >= 1; i--, pow /= 1000)
      if (m % pow == 0)
        return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%s", sign, m / pow, dec_names[i - 1]);
  }
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, m);
}

/* ks-duration.h: Go-style durations ("90s", "5m", "1h30m", "1.5h", "300ms") in microseconds, as
 * time.ParseDuration reads them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_DURATION_ERROR (ks_duration_error_quark ())
GQuark ks_duration_error_quark (void);

typedef enum
{
  KS_DURATION_ERROR_SYNTAX,
  KS_DURATION_ERROR_RANGE,
} KsDurationError;

/* Parse a Go duration: an optional sign, then one or more decimal numbers each with a unit
 * (ns, us, µs, μs, ms, s, m, h); "0" alone is allowed without a unit.  The result is in
 * microseconds, truncated toward zero (so "1500ns" is 1).  Returns FALSE and sets error (quoting
 * the text, saying what is valid) on a syntax error or overflow. */
gboolean ks_duration_parse (const char *text, gint64 *out_usec, GError **error);

/* Format microseconds the way Go's Duration.String() does ("1h30m0s", "1.5s", "300ms", "0s"),
 * with microsecond precision.  Returns a newly allocated string. */
char *ks_duration_format (gint64 usec) G_GNUC_WARN_UNUSED_RESULT;

/* Format microseconds as seconds for machine-readable outputs: an integer part and, when it is
 * not whole, up to six decimals without trailing zeros ("12", "12.5", "0.000001", "-3.25").
 * Deterministic: no floating point.  Writes into buf (at least 32 bytes) and returns buf. */
char *ks_format_seconds (gint64 usec, char *buf);

G_END_DECLS

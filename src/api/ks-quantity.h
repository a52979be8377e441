/* ks-quantity.h: Kubernetes resource quantities ("500m", "1.5", "2Gi", "1e3", "100M"), parsed
 * exactly as k8s.io/apimachinery/pkg/api/resource does, and converted to integers the way
 * Quantity.MilliValue() and Quantity.Value() do (rounding up). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_QUANTITY_ERROR (ks_quantity_error_quark ())
GQuark ks_quantity_error_quark (void);

typedef enum
{
  KS_QUANTITY_ERROR_SYNTAX, /* not a quantity at all */
  KS_QUANTITY_ERROR_RANGE,  /* a quantity, but its integer form does not fit in a gint64 */
} KsQuantityError;

/* Parse text and return ceil(value × 1000), as Quantity.MilliValue() (cpu in millicores).
 * Returns FALSE and sets error on a syntax error or when the result does not fit a gint64.
 * The error message quotes the text and says what a valid quantity looks like.
 * Like Go, a negative value rounds away from zero ("-0.0001" is -1), so it stays negative. */
gboolean ks_quantity_parse_milli (const char *text, gint64 *out, GError **error);

/* Parse text and return ceil(value), as Quantity.Value() (memory and storage in bytes, counts). */
gboolean ks_quantity_parse_value (const char *text, gint64 *out, GError **error);

/* Parse text and return ceil(value × 10^9): nanocores, the unit of the metrics API's cpu usage
 * ("1234567n", "250m"). */
gboolean ks_quantity_parse_nano (const char *text, gint64 *out, GError **error);

/* Format a millicore count as Kubernetes prints a canonical cpu quantity: "2", "500m", "1500m".
 * Returns a newly allocated string. */
char *ks_quantity_format_milli (gint64 milli) G_GNUC_WARN_UNUSED_RESULT;

/* Format a nanocore count the same way, as metrics-server's cpu usage (a DecimalSI quantity of
 * scale -9) prints: "1234567n", "1500u", "250m", "2".  Newly allocated. */
char *ks_quantity_format_nano (gint64 nano) G_GNUC_WARN_UNUSED_RESULT;

/* Format a byte count as a BinarySI quantity made from an integer prints, as metrics-server's
 * memory usage: the largest binary suffix that divides it exactly ("12Ki", "64Mi"), else the
 * bare integer ("1000001"); below 1024 the DecimalSI form ("512", "1k").  Newly allocated. */
char *ks_quantity_format_binary_si (gint64 value) G_GNUC_WARN_UNUSED_RESULT;

/* Format a plain integer quantity (bytes, counts).  With binary, use the largest binary suffix
 * that divides the value exactly ("1Gi", "1536Mi", "1Ki"), else the largest decimal suffix that
 * does ("1500k", "2M"), else the bare integer.  Without binary, only decimal suffixes are used.
 * Returns a newly allocated string. */
char *ks_quantity_format_value (gint64 value, gboolean binary) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

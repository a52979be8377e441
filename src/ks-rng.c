/* ks-rng.c: seeded random streams. */
#include "config.h"

#include "ks-rng.h"

/* splitmix64: a good mixer for turning (seed, stream) into a generator seed. */
static guint64
mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

gsl_rng *
ks_rng_new (guint64 seed, const char *stream)
{
  gsl_rng *rng = gsl_rng_alloc (gsl_rng_mt19937);
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037); /* FNV-1a 64 */

  for (const char *p = stream; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * G_GUINT64_CONSTANT (1099511628211);
  /* mt19937 uses 32 bits of the seed; 0 is remapped by GSL to its default, which is fine. */
  gsl_rng_set (rng, (unsigned long) (mix (seed ^ mix (h)) & 0xffffffffu));
  return rng;
}

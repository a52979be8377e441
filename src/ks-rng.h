/* ks-rng.h: seeded random streams.  Every subsystem draws from its own GSL generator derived
 * from the run's seed and the stream's name, so adding draws in one subsystem never shifts
 * another's. */
#pragma once

#include <glib.h>
#include <gsl/gsl_rng.h>

G_BEGIN_DECLS

/* A new Mersenne Twister generator for (seed, stream).  Free with gsl_rng_free. */
gsl_rng *ks_rng_new (guint64 seed, const char *stream);

/* A uniform integer in [0, n), n > 0. */
static inline guint64
ks_rng_uniform (gsl_rng *rng, guint64 n)
{
  return gsl_rng_uniform_int (rng, n);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (gsl_rng, gsl_rng_free)

G_END_DECLS

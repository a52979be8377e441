/* test-wall-clock.c: the real-mode clock (real/ks-wall-clock.c) on a GLib main loop: order by
 * time then by scheduling order, never early, cancel, tasks scheduled from tasks, free with tasks
 * pending. */
#include "config.h"

#include "real/ks-wall-clock.h"

#define MS KS_USEC_PER_MSEC

typedef struct
{
  KsClock *clock;
  GString *log;
  GMainLoop *loop;
  gint64 due[8];
  gint64 ran[8];
} Ctx;

typedef struct
{
  Ctx *ctx;
  guint index;
} Task;

static void
task_run (gpointer data)
{
  Task *t = data;

  t->ctx->ran[t->index] = ks_clock_now (t->ctx->clock);
  g_string_append_printf (t->ctx->log, "%u", t->index);
}

static guint64
schedule (Ctx *ctx, guint index, gint64 at)
{
  Task *t = g_new0 (Task, 1);

  t->ctx = ctx;
  t->index = index;
  ctx->due[index] = at;
  return ks_clock_schedule (ctx->clock, at, task_run, t, g_free);
}

static void
quit (gpointer data)
{
  g_main_loop_quit (((Ctx *) data)->loop);
}

static void
test_order (void)
{
  g_autoptr (KsWallClock) wc = ks_wall_clock_new ();
  Ctx ctx = { .clock = ks_wall_clock_get_clock (wc), .log = g_string_new (NULL) };
  gint64 now = ks_clock_now (ctx.clock);
  guint64 cancelled;

  g_assert_cmpint (ABS (now - g_get_real_time ()), <, 1000 * MS);
  ctx.loop = g_main_loop_new (NULL, FALSE);
  schedule (&ctx, 0, now + 30 * MS);
  schedule (&ctx, 1, now + 10 * MS);
  schedule (&ctx, 2, now + 10 * MS); /* same time: after 1 */
  schedule (&ctx, 3, now - 5 * MS);  /* in the past: as soon as possible */
  cancelled = schedule (&ctx, 4, now + 20 * MS);
  ks_clock_cancel (ctx.clock, cancelled);
  ks_clock_cancel (ctx.clock, cancelled); /* twice: nothing */
  ks_clock_schedule (ctx.clock, now + 40 * MS, quit, &ctx, NULL);
  g_assert_cmpuint (ks_wall_clock_get_n_pending (wc), ==, 5);
  g_main_loop_run (ctx.loop);
  g_assert_cmpstr (ctx.log->str, ==, "3120");
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (ctx.ran[i], >=, ctx.due[i]);
  g_assert_cmpuint (ks_wall_clock_get_n_pending (wc), ==, 0);
  g_main_loop_unref (ctx.loop);
  g_string_free (ctx.log, TRUE);
}

/* A task that schedules another, earlier than the next pending one: the clock re-arms for it. */
typedef struct
{
  Ctx *ctx;
  gint64 delay;
} Chain;

static void
chain_run (gpointer data)
{
  Chain *c = data;

  g_string_append_c (c->ctx->log, 'c');
  schedule (c->ctx, 5, ks_clock_now (c->ctx->clock) + c->delay);
}

static void
test_schedule_from_task (void)
{
  g_autoptr (KsWallClock) wc = ks_wall_clock_new ();
  Ctx ctx = { .clock = ks_wall_clock_get_clock (wc), .log = g_string_new (NULL) };
  gint64 now = ks_clock_now (ctx.clock);
  Chain chain = { &ctx, 5 * MS };

  ctx.loop = g_main_loop_new (NULL, FALSE);
  ks_clock_schedule (ctx.clock, now + 5 * MS, chain_run, &chain, NULL);
  schedule (&ctx, 6, now + 200 * MS);
  ks_clock_schedule (ctx.clock, now + 250 * MS, quit, &ctx, NULL);
  g_main_loop_run (ctx.loop);
  g_assert_cmpstr (ctx.log->str, ==, "c56");
  g_assert_cmpint (ctx.ran[5], >=, ctx.due[5]);
  /* Task 5 ran long before task 6 was due: the clock woke for it. */
  g_assert_cmpint (ctx.ran[5], <, ctx.due[6]);
  g_main_loop_unref (ctx.loop);
  g_string_free (ctx.log, TRUE);
}

static void
test_free_pending (void)
{
  KsWallClock *wc = ks_wall_clock_new ();
  Ctx ctx = { .clock = ks_wall_clock_get_clock (wc), .log = g_string_new (NULL) };

  schedule (&ctx, 0, ks_clock_now (ctx.clock) + 3600 * KS_USEC_PER_SEC);
  schedule (&ctx, 1, 0);
  ks_wall_clock_free (wc); /* destroys both tasks (valgrind checks) without running them */
  g_assert_cmpstr (ctx.log->str, ==, "");
  g_string_free (ctx.log, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/real/wall-clock/order", test_order);
  g_test_add_func ("/real/wall-clock/schedule-from-task", test_schedule_from_task);
  g_test_add_func ("/real/wall-clock/free-pending", test_free_pending);
  return g_test_run ();
}

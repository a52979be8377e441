/* test-service-proxy.c: the Service proxy's choices without sockets (real/ks-service-proxy.c
 * with no network): uniform choice per connection with a fixed seed, kube-proxy's endpoint
 * rules (ready only; serving and terminating when none is ready), sorting and duplicates,
 * ClientIP affinity and its timeout, endpoint changes, UDP ports, and refused updates.
 * tests/test-net-real.c runs the proxy with real connections, as root. */
#include "config.h"

#include "real/ks-service-proxy.h"

#include <math.h>

/* A clock that stands still until told. */
typedef struct
{
  KsClock parent;
  gint64 now;
} FakeClock;

static gint64
fake_now (KsClock *self)
{
  return ((FakeClock *) self)->now;
}

static guint64
fake_schedule (KsClock *self, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  g_assert_not_reached ();
}

static void
fake_cancel (KsClock *self, guint64 id)
{
  g_assert_not_reached ();
}

static const KsClockOps fake_ops
    = { .now = fake_now, .schedule = fake_schedule, .cancel = fake_cancel };

typedef struct
{
  FakeClock clock;
  KsServiceProxy *proxy;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->clock.parent.ops = &fake_ops;
  f->clock.now = 1000 * G_USEC_PER_SEC;
  f->proxy = ks_service_proxy_new (NULL, &f->clock.parent);
  ks_service_proxy_set_seed (f->proxy, 42);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_service_proxy_free (f->proxy);
}

typedef struct
{
  const char *ip;
  guint16 port;
  gboolean ready, serving, terminating;
} Ep;

static void
set_service (Fixture *f, const char *key, KsProxyAffinity affinity, guint timeout, const Ep *eps,
             guint n)
{
  g_autoptr (KsProxyService) s = ks_proxy_service_new ("10.96.0.10", affinity, timeout);
  KsProxyPort *p = ks_proxy_service_add_port (s, "http", KS_PROXY_PROTOCOL_TCP, 80, 30080);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    ks_proxy_port_add_endpoint (p, eps[i].ip, eps[i].port, eps[i].ready, eps[i].serving,
                                eps[i].terminating);
  g_assert_true (ks_service_proxy_update (f->proxy, key, s, &error));
  g_assert_no_error (error);
}

static char *
choose (Fixture *f, const char *client)
{
  return ks_service_proxy_choose (f->proxy, "default/web", "http", client);
}

/* Counts n choices for client into a table endpoint -> count. */
static GHashTable *
tally (Fixture *f, const char *client, guint n)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n; i++)
    {
      char *e = choose (f, client);
      g_assert_nonnull (e);
      g_hash_table_insert (t, e,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (t, e)) + 1));
    }
  return t;
}

static guint
count (GHashTable *t, const char *e)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (t, e));
}

static void
test_uniform (Fixture *f, gconstpointer data)
{
  const Ep eps[] = {
    { "10.244.1.2", 8080, TRUE, TRUE, FALSE },
    { "10.244.1.3", 8080, TRUE, TRUE, FALSE },
    { "10.244.2.2", 8080, TRUE, TRUE, FALSE },
  };
  const guint n = 30000;
  /* Binomial(n, 1/3): 4.5 standard deviations either side (a false failure about once in
   * 150,000 seeds; the seed is fixed anyway). */
  const double sd = sqrt (n * (1.0 / 3) * (2.0 / 3));
  g_autoptr (GHashTable) t = NULL;
  guint runs = 0, same = 0;
  g_autofree char *prev = NULL;

  set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, eps, 3);
  t = tally (f, "10.244.3.4", n);
  g_assert_cmpuint (g_hash_table_size (t), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *e = g_strdup_printf ("%s:%u", eps[i].ip, eps[i].port);
      g_test_message ("%s: %u", e, count (t, e));
      g_assert_cmpfloat (fabs (count (t, e) - n / 3.0), <, 4.5 * sd);
    }
  /* Independent per connection: the same endpoint twice in a row a third of the time. */
  for (guint i = 0; i < 3000; i++)
    {
      char *e = choose (f, "10.244.3.4");
      same += prev != NULL && strcmp (prev, e) == 0;
      runs += prev != NULL;
      g_free (prev);
      prev = e;
    }
  g_assert_cmpfloat (fabs (same - runs / 3.0), <, 4.5 * sqrt (runs * 2.0 / 9));
}

/* The same seed gives the same choices whatever the order the endpoints come in. */
static void
test_seed_and_order (Fixture *f, gconstpointer data)
{
  const Ep a[] = {
    { "10.244.1.2", 8080, TRUE, TRUE, FALSE },
    { "10.244.1.10", 8080, TRUE, TRUE, FALSE },
    { "10.244.2.2", 80, TRUE, TRUE, FALSE },
  };
  const Ep b[] = {
    { "10.244.2.2", 80, TRUE, TRUE, FALSE },
    { "10.244.1.2", 8080, TRUE, TRUE, FALSE },
    { "10.244.1.10", 8080, TRUE, TRUE, FALSE },
    { "10.244.1.2", 8080, TRUE, TRUE, FALSE }, /* a duplicate counts once */
  };
  g_autoptr (GString) first = g_string_new (NULL);
  g_autoptr (GString) second = g_string_new (NULL);
  g_autoptr (GString) other = g_string_new (NULL);
  g_autoptr (GHashTable) t = NULL;

  set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, a, 3);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *e = choose (f, "c");
      g_string_append_printf (first, "%s ", e);
    }
  ks_service_proxy_set_seed (f->proxy, 42);
  set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, b, 4);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *e = choose (f, "c");
      g_string_append_printf (second, "%s ", e);
    }
  g_assert_cmpstr (first->str, ==, second->str);
  ks_service_proxy_set_seed (f->proxy, 43);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *e = choose (f, "c");
      g_string_append_printf (other, "%s ", e);
    }
  g_assert_cmpstr (first->str, !=, other->str);
  /* The duplicate does not get twice the traffic. */
  t = tally (f, "c", 3000);
  g_assert_cmpuint (g_hash_table_size (t), ==, 3);
  g_assert_cmpuint (count (t, "10.244.1.2:8080"), <, 1200);
}

static void
test_fallback (Fixture *f, gconstpointer data)
{
  g_autofree char *e = NULL;

  /* Ready endpoints only: not-ready ones get nothing, even serving or terminating. */
  {
    const Ep eps[] = {
      { "10.244.1.2", 80, TRUE, TRUE, FALSE },
      { "10.244.1.3", 80, FALSE, TRUE, TRUE },
      { "10.244.1.4", 80, FALSE, FALSE, FALSE },
      { "10.244.1.5", 80, FALSE, TRUE, FALSE },
    };
    g_autoptr (GHashTable) t = NULL;
    set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, eps, 4);
    t = tally (f, "c", 200);
    g_assert_cmpuint (count (t, "10.244.1.2:80"), ==, 200);
  }
  /* None ready: the serving and terminating ones. */
  {
    const Ep eps[] = {
      { "10.244.1.3", 80, FALSE, TRUE, TRUE },
      { "10.244.1.4", 80, FALSE, FALSE, TRUE }, /* terminating, not serving */
      { "10.244.1.5", 80, FALSE, TRUE, FALSE }, /* serving, not terminating */
      { "10.244.1.6", 80, FALSE, TRUE, TRUE },
    };
    g_autoptr (GHashTable) t = NULL;
    set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, eps, 4);
    t = tally (f, "c", 400);
    g_assert_cmpuint (g_hash_table_size (t), ==, 2);
    g_assert_cmpuint (count (t, "10.244.1.3:80") + count (t, "10.244.1.6:80"), ==, 400);
    g_assert_cmpuint (count (t, "10.244.1.3:80"), >, 100);
    g_assert_cmpuint (count (t, "10.244.1.6:80"), >, 100);
  }
  /* Nothing usable: no endpoint. */
  {
    const Ep eps[] = {
      { "10.244.1.4", 80, FALSE, FALSE, TRUE },
      { "10.244.1.5", 80, FALSE, TRUE, FALSE },
    };
    set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, eps, 2);
    g_assert_null (choose (f, "c"));
    set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, NULL, 0);
    g_assert_null (choose (f, "c"));
  }
  /* Unknown Service or port. */
  g_assert_null (ks_service_proxy_choose (f->proxy, "default/other", "http", "c"));
  g_assert_null (ks_service_proxy_choose (f->proxy, "default/web", "https", "c"));
  ks_service_proxy_remove (f->proxy, "default/web");
  ks_service_proxy_remove (f->proxy, "default/web"); /* unknown now: nothing happens */
  g_assert_null (choose (f, "c"));
}

static void
test_affinity (Fixture *f, gconstpointer data)
{
  const Ep two[] = {
    { "10.244.1.2", 80, TRUE, TRUE, FALSE },
    { "10.244.1.3", 80, TRUE, TRUE, FALSE },
  };
  const guint timeout = 60;
  const gint64 t0 = f->clock.now;
  g_autofree char *first = NULL;
  char *clients[1000];
  char *chosen[1000];
  guint changed = 0;

  set_service (f, "default/web", KS_PROXY_AFFINITY_CLIENT_IP, timeout, two, 2);
  first = choose (f, "10.244.5.5");
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *e = choose (f, "10.244.5.5");
      g_assert_cmpstr (e, ==, first);
    }
  /* Each connection renews it: still the same after twice the timeout, in steps of it. */
  f->clock.now = t0 + timeout * G_USEC_PER_SEC; /* "within timeout seconds" includes it */
  g_free (choose (f, "10.244.5.5"));
  f->clock.now = t0 + 2 * timeout * G_USEC_PER_SEC;
  {
    g_autofree char *e = choose (f, "10.244.5.5");
    g_assert_cmpstr (e, ==, first);
  }

  /* Many clients: after the timeout each draws again, so about half change. */
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i] = g_strdup_printf ("10.244.%u.%u", 10 + i / 200, 2 + i % 200);
      chosen[i] = choose (f, clients[i]);
    }
  f->clock.now += timeout * G_USEC_PER_SEC;
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *e = choose (f, clients[i]);
      g_assert_cmpstr (e, ==, chosen[i]); /* not yet */
    }
  f->clock.now += timeout * G_USEC_PER_SEC + 1;
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *e = choose (f, clients[i]);
      changed += strcmp (e, chosen[i]) != 0;
      g_free (chosen[i]);
      chosen[i] = g_strdup (e);
    }
  g_test_message ("%u of 1000 clients changed endpoint after the timeout", changed);
  g_assert_cmpuint (changed, >, 400);
  g_assert_cmpuint (changed, <, 600);

  /* An endpoint that goes away: its clients move, the others stay; when it comes back, the
   * moved clients keep their new endpoint. */
  {
    const Ep one[] = { { "10.244.1.3", 80, TRUE, TRUE, FALSE } };
    set_service (f, "default/web", KS_PROXY_AFFINITY_CLIENT_IP, timeout, one, 1);
    for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
      {
        g_autofree char *e = choose (f, clients[i]);
        g_assert_cmpstr (e, ==, "10.244.1.3:80");
      }
    set_service (f, "default/web", KS_PROXY_AFFINITY_CLIENT_IP, timeout, two, 2);
    for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
      {
        g_autofree char *e = choose (f, clients[i]);
        g_assert_cmpstr (e, ==, "10.244.1.3:80");
      }
  }
  /* Without affinity the same client spreads. */
  {
    g_autoptr (GHashTable) t = NULL;
    set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, two, 2);
    t = tally (f, clients[0], 200);
    g_assert_cmpuint (g_hash_table_size (t), ==, 2);
  }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_free (clients[i]);
      g_free (chosen[i]);
    }
}

static void
test_ports (Fixture *f, gconstpointer data)
{
  g_autoptr (KsProxyService) s = ks_proxy_service_new ("None", KS_PROXY_AFFINITY_NONE, 0);
  KsProxyPort *dns = ks_proxy_service_add_port (s, "dns", KS_PROXY_PROTOCOL_UDP, 53, 0);
  KsProxyPort *tcp = ks_proxy_service_add_port (s, "dns-tcp", KS_PROXY_PROTOCOL_TCP, 53, 30053);
  KsProxyPort *unnamed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *e = NULL, *u = NULL;

  ks_proxy_port_add_endpoint (dns, "10.244.1.9", 53, TRUE, TRUE, FALSE);
  ks_proxy_port_add_endpoint (tcp, "10.244.1.9", 53, TRUE, TRUE, FALSE);
  g_assert_true (ks_service_proxy_update (f->proxy, "kube-system/dns", s, &error));
  g_assert_no_error (error);
  g_assert_null (ks_service_proxy_choose (f->proxy, "kube-system/dns", "dns", "c"));
  e = ks_service_proxy_choose (f->proxy, "kube-system/dns", "dns-tcp", "c");
  g_assert_cmpstr (e, ==, "10.244.1.9:53");

  /* A port removed by an update is gone; a single unnamed port is "". */
  {
    g_autoptr (KsProxyService) s2 = ks_proxy_service_new (NULL, KS_PROXY_AFFINITY_NONE, 0);
    unnamed = ks_proxy_service_add_port (s2, NULL, KS_PROXY_PROTOCOL_TCP, 80, 0);
    ks_proxy_port_add_endpoint (unnamed, "10.244.1.7", 8080, TRUE, TRUE, FALSE);
    g_assert_true (ks_service_proxy_update (f->proxy, "kube-system/dns", s2, &error));
    g_assert_null (ks_service_proxy_choose (f->proxy, "kube-system/dns", "dns-tcp", "c"));
    u = ks_service_proxy_choose (f->proxy, "kube-system/dns", "", "c");
    g_assert_cmpstr (u, ==, "10.244.1.7:8080");
  }
}

typedef struct
{
  const char *cluster_ip;
  KsProxyAffinity affinity;
  guint timeout;
  const char *name2;
  guint16 port2, node_port2;
  const char *ep_ip;
  guint16 ep_port;
  const char *message;
} BadCase;

static void
test_bad (Fixture *f, gconstpointer data)
{
  static const BadCase cases[] = {
    { "10.0.0.10", 0, 0, "b", 81, 0, "10.244.1.2", 80,
      "Service default/web: clusterIP \"10.0.0.10\": expected an IPv4 address inside "
      "10.96.0.0/16, or None" },
    { "10.96.0.300", 0, 0, "b", 81, 0, "10.244.1.2", 80, "clusterIP \"10.96.0.300\"" },
    { "10.96.0.10", KS_PROXY_AFFINITY_CLIENT_IP, 0, "b", 81, 0, "10.244.1.2", 80,
      "sessionAffinityConfig.clientIP.timeoutSeconds 0: expected 1 to 86400" },
    { "10.96.0.10", KS_PROXY_AFFINITY_CLIENT_IP, 86401, "b", 81, 0, "10.244.1.2", 80,
      "timeoutSeconds 86401" },
    { "10.96.0.10", 0, 0, "http", 81, 0, "10.244.1.2", 80, "ports[1]: name \"http\" repeats" },
    { "10.96.0.10", 0, 0, "b", 0, 0, "10.244.1.2", 80, "ports[1].port: expected 1 to 65535" },
    { "10.96.0.10", 0, 0, "b", 80, 0, "10.244.1.2", 80, "ports[1].port 80/TCP repeats" },
    { "10.96.0.10", 0, 0, "b", 81, 30080, "10.244.1.2", 80, "ports[1].nodePort 30080/TCP repeats" },
    { "10.96.0.10", 0, 0, "b", 81, 0, "10.244.1", 80,
      "ports[1].endpoints[0]: address \"10.244.1\" is not an IPv4 address" },
    { "10.96.0.10", 0, 0, "b", 81, 0, "10.244.1.2", 0,
      "ports[1].endpoints[0].port: expected 1 to 65535" },
  };
  const Ep good[] = { { "10.244.1.2", 80, TRUE, TRUE, FALSE } };

  set_service (f, "default/web", KS_PROXY_AFFINITY_NONE, 0, good, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *c = &cases[i];
      g_autoptr (KsProxyService) s = ks_proxy_service_new (c->cluster_ip, c->affinity, c->timeout);
      KsProxyPort *p1 = ks_proxy_service_add_port (s, "http", KS_PROXY_PROTOCOL_TCP, 80, 30080);
      KsProxyPort *p2
          = ks_proxy_service_add_port (s, c->name2, KS_PROXY_PROTOCOL_TCP, c->port2, c->node_port2);
      g_autoptr (GError) error = NULL;
      g_autofree char *e = NULL;

      ks_proxy_port_add_endpoint (p1, "10.244.9.9", 80, TRUE, TRUE, FALSE);
      ks_proxy_port_add_endpoint (p2, c->ep_ip, c->ep_port, TRUE, TRUE, FALSE);
      g_assert_false (ks_service_proxy_update (f->proxy, "default/web", s, &error));
      g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
      if (strstr (error->message, c->message) == NULL)
        g_error ("case %u: \"%s\" lacks \"%s\"", i, error->message, c->message);
      /* Refused as a whole: the previous endpoints stay. */
      e = choose (f, "c");
      g_assert_cmpstr (e, ==, "10.244.1.2:80");
    }
  {
    g_autoptr (KsProxyService) s = ks_proxy_service_new (NULL, 0, 0);
    g_autoptr (GError) error = NULL;
    g_assert_false (ks_service_proxy_update (f->proxy, "", s, &error));
    g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/service-proxy/uniform", test_uniform);
  ADD ("/service-proxy/seed-and-order", test_seed_and_order);
  ADD ("/service-proxy/fallback", test_fallback);
  ADD ("/service-proxy/affinity", test_affinity);
  ADD ("/service-proxy/ports", test_ports);
  ADD ("/service-proxy/bad", test_bad);
#undef ADD
  return g_test_run ();
}

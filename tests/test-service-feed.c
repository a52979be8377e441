/* test-service-feed.c: Services and Endpoints into the Service proxy's data
 * (real/ks-service-feed.c): the pure conversion (ports matched by name and protocol, ready and
 * not-ready addresses, headless Services, session affinity), and the feed over a store client
 * keeping a proxy without sockets in step with creates, updates and deletes. */
#include "config.h"

#include <string.h>

#include "real/ks-service-feed.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-namespace.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

static KsService *
service_new (const char *yaml)
{
  KsObject *obj = ks_test_decode (yaml);
  g_assert_cmpint (obj->kind->id, ==, KS_KIND_SERVICE);
  return KS_SERVICE (obj);
}

static KsEndpoints *
endpoints_new (const char *yaml)
{
  KsObject *obj = ks_test_decode (yaml);
  g_assert_cmpint (obj->kind->id, ==, KS_KIND_ENDPOINTS);
  return KS_ENDPOINTS (obj);
}

/* "ip:port/ready" of each endpoint of port i, in order, joined by spaces. */
static char *
endpoints_of (const KsProxyService *s, guint i)
{
  const KsProxyPort *port = s->ports->pdata[i];
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < port->endpoints->len; k++)
    {
      const KsProxyEndpoint *e = port->endpoints->pdata[k];
      g_string_append_printf (out, "%s%s:%u/%s%s%s", k > 0 ? " " : "", e->ip, e->port,
                              e->ready ? "ready" : "unready", e->serving ? "+serving" : "",
                              e->terminating ? "+terminating" : "");
    }
  return g_string_free (out, FALSE);
}

static void
test_convert_ports (void)
{
  g_autoptr (KsService) svc = service_new ("apiVersion: v1\n"
                                           "kind: Service\n"
                                           "metadata: {name: web}\n"
                                           "spec:\n"
                                           "  type: NodePort\n"
                                           "  clusterIP: 10.96.0.10\n"
                                           "  ports:\n"
                                           "  - {name: http, port: 80, targetPort: 8080, "
                                           "nodePort: 30080}\n"
                                           "  - {name: dns, port: 53, protocol: UDP}\n"
                                           "  - {name: metrics, port: 9090}\n");
  g_autoptr (KsEndpoints) ep = endpoints_new (
      "apiVersion: v1\n"
      "kind: Endpoints\n"
      "metadata: {name: web}\n"
      "subsets:\n"
      "- addresses: [{ip: 10.244.1.2}, {ip: 10.244.2.3}]\n"
      "  notReadyAddresses: [{ip: 10.244.1.9}]\n"
      "  ports: [{name: http, port: 8080}, {name: dns, port: 5353, protocol: UDP}]\n"
      "- addresses: [{ip: 10.244.3.4}, {ip: 'fd00::1'}]\n"
      "  ports: [{name: http, port: 8081}, {name: dns, port: 5454, protocol: TCP}]\n");
  g_autoptr (KsProxyService) out = ks_proxy_service_new_from_objects (svc, ep);
  const KsProxyPort *p;
  g_autofree char *http = NULL, *dns = NULL, *metrics = NULL;

  g_assert_cmpstr (out->cluster_ip, ==, "10.96.0.10");
  g_assert_cmpint (out->affinity, ==, KS_PROXY_AFFINITY_NONE);
  g_assert_cmpuint (out->ports->len, ==, 3);
  p = out->ports->pdata[0];
  g_assert_cmpstr (p->name, ==, "http");
  g_assert_cmpint (p->protocol, ==, KS_PROXY_PROTOCOL_TCP);
  g_assert_cmpuint (p->port, ==, 80);
  g_assert_cmpuint (p->node_port, ==, 30080);
  /* Each subset's own port for the name; not-ready addresses neither ready nor serving; the
   * IPv6 address left out. */
  http = endpoints_of (out, 0);
  g_assert_cmpstr (http, ==,
                   "10.244.1.2:8080/ready+serving 10.244.2.3:8080/ready+serving "
                   "10.244.1.9:8080/unready 10.244.3.4:8081/ready+serving");
  /* Matched by protocol as well as name. */
  p = out->ports->pdata[1];
  g_assert_cmpstr (p->name, ==, "dns");
  g_assert_cmpint (p->protocol, ==, KS_PROXY_PROTOCOL_UDP);
  dns = endpoints_of (out, 1);
  g_assert_cmpstr (dns, ==,
                   "10.244.1.2:5353/ready+serving 10.244.2.3:5353/ready+serving "
                   "10.244.1.9:5353/unready");
  /* A port no subset has: no endpoints. */
  metrics = endpoints_of (out, 2);
  g_assert_cmpstr (metrics, ==, "");
  /* Not allocated (no store admission here): no NodePort. */
  g_assert_cmpuint (((KsProxyPort *) out->ports->pdata[2])->node_port, ==, 0);
}

static void
test_convert_unnamed_headless_affinity (void)
{
  g_autoptr (KsService) svc = service_new ("apiVersion: v1\n"
                                           "kind: Service\n"
                                           "metadata: {name: db}\n"
                                           "spec:\n"
                                           "  clusterIP: None\n"
                                           "  sessionAffinity: ClientIP\n"
                                           "  ports: [{port: 5432}]\n");
  g_autoptr (KsService) timed = service_new ("apiVersion: v1\n"
                                             "kind: Service\n"
                                             "metadata: {name: t}\n"
                                             "spec:\n"
                                             "  clusterIP: 10.96.3.3\n"
                                             "  sessionAffinity: ClientIP\n"
                                             "  sessionAffinityConfig: {clientIP: "
                                             "{timeoutSeconds: 60}}\n"
                                             "  ports: [{port: 5432}]\n");
  g_autoptr (KsEndpoints) ep = endpoints_new ("apiVersion: v1\n"
                                              "kind: Endpoints\n"
                                              "metadata: {name: db}\n"
                                              "subsets:\n"
                                              "- addresses: [{ip: 10.244.1.5}]\n"
                                              "  ports: [{port: 5432}]\n");
  g_autoptr (KsProxyService) out = ks_proxy_service_new_from_objects (svc, ep);
  g_autoptr (KsProxyService) none = ks_proxy_service_new_from_objects (svc, NULL);
  g_autoptr (KsProxyService) out2 = ks_proxy_service_new_from_objects (timed, ep);
  g_autofree char *eps = endpoints_of (out, 0);

  g_assert_null (out->cluster_ip);
  g_assert_cmpint (out->affinity, ==, KS_PROXY_AFFINITY_CLIENT_IP);
  g_assert_cmpuint (out->affinity_timeout, ==, 10800);
  g_assert_cmpstr (((KsProxyPort *) out->ports->pdata[0])->name, ==, "");
  g_assert_cmpuint (((KsProxyPort *) out->ports->pdata[0])->node_port, ==, 0);
  g_assert_cmpstr (eps, ==, "10.244.1.5:5432/ready+serving");
  g_assert_cmpuint (((KsProxyPort *) none->ports->pdata[0])->endpoints->len, ==, 0);
  g_assert_cmpstr (out2->cluster_ip, ==, "10.96.3.3");
  g_assert_cmpuint (out2->affinity_timeout, ==, 60);
}

/* A named endpoint port does not serve an unnamed Service port, nor the reverse. */
static void
test_convert_name_mismatch (void)
{
  g_autoptr (KsService) svc = service_new ("apiVersion: v1\n"
                                           "kind: Service\n"
                                           "metadata: {name: a}\n"
                                           "spec:\n"
                                           "  clusterIP: 10.96.0.20\n"
                                           "  ports: [{port: 80}]\n");
  g_autoptr (KsEndpoints) ep = endpoints_new ("apiVersion: v1\n"
                                              "kind: Endpoints\n"
                                              "metadata: {name: a}\n"
                                              "subsets:\n"
                                              "- addresses: [{ip: 10.244.1.5}]\n"
                                              "  ports: [{name: http, port: 80}]\n");
  g_autoptr (KsProxyService) out = ks_proxy_service_new_from_objects (svc, ep);

  g_assert_cmpuint (((KsProxyPort *) out->ports->pdata[0])->endpoints->len, ==, 0);
}

/* The feed over a store client: the proxy (no sockets) follows creates, updates and deletes. */
static void
test_feed (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsClock *clock = ks_sim_clock_get_clock (sim);
  KsStore *store = ks_store_new (clock, 1);
  KsClient *client = ks_store_client_new (store);
  KsServiceProxy *proxy = ks_service_proxy_new (NULL, clock);
  KsServiceFeed *feed;
  KsObject *stored;
  KsEndpoints *ep;
  char *chosen;

  ks_service_proxy_set_seed (proxy, 7);
  ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
  /* Objects that exist before the feed are applied at once. */
  ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Endpoints\nmetadata: {name: "
                                         "web}\nsubsets:\n- addresses: [{ip: 10.244.1.2}]\n  "
                                         "ports: [{name: http, port: 8080}]\n"));
  feed = ks_service_feed_new (client, proxy);
  g_assert_cmpuint (ks_service_feed_n_services (feed), ==, 0);
  /* Endpoints without a Service: nothing to serve. */
  g_assert_null (ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9"));

  stored = ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: "
                                                  "{name: web}\nspec:\n  type: NodePort\n  "
                                                  "ports: [{name: http, port: 80}]\n"));
  g_assert_nonnull (KS_SERVICE (stored)->cluster_ip);
  g_assert_cmpuint (ks_service_feed_n_services (feed), ==, 1);
  chosen = ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9");
  g_assert_cmpstr (chosen, ==, "10.244.1.2:8080");
  g_free (chosen);

  /* The endpoints change: a new ready one, the old one not ready. */
  ep = KS_ENDPOINTS (ks_test_decode ("apiVersion: v1\nkind: Endpoints\nmetadata: {name: "
                                     "web}\nsubsets:\n- addresses: [{ip: 10.244.1.7}]\n  "
                                     "notReadyAddresses: [{ip: 10.244.1.2}]\n  "
                                     "ports: [{name: http, port: 9090}]\n"));
  g_assert_nonnull (ks_store_update (store, KS_OBJECT (ep), FALSE, NULL));
  ks_object_unref (KS_OBJECT (ep));
  for (guint i = 0; i < 20; i++)
    {
      chosen = ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9");
      g_assert_cmpstr (chosen, ==, "10.244.1.7:9090");
      g_free (chosen);
    }

  /* Endpoints deleted: the Service stays, with nothing to choose. */
  g_assert_true (
      ks_store_delete (store, ks_kind_get (KS_KIND_ENDPOINTS), "default", "web", NULL, NULL));
  g_assert_null (ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9"));
  g_assert_cmpuint (ks_service_feed_n_services (feed), ==, 1);
  ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Endpoints\nmetadata: {name: "
                                         "web}\nsubsets:\n- addresses: [{ip: 10.244.1.8}]\n  "
                                         "ports: [{name: http, port: 80}]\n"));
  chosen = ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9");
  g_assert_cmpstr (chosen, ==, "10.244.1.8:80");
  g_free (chosen);

  /* The Service deleted: the proxy forgets it even though its Endpoints remain. */
  g_assert_true (
      ks_store_delete (store, ks_kind_get (KS_KIND_SERVICE), "default", "web", NULL, NULL));
  g_assert_cmpuint (ks_service_feed_n_services (feed), ==, 0);
  g_assert_null (ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9"));

  ks_service_feed_free (feed);
  /* After the feed is gone, changes no longer reach the proxy. */
  ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: {name: "
                                         "web}\nspec:\n  ports: [{name: http, port: 80}]\n"));
  g_assert_null (ks_service_proxy_choose (proxy, "default/web", "http", "10.244.9.9"));
  ks_service_proxy_free (proxy);
  ks_client_free (client);
  ks_store_free (store);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/service-feed/convert/ports", test_convert_ports);
  g_test_add_func ("/service-feed/convert/unnamed-headless-affinity",
                   test_convert_unnamed_headless_affinity);
  g_test_add_func ("/service-feed/convert/name-mismatch", test_convert_name_mismatch);
  g_test_add_func ("/service-feed/feed", test_feed);
  return g_test_run ();
}

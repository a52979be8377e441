/* ks-event-sink-objects.c: Event objects from event records (client-go's tools/record: the
 * recorder's makeEvent, EventCorrelator, recordToSink) and the event TTL. */
#include "config.h"

#include <string.h>

#include "ks-event-sink-objects.h"
#include "src/api/ks-event.h"

/* ---- an LRU cache (groupcache/lru): Get and Add make a key the newest ---------------------- */

typedef struct
{
  GHashTable *map; /* key → GList * in order (data: Entry *) */
  GQueue order;    /* newest first */
  guint max;
  GDestroyNotify free_value;
} Lru;

typedef struct
{
  char *key;
  gpointer value;
} Entry;

static void
lru_init (Lru *lru, guint max, GDestroyNotify free_value)
{
  lru->map = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&lru->order);
  lru->max = max;
  lru->free_value = free_value;
}

static void
entry_free (Lru *lru, Entry *e)
{
  g_free (e->key);
  lru->free_value (e->value);
  g_free (e);
}

static void
lru_clear (Lru *lru)
{
  Entry *e;

  while ((e = g_queue_pop_head (&lru->order)) != NULL)
    entry_free (lru, e);
  g_clear_pointer (&lru->map, g_hash_table_unref);
}

static gpointer
lru_get (Lru *lru, const char *key)
{
  GList *link = g_hash_table_lookup (lru->map, key);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&lru->order, link);
  g_queue_push_head_link (&lru->order, link);
  return ((Entry *) link->data)->value;
}

/* Store value (taken) under key. */
static void
lru_add (Lru *lru, const char *key, gpointer value)
{
  GList *link = g_hash_table_lookup (lru->map, key);
  Entry *e;

  if (link != NULL)
    {
      e = link->data;
      if (e->value != value)
        {
          lru->free_value (e->value);
          e->value = value;
        }
      g_queue_unlink (&lru->order, link);
      g_queue_push_head_link (&lru->order, link);
      return;
    }
  e = g_new0 (Entry, 1);
  e->key = g_strdup (key);
  e->value = value;
  g_queue_push_head (&lru->order, e);
  g_hash_table_insert (lru->map, e->key, lru->order.head);
  if (lru->order.length > lru->max)
    {
      Entry *oldest = g_queue_pop_tail (&lru->order);
      g_hash_table_remove (lru->map, oldest->key);
      entry_free (lru, oldest);
    }
}

/* ---- the correlator's records ------------------------------------------------------------- */

/* The spam filter's token bucket (flowcontrol.NewTokenBucketRateLimiter over x/time/rate). */
typedef struct
{
  double tokens;
  gint64 last;
} Bucket;

/* The aggregator's record: the distinct messages seen, and when the last one was. */
typedef struct
{
  GHashTable *local_keys;
  gint64 last;
} Aggregate;

static void
aggregate_free (gpointer p)
{
  Aggregate *a = p;

  g_hash_table_unref (a->local_keys);
  g_free (a);
}

/* The logger's record of the Event written for a key. */
typedef struct
{
  gint32 count;
  gint64 first_timestamp;
  char *name;
} Observation;

static void
observation_free (gpointer p)
{
  Observation *o = p;

  g_free (o->name);
  g_free (o);
}

struct _KsObjectEventSink
{
  KsEventSink parent;
  KsClient *client;
  KsClock *clock;
  char *host;
  gint64 epoch;
  gint64 last_ns; /* the Unix nanoseconds of the last name made */
  Lru spam;       /* spam key → Bucket */
  Lru aggregates; /* aggregate key → Aggregate */
  Lru observed;   /* event key → Observation */
};

/* ---- keys (getEventKey, getSpamKey, EventAggregatorByReasonFunc: fields joined by "") ------ */

static void
append_ref (GString *s, const KsObjectReference *r, gboolean field_path)
{
  char uid[KS_UID_STRING_LEN] = "";

  if (ks_uid_is_set (&r->uid))
    ks_uid_to_string (&r->uid, uid);
  g_string_append (s, r->kind != NULL ? r->kind : "");
  g_string_append (s, r->namespace != NULL ? r->namespace : "");
  g_string_append (s, r->name != NULL ? r->name : "");
  if (field_path && r->field_path != NULL)
    g_string_append (s, r->field_path);
  g_string_append (s, uid);
  g_string_append (s, r->api_version != NULL ? r->api_version : "");
}

static void
append (GString *s, const char *v)
{
  if (v != NULL)
    g_string_append (s, v);
}

static char *
event_key (const KsEvent *ev)
{
  GString *s = g_string_new (NULL);

  append (s, ev->source_component);
  append (s, ev->source_host);
  append_ref (s, &ev->involved_object, TRUE);
  append (s, ev->type);
  append (s, ev->reason);
  append (s, ev->message);
  return g_string_free (s, FALSE);
}

static char *
spam_key (const KsEvent *ev)
{
  GString *s = g_string_new (NULL);

  append (s, ev->source_component);
  append (s, ev->source_host);
  append_ref (s, &ev->involved_object, FALSE);
  return g_string_free (s, FALSE);
}

static char *
aggregate_key (const KsEvent *ev)
{
  GString *s = g_string_new (NULL);

  append (s, ev->source_component);
  append (s, ev->source_host);
  append_ref (s, &ev->involved_object, FALSE);
  append (s, ev->type);
  append (s, ev->reason);
  append (s, ev->reporting_component);
  append (s, ev->reporting_instance);
  return g_string_free (s, FALSE);
}

/* "<name>.<Unix ns in hex>", as fmt's %x prints an int64.  The clock has microseconds, and two
 * events about one object often share one (a kubelet's Created and Started): each name takes a
 * nanosecond after the last one this sink used, so that names stay unique. */
static char *
event_name (KsObjectEventSink *sink, const char *name, gint64 t)
{
  gint64 ns = (t + sink->epoch) * 1000;

  if (ns <= sink->last_ns)
    ns = sink->last_ns + 1;
  sink->last_ns = ns;
  if (ns < 0)
    return g_strdup_printf ("%s.-%" G_GINT64_MODIFIER "x", name, -ns);
  return g_strdup_printf ("%s.%" G_GINT64_MODIFIER "x", name, ns);
}

/* makeEvent */
static KsEvent *
make_event (KsObjectEventSink *sink, const KsEventRecord *record)
{
  const KsObject *obj = record->object;
  g_autofree char *name = event_name (sink, obj->meta.name, record->time);
  KsEvent *ev = ks_event_new (obj->meta.namespace != NULL ? obj->meta.namespace : "default", name);

  ks_object_reference_set (&ev->involved_object, obj);
  ev->reason = g_strdup (record->reason);
  ev->message = g_strdup (record->message);
  ev->type = g_strdup (record->warning ? "Warning" : "Normal");
  ev->count = 1;
  ev->first_timestamp = record->time;
  ev->last_timestamp = record->time;
  ev->source_component = g_strdup (record->source);
  ev->source_host = g_strdup (sink->host);
  ev->reporting_component = g_strdup (record->source);
  ev->reporting_instance = g_strdup (sink->host);
  return ev;
}

/* EventAggregate: ev itself (key: its event key), or from the 10th distinct message within the
 * interval a combined Event (key: the aggregate key).  Returns a new reference. */
static KsEvent *
aggregate (KsObjectEventSink *sink, KsEvent *ev, gint64 now, char **key)
{
  g_autofree char *akey = aggregate_key (ev);
  Aggregate *rec = lru_get (&sink->aggregates, akey);
  KsEvent *combined;
  g_autofree char *name = NULL;

  if (rec == NULL || now - rec->last > KS_EVENT_AGGREGATE_INTERVAL)
    {
      rec = g_new0 (Aggregate, 1);
      rec->local_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  g_hash_table_add (rec->local_keys, g_strdup (ev->message != NULL ? ev->message : ""));
  rec->last = now;
  lru_add (&sink->aggregates, akey, rec);
  if (g_hash_table_size (rec->local_keys) < KS_EVENT_AGGREGATE_MAX_EVENTS)
    {
      *key = event_key (ev);
      return KS_EVENT (ks_object_ref (KS_OBJECT (ev)));
    }
  /* Keep the set below the maximum.  client-go pops any element (Go's map order, random); the
   * message just added goes, so that the choice is deterministic. */
  g_hash_table_remove (rec->local_keys, ev->message != NULL ? ev->message : "");

  name = event_name (sink, ev->involved_object.name != NULL ? ev->involved_object.name : "", now);
  combined = ks_event_new (KS_OBJECT (ev)->meta.namespace, name);
  ks_object_reference_copy (&combined->involved_object, &ev->involved_object);
  combined->count = 1;
  combined->first_timestamp = now;
  combined->last_timestamp = now;
  combined->message = g_strdup_printf ("(combined from similar events): %s",
                                       ev->message != NULL ? ev->message : "");
  combined->type = g_strdup (ev->type);
  combined->reason = g_strdup (ev->reason);
  combined->source_component = g_strdup (ev->source_component);
  combined->source_host = g_strdup (ev->source_host);
  /* client-go's combined Event has no reporting component or instance. */
  *key = g_steal_pointer (&akey);
  return combined;
}

/* eventObserve: a repeat takes the name, first timestamp and next count of the Event written
 * for its key.  Records the observation.  ev is modified. */
static void
observe (KsObjectEventSink *sink, KsEvent *ev, const char *key)
{
  Observation *last = lru_get (&sink->observed, key);
  Observation *now = g_new0 (Observation, 1);

  if (last != NULL && last->count > 0)
    {
      g_free (KS_OBJECT (ev)->meta.name);
      KS_OBJECT (ev)->meta.name = g_strdup (last->name);
      ev->first_timestamp = last->first_timestamp;
      ev->count = last->count + 1;
    }
  now->count = ev->count;
  now->first_timestamp = ev->first_timestamp;
  now->name = g_strdup (KS_OBJECT (ev)->meta.name);
  lru_add (&sink->observed, key, now);
}

/* EventSourceObjectSpamFilter.Filter: TRUE when the event is to be dropped. */
static gboolean
spam_filtered (KsObjectEventSink *sink, const KsEvent *ev, gint64 now)
{
  g_autofree char *key = spam_key (ev);
  Bucket *b = lru_get (&sink->spam, key);
  const double rate = (double) KS_EVENT_SPAM_QPS;

  if (b == NULL)
    {
      b = g_new0 (Bucket, 1);
      b->tokens = KS_EVENT_SPAM_BURST;
      b->last = now;
    }
  if (now > b->last)
    {
      b->tokens += (double) (now - b->last) / (double) KS_USEC_PER_SEC * rate;
      if (b->tokens > KS_EVENT_SPAM_BURST)
        b->tokens = KS_EVENT_SPAM_BURST;
      b->last = now;
    }
  lru_add (&sink->spam, key, b);
  if (b->tokens < 1)
    return TRUE;
  b->tokens -= 1;
  return FALSE;
}

/* updateState: remember what the server holds for the written Event's own key. */
static void
update_state (KsObjectEventSink *sink, const KsEvent *written)
{
  g_autofree char *key = event_key (written);
  Observation *o = g_new0 (Observation, 1);

  o->count = written->count;
  o->first_timestamp = written->first_timestamp;
  o->name = g_strdup (KS_OBJECT (written)->meta.name);
  lru_add (&sink->observed, key, o);
}

/* recordEvent: a repeat updates the Event (count, lastTimestamp, message: what client-go's patch
 * carries), or creates it again when it is gone; a first occurrence creates it.  A name already
 * taken (another process's event about the object in the same microsecond) is made again, where
 * client-go drops the event; the observation under key follows the name. */
static void
write_event (KsObjectEventSink *sink, KsEvent *ev, const char *key)
{
  g_autoptr (GError) error = NULL;
  KsObject *written = NULL;

  if (ev->count > 1)
    {
      g_autoptr (KsObject) current
          = ks_client_get (sink->client, ks_kind_get (KS_KIND_EVENT),
                           KS_OBJECT (ev)->meta.namespace, KS_OBJECT (ev)->meta.name, &error);
      if (current != NULL)
        {
          KsEvent *copy = KS_EVENT (ks_object_copy (current));
          copy->count = ev->count;
          copy->last_timestamp = ev->last_timestamp;
          g_free (copy->message);
          copy->message = g_strdup (ev->message);
          /* A patch: no resourceVersion precondition. */
          KS_OBJECT (copy)->meta.resource_version = 0;
          written = ks_client_update (sink->client, KS_OBJECT (copy), &error);
          ks_object_unref (KS_OBJECT (copy));
        }
      if (written == NULL && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        {
          g_debug ("event %s: not recorded: %s", KS_OBJECT (ev)->meta.name, error->message);
          return;
        }
      g_clear_error (&error);
    }
  if (written == NULL)
    {
      g_autoptr (KsObject) attempt = ks_object_ref (KS_OBJECT (ev));
      for (guint i = 0; i < 3; i++)
        {
          if (i > 0)
            {
              /* A new copy: the client may keep what it was given. */
              KsObject *renamed = ks_object_copy (attempt);
              g_free (renamed->meta.name);
              renamed->meta.name
                  = event_name (sink, ev->involved_object.name, ks_clock_now (sink->clock));
              ks_object_unref (attempt);
              attempt = renamed;
              g_clear_error (&error);
            }
          written = ks_client_create (sink->client, attempt, &error);
          if (written != NULL
              || !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS))
            break;
        }
    }
  if (written == NULL)
    {
      g_debug ("event %s: not recorded: %s", KS_OBJECT (ev)->meta.name, error->message);
      return;
    }
  {
    /* The name may have changed: repeats go to the Event written. */
    Observation *o = lru_get (&sink->observed, key);
    if (o != NULL && g_strcmp0 (o->name, written->meta.name) != 0)
      {
        g_free (o->name);
        o->name = g_strdup (written->meta.name);
      }
  }
  update_state (sink, KS_EVENT (written));
  ks_object_unref (written);
}

static void
sink_record (KsEventSink *self, const KsEventRecord *record)
{
  KsObjectEventSink *sink = (KsObjectEventSink *) self;
  g_autoptr (KsEvent) made = make_event (sink, record);
  g_autoptr (KsEvent) ev = NULL;
  g_autofree char *key = NULL;
  KsEvent *observed;

  /* EventCorrelate: aggregate, observe, filter. */
  ev = aggregate (sink, made, record->time, &key);
  observed = KS_EVENT (ks_object_copy (KS_OBJECT (ev)));
  observe (sink, observed, key);
  if (!spam_filtered (sink, observed, record->time))
    write_event (sink, observed, key);
  ks_object_unref (KS_OBJECT (observed));
}

static const KsEventSinkOps sink_ops = { .record = sink_record };

KsObjectEventSink *
ks_object_event_sink_new (KsClient *client, KsClock *clock, const char *host, gint64 epoch)
{
  KsObjectEventSink *sink = g_new0 (KsObjectEventSink, 1);

  g_return_val_if_fail (client != NULL && clock != NULL, NULL);
  sink->parent.ops = &sink_ops;
  sink->client = client;
  sink->clock = clock;
  sink->host = g_strdup (host);
  sink->epoch = epoch;
  lru_init (&sink->spam, KS_EVENT_CACHE_SIZE, g_free);
  lru_init (&sink->aggregates, KS_EVENT_CACHE_SIZE, aggregate_free);
  lru_init (&sink->observed, KS_EVENT_CACHE_SIZE, observation_free);
  return sink;
}

KsEventSink *
ks_object_event_sink_get_sink (KsObjectEventSink *sink)
{
  return &sink->parent;
}

void
ks_object_event_sink_free (KsObjectEventSink *sink)
{
  if (sink == NULL)
    return;
  lru_clear (&sink->spam);
  lru_clear (&sink->aggregates);
  lru_clear (&sink->observed);
  g_free (sink->host);
  g_free (sink);
}

/* ---- the TTL -------------------------------------------------------------------------------- */

typedef struct
{
  gint64 at;
  char *key; /* "namespace/name" */
} Expiry;

struct _KsEventTtl
{
  KsClient *client;
  KsClock *clock;
  gint64 ttl;
  guint watch;
  gboolean replaying; /* the watch's replay of stored Events */
  gboolean running;   /* in ttl_run: it schedules the next task itself */
  GHashTable *by_key; /* key → Expiry (owned) */
  GTree *queue;       /* Expiry → Expiry, by time then key */
  guint64 task;
  gint64 task_at;
};

static gint
expiry_compare (gconstpointer pa, gconstpointer pb, gpointer unused)
{
  const Expiry *a = pa, *b = pb;

  if (a->at != b->at)
    return a->at < b->at ? -1 : 1;
  return strcmp (a->key, b->key);
}

static void
expiry_free (gpointer p)
{
  Expiry *e = p;

  g_free (e->key);
  g_free (e);
}

static void ttl_schedule (KsEventTtl *ttl);

static void
ttl_forget (KsEventTtl *ttl, const char *key)
{
  Expiry *e = g_hash_table_lookup (ttl->by_key, key);

  if (e == NULL)
    return;
  g_tree_remove (ttl->queue, e);
  g_hash_table_remove (ttl->by_key, key);
}

static void
ttl_run (gpointer data)
{
  KsEventTtl *ttl = data;
  gint64 now = ks_clock_now (ttl->clock);
  GTreeNode *first;

  ttl->task = 0;
  ttl->running = TRUE;
  while ((first = g_tree_node_first (ttl->queue)) != NULL)
    {
      Expiry *e = g_tree_node_key (first);
      g_autofree char *key = NULL;
      g_autofree char *ns = NULL;
      const char *slash;
      g_autoptr (GError) error = NULL;

      if (e->at > now)
        break;
      key = g_strdup (e->key);
      ttl_forget (ttl, key);
      slash = strchr (key, '/');
      ns = g_strndup (key, slash - key);
      if (!ks_client_delete (ttl->client, ks_kind_get (KS_KIND_EVENT), ns, slash + 1, NULL, &error)
          && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        g_debug ("event %s: not deleted at the end of its TTL: %s", key, error->message);
    }
  ttl->running = FALSE;
  ttl_schedule (ttl);
}

/* A task at the earliest expiry (moved when that changes). */
static void
ttl_schedule (KsEventTtl *ttl)
{
  GTreeNode *first = g_tree_node_first (ttl->queue);
  gint64 at;

  if (first == NULL)
    {
      ks_clock_cancel (ttl->clock, ttl->task);
      ttl->task = 0;
      return;
    }
  at = ((Expiry *) g_tree_node_key (first))->at;
  if (ttl->task != 0 && ttl->task_at == at)
    return;
  ks_clock_cancel (ttl->clock, ttl->task);
  ttl->task_at = at;
  ttl->task = ks_clock_schedule (ttl->clock, at, ttl_run, ttl, NULL);
}

static void
on_event (const KsWatchEvent *event, gpointer data)
{
  KsEventTtl *ttl = data;
  g_autofree char *key = ks_object_key (event->object);
  const KsEvent *ev = KS_EVENT (event->object);
  Expiry *e;
  gint64 written;

  ttl_forget (ttl, key);
  if (event->type == KS_WATCH_DELETED)
    {
      if (!ttl->running)
        ttl_schedule (ttl);
      return;
    }
  written = ks_clock_now (ttl->clock);
  if (ttl->replaying)
    written = ev->last_timestamp != KS_TIME_NONE    ? ev->last_timestamp
              : ev->first_timestamp != KS_TIME_NONE ? ev->first_timestamp
                                                    : event->object->meta.creation_timestamp;
  e = g_new0 (Expiry, 1);
  e->at = written + ttl->ttl;
  e->key = g_steal_pointer (&key);
  g_hash_table_insert (ttl->by_key, e->key, e);
  g_tree_insert (ttl->queue, e, e);
  if (!ttl->replaying && !ttl->running)
    ttl_schedule (ttl);
}

KsEventTtl *
ks_event_ttl_new (KsClient *client, KsClock *clock, gint64 ttl_usec)
{
  KsEventTtl *ttl = g_new0 (KsEventTtl, 1);

  g_return_val_if_fail (ttl_usec > 0, ttl);
  ttl->client = client;
  ttl->clock = clock;
  ttl->ttl = ttl_usec;
  ttl->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, expiry_free);
  ttl->queue = g_tree_new_full (expiry_compare, NULL, NULL, NULL);
  ttl->replaying = TRUE;
  ttl->watch
      = ks_client_watch (client, ks_kind_get (KS_KIND_EVENT), NULL, TRUE, on_event, ttl, NULL);
  ttl->replaying = FALSE;
  ttl_schedule (ttl);
  return ttl;
}

void
ks_event_ttl_free (KsEventTtl *ttl)
{
  if (ttl == NULL)
    return;
  ks_client_unwatch (ttl->client, ttl->watch);
  ks_clock_cancel (ttl->clock, ttl->task);
  g_tree_unref (ttl->queue);
  g_hash_table_unref (ttl->by_key);
  g_free (ttl);
}

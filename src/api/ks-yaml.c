/* ks-yaml.c: YAML and JSON read with libyaml's event parser into json-glib trees, with a side
 * table that remembers where every node came from.
 *
 * One pass over libyaml's events builds the trees: a stack of open collections (one frame per
 * mapping or sequence being read), a table of anchors for the current document, and the
 * source's side table.  Nothing is built twice: a scalar becomes a JsonNode as soon as its
 * event arrives, a collection when its start event arrives, and a node is attached to its parent
 * when it is complete.
 *
 * Side table: every node of every tree has a NodeInfo (an array of structs, indexed through one
 * hash table keyed by the JsonNode pointer) holding its 1-based line and column, the position of
 * its key when it is the value of a mapping member, and, for scalars that are not strings, the
 * text as written.  A string node's text is its own value, so it is not stored twice.  Nodes
 * that are freed before the source is (skipped null documents, merge-key values and anchored
 * keys, see below) are removed from the hash table first, so a recycled address never finds a
 * stale entry.
 *
 * Typing of plain scalars follows go-yaml v2's resolve() (resolve.go), which is what kubectl
 * decodes manifests with (sigs.k8s.io/yaml).  In short, by the scalar's first character:
 *   - "", "~", "null", "Null", "NULL" are null;
 *   - y Y yes Yes YES true True TRUE on On ON are true; n N no No NO false False FALSE off Off OFF
 *     are false (YAML 1.1);
 *   - .inf .Inf .INF (optionally signed) and .nan .NaN .NAN are floats;
 *   - a scalar starting with a digit or a sign, with every '_' removed, is an integer if Go's
 *     strconv.ParseInt (base 0) accepts it: decimal, 0x/0X hex, 0b/0B binary, 0o/0O octal and
 *     C-style leading-0 octal ("0777" is 511);  else an unsigned integer if ParseUint accepts
 *     it (values above G_MAXINT64; stored here as a double, see below);  else a float if it
 *     matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and does not overflow (so
 *     "08" is the float 8, and "1e400" stays a string);  else v2's odd "0b" fallback ("0b-101"
 *     is -5);
 *   - a scalar starting with '.' is a float if it is one in Go's syntax (".5", ".5e3", ".1_5");
 *   - anything else is a string.  Timestamps stay strings, as v2 leaves them when decoding into
 *     interface{}.
 * Quoted, literal and folded scalars are strings, and so is a scalar with the non-specific tag
 * "!".  Explicit !!str, !!int, !!float, !!bool and !!null tags resolve the text as above and
 * insist on the result (an !!int that reads as an integer is accepted as !!float).
 *
 * Where this deliberately differs from kubectl:
 *   - An integer that does not fit a gint64 (v2 returns a uint64 up to 2^64-1) is stored as a
 *     double; ks_source_get_text() still has the exact digits.
 *   - Unknown tags are errors (v2 keeps the text as a string); !!binary and !!timestamp are
 *     among them.
 *   - Duplicate keys are errors (kubectl rejects them later, at strict decoding).
 *   - A key that is not a string keeps its text ("1: x" gives member "1", "yes: x" member "yes";
 *     sigs.k8s.io/yaml would turn the latter into "true").
 *   - Merge keys: explicit keys win over merged ones wherever "<<" stands in the mapping (v2
 *     lets a "<<" overwrite explicit keys written before it).  Between several "<<" keys of one
 *     mapping the later wins, and within a sequence of mappings the earlier wins, as in v2.
 *   - Nesting is limited to KS_YAML_MAX_DEPTH levels and alias/merge expansion to
 *     KS_YAML_MAX_EXPANDED_NODES nodes per source (v2 uses a ratio of aliased to plain nodes).
 *     json-glib frees trees recursively, so the depth limit is what keeps a hostile file from
 *     overflowing the stack.
 *
 * Aliases are deep copies of the anchored node (json-glib trees cannot share nodes), and copies
 * report the anchored node's positions.  An anchor is visible from where it is defined to the end
 * of its document, and a later anchor of the same name replaces it.
 *
 * Limits that come from libyaml (and that go-yaml, a port of libyaml, shares for YAML input):
 *   - an implicit key must fit on one line and within 1024 characters, so JSON with a longer
 *     key, or with a newline between a key and its ':', is a syntax error;
 *   - escaped UTF-16 surrogates (a JSON "\ud83d\ude00") are rejected, so JSON that spells a
 *     character outside the BMP that way is a syntax error (with a position); the character
 *     itself, or "\U0001F600", is fine.  Go's encoding/json never writes such escapes;
 *   - a "\0" escape ends the string there (json-glib strings are NUL-terminated).
 * Syntax errors carry libyaml's problem and context, with 1-based positions; libyaml's message
 * for a tab in the indentation is replaced by one that says so. */
#include "config.h"

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "kubesim-api"
#endif

#include "ks-yaml.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <yaml.h>

/* Deepest nesting of mappings and sequences accepted (the root is at depth 1). */
#define KS_YAML_MAX_DEPTH 1000
/* Most nodes that aliases and merge keys may create in one source (an "alias bomb" guard). */
#define KS_YAML_MAX_EXPANDED_NODES 1000000

#define LONG_TAG_PREFIX "tag:yaml.org,2002:"

GQuark
ks_yaml_error_quark (void)
{
  return g_quark_from_static_string ("ks-yaml-error-quark");
}

/* ---- the source and its side table --------------------------------------------------------- */

typedef struct
{
  guint32 line, column;         /* where the node starts, 1-based */
  guint32 key_line, key_column; /* the value of a mapping member: where its key is; else 0 */
  const char *text;             /* scalars other than strings: the text (in source->texts) */
  gboolean open;                /* a collection whose end has not been read yet */
} NodeInfo;

struct _KsSource
{
  gatomicrefcount ref_count;
  char *name;
  GPtrArray *documents; /* JsonNode, owned */
  GHashTable *nodes;    /* JsonNode (borrowed) -> GUINT_TO_POINTER (index in infos + 1) */
  GArray *infos;        /* NodeInfo */
  GStringChunk *texts;  /* NodeInfo.text, interned */
};

static KsSource *
source_new (const char *name)
{
  KsSource *source = g_new0 (KsSource, 1);

  g_atomic_ref_count_init (&source->ref_count);
  source->name = g_strdup (name);
  source->documents = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  source->nodes = g_hash_table_new (g_direct_hash, g_direct_equal);
  source->infos = g_array_sized_new (FALSE, FALSE, sizeof (NodeInfo), 256);
  source->texts = g_string_chunk_new (4096);
  return source;
}

/* Registers node with a copy of *info; returns the index of the new NodeInfo.  NodeInfo
 * pointers are invalidated by this call (the array may move). */
static guint
source_add_info (KsSource *source, JsonNode *node, const NodeInfo *info)
{
  guint index = source->infos->len;

  g_array_append_vals (source->infos, info, 1);
  g_hash_table_insert (source->nodes, node, GUINT_TO_POINTER (index + 1));
  return index;
}

static NodeInfo *
source_info_at (KsSource *source, guint index)
{
  return &g_array_index (source->infos, NodeInfo, index);
}

/* The NodeInfo of node, or NULL if node is not from this source.  Borrowed, valid until the
 * next source_add_info(). */
static NodeInfo *
source_lookup (KsSource *source, JsonNode *node)
{
  gpointer value = g_hash_table_lookup (source->nodes, node);

  if (value == NULL)
    return NULL;
  return source_info_at (source, GPOINTER_TO_UINT (value) - 1);
}

/* Removes node and its descendants from the side table, before they are freed. */
static void
source_forget_tree (KsSource *source, JsonNode *node)
{
  g_hash_table_remove (source->nodes, node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &child))
        source_forget_tree (source, child);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        source_forget_tree (source, json_array_get_element (array, i));
    }
}

/* The text of a scalar node of this source, or NULL. */
static const char *
node_text (KsSource *source, JsonNode *node)
{
  NodeInfo *info = source_lookup (source, node);

  if (info == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return info->text;
}

/* ---- scalar typing (go-yaml v2's resolve.go) ------------------------------------------------- */

typedef enum
{
  SCALAR_NULL,
  SCALAR_BOOL,
  SCALAR_INT,
  SCALAR_FLOAT,
  SCALAR_STRING,
} ScalarKind;

typedef struct
{
  ScalarKind kind;
  gboolean boolean;
  gint64 integer; /* SCALAR_INT unless big */
  double number;  /* SCALAR_FLOAT, and SCALAR_INT when big */
  gboolean big;   /* SCALAR_INT above G_MAXINT64 (a uint64 in v2): the value is in number */
} Scalar;

/* v2's resolveMap.  "<<" is in v2's map too, but its first character has no hint, so the map is
 * never consulted for it: merge keys are recognised by the mapping code instead. */
static const struct
{
  const char *text;
  ScalarKind kind;
  int value; /* bool: 0/1; float: 0 NaN, 1 +Inf, -1 -Inf */
} resolve_map[] = {
  { "y", SCALAR_BOOL, 1 },       { "Y", SCALAR_BOOL, 1 },       { "yes", SCALAR_BOOL, 1 },
  { "Yes", SCALAR_BOOL, 1 },     { "YES", SCALAR_BOOL, 1 },     { "true", SCALAR_BOOL, 1 },
  { "True", SCALAR_BOOL, 1 },    { "TRUE", SCALAR_BOOL, 1 },    { "on", SCALAR_BOOL, 1 },
  { "On", SCALAR_BOOL, 1 },      { "ON", SCALAR_BOOL, 1 },      { "n", SCALAR_BOOL, 0 },
  { "N", SCALAR_BOOL, 0 },       { "no", SCALAR_BOOL, 0 },      { "No", SCALAR_BOOL, 0 },
  { "NO", SCALAR_BOOL, 0 },      { "false", SCALAR_BOOL, 0 },   { "False", SCALAR_BOOL, 0 },
  { "FALSE", SCALAR_BOOL, 0 },   { "off", SCALAR_BOOL, 0 },     { "Off", SCALAR_BOOL, 0 },
  { "OFF", SCALAR_BOOL, 0 },     { "", SCALAR_NULL, 0 },        { "~", SCALAR_NULL, 0 },
  { "null", SCALAR_NULL, 0 },    { "Null", SCALAR_NULL, 0 },    { "NULL", SCALAR_NULL, 0 },
  { ".nan", SCALAR_FLOAT, 0 },   { ".NaN", SCALAR_FLOAT, 0 },   { ".NAN", SCALAR_FLOAT, 0 },
  { ".inf", SCALAR_FLOAT, 1 },   { ".Inf", SCALAR_FLOAT, 1 },   { ".INF", SCALAR_FLOAT, 1 },
  { "+.inf", SCALAR_FLOAT, 1 },  { "+.Inf", SCALAR_FLOAT, 1 },  { "+.INF", SCALAR_FLOAT, 1 },
  { "-.inf", SCALAR_FLOAT, -1 }, { "-.Inf", SCALAR_FLOAT, -1 }, { "-.INF", SCALAR_FLOAT, -1 },
};

/* v2's resolveTable: the first character's hint, 0 for "certainly a string". */
static char
resolve_hint (char c)
{
  if (c == '+' || c == '-')
    return 'S';
  if (c >= '0' && c <= '9')
    return 'D';
  if (c != '\0' && strchr ("yYnNtTfFoO~", c) != NULL)
    return 'M';
  if (c == '.')
    return '.';
  return 0;
}

typedef enum
{
  PARSE_OK,
  PARSE_SYNTAX,
  PARSE_RANGE,
} ParseResult;

/* Go's strconv.ParseUint (s, base, 64) without underscores (the caller has removed them):
 * base 0 means "from the prefix": 0b/0B, 0o/0O, 0x/0X (each followed by at least one more
 * character), a lone leading 0 for octal, else decimal.  No sign is accepted. */
static ParseResult
go_parse_uint (const char *s, gsize len, guint base, guint64 *out)
{
  guint64 n = 0;

  if (len == 0)
    return PARSE_SYNTAX;
  if (base == 0)
    {
      base = 10;
      if (s[0] == '0')
        {
          char prefix = len >= 3 ? (char) (s[1] | 0x20) : '\0';

          if (prefix == 'b' || prefix == 'o' || prefix == 'x')
            {
              base = prefix == 'b' ? 2 : prefix == 'o' ? 8 : 16;
              s += 2;
              len -= 2;
            }
          else
            {
              /* "0" alone leaves no digits, which Go reads as 0. */
              base = 8;
              s++;
              len--;
            }
        }
    }
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];
      guint digit;

      if (c >= '0' && c <= '9')
        digit = (guint) (c - '0');
      else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        digit = (guint) ((c | 0x20) - 'a' + 10);
      else
        return PARSE_SYNTAX;
      if (digit >= base)
        return PARSE_SYNTAX;
      if (n > (G_MAXUINT64 - digit) / base)
        return PARSE_RANGE;
      n = n * base + digit;
    }
  *out = n;
  return PARSE_OK;
}

/* Go's strconv.ParseInt (s, base, 64): an optional sign, then as go_parse_uint(). */
static gboolean
go_parse_int (const char *s, gsize len, guint base, gint64 *out)
{
  gboolean negative = FALSE;
  guint64 magnitude;

  if (len > 0 && (s[0] == '+' || s[0] == '-'))
    {
      negative = s[0] == '-';
      s++;
      len--;
    }
  if (go_parse_uint (s, len, base, &magnitude) != PARSE_OK)
    return FALSE;
  if (!negative)
    {
      if (magnitude > (guint64) G_MAXINT64)
        return FALSE;
      *out = (gint64) magnitude;
    }
  else
    {
      if (magnitude > (guint64) G_MAXINT64 + 1)
        return FALSE;
      *out = magnitude == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) magnitude;
    }
  return TRUE;
}

static gsize
skip_digits (const char *s, gsize i, gsize len)
{
  while (i < len && s[i] >= '0' && s[i] <= '9')
    i++;
  return i;
}

/* v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static gboolean
yaml_style_float (const char *s, gsize len)
{
  gsize i = 0, start;

  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  if (i < len && s[i] == '.')
    {
      start = ++i;
      i = skip_digits (s, i, len);
      if (i == start)
        return FALSE;
    }
  else
    {
      start = i;
      i = skip_digits (s, i, len);
      if (i == start)
        return FALSE;
      if (i < len && s[i] == '.')
        i = skip_digits (s, i + 1, len);
    }
  if (i < len && (s[i] == 'e' || s[i] == 'E'))
    {
      i++;
      if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
      start = i;
      i = skip_digits (s, i, len);
      if (i == start)
        return FALSE;
    }
  return i == len;
}

/* strconv.ParseFloat on a string that matched yaml_style_float(): correctly rounded; overflow
 * is an error (Go's ErrRange), underflow is not.  s must be NUL-terminated at len. */
static gboolean
parse_float (const char *s, gsize len, double *out)
{
  char *end = NULL;
  double value = g_ascii_strtod (s, &end);

  if (end != s + len || isinf (value))
    return FALSE;
  *out = value;
  return TRUE;
}

/* Go's underscoreOK for a decimal number: each '_' must stand between two digits. */
static gboolean
underscores_ok (const char *s, gsize len)
{
  char saw = '^';
  gsize i = 0;

  if (len > 0 && (s[0] == '+' || s[0] == '-'))
    i++;
  for (; i < len; i++)
    {
      if (s[i] >= '0' && s[i] <= '9')
        saw = '0';
      else if (s[i] == '_')
        {
          if (saw != '0')
            return FALSE;
          saw = '_';
        }
      else
        {
          if (saw == '_')
            return FALSE;
          saw = '!';
        }
    }
  return saw != '_';
}

/* Copies s without its underscores into buf (of len + 1 bytes) and returns the new length. */
static gsize
strip_underscores (const char *s, gsize len, char *buf)
{
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    if (s[i] != '_')
      buf[n++] = s[i];
  buf[n] = '\0';
  return n;
}

/* Types the plain scalar s (len bytes, NUL-terminated) as go-yaml v2's resolve() does with no
 * tag. */
static void
resolve_plain (const char *s, gsize len, Scalar *out)
{
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  char hint = len == 0 ? 'N' : resolve_hint (s[0]);
  const char *plain = s;
  gsize plain_len = len;
  gint64 integer;
  guint64 uinteger;
  double number;

  memset (out, 0, sizeof *out);
  out->kind = SCALAR_STRING;
  if (hint == 0)
    return;

  if (hint != 'D')
    for (gsize i = 0; i < G_N_ELEMENTS (resolve_map); i++)
      if (strlen (resolve_map[i].text) == len && memcmp (resolve_map[i].text, s, len) == 0)
        {
          out->kind = resolve_map[i].kind;
          out->boolean = resolve_map[i].value != 0;
          if (out->kind == SCALAR_FLOAT)
            out->number = resolve_map[i].value == 0 ? NAN : resolve_map[i].value * INFINITY;
          return;
        }
  if (hint == 'M' || hint == 'N')
    return;

  if (memchr (s, '_', len) != NULL)
    {
      /* ParseFloat (for '.') only takes Go-style digit separators; for 'D' and 'S' v2 removes
       * every underscore first. */
      if (hint == '.' && !underscores_ok (s, len))
        return;
      plain = len < sizeof stack_buf ? stack_buf : (heap_buf = g_malloc (len + 1));
      plain_len = strip_underscores (s, len, (char *) plain);
    }

  if (hint == '.')
    {
      if (yaml_style_float (plain, plain_len) && parse_float (plain, plain_len, &number))
        {
          out->kind = SCALAR_FLOAT;
          out->number = number;
        }
      return;
    }

  /* 'D' or 'S': v2 tries timestamps first, but keeps them as strings in the end. */
  if (go_parse_int (plain, plain_len, 0, &integer))
    {
      out->kind = SCALAR_INT;
      out->integer = integer;
    }
  else if (go_parse_uint (plain, plain_len, 0, &uinteger) == PARSE_OK)
    {
      out->kind = SCALAR_INT;
      out->big = TRUE;
      out->number = (double) uinteger;
    }
  else if (yaml_style_float (plain, plain_len) && parse_float (plain, plain_len, &number))
    {
      out->kind = SCALAR_FLOAT;
      out->number = number;
    }
  else if (plain_len >= 2 && plain[0] == '0' && plain[1] == 'b')
    {
      /* v2 retries "0b" with an explicit base, which lets a sign follow the prefix ("0b-101").
       * Its further "-0b" retry cannot accept anything base 0 did not, so it is left out. */
      if (go_parse_int (plain + 2, plain_len - 2, 2, &integer))
        {
          out->kind = SCALAR_INT;
          out->integer = integer;
        }
      else if (go_parse_uint (plain + 2, plain_len - 2, 2, &uinteger) == PARSE_OK)
        {
          out->kind = SCALAR_INT;
          out->big = TRUE;
          out->number = (double) uinteger;
        }
    }
}

gboolean
ks_yaml_plain_is_string (const char *s)
{
  Scalar scalar;

  resolve_plain (s, strlen (s), &scalar);
  return scalar.kind == SCALAR_STRING;
}

typedef enum
{
  TAG_NONE,        /* no tag */
  TAG_NONSPECIFIC, /* "!" */
  TAG_STR,
  TAG_INT,
  TAG_FLOAT,
  TAG_BOOL,
  TAG_NULL,
  TAG_MAP,
  TAG_SEQ,
  TAG_MERGE,
  TAG_UNKNOWN,
} TagKind;

static TagKind
classify_tag (const char *tag)
{
  static const struct
  {
    const char *name;
    TagKind kind;
  } known[] = {
    { "str", TAG_STR },   { "int", TAG_INT }, { "float", TAG_FLOAT }, { "bool", TAG_BOOL },
    { "null", TAG_NULL }, { "map", TAG_MAP }, { "seq", TAG_SEQ },     { "merge", TAG_MERGE },
  };

  if (tag == NULL)
    return TAG_NONE;
  if (strcmp (tag, "!") == 0)
    return TAG_NONSPECIFIC;
  if (g_str_has_prefix (tag, LONG_TAG_PREFIX))
    for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
      if (strcmp (tag + strlen (LONG_TAG_PREFIX), known[i].name) == 0)
        return known[i].kind;
  return TAG_UNKNOWN;
}

/* The tag as a person would write it: "!!int" for "tag:yaml.org,2002:int".  Newly allocated. */
static char *
tag_display (const char *tag)
{
  if (g_str_has_prefix (tag, LONG_TAG_PREFIX))
    return g_strconcat ("!!", tag + strlen (LONG_TAG_PREFIX), NULL);
  return g_strdup (tag);
}

static const char *
scalar_kind_tag (ScalarKind kind)
{
  switch (kind)
    {
    case SCALAR_NULL:
      return "!!null";
    case SCALAR_BOOL:
      return "!!bool";
    case SCALAR_INT:
      return "!!int";
    case SCALAR_FLOAT:
      return "!!float";
    case SCALAR_STRING:
    default:
      return "!!str";
    }
}

static JsonNode *
scalar_node_new (const Scalar *scalar, const char *value)
{
  JsonNode *node = json_node_alloc ();

  switch (scalar->kind)
    {
    case SCALAR_NULL:
      json_node_init_null (node);
      break;
    case SCALAR_BOOL:
      json_node_init_boolean (node, scalar->boolean);
      break;
    case SCALAR_INT:
      if (scalar->big)
        json_node_init_double (node, scalar->number);
      else
        json_node_init_int (node, scalar->integer);
      break;
    case SCALAR_FLOAT:
      json_node_init_double (node, scalar->number);
      break;
    case SCALAR_STRING:
    default:
      json_node_init_string (node, value);
      break;
    }
  return node;
}

/* ---- the event-driven builder -------------------------------------------------------------- */

typedef struct
{
  JsonNode *node; /* the collection; owned by the frame until it is closed */
  guint info;     /* its NodeInfo */
  gboolean mapping;
  /* Mappings: the key waiting for its value (NULL when the next node is a key). */
  char *key;
  guint32 key_line, key_column;
  gboolean key_is_merge;
  GPtrArray *merges; /* values of "<<" keys in order (borrowed from the orphans), or NULL */
} Frame;

typedef struct
{
  KsSource *source;
  yaml_parser_t yaml;
  const char *data;
  gsize length;
  GArray *stack;       /* Frame */
  GHashTable *anchors; /* anchor name (owned) -> JsonNode (borrowed) */
  /* Nodes that are not in the document tree but must live until the document ends, because an
   * anchor may refer to them or into them: anchored mapping keys, and the values of "<<". */
  GPtrArray *orphans;
  JsonNode *root; /* the current document's root, once read */
  guint64 expanded_nodes;
} Builder;

static void
frame_clear (Frame *frame)
{
  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->key, g_free);
  g_clear_pointer (&frame->merges, g_ptr_array_unref);
}

static guint32
mark_number (size_t zero_based)
{
  return zero_based >= G_MAXUINT32 ? G_MAXUINT32 : (guint32) zero_based + 1;
}

static void set_error_at (Builder *b, GError **error, guint32 line, guint32 column,
                          const char *format, ...) G_GNUC_PRINTF (5, 6);

static void
set_error_at (Builder *b, GError **error, guint32 line, guint32 column, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KS_YAML_ERROR, KS_YAML_ERROR_SYNTAX, "%s:%u:%u: %s", b->source->name, line,
               column, message);
}

/* The byte offset of a libyaml mark (0-based line, column in characters), or -1. */
static gssize
mark_to_offset (Builder *b, size_t line, size_t column)
{
  gsize i = 0;

  if (b->length >= 3 && memcmp (b->data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  for (size_t l = 0; l < line; l++)
    {
      const char *nl = memchr (b->data + i, '\n', b->length - i);

      if (nl == NULL)
        return -1;
      i = (gsize) (nl - b->data) + 1;
    }
  for (size_t c = 0; c < column; c++)
    {
      if (i >= b->length || b->data[i] == '\n')
        return -1;
      i++;
      while (i < b->length && ((guchar) b->data[i] & 0xC0) == 0x80)
        i++;
    }
  return i < b->length ? (gssize) i : -1;
}

/* 1-based line and column of byte offset (libyaml's reader reports errors as offsets). */
static void
offset_to_position (Builder *b, size_t offset, guint32 *line, guint32 *column)
{
  gsize end = MIN (offset, b->length);
  gsize line_start = 0;

  *line = 1;
  for (gsize i = 0; i < end; i++)
    if (b->data[i] == '\n')
      {
        (*line)++;
        line_start = i + 1;
      }
  *column = 1;
  for (gsize i = line_start; i < end; i++)
    if (((guchar) b->data[i] & 0xC0) != 0x80)
      (*column)++;
}

static void
set_libyaml_error (Builder *b, GError **error)
{
  yaml_parser_t *yaml = &b->yaml;
  const char *problem = yaml->problem != NULL ? yaml->problem : "unknown YAML error";
  g_autoptr (GString) message = g_string_new (NULL);
  guint32 line, column;
  gssize at;

  if (yaml->error == YAML_READER_ERROR)
    {
      offset_to_position (b, yaml->problem_offset, &line, &column);
      g_string_append (message, problem);
      if (yaml->problem_value != -1)
        g_string_append_printf (message, " (#x%02X)", (guint) yaml->problem_value);
      set_error_at (b, error, line, column, "%s", message->str);
      return;
    }
  if (yaml->error == YAML_MEMORY_ERROR)
    {
      set_error_at (b, error, 1, 1, "libyaml ran out of memory");
      return;
    }

  line = mark_number (yaml->problem_mark.line);
  column = mark_number (yaml->problem_mark.column);
  /* libyaml's words for a tab in the indentation are obscure; say what is wrong. */
  at = mark_to_offset (b, yaml->problem_mark.line, yaml->problem_mark.column);
  if (at >= 0 && b->data[at] == '\t' && strstr (problem, "cannot start any token") != NULL)
    {
      set_error_at (b, error, line, column,
                    "found a tab character where indentation was expected; YAML indentation "
                    "must use spaces, not tabs");
      return;
    }
  g_string_append (message, problem);
  if (strstr (problem, "tab character") != NULL)
    g_string_append (message, "; YAML indentation must use spaces, not tabs");
  if (yaml->context != NULL)
    {
      if (yaml->context_mark.line == yaml->problem_mark.line
          && yaml->context_mark.column == yaml->problem_mark.column)
        g_string_append_printf (message, " (%s)", yaml->context);
      else
        g_string_append_printf (message, " (%s started at line %u, column %u)", yaml->context,
                                mark_number (yaml->context_mark.line),
                                mark_number (yaml->context_mark.column));
    }
  set_error_at (b, error, line, column, "%s", message->str);
}

static Frame *
builder_top (Builder *b)
{
  if (b->stack->len == 0)
    return NULL;
  return &g_array_index (b->stack, Frame, b->stack->len - 1);
}

static gboolean
builder_expects_key (Builder *b)
{
  Frame *top = builder_top (b);

  return top != NULL && top->mapping && top->key == NULL;
}

static void
builder_set_anchor (Builder *b, const yaml_char_t *anchor, JsonNode *node)
{
  if (anchor != NULL)
    g_hash_table_replace (b->anchors, g_strdup ((const char *) anchor), node);
}

/* Types a scalar event's value, honouring its tag.  Returns FALSE with error set for an unknown
 * tag or a value that does not fit its tag. */
static gboolean
builder_resolve (Builder *b, const yaml_event_t *event, Scalar *out, GError **error)
{
  const char *tag = (const char *) event->data.scalar.tag;
  const char *value = (const char *) event->data.scalar.value;
  gsize length = event->data.scalar.length;
  guint32 line = mark_number (event->start_mark.line);
  guint32 column = mark_number (event->start_mark.column);
  TagKind kind = classify_tag (tag);
  g_autofree char *shown = NULL;
  ScalarKind want;

  switch (kind)
    {
    case TAG_NONE:
      if (event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        resolve_plain (value, length, out);
      else
        {
          memset (out, 0, sizeof *out);
          out->kind = SCALAR_STRING;
        }
      return TRUE;
    case TAG_NONSPECIFIC:
    case TAG_STR:
      memset (out, 0, sizeof *out);
      out->kind = SCALAR_STRING;
      return TRUE;
    case TAG_INT:
      want = SCALAR_INT;
      break;
    case TAG_FLOAT:
      want = SCALAR_FLOAT;
      break;
    case TAG_BOOL:
      want = SCALAR_BOOL;
      break;
    case TAG_NULL:
      want = SCALAR_NULL;
      break;
    case TAG_MAP:
    case TAG_SEQ:
    case TAG_MERGE:
      shown = tag_display (tag);
      set_error_at (b, error, line, column, "tag %s cannot be used on this scalar", shown);
      return FALSE;
    case TAG_UNKNOWN:
    default:
      shown = tag_display (tag);
      set_error_at (b, error, line, column,
                    "unsupported tag \"%s\" (supported: !!str, !!int, !!float, !!bool, !!null, "
                    "!!map, !!seq, and ! for a string)",
                    shown);
      return FALSE;
    }

  resolve_plain (value, length, out);
  if (want == SCALAR_FLOAT && out->kind == SCALAR_INT)
    {
      /* v2 turns an int into a float for !!float (it refuses a uint64; we do not bother). */
      if (!out->big)
        out->number = (double) out->integer;
      out->kind = SCALAR_FLOAT;
      out->big = FALSE;
    }
  if (out->kind != want)
    {
      set_error_at (b, error, line, column, "cannot decode %s \"%s\" as %s",
                    scalar_kind_tag (out->kind), value, scalar_kind_tag (want));
      return FALSE;
    }
  return TRUE;
}

/* A new node with src's value and a copy of its side-table entry, children included.  depth is
 * the depth the copy will have; line and column locate the alias or merge for errors. */
static JsonNode *
builder_copy_tree (Builder *b, JsonNode *src, guint depth, guint32 line, guint32 column,
                   guint *out_info, GError **error)
{
  NodeInfo *src_info = source_lookup (b->source, src);
  NodeInfo info;
  JsonNode *copy;

  g_assert_nonnull (src_info);
  info = *src_info;
  if (depth > KS_YAML_MAX_DEPTH)
    {
      set_error_at (b, error, line, column, "alias expands to nesting deeper than %d levels",
                    KS_YAML_MAX_DEPTH);
      return NULL;
    }
  if (++b->expanded_nodes > KS_YAML_MAX_EXPANDED_NODES)
    {
      set_error_at (b, error, line, column,
                    "aliases and merge keys expand to more than %d nodes (an alias bomb?)",
                    KS_YAML_MAX_EXPANDED_NODES);
      return NULL;
    }

  copy = json_node_alloc ();
  switch (JSON_NODE_TYPE (src))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;

        json_node_init_object (copy, object);
        json_object_unref (object);
        json_object_iter_init_ordered (&iter, json_node_get_object (src));
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            guint child_info;
            JsonNode *child_copy
                = builder_copy_tree (b, child, depth + 1, line, column, &child_info, error);

            if (child_copy == NULL)
              {
                json_node_unref (copy);
                return NULL;
              }
            json_object_set_member (object, name, child_copy);
            json_node_set_parent (child_copy, copy);
          }
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *src_array = json_node_get_array (src);
        guint n = json_array_get_length (src_array);
        JsonArray *array = json_array_sized_new (n);

        json_node_init_array (copy, array);
        json_array_unref (array);
        for (guint i = 0; i < n; i++)
          {
            guint child_info;
            JsonNode *child_copy = builder_copy_tree (b, json_array_get_element (src_array, i),
                                                      depth + 1, line, column, &child_info, error);

            if (child_copy == NULL)
              {
                json_node_unref (copy);
                return NULL;
              }
            json_array_add_element (array, child_copy);
            json_node_set_parent (child_copy, copy);
          }
        break;
      }
    case JSON_NODE_NULL:
      json_node_init_null (copy);
      break;
    case JSON_NODE_VALUE:
    default:
      /* Not json_node_copy(): it would share the JsonValue between the two nodes. */
      switch (json_node_get_value_type (src))
        {
        case G_TYPE_BOOLEAN:
          json_node_init_boolean (copy, json_node_get_boolean (src));
          break;
        case G_TYPE_INT64:
          json_node_init_int (copy, json_node_get_int (src));
          break;
        case G_TYPE_DOUBLE:
          json_node_init_double (copy, json_node_get_double (src));
          break;
        default:
          json_node_init_string (copy, json_node_get_string (src));
          break;
        }
      break;
    }
  info.open = FALSE;
  *out_info = source_add_info (b->source, copy, &info);
  return copy;
}

/* Attaches a complete node (owned; freed on failure) to the open collection, or makes it the
 * document's root. */
static gboolean
builder_add (Builder *b, JsonNode *node, guint info, GError **error)
{
  Frame *top = builder_top (b);
  JsonObject *object;
  JsonNode *previous;

  if (top == NULL)
    {
      g_assert_null (b->root);
      b->root = node;
      return TRUE;
    }
  if (!top->mapping)
    {
      json_array_add_element (json_node_get_array (top->node), node);
      json_node_set_parent (node, top->node);
      return TRUE;
    }

  g_assert_nonnull (top->key);
  if (top->key_is_merge)
    {
      gboolean ok = JSON_NODE_HOLDS_OBJECT (node);

      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint n = json_array_get_length (array);

          ok = TRUE;
          for (guint i = 0; i < n && ok; i++)
            ok = JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i));
        }
      if (!ok)
        {
          /* At the key: the value may be an alias, whose copy has the anchor's position. */
          set_error_at (b, error, top->key_line, top->key_column,
                        "the value of a merge key (<<) must be a mapping or a sequence of "
                        "mappings");
          json_node_unref (node);
          return FALSE;
        }
      g_ptr_array_add (b->orphans, node);
      if (top->merges == NULL)
        top->merges = g_ptr_array_new ();
      g_ptr_array_add (top->merges, node);
    }
  else
    {
      object = json_node_get_object (top->node);
      previous = json_object_get_member (object, top->key);
      if (previous != NULL)
        {
          NodeInfo *first = source_lookup (b->source, previous);

          set_error_at (b, error, top->key_line, top->key_column,
                        "duplicate key \"%s\" (first at line %u, column %u)", top->key,
                        first->key_line, first->key_column);
          json_node_unref (node);
          return FALSE;
        }
      json_object_set_member (object, top->key, node);
      json_node_set_parent (node, top->node);
      source_info_at (b->source, info)->key_line = top->key_line;
      source_info_at (b->source, info)->key_column = top->key_column;
    }
  g_clear_pointer (&top->key, g_free);
  top->key_is_merge = FALSE;
  return TRUE;
}

static void
builder_set_key (Frame *top, const char *key, guint32 line, guint32 column, gboolean merge)
{
  top->key = g_strdup (key);
  top->key_line = line;
  top->key_column = column;
  top->key_is_merge = merge;
}

static gboolean
builder_scalar (Builder *b, const yaml_event_t *event, GError **error)
{
  const char *value = (const char *) event->data.scalar.value;
  const yaml_char_t *anchor = event->data.scalar.anchor;
  NodeInfo info = { 0 };
  Scalar scalar = { .kind = SCALAR_STRING };
  JsonNode *node;
  guint index;

  info.line = mark_number (event->start_mark.line);
  info.column = mark_number (event->start_mark.column);

  if (builder_expects_key (b))
    {
      Frame *top = builder_top (b);
      TagKind tag = classify_tag ((const char *) event->data.scalar.tag);

      /* As v2's isMerge(): a plain (or "!") "<<", or "<<" tagged !!merge. */
      if (strcmp (value, "<<") == 0 && event->data.scalar.length == 2
          && (event->data.scalar.plain_implicit || tag == TAG_MERGE))
        {
          builder_set_key (top, value, info.line, info.column, TRUE);
          if (anchor == NULL)
            return TRUE;
        }
      else
        {
          /* A key is its text.  It is typed only to check its tag, and for the aliases that may
           * refer to it. */
          if ((event->data.scalar.tag != NULL || anchor != NULL)
              && !builder_resolve (b, event, &scalar, error))
            return FALSE;
          builder_set_key (top, value, info.line, info.column, FALSE);
          if (anchor == NULL)
            return TRUE;
        }
      /* An anchored key: keep a node for the aliases that may refer to it. */
      if (scalar.kind != SCALAR_STRING)
        info.text = g_string_chunk_insert_const (b->source->texts, value);
      node = scalar_node_new (&scalar, value);
      source_add_info (b->source, node, &info);
      g_ptr_array_add (b->orphans, node);
      builder_set_anchor (b, anchor, node);
      return TRUE;
    }

  if (!builder_resolve (b, event, &scalar, error))
    return FALSE;
  if (scalar.kind != SCALAR_STRING)
    info.text = g_string_chunk_insert_const (b->source->texts, value);
  node = scalar_node_new (&scalar, value);
  index = source_add_info (b->source, node, &info);
  builder_set_anchor (b, anchor, node);
  return builder_add (b, node, index, error);
}

static gboolean
builder_alias (Builder *b, const yaml_event_t *event, GError **error)
{
  const char *anchor = (const char *) event->data.alias.anchor;
  guint32 line = mark_number (event->start_mark.line);
  guint32 column = mark_number (event->start_mark.column);
  JsonNode *target = g_hash_table_lookup (b->anchors, anchor);
  NodeInfo *target_info;
  JsonNode *copy;
  guint index;

  if (target == NULL)
    {
      set_error_at (b, error, line, column, "unknown anchor \"%s\" referenced", anchor);
      return FALSE;
    }
  target_info = source_lookup (b->source, target);
  g_assert_nonnull (target_info);
  if (target_info->open)
    {
      set_error_at (b, error, line, column, "alias *%s refers to a node that contains it", anchor);
      return FALSE;
    }

  if (builder_expects_key (b))
    {
      if (JSON_NODE_HOLDS_OBJECT (target) || JSON_NODE_HOLDS_ARRAY (target))
        {
          set_error_at (b, error, line, column, "mapping keys must be scalars (alias *%s is a %s)",
                        anchor, JSON_NODE_HOLDS_OBJECT (target) ? "mapping" : "sequence");
          return FALSE;
        }
      builder_set_key (builder_top (b), node_text (b->source, target), line, column, FALSE);
      return TRUE;
    }

  copy = builder_copy_tree (b, target, b->stack->len + 1, line, column, &index, error);
  if (copy == NULL)
    return FALSE;
  source_info_at (b->source, index)->key_line = 0;
  source_info_at (b->source, index)->key_column = 0;
  return builder_add (b, copy, index, error);
}

static gboolean
builder_open (Builder *b, const yaml_event_t *event, gboolean mapping, GError **error)
{
  const char *tag = mapping ? (const char *) event->data.mapping_start.tag
                            : (const char *) event->data.sequence_start.tag;
  const yaml_char_t *anchor
      = mapping ? event->data.mapping_start.anchor : event->data.sequence_start.anchor;
  TagKind kind = classify_tag (tag);
  NodeInfo info = { 0 };
  Frame frame = { 0 };

  info.line = mark_number (event->start_mark.line);
  info.column = mark_number (event->start_mark.column);
  info.open = TRUE;

  if (builder_expects_key (b))
    {
      set_error_at (b, error, info.line, info.column, "mapping keys must be scalars, not %s",
                    mapping ? "mappings" : "sequences");
      return FALSE;
    }
  if (b->stack->len >= KS_YAML_MAX_DEPTH)
    {
      set_error_at (b, error, info.line, info.column, "nesting deeper than %d levels",
                    KS_YAML_MAX_DEPTH);
      return FALSE;
    }
  if (kind != TAG_NONE && kind != TAG_NONSPECIFIC && kind != (mapping ? TAG_MAP : TAG_SEQ))
    {
      g_autofree char *shown = tag_display (tag);

      if (kind == TAG_UNKNOWN)
        set_error_at (b, error, info.line, info.column,
                      "unsupported tag \"%s\" (a %s may only be tagged %s)", shown,
                      mapping ? "mapping" : "sequence", mapping ? "!!map" : "!!seq");
      else
        set_error_at (b, error, info.line, info.column, "tag %s cannot be used on a %s", shown,
                      mapping ? "mapping" : "sequence");
      return FALSE;
    }

  frame.mapping = mapping;
  frame.node = json_node_alloc ();
  if (mapping)
    {
      JsonObject *object = json_object_new ();

      json_node_init_object (frame.node, object);
      json_object_unref (object);
    }
  else
    {
      JsonArray *array = json_array_new ();

      json_node_init_array (frame.node, array);
      json_array_unref (array);
    }
  frame.info = source_add_info (b->source, frame.node, &info);
  builder_set_anchor (b, anchor, frame.node);
  g_array_append_val (b->stack, frame);
  return TRUE;
}

/* Copies the members of the mapping src that target lacks. */
static gboolean
builder_merge_from (Builder *b, JsonNode *target, guint depth, JsonNode *src, GError **error)
{
  JsonObject *object = json_node_get_object (target);
  NodeInfo *target_info = source_lookup (b->source, target);
  guint32 line = target_info->line, column = target_info->column;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  json_object_iter_init_ordered (&iter, json_node_get_object (src));
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      guint index;
      JsonNode *copy;

      if (json_object_has_member (object, name))
        continue;
      /* The copy keeps the key position it had in src. */
      copy = builder_copy_tree (b, child, depth + 1, line, column, &index, error);
      if (copy == NULL)
        return FALSE;
      json_object_set_member (object, name, copy);
      json_node_set_parent (copy, target);
    }
  return TRUE;
}

static gboolean
builder_close (Builder *b, GError **error)
{
  Frame *slot = &g_array_index (b->stack, Frame, b->stack->len - 1);
  Frame frame = *slot;
  guint depth = b->stack->len;

  /* The frame now belongs to this function: empty the slot so that its clear func is a no-op. */
  memset (slot, 0, sizeof *slot);
  g_array_set_size (b->stack, b->stack->len - 1);
  if (frame.merges != NULL)
    {
      /* Precedence: explicit keys (already there), then the last "<<" down to the first;
       * within a sequence, the first mapping down to the last. */
      for (guint i = frame.merges->len; i-- > 0;)
        {
          JsonNode *merge = g_ptr_array_index (frame.merges, i);
          gboolean ok = TRUE;

          if (JSON_NODE_HOLDS_OBJECT (merge))
            ok = builder_merge_from (b, frame.node, depth, merge, error);
          else
            {
              JsonArray *array = json_node_get_array (merge);
              guint n = json_array_get_length (array);

              for (guint j = 0; j < n && ok; j++)
                ok = builder_merge_from (b, frame.node, depth, json_array_get_element (array, j),
                                         error);
            }
          if (!ok)
            {
              frame_clear (&frame);
              return FALSE;
            }
        }
      g_clear_pointer (&frame.merges, g_ptr_array_unref);
    }
  g_clear_pointer (&frame.key, g_free); /* libyaml always pairs keys and values; be safe */
  source_info_at (b->source, frame.info)->open = FALSE;
  return builder_add (b, g_steal_pointer (&frame.node), frame.info, error);
}

static void
builder_end_document (Builder *b)
{
  g_hash_table_remove_all (b->anchors);
  for (guint i = 0; i < b->orphans->len; i++)
    source_forget_tree (b->source, g_ptr_array_index (b->orphans, i));
  g_ptr_array_set_size (b->orphans, 0);

  if (b->root == NULL)
    return;
  if (JSON_NODE_HOLDS_NULL (b->root))
    {
      /* Only comments, a lone "---", or an explicit null: nothing to decode. */
      source_forget_tree (b->source, b->root);
      g_clear_pointer (&b->root, json_node_unref);
    }
  else
    g_ptr_array_add (b->source->documents, g_steal_pointer (&b->root));
}

static gboolean
builder_event (Builder *b, const yaml_event_t *event, gboolean *done, GError **error)
{
  switch (event->type)
    {
    case YAML_STREAM_END_EVENT:
      *done = TRUE;
      return TRUE;
    case YAML_DOCUMENT_START_EVENT:
      g_assert_null (b->root);
      return TRUE;
    case YAML_DOCUMENT_END_EVENT:
      builder_end_document (b);
      return TRUE;
    case YAML_ALIAS_EVENT:
      return builder_alias (b, event, error);
    case YAML_SCALAR_EVENT:
      return builder_scalar (b, event, error);
    case YAML_SEQUENCE_START_EVENT:
      return builder_open (b, event, FALSE, error);
    case YAML_MAPPING_START_EVENT:
      return builder_open (b, event, TRUE, error);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return builder_close (b, error);
    case YAML_STREAM_START_EVENT:
    case YAML_NO_EVENT:
    default:
      return TRUE;
    }
}

static gboolean
builder_run (Builder *b, GError **error)
{
  gboolean done = FALSE;

  while (!done)
    {
      yaml_event_t event;
      gboolean ok;

      if (!yaml_parser_parse (&b->yaml, &event))
        {
          set_libyaml_error (b, error);
          return FALSE;
        }
      ok = builder_event (b, &event, &done, error);
      yaml_event_delete (&event);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* ---- public API ----------------------------------------------------------------------------- */

KsSource *
ks_source_new_from_data (const char *name, const char *data, gssize length, GError **error)
{
  KsSource *source;
  Builder b = { 0 };
  gboolean ok;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || length <= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize) strlen (data);

  source = source_new (name);
  b.source = source;
  b.data = data;
  b.length = (gsize) length;
  b.stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_array_set_clear_func (b.stack, (GDestroyNotify) frame_clear);
  b.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b.orphans = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  if (!yaml_parser_initialize (&b.yaml))
    g_error ("%s: could not initialize libyaml", G_STRFUNC);
  yaml_parser_set_input_string (&b.yaml, (const unsigned char *) data, (size_t) length);

  ok = builder_run (&b, error);

  yaml_parser_delete (&b.yaml);
  g_array_unref (b.stack);
  g_hash_table_unref (b.anchors);
  g_ptr_array_unref (b.orphans);
  g_clear_pointer (&b.root, json_node_unref);
  if (!ok)
    {
      ks_source_unref (source);
      return NULL;
    }
  return source;
}

/* strerror()'s words for a GFileError, so that I/O messages read "path: No such file or
 * directory" like other tools'. */
static const char *
file_error_text (const GError *error)
{
  static const struct
  {
    GFileError code;
    int errnum;
  } map[] = {
    { G_FILE_ERROR_EXIST, EEXIST }, { G_FILE_ERROR_ISDIR, EISDIR },
    { G_FILE_ERROR_ACCES, EACCES }, { G_FILE_ERROR_NAMETOOLONG, ENAMETOOLONG },
    { G_FILE_ERROR_NOENT, ENOENT }, { G_FILE_ERROR_NOTDIR, ENOTDIR },
    { G_FILE_ERROR_NXIO, ENXIO },   { G_FILE_ERROR_NODEV, ENODEV },
    { G_FILE_ERROR_ROFS, EROFS },   { G_FILE_ERROR_TXTBSY, ETXTBSY },
    { G_FILE_ERROR_FAULT, EFAULT }, { G_FILE_ERROR_LOOP, ELOOP },
    { G_FILE_ERROR_NOSPC, ENOSPC }, { G_FILE_ERROR_NOMEM, ENOMEM },
    { G_FILE_ERROR_MFILE, EMFILE }, { G_FILE_ERROR_NFILE, ENFILE },
    { G_FILE_ERROR_BADF, EBADF },   { G_FILE_ERROR_INVAL, EINVAL },
    { G_FILE_ERROR_PIPE, EPIPE },   { G_FILE_ERROR_AGAIN, EAGAIN },
    { G_FILE_ERROR_INTR, EINTR },   { G_FILE_ERROR_IO, EIO },
    { G_FILE_ERROR_PERM, EPERM },   { G_FILE_ERROR_NOSYS, ENOSYS },
  };

  if (error->domain == G_FILE_ERROR)
    for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
      if ((GFileError) error->code == map[i].code)
        return g_strerror (map[i].errnum);
  return error->message;
}

KsSource *
ks_source_new_from_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, KS_YAML_ERROR, KS_YAML_ERROR_IO, "%s: %s", path,
                   file_error_text (local_error));
      return NULL;
    }
  if (length > G_MAXSSIZE)
    {
      g_set_error (error, KS_YAML_ERROR, KS_YAML_ERROR_IO, "%s: %s", path, g_strerror (EFBIG));
      return NULL;
    }
  return ks_source_new_from_data (path, contents, (gssize) length, error);
}

KsSource *
ks_source_ref (KsSource *source)
{
  g_return_val_if_fail (source != NULL, NULL);

  g_atomic_ref_count_inc (&source->ref_count);
  return source;
}

void
ks_source_unref (KsSource *source)
{
  if (source == NULL)
    return;
  if (!g_atomic_ref_count_dec (&source->ref_count))
    return;
  g_ptr_array_unref (source->documents);
  g_hash_table_unref (source->nodes);
  g_array_unref (source->infos);
  g_string_chunk_free (source->texts);
  g_free (source->name);
  g_free (source);
}

const char *
ks_source_get_name (KsSource *source)
{
  g_return_val_if_fail (source != NULL, NULL);

  return source->name;
}

guint
ks_source_get_n_documents (KsSource *source)
{
  g_return_val_if_fail (source != NULL, 0);

  return source->documents->len;
}

JsonNode *
ks_source_get_document (KsSource *source, guint index)
{
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (index < source->documents->len, NULL);

  return g_ptr_array_index (source->documents, index);
}

static gboolean
set_position (guint32 l, guint32 c, guint *line, guint *column)
{
  if (line != NULL)
    *line = l;
  if (column != NULL)
    *column = c;
  return l != 0;
}

gboolean
ks_source_get_position (KsSource *source, JsonNode *node, guint *line, guint *column)
{
  NodeInfo *info;

  g_return_val_if_fail (source != NULL, set_position (0, 0, line, column));

  info = node != NULL ? source_lookup (source, node) : NULL;
  if (info == NULL)
    return set_position (0, 0, line, column);
  return set_position (info->line, info->column, line, column);
}

gboolean
ks_source_get_key_position (KsSource *source, JsonNode *object_node, const char *name, guint *line,
                            guint *column)
{
  JsonNode *member;
  NodeInfo *info;

  g_return_val_if_fail (source != NULL, set_position (0, 0, line, column));
  g_return_val_if_fail (name != NULL, set_position (0, 0, line, column));

  if (object_node == NULL || !JSON_NODE_HOLDS_OBJECT (object_node)
      || source_lookup (source, object_node) == NULL)
    return set_position (0, 0, line, column);
  member = json_object_get_member (json_node_get_object (object_node), name);
  info = member != NULL ? source_lookup (source, member) : NULL;
  if (info == NULL)
    return set_position (0, 0, line, column);
  return set_position (info->key_line, info->key_column, line, column);
}

const char *
ks_source_get_text (KsSource *source, JsonNode *node)
{
  g_return_val_if_fail (source != NULL, NULL);

  if (node == NULL)
    return NULL;
  return node_text (source, node);
}

/*
 * gossip_client.c - C client of the libgossip agent's HTTP API (see gossip_client.h).
 *
 * Requests use one libcurl easy handle per client (connections are kept alive); JSON is read and
 * written with jansson. The event stream runs on its own easy handle inside a curl multi handle so
 * that gossip_poll_event can wait for data with a bounded timeout.
 */
#define _POSIX_C_SOURCE 200809L

#include "gossip_client.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "gossip_internal.h"

#define DEFAULT_URL "http://127.0.0.1:8946"
#define DEFAULT_TIMEOUT_MS 30000L
/** Largest response body read into memory (the agent's biggest answers are member lists). */
#define MAX_RESPONSE (64u * 1024u * 1024u)
/** Largest single line of the query stream. */
#define MAX_QUERY_LINE (16u * 1024u * 1024u)
/** Extra time given to calls whose duration the agent bounds (leave, query). */
#define GRACE_MS 10000L

/* ---- errors ------------------------------------------------------------------------------- */

typedef struct {
    gossip_error_t pub;
    char code[48];
    char message[512];
} error_slot_t;

static void err_reset(error_slot_t *e) {
    e->pub.result = GOSSIP_OK;
    e->pub.http_status = 0;
    e->code[0] = '\0';
    e->message[0] = '\0';
    e->pub.code = e->code;
    e->pub.message = e->message;
}

static gossip_result_t err_set(error_slot_t *e, gossip_result_t r, int http_status, const char *code,
                               const char *fmt, ...) {
    va_list ap;
    e->pub.result = r;
    e->pub.http_status = http_status;
    snprintf(e->code, sizeof e->code, "%s", code != NULL ? code : "");
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->pub.code = e->code;
    e->pub.message = e->message;
    return r;
}

static gossip_result_t err_invalid(error_slot_t *e, const char *what) {
    return err_set(e, GOSSIP_ERR_INVALID_ARGUMENT, 0, "invalid_argument", "%s", what);
}

static gossip_result_t err_nomem(error_slot_t *e) {
    return err_set(e, GOSSIP_ERR_NO_MEMORY, 0, "no_memory", "out of memory");
}

const char *gossip_strerror(gossip_result_t result) {
    switch (result) {
    case GOSSIP_OK: return "ok";
    case GOSSIP_TIMEOUT: return "no event within the timeout";
    case GOSSIP_ERR_INVALID_ARGUMENT: return "invalid argument";
    case GOSSIP_ERR_NO_MEMORY: return "out of memory";
    case GOSSIP_ERR_TRANSPORT: return "cannot reach the agent";
    case GOSSIP_ERR_PROTOCOL: return "malformed answer from the agent";
    case GOSSIP_ERR_BAD_REQUEST: return "bad request";
    case GOSSIP_ERR_UNAUTHORIZED: return "unauthorized";
    case GOSSIP_ERR_NOT_FOUND: return "not found";
    case GOSSIP_ERR_CONFLICT: return "conflict";
    case GOSSIP_ERR_TOO_LARGE: return "payload too large";
    case GOSSIP_ERR_UNAVAILABLE: return "agent unavailable";
    case GOSSIP_ERR_TIMED_OUT: return "timed out";
    case GOSSIP_ERR_FAILED: return "the agent could not reach the node";
    case GOSSIP_ERR_API: return "error answer from the agent";
    case GOSSIP_ERR_CLOSED: return "event stream closed";
    }
    return "unknown result";
}

const char *gossip_status_name(gossip_status_t status) {
    switch (status) {
    case GOSSIP_STATUS_ONLINE: return "ONLINE";
    case GOSSIP_STATUS_SUSPECT: return "SUSPECT";
    case GOSSIP_STATUS_FAILED: return "FAILED";
    case GOSSIP_STATUS_LEFT: return "LEFT";
    case GOSSIP_STATUS_UNKNOWN: break;
    }
    return "UNKNOWN";
}

static gossip_status_t status_from_name(const char *s) {
    if (strcmp(s, "ONLINE") == 0) return GOSSIP_STATUS_ONLINE;
    if (strcmp(s, "SUSPECT") == 0) return GOSSIP_STATUS_SUSPECT;
    if (strcmp(s, "FAILED") == 0) return GOSSIP_STATUS_FAILED;
    if (strcmp(s, "LEFT") == 0) return GOSSIP_STATUS_LEFT;
    return GOSSIP_STATUS_UNKNOWN;
}

gossip_result_t gossip_result_for(const char *code, long http_status) {
    if (code != NULL) {
        if (strcmp(code, "bad_request") == 0) return GOSSIP_ERR_BAD_REQUEST;
        if (strcmp(code, "unauthorized") == 0) return GOSSIP_ERR_UNAUTHORIZED;
        if (strcmp(code, "not_found") == 0) return GOSSIP_ERR_NOT_FOUND;
        if (strcmp(code, "conflict") == 0) return GOSSIP_ERR_CONFLICT;
        if (strcmp(code, "payload_too_large") == 0) return GOSSIP_ERR_TOO_LARGE;
        if (strcmp(code, "not_ready") == 0 || strcmp(code, "unavailable") == 0)
            return GOSSIP_ERR_UNAVAILABLE;
        if (strcmp(code, "timeout") == 0) return GOSSIP_ERR_TIMED_OUT;
        if (strcmp(code, "send_failed") == 0 || strcmp(code, "join_failed") == 0)
            return GOSSIP_ERR_FAILED;
    }
    switch (http_status) {
    case 400: return GOSSIP_ERR_BAD_REQUEST;
    case 401: return GOSSIP_ERR_UNAUTHORIZED;
    case 404: return GOSSIP_ERR_NOT_FOUND;
    case 409: return GOSSIP_ERR_CONFLICT;
    case 413: return GOSSIP_ERR_TOO_LARGE;
    case 502: return GOSSIP_ERR_FAILED;
    case 503: return GOSSIP_ERR_UNAVAILABLE;
    case 504: return GOSSIP_ERR_TIMED_OUT;
    default: return GOSSIP_ERR_API;
    }
}

/* ---- small helpers ------------------------------------------------------------------------ */

/* s, or NULL when it is NULL or empty */
static const char *nonempty(const char *s) { return s != NULL && s[0] != '\0' ? s : NULL; }

static char *dup_str(const char *s) {
    size_t n;
    char *d;
    if (s == NULL) return NULL;
    n = strlen(s);
    d = malloc(n + 1);
    if (d != NULL) memcpy(d, s, n + 1);
    return d;
}

static char *dup_bytes(const void *p, size_t n) {
    char *d = malloc(n + 1);
    if (d == NULL) return NULL;
    if (n > 0) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

static void msgf(char *msg, size_t len, const char *fmt, ...) {
    va_list ap;
    if (msg == NULL || len == 0) return;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t limit;
    int overflow;
    int nomem;
} buf_t;

static int buf_append(buf_t *b, const char *p, size_t n) {
    if (b->len + n > b->limit) {
        b->overflow = 1;
        return -1;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 1024 : b->cap;
        char *d;
        while (cap < b->len + n + 1) cap *= 2;
        d = realloc(b->data, cap);
        if (d == NULL) {
            b->nomem = 1;
            return -1;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static void buf_free(buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- base64 ------------------------------------------------------------------------------ */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *gossip_base64_encode(const void *data, size_t len) {
    const unsigned char *in = data;
    size_t out_len, i, o = 0;
    char *out;
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3) return NULL;
    out_len = (len + 2) / 3 * 4;
    out = malloc(out_len + 1);
    if (out == NULL) return NULL;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = B64[v >> 6 & 63];
        out[o++] = B64[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len) v |= (unsigned)in[i + 1] << 8;
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < len ? B64[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int gossip_base64_decode(const char *text, unsigned char **out, size_t *out_len) {
    size_t n = strlen(text), i, o = 0, quads;
    unsigned char *d;
    unsigned acc = 0;
    int bits = 0;
    *out = NULL;
    *out_len = 0;
    /* padding only at the end, at most two '=' */
    while (n > 0 && text[n - 1] == '=') {
        n--;
        if (strlen(text) - n > 2) return -1;
    }
    if (n % 4 == 1) return -1;
    quads = (strlen(text) + 3) / 4;
    d = malloc(quads * 3 + 1);
    if (d == NULL) return -1;
    for (i = 0; i < n; i++) {
        int v = b64_value(text[i]);
        if (v < 0) {
            free(d);
            return -1;
        }
        acc = (acc << 6 | (unsigned)v) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            d[o++] = (unsigned char)(acc >> bits & 0xFF);
        }
    }
    d[o] = '\0';
    *out = d;
    *out_len = o;
    return 0;
}

/* ---- JSON reading ------------------------------------------------------------------------- */

static const char *json_str(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void gossip_member_clear(gossip_member_t *m) {
    size_t i;
    if (m == NULL) return;
    free(m->id);
    free(m->ip);
    free(m->address);
    free(m->status_name);
    for (i = 0; i < m->metadata_count; i++) {
        free(m->metadata_keys[i]);
        free(m->metadata_values[i]);
    }
    free(m->metadata_keys);
    free(m->metadata_values);
    memset(m, 0, sizeof *m);
}

gossip_result_t gossip_member_from_json(const json_t *o, gossip_member_t *m, char *msg,
                                        size_t msg_len) {
    const char *id, *status, *ip, *address;
    const json_t *meta, *v;
    memset(m, 0, sizeof *m);
    if (!json_is_object(o)) {
        msgf(msg, msg_len, "member is not a JSON object");
        return GOSSIP_ERR_PROTOCOL;
    }
    id = json_str(o, "id");
    status = json_str(o, "status");
    if (id == NULL || status == NULL) {
        msgf(msg, msg_len, "member without %s", id == NULL ? "\"id\"" : "\"status\"");
        return GOSSIP_ERR_PROTOCOL;
    }
    ip = json_str(o, "ip");
    address = json_str(o, "address");
    m->id = dup_str(id);
    m->status_name = dup_str(status);
    m->ip = dup_str(ip != NULL ? ip : "");
    m->address = dup_str(address != NULL ? address : "");
    if (m->id == NULL || m->status_name == NULL || m->ip == NULL || m->address == NULL) goto nomem;
    m->status = status_from_name(status);
    v = json_object_get(o, "port");
    if (json_is_integer(v)) m->port = (int)json_integer_value(v);
    v = json_object_get(o, "incarnation");
    if (json_is_integer(v)) m->incarnation = (uint64_t)json_integer_value(v);
    v = json_object_get(o, "metadata_version");
    if (json_is_integer(v)) m->metadata_version = (uint64_t)json_integer_value(v);
    m->is_self = json_is_true(json_object_get(o, "self"));
    meta = json_object_get(o, "metadata");
    if (json_is_object(meta) && json_object_size(meta) > 0) {
        size_t n = json_object_size(meta), i = 0;
        const char *key;
        const json_t *val;
        const char **keys = malloc(n * sizeof *keys);
        if (keys == NULL) goto nomem;
        json_object_foreach((json_t *)meta, key, val) {
            if (!json_is_string(val)) {
                free(keys);
                msgf(msg, msg_len, "member %s: metadata value of \"%s\" is not a string", id, key);
                gossip_member_clear(m);
                return GOSSIP_ERR_PROTOCOL;
            }
            keys[i++] = key;
        }
        qsort(keys, n, sizeof *keys, cmp_str);
        m->metadata_keys = calloc(n, sizeof *m->metadata_keys);
        m->metadata_values = calloc(n, sizeof *m->metadata_values);
        if (m->metadata_keys == NULL || m->metadata_values == NULL) {
            free(keys);
            goto nomem;
        }
        for (i = 0; i < n; i++) {
            m->metadata_keys[i] = dup_str(keys[i]);
            m->metadata_values[i] = dup_str(json_str(meta, keys[i]));
            m->metadata_count = i + 1;
            if (m->metadata_keys[i] == NULL || m->metadata_values[i] == NULL) {
                free(keys);
                goto nomem;
            }
        }
        free(keys);
    }
    return GOSSIP_OK;
nomem:
    gossip_member_clear(m);
    msgf(msg, msg_len, "out of memory");
    return GOSSIP_ERR_NO_MEMORY;
}

/** Reads an array of member objects into a new array. */
static gossip_result_t members_from_json(const json_t *arr, gossip_member_t **out, size_t *count,
                                         char *msg, size_t msg_len) {
    size_t n, i;
    gossip_member_t *ms;
    *out = NULL;
    *count = 0;
    if (!json_is_array(arr)) {
        msgf(msg, msg_len, "\"members\" is not an array");
        return GOSSIP_ERR_PROTOCOL;
    }
    n = json_array_size(arr);
    if (n == 0) return GOSSIP_OK;
    ms = calloc(n, sizeof *ms);
    if (ms == NULL) {
        msgf(msg, msg_len, "out of memory");
        return GOSSIP_ERR_NO_MEMORY;
    }
    for (i = 0; i < n; i++) {
        gossip_result_t r = gossip_member_from_json(json_array_get(arr, i), &ms[i], msg, msg_len);
        if (r != GOSSIP_OK) {
            gossip_members_free(ms, i);
            return r;
        }
    }
    *out = ms;
    *count = n;
    return GOSSIP_OK;
}

void gossip_members_free(gossip_member_t *members, size_t count) {
    size_t i;
    if (members == NULL) return;
    for (i = 0; i < count; i++) gossip_member_clear(&members[i]);
    free(members);
}

/** Reads payload_base64 (else payload) of obj. Absent: NULL/0. Returns 0, -1 bad, -2 no memory. */
static int payload_from_json(const json_t *obj, unsigned char **out, size_t *len) {
    const char *b64 = json_str(obj, "payload_base64");
    const char *text = json_str(obj, "payload");
    *out = NULL;
    *len = 0;
    if (b64 != NULL) return gossip_base64_decode(b64, out, len) == 0 ? 0 : -1;
    if (text != NULL) {
        size_t n = json_string_length(json_object_get(obj, "payload"));
        *out = (unsigned char *)dup_bytes(text, n);
        if (*out == NULL) return -2;
        *len = n;
    }
    return 0;
}

static void str_list_free(char **list, size_t n) {
    size_t i;
    if (list == NULL) return;
    for (i = 0; i < n; i++) free(list[i]);
    free(list);
}

/** Copies an array of strings (absent = empty). Returns 0, -1 not an array of strings, -2 no memory. */
static int str_list_from_json(const json_t *arr, char ***out, size_t *count) {
    size_t n, i;
    char **list;
    *out = NULL;
    *count = 0;
    if (arr == NULL || json_is_null(arr)) return 0;
    if (!json_is_array(arr)) return -1;
    n = json_array_size(arr);
    if (n == 0) return 0;
    list = calloc(n, sizeof *list);
    if (list == NULL) return -2;
    for (i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        if (!json_is_string(v)) {
            str_list_free(list, i);
            return -1;
        }
        list[i] = dup_str(json_string_value(v));
        if (list[i] == NULL) {
            str_list_free(list, i);
            return -2;
        }
    }
    *out = list;
    *count = n;
    return 0;
}

/* ---- events --------------------------------------------------------------------------------- */

void gossip_event_free(gossip_event_t *e) {
    if (e == NULL) return;
    free(e->type);
    free(e->data);
    gossip_members_free(e->member, e->member != NULL ? 1 : 0);
    free(e->previous_status);
    gossip_members_free(e->members, e->member_count);
    free(e->from);
    free(e->topic);
    free(e->key);
    free(e->query_id);
    free(e->name);
    free(e->payload);
    free(e);
}

/** Copies the string field key of obj into *dst; required fields must be present. */
static gossip_result_t event_str(const json_t *obj, const char *key, int required, char **dst,
                                 const char *type, char *msg, size_t msg_len) {
    const char *s = json_str(obj, key);
    if (s == NULL) {
        if (!required) return GOSSIP_OK;
        msgf(msg, msg_len, "event %s without \"%s\"", type, key);
        return GOSSIP_ERR_PROTOCOL;
    }
    *dst = dup_str(s);
    if (*dst == NULL) {
        msgf(msg, msg_len, "out of memory");
        return GOSSIP_ERR_NO_MEMORY;
    }
    return GOSSIP_OK;
}

static gossip_result_t one_member(const json_t *obj, gossip_member_t **dst, const char *type,
                                  const char *field, char *msg, size_t msg_len) {
    gossip_result_t r;
    const json_t *mj = json_object_get(obj, field);
    if (!json_is_object(mj)) {
        msgf(msg, msg_len, "event %s without a \"%s\" object", type, field);
        return GOSSIP_ERR_PROTOCOL;
    }
    *dst = calloc(1, sizeof **dst);
    if (*dst == NULL) {
        msgf(msg, msg_len, "out of memory");
        return GOSSIP_ERR_NO_MEMORY;
    }
    r = gossip_member_from_json(mj, *dst, msg, msg_len);
    if (r != GOSSIP_OK) {
        free(*dst);
        *dst = NULL;
    }
    return r;
}

gossip_result_t gossip_event_parse(const char *type, const char *data, gossip_event_t **out,
                                   char *msg, size_t msg_len) {
    gossip_event_t *e;
    json_t *root = NULL;
    gossip_result_t r = GOSSIP_OK;
    json_error_t jerr;
    *out = NULL;
    e = calloc(1, sizeof *e);
    if (e == NULL) {
        msgf(msg, msg_len, "out of memory");
        return GOSSIP_ERR_NO_MEMORY;
    }
    e->type = dup_str(type);
    e->data = dup_str(data);
    if (e->type == NULL || e->data == NULL) {
        r = GOSSIP_ERR_NO_MEMORY;
        msgf(msg, msg_len, "out of memory");
        goto done;
    }
    if (strcmp(type, "overflow") == 0) {
        e->kind = GOSSIP_EVENT_OVERFLOW;
        goto done;
    }
    root = json_loads(data, 0, &jerr);
    if (!json_is_object(root)) {
        msgf(msg, msg_len, "event %s: data is not a JSON object (%s)", type,
             root == NULL ? jerr.text : "other JSON value");
        r = GOSSIP_ERR_PROTOCOL;
        goto done;
    }
    if (strcmp(type, "snapshot") == 0) {
        e->kind = GOSSIP_EVENT_SNAPSHOT;
        r = one_member(root, &e->member, type, "self", msg, msg_len);
        if (r == GOSSIP_OK)
            r = members_from_json(json_object_get(root, "members"), &e->members, &e->member_count,
                                  msg, msg_len);
    } else if (strcmp(type, "broadcast") == 0 || strcmp(type, "message") == 0 ||
               strcmp(type, "query") == 0) {
        int pr;
        e->kind = type[0] == 'b' ? GOSSIP_EVENT_BROADCAST
                  : type[0] == 'm' ? GOSSIP_EVENT_MESSAGE
                                   : GOSSIP_EVENT_QUERY;
        r = event_str(root, "from", 1, &e->from, type, msg, msg_len);
        if (r == GOSSIP_OK && e->kind != GOSSIP_EVENT_QUERY)
            r = event_str(root, "topic", 1, &e->topic, type, msg, msg_len);
        if (r == GOSSIP_OK && e->kind == GOSSIP_EVENT_BROADCAST) {
            const json_t *seq = json_object_get(root, "seq");
            r = event_str(root, "key", 0, &e->key, type, msg, msg_len);
            if (json_is_integer(seq)) e->seq = (uint64_t)json_integer_value(seq);
        }
        if (r == GOSSIP_OK && e->kind == GOSSIP_EVENT_QUERY) {
            r = event_str(root, "query", 1, &e->query_id, type, msg, msg_len);
            if (r == GOSSIP_OK) r = event_str(root, "name", 1, &e->name, type, msg, msg_len);
        }
        if (r == GOSSIP_OK) {
            pr = payload_from_json(root, &e->payload, &e->payload_len);
            if (pr == -1) {
                msgf(msg, msg_len, "event %s: payload_base64 is not valid base64", type);
                r = GOSSIP_ERR_PROTOCOL;
            } else if (pr == -2) {
                msgf(msg, msg_len, "out of memory");
                r = GOSSIP_ERR_NO_MEMORY;
            }
        }
    } else if (json_is_object(json_object_get(root, "member"))) {
        const json_t *t = json_object_get(root, "time_ms");
        e->kind = GOSSIP_EVENT_MEMBER;
        r = one_member(root, &e->member, type, "member", msg, msg_len);
        if (r == GOSSIP_OK)
            r = event_str(root, "previous_status", 0, &e->previous_status, type, msg, msg_len);
        if (json_is_integer(t)) e->time_ms = (int64_t)json_integer_value(t);
    } else {
        e->kind = GOSSIP_EVENT_OTHER;
    }
done:
    json_decref(root);
    if (r != GOSSIP_OK) {
        gossip_event_free(e);
        return r;
    }
    *out = e;
    return GOSSIP_OK;
}

/* ---- server-sent events parser ----------------------------------------------------------- */

void gossip_sse_event_free(gossip_sse_event_t *e) {
    if (e == NULL) return;
    free(e->type);
    free(e->data);
    free(e);
}

void gossip_sse_parser_clear(gossip_sse_parser_t *p) {
    gossip_sse_event_t *e = p->head;
    while (e != NULL) {
        gossip_sse_event_t *next = e->next;
        gossip_sse_event_free(e);
        e = next;
    }
    free(p->line);
    free(p->type);
    free(p->data);
    memset(p, 0, sizeof *p);
}

gossip_sse_event_t *gossip_sse_pop(gossip_sse_parser_t *p) {
    gossip_sse_event_t *e = p->head;
    if (e == NULL) return NULL;
    p->head = e->next;
    if (p->head == NULL) p->tail = NULL;
    p->queued--;
    e->next = NULL;
    return e;
}

static int grow(char **buf, size_t *cap, size_t need) {
    size_t c;
    char *d;
    if (need <= *cap) return 0;
    if (need > GOSSIP_SSE_MAX_EVENT + 2) return -1;
    c = *cap == 0 ? 256 : *cap;
    while (c < need) c *= 2;
    if (c > GOSSIP_SSE_MAX_EVENT + 2) c = GOSSIP_SSE_MAX_EVENT + 2;
    d = realloc(*buf, c);
    if (d == NULL) return -1;
    *buf = d;
    *cap = c;
    return 0;
}

static int sse_dispatch(gossip_sse_parser_t *p) {
    gossip_sse_event_t *e;
    if (!p->has_data && p->type == NULL) return 0;
    e = calloc(1, sizeof *e);
    if (e == NULL) return -1;
    e->type = p->type != NULL ? p->type : dup_str("message");
    p->type = NULL;
    /* the data buffer ends with the '\n' of its last line, which is not part of the data */
    e->data = dup_bytes(p->data != NULL ? p->data : "", p->data_len > 0 ? p->data_len - 1 : 0);
    p->data_len = 0;
    p->has_data = 0;
    if (e->type == NULL || e->data == NULL) {
        gossip_sse_event_free(e);
        return -1;
    }
    if (p->tail != NULL)
        p->tail->next = e;
    else
        p->head = e;
    p->tail = e;
    p->queued++;
    return 0;
}

static int sse_line(gossip_sse_parser_t *p, const char *line, size_t len) {
    const char *colon, *value;
    size_t name_len, value_len;
    if (len == 0) return sse_dispatch(p);
    if (line[0] == ':') return 0; /* comment, e.g. the keepalive */
    colon = memchr(line, ':', len);
    name_len = colon != NULL ? (size_t)(colon - line) : len;
    value = colon != NULL ? colon + 1 : line + len;
    value_len = len - (size_t)(value - line);
    if (value_len > 0 && value[0] == ' ') {
        value++;
        value_len--;
    }
    if (name_len == 5 && memcmp(line, "event", 5) == 0) {
        free(p->type);
        p->type = dup_bytes(value, value_len);
        return p->type == NULL ? -1 : 0;
    }
    if (name_len == 4 && memcmp(line, "data", 4) == 0) {
        if (p->data_len + value_len + 1 > GOSSIP_SSE_MAX_EVENT) return -1;
        if (grow(&p->data, &p->data_cap, p->data_len + value_len + 2) != 0) return -1;
        memcpy(p->data + p->data_len, value, value_len);
        p->data_len += value_len;
        p->data[p->data_len++] = '\n';
        p->has_data = 1;
        return 0;
    }
    return 0; /* id, retry and unknown fields are ignored */
}

int gossip_sse_feed(gossip_sse_parser_t *p, const char *bytes, size_t len) {
    size_t i;
    if (p->failed) return -1;
    for (i = 0; i < len; i++) {
        char c = bytes[i];
        if (c == '\n' && p->last_was_cr) {
            p->last_was_cr = 0;
            continue;
        }
        p->last_was_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            if (sse_line(p, p->line != NULL ? p->line : "", p->line_len) != 0) {
                p->failed = 1;
                return -1;
            }
            p->line_len = 0;
            continue;
        }
        if (p->line_len + 1 >= p->line_cap &&
            grow(&p->line, &p->line_cap, p->line_len + 2) != 0) {
            p->failed = 1;
            return -1;
        }
        p->line[p->line_len++] = c;
    }
    return 0;
}

/* ---- the client ------------------------------------------------------------------------------ */

struct gossip_client {
    char *url;   /* without a trailing '/' */
    char *token; /* NULL when none */
    char *ca_file;   /* HTTPS: CA certificates (PEM), NULL for libcurl's default */
    char *cert_file; /* HTTPS: client certificate chain (PEM), NULL for none */
    char *key_file;  /* HTTPS: the client certificate's key (PEM) */
    CURL *easy;
    long timeout_ms;
    error_slot_t err;
    char curl_err[CURL_ERROR_SIZE];
};

gossip_client_t *gossip_client_create(const char *url, const char *token) {
    gossip_client_t *c;
    size_t n;
    if (url == NULL) url = getenv("GOSSIP_HTTP_ADDR");
    if (url == NULL || url[0] == '\0') url = DEFAULT_URL;
    if (token == NULL) token = getenv("GOSSIP_HTTP_TOKEN");
    if (token != NULL && token[0] == '\0') token = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        curl_global_cleanup();
        return NULL;
    }
    c->url = dup_str(url);
    c->token = token != NULL ? dup_str(token) : NULL;
    c->easy = curl_easy_init();
    if (c->url == NULL || (token != NULL && c->token == NULL) || c->easy == NULL) {
        gossip_client_destroy(c);
        return NULL;
    }
    n = strlen(c->url);
    while (n > 0 && c->url[n - 1] == '/') c->url[--n] = '\0';
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    err_reset(&c->err);
    if (gossip_client_set_tls(c, nonempty(getenv("GOSSIP_HTTP_CA")),
                              nonempty(getenv("GOSSIP_HTTP_CLIENT_CERT")),
                              nonempty(getenv("GOSSIP_HTTP_CLIENT_KEY"))) == GOSSIP_ERR_NO_MEMORY) {
        gossip_client_destroy(c);
        return NULL;
    }
    return c; /* a half-given client certificate shows in gossip_last_error */
}

gossip_result_t gossip_client_set_tls(gossip_client_t *c, const char *ca_file,
                                      const char *cert_file, const char *key_file) {
    char *ca = NULL, *cert = NULL, *key = NULL;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if ((cert_file == NULL) != (key_file == NULL))
        return err_invalid(&c->err, "a client certificate needs both cert_file and key_file");
    if ((ca_file != NULL && (ca = dup_str(ca_file)) == NULL) ||
        (cert_file != NULL && (cert = dup_str(cert_file)) == NULL) ||
        (key_file != NULL && (key = dup_str(key_file)) == NULL)) {
        free(ca);
        free(cert);
        free(key);
        return err_nomem(&c->err);
    }
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    c->ca_file = ca;
    c->cert_file = cert;
    c->key_file = key;
    return GOSSIP_OK;
}

/* The client's HTTPS settings on one handle (libcurl copies the strings). */
static void apply_tls(const gossip_client_t *c, CURL *h) {
    if (c->ca_file != NULL) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->cert_file != NULL) curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
    if (c->key_file != NULL) curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
}

void gossip_client_destroy(gossip_client_t *c) {
    if (c == NULL) return;
    if (c->easy != NULL) curl_easy_cleanup(c->easy);
    free(c->url);
    free(c->token);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    free(c);
    curl_global_cleanup();
}

void gossip_client_set_timeout(gossip_client_t *c, long timeout_ms) {
    if (c != NULL) c->timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
}

const gossip_error_t *gossip_last_error(const gossip_client_t *c) { return &c->err.pub; }

static struct curl_slist *make_headers(const char *token, int json_body, const char *accept) {
    struct curl_slist *h = NULL, *t;
    char auth[1024];
    if (token != NULL) {
        if (strlen(token) > sizeof auth - 32) return NULL;
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
        if (h == NULL) return NULL;
    }
    if (json_body) {
        t = curl_slist_append(h, "Content-Type: application/json");
        if (t == NULL) goto fail;
        h = t;
    }
    t = curl_slist_append(h, accept);
    if (t == NULL) goto fail;
    h = t;
    t = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (t == NULL) goto fail;
    return t;
fail:
    curl_slist_free_all(h);
    return NULL;
}

/** Builds base + path (the caller escaped what needs escaping). */
static char *make_url(const char *base, const char *path) {
    size_t a = strlen(base), b = strlen(path);
    char *u = malloc(a + b + 1);
    if (u == NULL) return NULL;
    memcpy(u, base, a);
    memcpy(u + a, path, b + 1);
    return u;
}

/** Turns a non-2xx answer into the client's error. */
static gossip_result_t api_error(error_slot_t *err, long status, const char *body, size_t len) {
    json_error_t jerr;
    json_t *root = body != NULL ? json_loadb(body, len, 0, &jerr) : NULL;
    const char *code = root != NULL ? json_str(root, "code") : NULL;
    const char *message = root != NULL ? json_str(root, "message") : NULL;
    gossip_result_t r = gossip_result_for(code, status);
    char fallback[32];
    if (code == NULL) {
        snprintf(fallback, sizeof fallback, "http_%ld", status);
        code = fallback;
    }
    if (message != NULL)
        err_set(err, r, (int)status, code, "%s", message);
    else
        err_set(err, r, (int)status, code, "the agent answered HTTP %ld: %.200s", status,
                body != NULL ? body : "");
    json_decref(root);
    return r;
}

static size_t write_buf(char *ptr, size_t size, size_t nmemb, void *ud) {
    buf_t *b = ud;
    size_t n = size * nmemb;
    return buf_append(b, ptr, n) == 0 ? n : 0;
}

static gossip_result_t transport_error(error_slot_t *err, CURLcode rc, const char *detail,
                                       const char *url) {
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return err_set(err, GOSSIP_ERR_TIMED_OUT, 0, "timeout", "no answer from the agent at %s: %s",
                       url, detail[0] != '\0' ? detail : curl_easy_strerror(rc));
    return err_set(err, GOSSIP_ERR_TRANSPORT, 0, "transport", "cannot reach the agent at %s: %s",
                   url, detail[0] != '\0' ? detail : curl_easy_strerror(rc));
}

typedef size_t (*write_fn)(char *, size_t, size_t, void *);

/** Sets up the client's easy handle for one request; returns the header list to free. */
static gossip_result_t prepare(gossip_client_t *c, const char *method, const char *url,
                               const char *body, long timeout_ms, const char *accept,
                               write_fn fn, void *ud, struct curl_slist **headers) {
    CURL *h = c->easy;
    curl_easy_reset(h);
    *headers = make_headers(c->token, body != NULL, accept);
    if (*headers == NULL) return err_nomem(&c->err);
    c->curl_err[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "libgossip-c/1.0");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms > 0 && timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, ud);
    apply_tls(c, h);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body != NULL ? strlen(body) : 0));
        if (strcmp(method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    return GOSSIP_OK;
}

/**
 * One request/response exchange. body (may be NULL) is borrowed. On GOSSIP_OK, *out (when not
 * NULL) holds the answer's JSON object, and *raw (when not NULL) its text.
 */
static gossip_result_t request(gossip_client_t *c, const char *method, const char *path,
                               json_t *body, long timeout_ms, json_t **out, char **raw) {
    char *url = NULL, *text = NULL;
    struct curl_slist *headers = NULL;
    buf_t resp;
    CURLcode rc;
    long status = 0;
    gossip_result_t r;
    json_error_t jerr;
    json_t *root;
    memset(&resp, 0, sizeof resp);
    resp.limit = MAX_RESPONSE;
    err_reset(&c->err);
    if (out != NULL) *out = NULL;
    if (raw != NULL) *raw = NULL;
    url = make_url(c->url, path);
    if (url == NULL) return err_nomem(&c->err);
    if (body != NULL) {
        text = json_dumps(body, JSON_COMPACT);
        if (text == NULL) {
            free(url);
            return err_nomem(&c->err);
        }
    }
    r = prepare(c, method, url, text, timeout_ms, "Accept: application/json", write_buf, &resp,
                &headers);
    if (r != GOSSIP_OK) goto done;
    rc = curl_easy_perform(c->easy);
    if (rc != CURLE_OK) {
        if (resp.nomem)
            r = err_nomem(&c->err);
        else if (resp.overflow)
            r = err_set(&c->err, GOSSIP_ERR_PROTOCOL, 0, "protocol",
                        "the agent's answer exceeds %u bytes", MAX_RESPONSE);
        else
            r = transport_error(&c->err, rc, c->curl_err, c->url);
        goto done;
    }
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        r = api_error(&c->err, status, resp.data, resp.len);
        goto done;
    }
    if (out != NULL) {
        root = resp.data != NULL ? json_loadb(resp.data, resp.len, 0, &jerr) : NULL;
        if (!json_is_object(root)) {
            json_decref(root);
            r = err_set(&c->err, GOSSIP_ERR_PROTOCOL, (int)status, "protocol",
                        "%s %s: the agent's answer is not a JSON object", method, path);
            goto done;
        }
        *out = root;
    }
    if (raw != NULL) {
        *raw = resp.data != NULL ? resp.data : dup_str("");
        if (*raw == NULL) {
            r = err_nomem(&c->err);
            goto done;
        }
        resp.data = NULL;
    }
done:
    if (r != GOSSIP_OK && out != NULL && *out != NULL) {
        json_decref(*out);
        *out = NULL;
    }
    curl_slist_free_all(headers);
    buf_free(&resp);
    free(text);
    free(url);
    return r;
}

/** "/prefix" + escaped(segment). */
static char *path_with(gossip_client_t *c, const char *prefix, const char *segment) {
    char *esc = curl_easy_escape(c->easy, segment, 0);
    char *p;
    size_t a, b;
    if (esc == NULL) return NULL;
    a = strlen(prefix);
    b = strlen(esc);
    p = malloc(a + b + 1);
    if (p != NULL) {
        memcpy(p, prefix, a);
        memcpy(p + a, esc, b + 1);
    }
    curl_free(esc);
    return p;
}

static int set_string(json_t *obj, const char *key, const char *value) {
    json_t *s = json_string(value);
    if (s == NULL) return -1; /* not UTF-8 (or no memory) */
    return json_object_set_new(obj, key, s);
}

static int set_payload(json_t *obj, const void *payload, size_t len) {
    char *b64 = gossip_base64_encode(payload, payload != NULL ? len : 0);
    int rc;
    if (b64 == NULL) return -1;
    rc = json_object_set_new(obj, "payload_base64", json_string(b64));
    free(b64);
    return rc;
}

/* ---- membership ------------------------------------------------------------------------------ */

gossip_result_t gossip_members(gossip_client_t *c, const gossip_member_filter_t *filter,
                               gossip_member_t **members, size_t *count) {
    buf_t path;
    json_t *root = NULL;
    gossip_result_t r;
    char msg[256];
    size_t i;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (members == NULL || count == NULL)
        return err_invalid(&c->err, "gossip_members: members and count must not be NULL");
    *members = NULL;
    *count = 0;
    memset(&path, 0, sizeof path);
    path.limit = 1u << 20;
    if (buf_append(&path, "/v1/members", 11) != 0) return err_nomem(&c->err);
    if (filter != NULL) {
        char sep = '?';
        if (filter->meta_count > 0 && (filter->meta_keys == NULL || filter->meta_patterns == NULL)) {
            buf_free(&path);
            return err_invalid(&c->err, "gossip_members: meta_keys/meta_patterns are NULL");
        }
        for (i = 0; i < filter->meta_count + (filter->status != NULL ? 1 : 0); i++) {
            int is_status = filter->status != NULL && i == filter->meta_count;
            const char *k = is_status ? "status" : filter->meta_keys[i];
            const char *v = is_status ? filter->status : filter->meta_patterns[i];
            char *ek, *ev;
            int bad;
            if (k == NULL || v == NULL) {
                buf_free(&path);
                return err_invalid(&c->err, "gossip_members: a filter key or pattern is NULL");
            }
            ek = curl_easy_escape(c->easy, k, 0);
            ev = curl_easy_escape(c->easy, v, 0);
            bad = ek == NULL || ev == NULL || buf_append(&path, &sep, 1) != 0 ||
                  (!is_status && buf_append(&path, "meta.", 5) != 0) ||
                  buf_append(&path, ek, strlen(ek)) != 0 || buf_append(&path, "=", 1) != 0 ||
                  buf_append(&path, ev, strlen(ev)) != 0;
            curl_free(ek);
            curl_free(ev);
            if (bad) {
                buf_free(&path);
                return err_nomem(&c->err);
            }
            sep = '&';
        }
    }
    r = request(c, "GET", path.data, NULL, c->timeout_ms, &root, NULL);
    buf_free(&path);
    if (r != GOSSIP_OK) return r;
    r = members_from_json(json_object_get(root, "members"), members, count, msg, sizeof msg);
    json_decref(root);
    if (r != GOSSIP_OK) return err_set(&c->err, r, 200, r == GOSSIP_ERR_NO_MEMORY ? "no_memory" : "protocol", "%s", msg);
    return GOSSIP_OK;
}

/** Reads a member answer (self, metadata changes) into *out when out is not NULL. */
static gossip_result_t member_answer(gossip_client_t *c, json_t *root, gossip_member_t **out) {
    gossip_member_t *m;
    gossip_result_t r;
    char msg[256];
    if (out == NULL) return GOSSIP_OK;
    m = calloc(1, sizeof *m);
    if (m == NULL) return err_nomem(&c->err);
    r = gossip_member_from_json(root, m, msg, sizeof msg);
    if (r != GOSSIP_OK) {
        free(m);
        return err_set(&c->err, r, 200, r == GOSSIP_ERR_NO_MEMORY ? "no_memory" : "protocol", "%s", msg);
    }
    *out = m;
    return GOSSIP_OK;
}

gossip_result_t gossip_self(gossip_client_t *c, gossip_member_t **self) {
    json_t *root;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (self == NULL) return err_invalid(&c->err, "gossip_self: self must not be NULL");
    *self = NULL;
    r = request(c, "GET", "/v1/self", NULL, c->timeout_ms, &root, NULL);
    if (r != GOSSIP_OK) return r;
    r = member_answer(c, root, self);
    json_decref(root);
    return r;
}

gossip_result_t gossip_join(gossip_client_t *c, const char *const *seeds, size_t seed_count,
                            int *members) {
    json_t *body, *arr, *root = NULL;
    gossip_result_t r;
    size_t i;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (seeds == NULL || seed_count == 0)
        return err_invalid(&c->err, "gossip_join: give at least one seed (\"host:port\")");
    body = json_object();
    arr = json_array();
    if (body == NULL || arr == NULL || json_object_set_new(body, "seeds", arr) != 0) {
        json_decref(body);
        return err_nomem(&c->err);
    }
    for (i = 0; i < seed_count; i++) {
        json_t *s = seeds[i] != NULL ? json_string(seeds[i]) : NULL;
        if (s == NULL || json_array_append_new(arr, s) != 0) {
            json_decref(body);
            return err_invalid(&c->err, "gossip_join: a seed is NULL or not UTF-8");
        }
    }
    r = request(c, "POST", "/v1/join", body, c->timeout_ms, &root, NULL);
    json_decref(body);
    if (r != GOSSIP_OK) return r;
    if (members != NULL) {
        const json_t *n = json_object_get(root, "members");
        *members = json_is_integer(n) ? (int)json_integer_value(n) : 0;
    }
    json_decref(root);
    return GOSSIP_OK;
}

gossip_result_t gossip_leave(gossip_client_t *c, long timeout_ms) {
    json_t *body;
    gossip_result_t r;
    long budget;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (timeout_ms < 0) return err_invalid(&c->err, "gossip_leave: timeout_ms must be >= 0");
    body = json_object();
    if (body == NULL) return err_nomem(&c->err);
    if (timeout_ms > 0 && json_object_set_new(body, "timeout_ms", json_integer(timeout_ms)) != 0) {
        json_decref(body);
        return err_nomem(&c->err);
    }
    budget = c->timeout_ms == 0 ? 0 : (timeout_ms > 0 ? timeout_ms : 5000L) + GRACE_MS;
    r = request(c, "POST", "/v1/leave", body, budget, NULL, NULL);
    json_decref(body);
    return r;
}

gossip_result_t gossip_force_leave(gossip_client_t *c, const char *id) {
    char *path;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (id == NULL || id[0] == '\0') return err_invalid(&c->err, "gossip_force_leave: id is empty");
    path = path_with(c, "/v1/force-leave/", id);
    if (path == NULL) return err_nomem(&c->err);
    r = request(c, "POST", path, NULL, c->timeout_ms, NULL, NULL);
    free(path);
    return r;
}

/* ---- metadata -------------------------------------------------------------------------------- */

gossip_result_t gossip_set_metadata(gossip_client_t *c, const char *const *keys,
                                    const char *const *values, size_t count) {
    json_t *body, *meta;
    gossip_result_t r;
    size_t i;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (count == 0 || keys == NULL || values == NULL)
        return err_invalid(&c->err, "gossip_set_metadata: give at least one key and value");
    body = json_object();
    meta = json_object();
    if (body == NULL || meta == NULL || json_object_set_new(body, "metadata", meta) != 0) {
        json_decref(body);
        return err_nomem(&c->err);
    }
    for (i = 0; i < count; i++) {
        if (keys[i] == NULL || values[i] == NULL || set_string(meta, keys[i], values[i]) != 0) {
            json_decref(body);
            return err_invalid(&c->err,
                               "gossip_set_metadata: a key or value is NULL or not UTF-8");
        }
    }
    r = request(c, "PUT", "/v1/metadata", body, c->timeout_ms, NULL, NULL);
    json_decref(body);
    return r;
}

gossip_result_t gossip_delete_metadata(gossip_client_t *c, const char *key) {
    char *path;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (key == NULL || key[0] == '\0')
        return err_invalid(&c->err, "gossip_delete_metadata: key is empty");
    path = path_with(c, "/v1/metadata/", key);
    if (path == NULL) return err_nomem(&c->err);
    r = request(c, "DELETE", path, NULL, c->timeout_ms, NULL, NULL);
    free(path);
    return r;
}

/* ---- user messages ------------------------------------------------------------------------- */

gossip_result_t gossip_broadcast(gossip_client_t *c, const char *topic, const void *payload,
                                 size_t payload_len, const char *key, uint64_t *seq) {
    json_t *body, *root = NULL;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (topic == NULL) return err_invalid(&c->err, "gossip_broadcast: topic is NULL");
    if (payload == NULL && payload_len > 0)
        return err_invalid(&c->err, "gossip_broadcast: payload is NULL but payload_len > 0");
    body = json_object();
    if (body == NULL) return err_nomem(&c->err);
    if (set_string(body, "topic", topic) != 0 || set_payload(body, payload, payload_len) != 0 ||
        (key != NULL && set_string(body, "key", key) != 0)) {
        json_decref(body);
        return err_invalid(&c->err, "gossip_broadcast: topic or key is not UTF-8");
    }
    r = request(c, "POST", "/v1/broadcast", body, c->timeout_ms, &root, NULL);
    json_decref(body);
    if (r != GOSSIP_OK) return r;
    if (seq != NULL) {
        const json_t *s = json_object_get(root, "seq");
        *seq = json_is_integer(s) ? (uint64_t)json_integer_value(s) : 0;
    }
    json_decref(root);
    return GOSSIP_OK;
}

gossip_result_t gossip_send(gossip_client_t *c, const char *to, const char *topic,
                            const void *payload, size_t payload_len, int reliable) {
    json_t *body;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (to == NULL || topic == NULL) return err_invalid(&c->err, "gossip_send: to or topic is NULL");
    if (payload == NULL && payload_len > 0)
        return err_invalid(&c->err, "gossip_send: payload is NULL but payload_len > 0");
    body = json_object();
    if (body == NULL) return err_nomem(&c->err);
    if (set_string(body, "to", to) != 0 || set_string(body, "topic", topic) != 0 ||
        set_payload(body, payload, payload_len) != 0 ||
        json_object_set_new(body, "reliable", json_boolean(reliable)) != 0) {
        json_decref(body);
        return err_invalid(&c->err, "gossip_send: to or topic is not UTF-8");
    }
    r = request(c, "POST", "/v1/send", body, c->timeout_ms, NULL, NULL);
    json_decref(body);
    return r;
}

gossip_result_t gossip_respond(gossip_client_t *c, const char *query_id, const void *payload,
                               size_t payload_len) {
    json_t *body;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (query_id == NULL) return err_invalid(&c->err, "gossip_respond: query_id is NULL");
    if (payload == NULL && payload_len > 0)
        return err_invalid(&c->err, "gossip_respond: payload is NULL but payload_len > 0");
    body = json_object();
    if (body == NULL) return err_nomem(&c->err);
    if (set_string(body, "query", query_id) != 0 || set_payload(body, payload, payload_len) != 0) {
        json_decref(body);
        return err_invalid(&c->err, "gossip_respond: query_id is not UTF-8");
    }
    r = request(c, "POST", "/v1/respond", body, c->timeout_ms, NULL, NULL);
    json_decref(body);
    return r;
}

/* ---- stats ----------------------------------------------------------------------------------- */

gossip_result_t gossip_stats(gossip_client_t *c, char **json) {
    json_t *root = NULL;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (json == NULL) return err_invalid(&c->err, "gossip_stats: json must not be NULL");
    /* parse too, so that a malformed answer is reported as such */
    r = request(c, "GET", "/v1/stats", NULL, c->timeout_ms, &root, json);
    json_decref(root);
    return r;
}

void gossip_string_free(char *s) { free(s); }

/* ---- queries ------------------------------------------------------------------------------- */

void gossip_query_result_free(gossip_query_result_t *q) {
    size_t i;
    if (q == NULL) return;
    for (i = 0; i < q->response_count; i++) {
        free(q->responses[i].from);
        free(q->responses[i].payload);
    }
    free(q->responses);
    str_list_free(q->targeted, q->targeted_count);
    str_list_free(q->acked, q->acked_count);
    str_list_free(q->responded, q->responded_count);
    str_list_free(q->departed, q->departed_count);
    free(q);
}

gossip_result_t gossip_query_line(const char *line, size_t len, gossip_query_result_t *q,
                                  gossip_query_callback_t cb, void *user, int *done, int *stop,
                                  char *msg, size_t msg_len) {
    json_error_t jerr;
    json_t *root;
    const char *type, *from;
    gossip_result_t r = GOSSIP_OK;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    if (len == 0) return GOSSIP_OK;
    root = json_loadb(line, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        msgf(msg, msg_len, "query stream: a line is not a JSON object (%s)",
             root == NULL ? jerr.text : "other JSON value");
        return GOSSIP_ERR_PROTOCOL;
    }
    type = json_str(root, "type");
    from = json_str(root, "from");
    if (type == NULL) {
        msgf(msg, msg_len, "query stream: a line without \"type\"");
        r = GOSSIP_ERR_PROTOCOL;
    } else if (strcmp(type, "ack") == 0 || strcmp(type, "response") == 0) {
        int is_response = type[0] == 'r';
        unsigned char *payload = NULL;
        size_t payload_len = 0;
        if (from == NULL) {
            msgf(msg, msg_len, "query stream: %s without \"from\"", type);
            r = GOSSIP_ERR_PROTOCOL;
        } else if (is_response) {
            int pr = payload_from_json(root, &payload, &payload_len);
            gossip_query_response_t *grown;
            if (pr != 0) {
                msgf(msg, msg_len, pr == -1 ? "query stream: response with invalid base64"
                                            : "out of memory");
                r = pr == -1 ? GOSSIP_ERR_PROTOCOL : GOSSIP_ERR_NO_MEMORY;
            } else if ((grown = realloc(q->responses,
                                        (q->response_count + 1) * sizeof *grown)) == NULL) {
                free(payload);
                msgf(msg, msg_len, "out of memory");
                r = GOSSIP_ERR_NO_MEMORY;
            } else {
                q->responses = grown;
                grown[q->response_count].from = dup_str(from);
                grown[q->response_count].payload = payload;
                grown[q->response_count].payload_len = payload_len;
                if (grown[q->response_count].from == NULL) {
                    free(payload);
                    msgf(msg, msg_len, "out of memory");
                    r = GOSSIP_ERR_NO_MEMORY;
                } else {
                    q->response_count++;
                }
            }
        }
        if (r == GOSSIP_OK && cb != NULL &&
            cb(user, is_response ? GOSSIP_QUERY_RESPONSE : GOSSIP_QUERY_ACK, from,
               is_response ? q->responses[q->response_count - 1].payload : NULL,
               is_response ? q->responses[q->response_count - 1].payload_len : 0) != 0)
            *stop = 1;
    } else if (strcmp(type, "done") == 0) {
        int rc = str_list_from_json(json_object_get(root, "targeted"), &q->targeted,
                                    &q->targeted_count);
        if (rc == 0)
            rc = str_list_from_json(json_object_get(root, "acked"), &q->acked, &q->acked_count);
        if (rc == 0)
            rc = str_list_from_json(json_object_get(root, "responded"), &q->responded,
                                    &q->responded_count);
        if (rc == 0)
            rc = str_list_from_json(json_object_get(root, "departed"), &q->departed,
                                    &q->departed_count);
        q->timed_out = json_is_true(json_object_get(root, "timed_out"));
        if (rc != 0) {
            msgf(msg, msg_len, rc == -1 ? "query stream: done line with a malformed id list"
                                        : "out of memory");
            r = rc == -1 ? GOSSIP_ERR_PROTOCOL : GOSSIP_ERR_NO_MEMORY;
        }
        *done = 1;
    } /* other line types are ignored (forward compatible) */
    json_decref(root);
    return r;
}

typedef struct {
    gossip_client_t *client;
    gossip_query_result_t *result;
    gossip_query_callback_t cb;
    void *user;
    buf_t line;  /* partial line */
    buf_t error; /* body of an error answer */
    int done;
    int stop;
    gossip_result_t failure;
    char msg[256];
} query_ctx_t;

static size_t query_write(char *ptr, size_t size, size_t nmemb, void *ud) {
    query_ctx_t *x = ud;
    size_t n = size * nmemb, i, start = 0;
    long status = 0;
    curl_easy_getinfo(x->client->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) return buf_append(&x->error, ptr, n) == 0 ? n : 0;
    if (x->done || x->stop) return n;
    for (i = 0; i < n; i++) {
        if (ptr[i] != '\n') continue;
        if (buf_append(&x->line, ptr + start, i - start) != 0) break;
        x->failure = gossip_query_line(x->line.data != NULL ? x->line.data : "", x->line.len,
                                       x->result, x->cb, x->user, &x->done, &x->stop, x->msg,
                                       sizeof x->msg);
        x->line.len = 0;
        start = i + 1;
        if (x->failure != GOSSIP_OK) return 0;
        if (x->stop) return 0; /* aborts the transfer */
        if (x->done) return n;
    }
    if (i < n) { /* a line too long or no memory */
        x->failure = x->line.nomem ? GOSSIP_ERR_NO_MEMORY : GOSSIP_ERR_PROTOCOL;
        msgf(x->msg, sizeof x->msg, x->line.nomem ? "out of memory"
                                                  : "query stream: a line exceeds the limit");
        return 0;
    }
    if (start < n && buf_append(&x->line, ptr + start, n - start) != 0) {
        x->failure = x->line.nomem ? GOSSIP_ERR_NO_MEMORY : GOSSIP_ERR_PROTOCOL;
        msgf(x->msg, sizeof x->msg, x->line.nomem ? "out of memory"
                                                  : "query stream: a line exceeds the limit");
        return 0;
    }
    return n;
}

static int add_str_array(json_t *obj, const char *key, const char *const *items, size_t n) {
    json_t *arr = json_array();
    size_t i;
    if (arr == NULL || json_object_set_new(obj, key, arr) != 0) return -1;
    for (i = 0; i < n; i++) {
        json_t *s = items[i] != NULL ? json_string(items[i]) : NULL;
        if (s == NULL || json_array_append_new(arr, s) != 0) return -1;
    }
    return 0;
}

gossip_result_t gossip_query(gossip_client_t *c, const gossip_query_params_t *p,
                             gossip_query_callback_t cb, void *user,
                             gossip_query_result_t **result) {
    json_t *body;
    char *text = NULL, *url = NULL;
    struct curl_slist *headers = NULL;
    query_ctx_t x;
    CURLcode rc;
    long status = 0, budget;
    gossip_result_t r;
    size_t i;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (result != NULL) *result = NULL;
    if (p == NULL || p->name == NULL) return err_invalid(&c->err, "gossip_query: name is NULL");
    if ((p->payload == NULL && p->payload_len > 0) || p->timeout_ms < 0 ||
        (p->member_count > 0 && p->members == NULL) ||
        (p->meta_count > 0 && (p->meta_keys == NULL || p->meta_patterns == NULL)))
        return err_invalid(&c->err, "gossip_query: inconsistent payload, timeout, members or meta");
    body = json_object();
    if (body == NULL) return err_nomem(&c->err);
    if (set_string(body, "name", p->name) != 0 || set_payload(body, p->payload, p->payload_len) != 0 ||
        (p->timeout_ms > 0 && json_object_set_new(body, "timeout_ms", json_integer(p->timeout_ms)) != 0) ||
        (p->member_count > 0 && add_str_array(body, "members", p->members, p->member_count) != 0) ||
        json_object_set_new(body, "ack", json_boolean(p->ack)) != 0) {
        json_decref(body);
        return err_invalid(&c->err, "gossip_query: name or a member id is NULL or not UTF-8");
    }
    if (p->meta_count > 0) {
        json_t *meta = json_object();
        if (meta == NULL || json_object_set_new(body, "meta", meta) != 0) {
            json_decref(body);
            return err_nomem(&c->err);
        }
        for (i = 0; i < p->meta_count; i++) {
            if (p->meta_keys[i] == NULL || p->meta_patterns[i] == NULL ||
                set_string(meta, p->meta_keys[i], p->meta_patterns[i]) != 0) {
                json_decref(body);
                return err_invalid(&c->err, "gossip_query: a meta key or pattern is NULL or not UTF-8");
            }
        }
    }
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    url = make_url(c->url, "/v1/query");
    memset(&x, 0, sizeof x);
    x.client = c;
    x.cb = cb;
    x.user = user;
    x.line.limit = MAX_QUERY_LINE;
    x.error.limit = 1u << 20;
    x.failure = GOSSIP_OK;
    x.result = calloc(1, sizeof *x.result);
    if (text == NULL || url == NULL || x.result == NULL) {
        r = err_nomem(&c->err);
        goto done;
    }
    budget = c->timeout_ms == 0 ? 0 : (p->timeout_ms > 0 ? p->timeout_ms : 5000L) + GRACE_MS;
    r = prepare(c, "POST", url, text, budget, "Accept: application/x-ndjson", query_write, &x,
                &headers);
    if (r != GOSSIP_OK) goto done;
    rc = curl_easy_perform(c->easy);
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (x.failure != GOSSIP_OK) {
        r = err_set(&c->err, x.failure, (int)status,
                    x.failure == GOSSIP_ERR_NO_MEMORY ? "no_memory" : "protocol", "%s", x.msg);
        goto done;
    }
    if (x.stop) {
        r = GOSSIP_OK;
        goto done;
    }
    if (rc != CURLE_OK) {
        r = x.error.nomem ? err_nomem(&c->err) : transport_error(&c->err, rc, c->curl_err, c->url);
        goto done;
    }
    if (status != 200) {
        r = api_error(&c->err, status, x.error.data, x.error.len);
        goto done;
    }
    if (!x.done && x.line.len > 0) { /* a last line without '\n' */
        r = gossip_query_line(x.line.data, x.line.len, x.result, cb, user, &x.done, &x.stop, x.msg,
                              sizeof x.msg);
        if (r != GOSSIP_OK) {
            err_set(&c->err, r, 200, "protocol", "%s", x.msg);
            goto done;
        }
    }
    if (!x.done) {
        r = err_set(&c->err, GOSSIP_ERR_PROTOCOL, 200, "protocol",
                    "the query stream ended without its done line");
        goto done;
    }
    r = GOSSIP_OK;
done:
    if (r == GOSSIP_OK && result != NULL) {
        *result = x.result;
        x.result = NULL;
    }
    gossip_query_result_free(x.result);
    buf_free(&x.line);
    buf_free(&x.error);
    curl_slist_free_all(headers);
    free(url);
    free(text);
    return r;
}

/* ---- event stream ------------------------------------------------------------------------- */

struct gossip_subscription {
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    char *url;
    gossip_sse_parser_t sse;
    buf_t error; /* body of an error answer */
    int headers_done;
    int finished;
    CURLcode finish_code;
    error_slot_t err;
    char curl_err[CURL_ERROR_SIZE];
};

static size_t sub_header(char *ptr, size_t size, size_t nmemb, void *ud) {
    gossip_subscription_t *s = ud;
    size_t n = size * nmemb;
    if (n <= 2 && (ptr[0] == '\r' || ptr[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) s->headers_done = 1; /* 1xx interim answers are followed by more */
    }
    return n;
}

static size_t sub_write(char *ptr, size_t size, size_t nmemb, void *ud) {
    gossip_subscription_t *s = ud;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) return buf_append(&s->error, ptr, n) == 0 ? n : 0;
    return gossip_sse_feed(&s->sse, ptr, n) == 0 ? n : 0;
}

/** Runs the transfer without waiting; notes when it ends. */
static void sub_perform(gossip_subscription_t *s) {
    int running = 0, left = 0;
    CURLMsg *m;
    if (s->finished) return;
    curl_multi_perform(s->multi, &running);
    while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE) {
            s->finished = 1;
            s->finish_code = m->data.result;
        }
    }
}

const gossip_error_t *gossip_events_last_error(const gossip_subscription_t *s) {
    return &s->err.pub;
}

void gossip_events_close(gossip_subscription_t *s) {
    if (s == NULL) return;
    if (s->multi != NULL && s->easy != NULL) curl_multi_remove_handle(s->multi, s->easy);
    if (s->easy != NULL) curl_easy_cleanup(s->easy);
    if (s->multi != NULL) curl_multi_cleanup(s->multi);
    curl_slist_free_all(s->headers);
    gossip_sse_parser_clear(&s->sse);
    buf_free(&s->error);
    free(s->url);
    free(s);
    curl_global_cleanup();
}

/** Error of a finished stream. */
static gossip_result_t sub_end_error(gossip_subscription_t *s, error_slot_t *err) {
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (s->finish_code != CURLE_OK && !s->headers_done)
        return transport_error(err, s->finish_code, s->curl_err, s->url);
    if (status != 200) return api_error(err, status, s->error.data, s->error.len);
    if (s->sse.failed)
        return err_set(err, GOSSIP_ERR_PROTOCOL, 200, "protocol",
                       "an event exceeds %u bytes or memory ran out", GOSSIP_SSE_MAX_EVENT);
    return err_set(err, GOSSIP_ERR_CLOSED, 200, "closed", "the agent closed the event stream (%s)",
                   curl_easy_strerror(s->finish_code));
}

gossip_result_t gossip_events_open(gossip_client_t *c, const char *types,
                                   gossip_subscription_t **out) {
    gossip_subscription_t *s;
    char *path;
    long long deadline;
    gossip_result_t r;
    if (c == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&c->err);
    if (out == NULL) return err_invalid(&c->err, "gossip_events_open: subscription is NULL");
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return err_nomem(&c->err);
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        curl_global_cleanup();
        return err_nomem(&c->err);
    }
    err_reset(&s->err);
    s->error.limit = 1u << 20;
    path = types != NULL ? path_with(c, "/v1/events?types=", types) : dup_str("/v1/events");
    s->url = path != NULL ? make_url(c->url, path) : NULL;
    free(path);
    s->headers = make_headers(c->token, 0, "Accept: text/event-stream");
    s->multi = curl_multi_init();
    s->easy = curl_easy_init();
    if (s->url == NULL || s->headers == NULL || s->multi == NULL || s->easy == NULL) {
        gossip_events_close(s);
        return err_nomem(&c->err);
    }
    curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->curl_err);
    curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "libgossip-c/1.0");
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, sub_header);
    curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, sub_write);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
    apply_tls(c, s->easy);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK) {
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
        gossip_events_close(s);
        return err_nomem(&c->err);
    }
    /* wait until the agent accepted (200 and headers) or refused the subscription */
    deadline = now_ms() + (c->timeout_ms > 0 ? c->timeout_ms : DEFAULT_TIMEOUT_MS);
    for (;;) {
        long long left;
        sub_perform(s);
        if (s->finished) {
            r = sub_end_error(s, &c->err);
            gossip_events_close(s);
            return r;
        }
        if (s->headers_done) {
            long status = 0;
            curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
            if (status == 200) break;
            /* an error answer: wait for its body */
        }
        left = deadline - now_ms();
        if (left <= 0) {
            gossip_events_close(s);
            return err_set(&c->err, GOSSIP_ERR_TIMED_OUT, 0, "timeout",
                           "the agent at %s did not answer the event subscription in time",
                           c->url);
        }
        curl_multi_poll(s->multi, NULL, 0, left > 1000 ? 1000 : (int)left, NULL);
    }
    *out = s;
    return GOSSIP_OK;
}

gossip_result_t gossip_poll_event(gossip_subscription_t *s, gossip_event_t **event,
                                  int timeout_ms) {
    long long deadline;
    char msg[256];
    if (s == NULL) return GOSSIP_ERR_INVALID_ARGUMENT;
    err_reset(&s->err);
    if (event == NULL) return err_invalid(&s->err, "gossip_poll_event: event is NULL");
    *event = NULL;
    deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;
    for (;;) {
        gossip_sse_event_t *raw;
        long long left;
        if (s->sse.head == NULL) sub_perform(s);
        raw = gossip_sse_pop(&s->sse);
        if (raw != NULL) {
            gossip_result_t r = gossip_event_parse(raw->type, raw->data, event, msg, sizeof msg);
            gossip_sse_event_free(raw);
            if (r != GOSSIP_OK)
                return err_set(&s->err, r, 200, r == GOSSIP_ERR_NO_MEMORY ? "no_memory" : "protocol",
                               "%s", msg);
            return GOSSIP_OK;
        }
        if (s->finished) return sub_end_error(s, &s->err);
        if (timeout_ms >= 0) {
            left = deadline - now_ms();
            if (left <= 0) return GOSSIP_TIMEOUT;
        } else {
            left = 1000;
        }
        curl_multi_poll(s->multi, NULL, 0, left > 1000 ? 1000 : (int)left, NULL);
    }
}

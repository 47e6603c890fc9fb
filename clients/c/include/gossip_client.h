/*
 * gossip_client.h - C client of the libgossip agent's HTTP API.
 *
 * The seed's C API ran the gossip protocol inside the calling process. libgossip runs the protocol
 * in an agent (`./gossip agent ...`, one per host, like a Serf agent); this library is a thin client
 * of that agent's HTTP/JSON API: members, self, metadata, join, leave, force-leave, user broadcasts,
 * direct messages, queries, stats and the server-sent-events stream of cluster events.
 *
 * Conventions:
 *  - Every function that can fail returns a gossip_result_t: GOSSIP_OK (0) or a negative error.
 *    gossip_last_error(client) then tells the agent's error code and message (or the transport
 *    problem). gossip_poll_event also returns GOSSIP_TIMEOUT (1) when no event arrived in time.
 *  - Everything the library returns through an out-parameter is owned by the caller and released
 *    with the matching *_free function of this header; strings passed in are copied (the caller
 *    keeps ownership). Nothing has to be freed with free().
 *  - Payloads are bytes: (const void *, size_t) in, (unsigned char *, size_t) out. They travel
 *    base64-encoded in the JSON. Returned payloads carry one extra NUL byte after the last byte so
 *    that a text payload can be printed directly.
 *  - A gossip_client_t is used by one thread at a time. A gossip_subscription_t is independent of
 *    the client that opened it (it may be polled in another thread and may outlive the client).
 */
#ifndef GOSSIP_CLIENT_H
#define GOSSIP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a call. Negative values are errors. */
typedef enum {
    GOSSIP_OK = 0,
    /** gossip_poll_event only: no event arrived within the timeout. */
    GOSSIP_TIMEOUT = 1,
    /** A NULL or invalid argument (the message names it). No request was sent. */
    GOSSIP_ERR_INVALID_ARGUMENT = -1,
    /** Out of memory. */
    GOSSIP_ERR_NO_MEMORY = -2,
    /** The agent cannot be reached or the connection broke (libcurl's message). */
    GOSSIP_ERR_TRANSPORT = -3,
    /** The agent's answer is not what the API promises (malformed JSON, missing field). */
    GOSSIP_ERR_PROTOCOL = -4,
    /** 400 bad_request: the agent rejected the request (the message says why). */
    GOSSIP_ERR_BAD_REQUEST = -5,
    /** 401 unauthorized: missing or wrong token. */
    GOSSIP_ERR_UNAUTHORIZED = -6,
    /** 404 not_found: unknown member, metadata key or query. */
    GOSSIP_ERR_NOT_FOUND = -7,
    /** 409 conflict (e.g. force-leave of a member that is not FAILED, no keyring). */
    GOSSIP_ERR_CONFLICT = -8,
    /** 413 payload_too_large. */
    GOSSIP_ERR_TOO_LARGE = -9,
    /** 503 not_ready / unavailable. */
    GOSSIP_ERR_UNAVAILABLE = -10,
    /** 504 timeout, or the client's own request timeout expired. */
    GOSSIP_ERR_TIMED_OUT = -11,
    /** 502 send_failed / join_failed: the agent could not reach another node. */
    GOSSIP_ERR_FAILED = -12,
    /** Any other error answer of the agent (see gossip_last_error for code and status). */
    GOSSIP_ERR_API = -13,
    /** gossip_poll_event: the event stream ended (agent gone, or overflow). Reopen to resume. */
    GOSSIP_ERR_CLOSED = -14
} gossip_result_t;

/** Membership status of a member (the agent's NodeStatus). */
typedef enum {
    GOSSIP_STATUS_UNKNOWN = 0,
    GOSSIP_STATUS_ONLINE,
    GOSSIP_STATUS_SUSPECT,
    GOSSIP_STATUS_FAILED,
    GOSSIP_STATUS_LEFT
} gossip_status_t;

/** The last error of a client or subscription. Valid until the next call on the same handle. */
typedef struct {
    /** The result code of the failed call (GOSSIP_OK when the last call succeeded). */
    gossip_result_t result;
    /** HTTP status of the agent's answer, 0 when there was none. */
    int http_status;
    /** The agent's error code ("not_found", "conflict", ...) or a client-side one
     *  ("invalid_argument", "no_memory", "transport", "protocol", "closed"); "" when none. */
    const char *code;
    /** A sentence a person can act on; "" when none. */
    const char *message;
} gossip_error_t;

/** A member as the agent reports it (the seed's node_view). */
typedef struct {
    char *id;
    char *ip;
    int port;
    /** "ip:port" */
    char *address;
    gossip_status_t status;
    /** The status as the agent spelled it ("ONLINE", ...). */
    char *status_name;
    uint64_t incarnation;
    /** Metadata as two parallel arrays of metadata_count NUL-terminated strings, sorted by key. */
    size_t metadata_count;
    char **metadata_keys;
    char **metadata_values;
    uint64_t metadata_version;
    /** 1 when this member is the agent itself. */
    int is_self;
} gossip_member_t;

/** Optional filter of gossip_members. Every field may be NULL / 0. */
typedef struct {
    /** Comma list of statuses, case-insensitive, e.g. "ONLINE,SUSPECT". */
    const char *status;
    /** meta_count pairs: metadata key and a regular expression its value must fully match. */
    const char *const *meta_keys;
    const char *const *meta_patterns;
    size_t meta_count;
} gossip_member_filter_t;

/** Opaque client of one agent. */
typedef struct gossip_client gossip_client_t;
/** Opaque event-stream subscription. */
typedef struct gossip_subscription gossip_subscription_t;

/**
 * Creates a client of the agent at url (e.g. "http://127.0.0.1:8946"); NULL means the environment
 * variable GOSSIP_HTTP_ADDR, else "http://127.0.0.1:8946". token is the bearer token or NULL (then
 * GOSSIP_HTTP_TOKEN if set). Sends nothing. Returns NULL only when out of memory or libcurl fails to
 * initialise.
 */
gossip_client_t *gossip_client_create(const char *url, const char *token);

/** Releases the client. NULL is allowed. Open subscriptions stay valid. */
void gossip_client_destroy(gossip_client_t *client);

/**
 * HTTPS settings for an "https://" agent URL, used by every later call and subscription. ca_file:
 * the CA certificates (PEM) the agent's certificate must chain to (NULL: libcurl's default trust
 * store). cert_file and key_file: a client certificate chain and its private key (PEM), for an
 * agent started with --http-tls-ca (NULL, NULL: none). gossip_client_create takes the defaults
 * from GOSSIP_HTTP_CA, GOSSIP_HTTP_CLIENT_CERT and GOSSIP_HTTP_CLIENT_KEY when they are set.
 * Returns GOSSIP_ERR_INVALID_ARGUMENT when only one of cert_file and key_file is given.
 */
gossip_result_t gossip_client_set_tls(gossip_client_t *client, const char *ca_file,
                                      const char *cert_file, const char *key_file);

/** Timeout of each request in milliseconds (default 30000; 0 = none). Queries add their own. */
void gossip_client_set_timeout(gossip_client_t *client, long timeout_ms);

/** The last error of this client (never NULL; the client must not be NULL). */
const gossip_error_t *gossip_last_error(const gossip_client_t *client);

/** A fixed English name of a result ("ok", "not found", ...). Never NULL. */
const char *gossip_strerror(gossip_result_t result);

/** "ONLINE", "SUSPECT", "FAILED", "LEFT" or "UNKNOWN". */
const char *gossip_status_name(gossip_status_t status);

/* ---- membership ------------------------------------------------------------------------- */

/**
 * Lists the members the agent knows, sorted by id, the agent itself included. filter may be NULL.
 * On GOSSIP_OK *members holds *count members (NULL when 0); free with gossip_members_free.
 */
gossip_result_t gossip_members(gossip_client_t *client, const gossip_member_filter_t *filter,
                               gossip_member_t **members, size_t *count);

/** Frees an array returned by gossip_members (or the single member of gossip_self, count 1). */
void gossip_members_free(gossip_member_t *members, size_t count);

/** The agent's own member. Free *self with gossip_members_free(*self, 1). */
gossip_result_t gossip_self(gossip_client_t *client, gossip_member_t **self);

/**
 * Joins the cluster through seeds ("host:port" gossip addresses). *members (may be NULL) receives
 * the member count after the join. GOSSIP_ERR_FAILED when no seed answered.
 */
gossip_result_t gossip_join(gossip_client_t *client, const char *const *seeds, size_t seed_count,
                            int *members);

/**
 * Leaves the cluster gracefully and makes the agent exit once the leave has spread. timeout_ms
 * bounds the leave (0 = the agent's default, 5 s).
 */
gossip_result_t gossip_leave(gossip_client_t *client, long timeout_ms);

/**
 * Marks a FAILED member as LEFT cluster-wide. GOSSIP_ERR_NOT_FOUND for an unknown id,
 * GOSSIP_ERR_CONFLICT when the member is not FAILED.
 */
gossip_result_t gossip_force_leave(gossip_client_t *client, const char *id);

/* ---- metadata ----------------------------------------------------------------------------- */

/** Merges count key/value pairs into the agent's own metadata (other keys stay). */
gossip_result_t gossip_set_metadata(gossip_client_t *client, const char *const *keys,
                                    const char *const *values, size_t count);

/** Removes one key of the agent's own metadata. GOSSIP_ERR_NOT_FOUND when the key is absent. */
gossip_result_t gossip_delete_metadata(gossip_client_t *client, const char *key);

/* ---- user messages -------------------------------------------------------------------------- */

/**
 * Broadcasts payload under topic to every member. key (may be NULL) lets a newer broadcast with
 * the same key replace an older one still spreading. *seq (may be NULL) receives its sequence number.
 */
gossip_result_t gossip_broadcast(gossip_client_t *client, const char *topic, const void *payload,
                                 size_t payload_len, const char *key, uint64_t *seq);

/** Sends payload under topic to the member to; reliable != 0 asks for the reliable (TCP) path. */
gossip_result_t gossip_send(gossip_client_t *client, const char *to, const char *topic,
                            const void *payload, size_t payload_len, int reliable);

/* ---- queries ------------------------------------------------------------------------------- */

/** What a query asks. Only name is required; zero/NULL fields take the agent's defaults. */
typedef struct {
    const char *name;
    const void *payload;
    size_t payload_len;
    /** How long to wait for responses (0 = the agent's default, 5 s). */
    long timeout_ms;
    /** Restrict the query to these member ids (member_count entries). */
    const char *const *members;
    size_t member_count;
    /** Restrict to members whose metadata matches: meta_count key / regular-expression pairs. */
    const char *const *meta_keys;
    const char *const *meta_patterns;
    size_t meta_count;
    /** Non-zero: members acknowledge receipt before responding. */
    int ack;
} gossip_query_params_t;

/** One response to a query. */
typedef struct {
    char *from;
    unsigned char *payload;
    size_t payload_len;
} gossip_query_response_t;

/** Everything a query produced. Free with gossip_query_result_free. */
typedef struct {
    gossip_query_response_t *responses;
    size_t response_count;
    /** Ids from the done line: targeted, acked, responded, departed. */
    char **targeted;
    size_t targeted_count;
    char **acked;
    size_t acked_count;
    char **responded;
    size_t responded_count;
    char **departed;
    size_t departed_count;
    /** 1 when the query ended at its timeout rather than when every target answered. */
    int timed_out;
} gossip_query_result_t;

/** Kind of a line of the query stream handed to a gossip_query_callback_t. */
typedef enum { GOSSIP_QUERY_ACK = 1, GOSSIP_QUERY_RESPONSE = 2 } gossip_query_line_t;

/**
 * Called for every ack and response as it arrives (payload is NULL/0 for acks). Return 0 to go on,
 * non-zero to stop the query early (gossip_query then returns GOSSIP_OK with what it has, and no
 * done line: timed_out stays 0 and the id lists stay empty).
 */
typedef int (*gossip_query_callback_t)(void *user, gossip_query_line_t line, const char *from,
                                       const unsigned char *payload, size_t payload_len);

/**
 * Runs a query and returns when the agent's stream ends with its done line (every targeted live
 * member answered, or the timeout passed). callback may be NULL. result may be NULL; otherwise
 * *result receives every response and the done line.
 */
gossip_result_t gossip_query(gossip_client_t *client, const gossip_query_params_t *params,
                             gossip_query_callback_t callback, void *user,
                             gossip_query_result_t **result);

void gossip_query_result_free(gossip_query_result_t *result);

/** Answers a query event (its query_id) with payload; GOSSIP_ERR_NOT_FOUND when it expired. */
gossip_result_t gossip_respond(gossip_client_t *client, const char *query_id, const void *payload,
                               size_t payload_len);

/* ---- stats ----------------------------------------------------------------------------------- */

/** The agent's counters as raw JSON text. Free *json with gossip_string_free. */
gossip_result_t gossip_stats(gossip_client_t *client, char **json);

void gossip_string_free(char *s);

/* ---- events ---------------------------------------------------------------------------------- */

typedef enum {
    /** The first event of every stream: self and the full member list. */
    GOSSIP_EVENT_SNAPSHOT = 1,
    /** A membership event (joined, failed, metadata-changed, ...): see type and member. */
    GOSSIP_EVENT_MEMBER,
    /** A user broadcast: from, topic, key, seq, payload. */
    GOSSIP_EVENT_BROADCAST,
    /** A direct message: from, topic, payload. */
    GOSSIP_EVENT_MESSAGE,
    /** A query to answer with gossip_respond(query_id): from, name, payload. */
    GOSSIP_EVENT_QUERY,
    /** The subscriber fell behind; the agent closes the stream after this event. */
    GOSSIP_EVENT_OVERFLOW,
    /** An event type this library does not know; see type and data. */
    GOSSIP_EVENT_OTHER
} gossip_event_kind_t;

/** One event of the stream. Fields not used by the kind are NULL / 0. */
typedef struct {
    gossip_event_kind_t kind;
    /** The SSE event name: "snapshot", "joined", "metadata-changed", "broadcast", ... */
    char *type;
    /** The raw JSON data of the event. */
    char *data;
    /** MEMBER: the member the event is about; SNAPSHOT: the agent itself. */
    gossip_member_t *member;
    /** MEMBER: the previous status ("SUSPECT", ...) or NULL. */
    char *previous_status;
    /** MEMBER: when it happened, milliseconds since the epoch. */
    int64_t time_ms;
    /** SNAPSHOT: every member. */
    gossip_member_t *members;
    size_t member_count;
    /** BROADCAST, MESSAGE, QUERY: the sender's id. */
    char *from;
    /** BROADCAST, MESSAGE: the topic. */
    char *topic;
    /** BROADCAST: the replacement key or NULL; seq: its sequence number. */
    char *key;
    uint64_t seq;
    /** QUERY: the id to pass to gossip_respond ("ORIGIN:ID") and the query's name. */
    char *query_id;
    char *name;
    /** BROADCAST, MESSAGE, QUERY: the payload bytes (NUL-terminated copy). */
    unsigned char *payload;
    size_t payload_len;
} gossip_event_t;

/**
 * Subscribes to the agent's event stream. types is a comma list of groups ("member", "user",
 * "query") or NULL for all. Returns once the agent accepted the subscription (so every event after
 * this call is seen), or with the agent's error. Close with gossip_events_close.
 */
gossip_result_t gossip_events_open(gossip_client_t *client, const char *types,
                                   gossip_subscription_t **subscription);

/**
 * Waits at most timeout_ms (0 = only check, negative = no limit) for the next event. GOSSIP_OK:
 * *event holds it (free with gossip_event_free); GOSSIP_TIMEOUT: none yet; GOSSIP_ERR_CLOSED: the
 * stream ended (close and reopen to resume with a fresh snapshot); other errors as usual.
 */
gossip_result_t gossip_poll_event(gossip_subscription_t *subscription, gossip_event_t **event,
                                  int timeout_ms);

void gossip_event_free(gossip_event_t *event);

/** The last error of a subscription (never NULL). */
const gossip_error_t *gossip_events_last_error(const gossip_subscription_t *subscription);

/** Ends the subscription and releases it. NULL is allowed. */
void gossip_events_close(gossip_subscription_t *subscription);

#ifdef __cplusplus
}
#endif

#endif /* GOSSIP_CLIENT_H */

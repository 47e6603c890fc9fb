/*
 * gossip_internal.h - pieces of gossip_client.c that the unit tests exercise without a network:
 * base64, the server-sent-events parser, and the JSON-to-struct conversions. Not installed.
 */
#ifndef GOSSIP_INTERNAL_H
#define GOSSIP_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "gossip_client.h"

/** Longest line or event the SSE parser buffers before it gives up (bounded memory). */
#define GOSSIP_SSE_MAX_EVENT (16u * 1024u * 1024u)

/** Encodes len bytes as standard padded base64; the result is malloc'd and NUL-terminated. */
char *gossip_base64_encode(const void *data, size_t len);

/**
 * Decodes standard base64 (padding optional). Returns 0 and a malloc'd buffer with one extra NUL
 * byte, or -1 on invalid input or no memory (*out stays NULL).
 */
int gossip_base64_decode(const char *text, unsigned char **out, size_t *out_len);

/** A dispatched server-sent event. */
typedef struct gossip_sse_event {
    char *type;
    char *data;
    struct gossip_sse_event *next;
} gossip_sse_event_t;

/** Incremental parser of a text/event-stream body. Zero-initialise before use. */
typedef struct {
    char *line;
    size_t line_len;
    size_t line_cap;
    int last_was_cr;
    char *type;
    char *data;
    size_t data_len;
    size_t data_cap;
    int has_data;
    gossip_sse_event_t *head;
    gossip_sse_event_t *tail;
    size_t queued;
    /** Set when an event exceeded GOSSIP_SSE_MAX_EVENT or memory ran out; feeding then fails. */
    int failed;
} gossip_sse_parser_t;

/** Feeds bytes of the stream; complete events are queued. Returns 0, or -1 once failed is set. */
int gossip_sse_feed(gossip_sse_parser_t *parser, const char *bytes, size_t len);

/** Removes and returns the oldest queued event (NULL when none); free with gossip_sse_event_free. */
gossip_sse_event_t *gossip_sse_pop(gossip_sse_parser_t *parser);

void gossip_sse_event_free(gossip_sse_event_t *event);

/** Releases everything the parser holds (the struct itself is the caller's). */
void gossip_sse_parser_clear(gossip_sse_parser_t *parser);

/**
 * Fills *member from the API's member object. Returns GOSSIP_OK, GOSSIP_ERR_PROTOCOL (message in
 * msg) or GOSSIP_ERR_NO_MEMORY. On error *member holds nothing to free.
 */
gossip_result_t gossip_member_from_json(const json_t *object, gossip_member_t *member, char *msg,
                                        size_t msg_len);

/** Releases the fields of one member (not the struct). */
void gossip_member_clear(gossip_member_t *member);

/** Builds an event from an SSE event name and its data. */
gossip_result_t gossip_event_parse(const char *type, const char *data, gossip_event_t **event,
                                   char *msg, size_t msg_len);

/** Maps the API's error code (may be NULL) and HTTP status to a result. */
gossip_result_t gossip_result_for(const char *code, long http_status);

/**
 * Reads one line of the query NDJSON stream into result; calls callback for acks and responses.
 * Returns GOSSIP_OK, GOSSIP_ERR_PROTOCOL (msg) or GOSSIP_ERR_NO_MEMORY. *done is set to 1 by the
 * done line, *stop to 1 when the callback asks to stop.
 */
gossip_result_t gossip_query_line(const char *line, size_t len, gossip_query_result_t *result,
                                  gossip_query_callback_t callback, void *user, int *done,
                                  int *stop, char *msg, size_t msg_len);

#endif /* GOSSIP_INTERNAL_H */

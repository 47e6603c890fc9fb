/*
 * test_parse.c - unit tests without a network: base64, the server-sent-events parser, events,
 * members and the query stream as the agent's contract (ISSUE15) spells them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gossip_client.h"
#include "gossip_internal.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        checks++;                                                                            \
        if (!(cond)) {                                                                       \
            failures++;                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                                    \
    } while (0)

#define CHECK_STR(a, b) CHECK((a) != NULL && strcmp((a), (b)) == 0)

static void base64_round_trips_every_length(void) {
    unsigned char bytes[64];
    size_t len, i;
    for (i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)(i * 37 + 200);
    for (len = 0; len <= sizeof bytes; len++) {
        char *text = gossip_base64_encode(bytes, len);
        unsigned char *back = NULL;
        size_t back_len = 99;
        CHECK(text != NULL && strlen(text) == (len + 2) / 3 * 4);
        CHECK(gossip_base64_decode(text, &back, &back_len) == 0);
        CHECK(back_len == len);
        CHECK(back != NULL && (len == 0 || memcmp(back, bytes, len) == 0) && back[len] == '\0');
        free(text);
        free(back);
    }
}

static void base64_known_values_and_bad_input(void) {
    char *t = gossip_base64_encode("hello", 5);
    unsigned char *out = NULL;
    size_t n = 0;
    CHECK_STR(t, "aGVsbG8=");
    free(t);
    CHECK(gossip_base64_decode("aGVsbG8", &out, &n) == 0); /* padding optional */
    CHECK(n == 5 && memcmp(out, "hello", 5) == 0);
    free(out);
    CHECK(gossip_base64_decode("aGV$bG8=", &out, &n) == -1 && out == NULL);
    CHECK(gossip_base64_decode("a", &out, &n) == -1 && out == NULL);
    CHECK(gossip_base64_decode("aGVsbG8===", &out, &n) == -1 && out == NULL);
}

static const char STREAM[] =
    ": keepalive\n"
    "\n"
    "event: snapshot\r\n"
    "data: {\"self\":{\"id\":\"a\",\"status\":\"ONLINE\"},\r\n"
    "data: \"members\":[]}\r\n"
    "\r\n"
    "event: metadata-changed\r"
    "data:{\"type\":\"metadata-changed\"}\r"
    "\r"
    "id: 7\n"
    "retry: 10\n"
    "event: overflow\n"
    "\n"
    "data: plain\n"
    "\n"
    "event: half";

static void sse_parses_any_chunking_and_line_ending(void) {
    size_t chunk;
    for (chunk = 1; chunk <= sizeof STREAM; chunk++) {
        gossip_sse_parser_t p;
        gossip_sse_event_t *e;
        size_t off;
        memset(&p, 0, sizeof p);
        for (off = 0; off < sizeof STREAM - 1; off += chunk) {
            size_t n = sizeof STREAM - 1 - off < chunk ? sizeof STREAM - 1 - off : chunk;
            CHECK(gossip_sse_feed(&p, STREAM + off, n) == 0);
        }
        CHECK(p.queued == 4);
        e = gossip_sse_pop(&p);
        CHECK(e != NULL && strcmp(e->type, "snapshot") == 0 &&
              strcmp(e->data, "{\"self\":{\"id\":\"a\",\"status\":\"ONLINE\"},\n\"members\":[]}") == 0);
        gossip_sse_event_free(e);
        e = gossip_sse_pop(&p);
        CHECK(e != NULL && strcmp(e->type, "metadata-changed") == 0 &&
              strcmp(e->data, "{\"type\":\"metadata-changed\"}") == 0);
        gossip_sse_event_free(e);
        e = gossip_sse_pop(&p);
        CHECK(e != NULL && strcmp(e->type, "overflow") == 0 && strcmp(e->data, "") == 0);
        gossip_sse_event_free(e);
        e = gossip_sse_pop(&p);
        CHECK(e != NULL && strcmp(e->type, "message") == 0 && strcmp(e->data, "plain") == 0);
        gossip_sse_event_free(e);
        CHECK(gossip_sse_pop(&p) == NULL);
        gossip_sse_parser_clear(&p); /* frees the unfinished "event: half" */
    }
}

static void sse_refuses_an_unbounded_event(void) {
    gossip_sse_parser_t p;
    char *big = malloc(1u << 20);
    size_t i;
    int rc = 0;
    memset(&p, 0, sizeof p);
    memset(big, 'x', 1u << 20);
    CHECK(gossip_sse_feed(&p, "data: ", 6) == 0);
    for (i = 0; i < 20 && rc == 0; i++) rc = gossip_sse_feed(&p, big, 1u << 20);
    CHECK(rc == -1 && p.failed);
    CHECK(gossip_sse_feed(&p, "\n\n", 2) == -1);
    gossip_sse_parser_clear(&p);
    free(big);
}

static const char MEMBER[] =
    "{\"id\":\"n1\",\"ip\":\"127.0.0.1\",\"port\":7946,\"address\":\"127.0.0.1:7946\","
    "\"status\":\"SUSPECT\",\"incarnation\":3,\"metadata\":{\"zone\":\"b\",\"role\":\"web\"},"
    "\"metadata_version\":2,\"self\":false}";

static void member_reads_every_field_with_sorted_metadata(void) {
    json_error_t jerr;
    json_t *o = json_loads(MEMBER, 0, &jerr);
    gossip_member_t m;
    char msg[128];
    CHECK(gossip_member_from_json(o, &m, msg, sizeof msg) == GOSSIP_OK);
    CHECK_STR(m.id, "n1");
    CHECK_STR(m.ip, "127.0.0.1");
    CHECK(m.port == 7946);
    CHECK_STR(m.address, "127.0.0.1:7946");
    CHECK(m.status == GOSSIP_STATUS_SUSPECT);
    CHECK_STR(m.status_name, "SUSPECT");
    CHECK(m.incarnation == 3 && m.metadata_version == 2 && m.is_self == 0);
    CHECK(m.metadata_count == 2);
    CHECK_STR(m.metadata_keys[0], "role");
    CHECK_STR(m.metadata_values[0], "web");
    CHECK_STR(m.metadata_keys[1], "zone");
    CHECK_STR(m.metadata_values[1], "b");
    gossip_member_clear(&m);
    json_decref(o);
}

static void member_without_id_or_with_bad_metadata_is_a_protocol_error(void) {
    json_error_t jerr;
    json_t *a = json_loads("{\"status\":\"ONLINE\"}", 0, &jerr);
    json_t *b = json_loads("{\"id\":\"x\",\"status\":\"ONLINE\",\"metadata\":{\"k\":1}}", 0, &jerr);
    gossip_member_t m;
    char msg[128];
    CHECK(gossip_member_from_json(a, &m, msg, sizeof msg) == GOSSIP_ERR_PROTOCOL);
    CHECK(strstr(msg, "id") != NULL);
    CHECK(gossip_member_from_json(b, &m, msg, sizeof msg) == GOSSIP_ERR_PROTOCOL);
    CHECK(strstr(msg, "\"k\"") != NULL);
    json_decref(a);
    json_decref(b);
}

static void events_of_every_kind(void) {
    gossip_event_t *e = NULL;
    char msg[256];
    char data[1024];

    snprintf(data, sizeof data, "{\"self\":%s,\"members\":[%s,%s]}", MEMBER, MEMBER, MEMBER);
    CHECK(gossip_event_parse("snapshot", data, &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_SNAPSHOT && e->member != NULL && e->member_count == 2);
    CHECK_STR(e->members[1].id, "n1");
    gossip_event_free(e);

    snprintf(data, sizeof data,
             "{\"type\":\"metadata-changed\",\"member\":%s,\"previous_status\":null,"
             "\"time_ms\":1765080000123,\"previous_metadata\":{}}",
             MEMBER);
    CHECK(gossip_event_parse("metadata-changed", data, &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_MEMBER && e->previous_status == NULL);
    CHECK_STR(e->type, "metadata-changed");
    CHECK_STR(e->member->id, "n1");
    CHECK(e->time_ms == 1765080000123LL);
    gossip_event_free(e);

    CHECK(gossip_event_parse("failed",
                             "{\"type\":\"failed\",\"member\":{\"id\":\"z\",\"status\":\"FAILED\"},"
                             "\"previous_status\":\"SUSPECT\",\"time_ms\":1}",
                             &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->member->status == GOSSIP_STATUS_FAILED);
    CHECK_STR(e->previous_status, "SUSPECT");
    gossip_event_free(e);

    /* payload_base64 wins over payload and may carry any byte */
    CHECK(gossip_event_parse("broadcast",
                             "{\"type\":\"broadcast\",\"from\":\"a\",\"topic\":\"deploy\",\"key\":null,"
                             "\"seq\":9007199254740993,\"payload\":null,\"payload_base64\":\"AP8=\"}",
                             &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_BROADCAST && e->key == NULL && e->seq == 9007199254740993ULL);
    CHECK_STR(e->from, "a");
    CHECK_STR(e->topic, "deploy");
    CHECK(e->payload_len == 2 && e->payload[0] == 0 && e->payload[1] == 0xFF && e->payload[2] == 0);
    gossip_event_free(e);

    CHECK(gossip_event_parse("message",
                             "{\"type\":\"message\",\"from\":\"b\",\"topic\":\"t\",\"payload\":\"hi\","
                             "\"payload_base64\":\"aGk=\"}",
                             &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_MESSAGE && e->payload_len == 2);
    CHECK_STR((char *)e->payload, "hi");
    gossip_event_free(e);

    CHECK(gossip_event_parse("query",
                             "{\"type\":\"query\",\"query\":\"a:17\",\"from\":\"a\",\"name\":\"load\","
                             "\"payload\":\"\",\"payload_base64\":\"\"}",
                             &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_QUERY && e->payload_len == 0);
    CHECK_STR(e->query_id, "a:17");
    CHECK_STR(e->name, "load");
    gossip_event_free(e);

    CHECK(gossip_event_parse("overflow", "", &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_OVERFLOW);
    gossip_event_free(e);

    CHECK(gossip_event_parse("future-kind", "{\"x\":1}", &e, msg, sizeof msg) == GOSSIP_OK);
    CHECK(e->kind == GOSSIP_EVENT_OTHER);
    CHECK_STR(e->data, "{\"x\":1}");
    gossip_event_free(e);
}

static void malformed_events_are_protocol_errors(void) {
    gossip_event_t *e = (gossip_event_t *)&e;
    char msg[256];
    CHECK(gossip_event_parse("joined", "{not json", &e, msg, sizeof msg) == GOSSIP_ERR_PROTOCOL);
    CHECK(e == NULL && strstr(msg, "joined") != NULL);
    CHECK(gossip_event_parse("broadcast", "{\"from\":\"a\"}", &e, msg, sizeof msg) ==
          GOSSIP_ERR_PROTOCOL);
    CHECK(strstr(msg, "topic") != NULL);
    CHECK(gossip_event_parse("message",
                             "{\"from\":\"a\",\"topic\":\"t\",\"payload_base64\":\"%%%\"}", &e,
                             msg, sizeof msg) == GOSSIP_ERR_PROTOCOL);
    CHECK(gossip_event_parse("snapshot", "{\"members\":[]}", &e, msg, sizeof msg) ==
          GOSSIP_ERR_PROTOCOL);
    CHECK(gossip_event_parse("snapshot", "[1]", &e, msg, sizeof msg) == GOSSIP_ERR_PROTOCOL);
}

typedef struct {
    int acks;
    int responses;
    int stop_after;
} seen_t;

static int on_line(void *user, gossip_query_line_t line, const char *from,
                   const unsigned char *payload, size_t len) {
    seen_t *s = user;
    if (line == GOSSIP_QUERY_ACK) {
        s->acks++;
        CHECK(payload == NULL && len == 0 && strcmp(from, "b") == 0);
    } else {
        s->responses++;
        CHECK(len == 2 && memcmp(payload, "ok", 2) == 0);
    }
    return s->stop_after > 0 && s->acks + s->responses >= s->stop_after;
}

static void query_stream_lines(void) {
    static const char *const lines[] = {
        "{\"type\":\"ack\",\"from\":\"b\"}",
        "{\"type\":\"response\",\"from\":\"b\",\"payload\":\"ok\",\"payload_base64\":\"b2s=\"}\r",
        "",
        "{\"type\":\"response\",\"from\":\"c\",\"payload\":\"ok\",\"payload_base64\":\"b2s=\"}",
        "{\"type\":\"done\",\"targeted\":[\"b\",\"c\",\"d\"],\"acked\":[\"b\"],"
        "\"responded\":[\"b\",\"c\"],\"departed\":[],\"timed_out\":true}"};
    gossip_query_result_t *q = calloc(1, sizeof *q);
    seen_t seen = {0, 0, 0};
    int done = 0, stop = 0;
    size_t i;
    char msg[256];
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        CHECK(done == 0);
        CHECK(gossip_query_line(lines[i], strlen(lines[i]), q, on_line, &seen, &done, &stop, msg,
                                sizeof msg) == GOSSIP_OK);
    }
    CHECK(done == 1 && stop == 0 && seen.acks == 1 && seen.responses == 2);
    CHECK(q->response_count == 2);
    CHECK_STR(q->responses[1].from, "c");
    CHECK(q->targeted_count == 3 && q->acked_count == 1 && q->responded_count == 2 &&
          q->departed_count == 0 && q->timed_out == 1);
    CHECK_STR(q->targeted[2], "d");
    CHECK(gossip_query_line("{\"type\":\"response\"}", 19, q, NULL, NULL, &done, &stop, msg,
                            sizeof msg) == GOSSIP_ERR_PROTOCOL);
    CHECK(gossip_query_line("nope", 4, q, NULL, NULL, &done, &stop, msg, sizeof msg) ==
          GOSSIP_ERR_PROTOCOL);
    gossip_query_result_free(q);

    q = calloc(1, sizeof *q);
    seen.stop_after = 1;
    done = 0;
    CHECK(gossip_query_line(lines[0], strlen(lines[0]), q, on_line, &seen, &done, &stop, msg,
                            sizeof msg) == GOSSIP_OK);
    CHECK(stop == 1);
    gossip_query_result_free(q);
}

static void api_codes_map_to_results(void) {
    CHECK(gossip_result_for("not_found", 404) == GOSSIP_ERR_NOT_FOUND);
    CHECK(gossip_result_for("conflict", 409) == GOSSIP_ERR_CONFLICT);
    CHECK(gossip_result_for("join_failed", 502) == GOSSIP_ERR_FAILED);
    CHECK(gossip_result_for("not_ready", 503) == GOSSIP_ERR_UNAVAILABLE);
    CHECK(gossip_result_for(NULL, 401) == GOSSIP_ERR_UNAUTHORIZED);
    CHECK(gossip_result_for("method_not_allowed", 405) == GOSSIP_ERR_API);
    CHECK(strcmp(gossip_strerror(GOSSIP_ERR_NOT_FOUND), "not found") == 0);
    CHECK(strcmp(gossip_status_name(GOSSIP_STATUS_LEFT), "LEFT") == 0);
}

static void client_checks_arguments_before_sending(void) {
    /* port 9 (discard) on loopback: nothing is sent because every call fails its argument check */
    gossip_client_t *c = gossip_client_create("http://127.0.0.1:9/", NULL);
    gossip_member_t *m = NULL;
    size_t n = 0;
    CHECK(c != NULL);
    CHECK(gossip_members(c, NULL, NULL, &n) == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK(gossip_last_error(c)->result == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK_STR(gossip_last_error(c)->code, "invalid_argument");
    CHECK(gossip_join(c, NULL, 0, NULL) == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK(gossip_broadcast(c, "t", NULL, 3, NULL, NULL) == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK(gossip_set_metadata(c, NULL, NULL, 0) == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK(gossip_force_leave(c, "") == GOSSIP_ERR_INVALID_ARGUMENT);
    CHECK(gossip_self(c, NULL) == GOSSIP_ERR_INVALID_ARGUMENT);
    (void)m;
    gossip_client_destroy(c);
}

int main(void) {
    base64_round_trips_every_length();
    base64_known_values_and_bad_input();
    sse_parses_any_chunking_and_line_ending();
    sse_refuses_an_unbounded_event();
    member_reads_every_field_with_sorted_metadata();
    member_without_id_or_with_bad_metadata_is_a_protocol_error();
    events_of_every_kind();
    malformed_events_are_protocol_errors();
    query_stream_lines();
    api_codes_map_to_results();
    client_checks_arguments_before_sending();
    printf("test_parse: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}

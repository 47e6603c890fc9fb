/*
 * simple_cluster_c.c - the seed's C example, reworked for the agent: connect to a local agent,
 * list the members, set a metadata key, then print the cluster's events for a few seconds.
 *
 *   ./gossip agent --bind 127.0.0.1:7946 --http 127.0.0.1:8946 &
 *   clients/c/build/simple_cluster_c [http://127.0.0.1:8946] [seconds]
 *
 * The URL defaults to $GOSSIP_HTTP_ADDR, else http://127.0.0.1:8946; the token to $GOSSIP_HTTP_TOKEN.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gossip_client.h"

static int fail(gossip_client_t *client, const char *what) {
    const gossip_error_t *e = gossip_last_error(client);
    fprintf(stderr, "simple_cluster_c: %s: %s (%s)\n", what, e->message, e->code);
    return 1;
}

static void print_member(const gossip_member_t *m) {
    size_t i;
    printf("  %-24s %-22s %-8s %s", m->id, m->address, m->status_name,
           m->metadata_count == 0 ? "-" : "");
    for (i = 0; i < m->metadata_count; i++)
        printf("%s%s=%s", i == 0 ? "" : ",", m->metadata_keys[i], m->metadata_values[i]);
    printf("%s\n", m->is_self ? "  (this agent)" : "");
}

static void print_event(const gossip_event_t *e) {
    size_t i;
    switch (e->kind) {
    case GOSSIP_EVENT_SNAPSHOT:
        printf("[snapshot] %zu members, this agent is %s\n", e->member_count, e->member->id);
        break;
    case GOSSIP_EVENT_MEMBER:
        printf("[%s] %s %s", e->type, e->member->id, e->member->status_name);
        if (e->previous_status != NULL && strcmp(e->previous_status, e->member->status_name) != 0)
            printf(" (was %s)", e->previous_status);
        for (i = 0; i < e->member->metadata_count; i++)
            printf("%s%s=%s", i == 0 ? " " : ",", e->member->metadata_keys[i],
                   e->member->metadata_values[i]);
        printf("\n");
        break;
    case GOSSIP_EVENT_BROADCAST:
    case GOSSIP_EVENT_MESSAGE:
        printf("[%s] from %s topic %s: %.*s\n", e->type, e->from, e->topic, (int)e->payload_len,
               (const char *)e->payload);
        break;
    case GOSSIP_EVENT_QUERY:
        printf("[query] %s from %s (id %s)\n", e->name, e->from, e->query_id);
        break;
    case GOSSIP_EVENT_OVERFLOW:
        printf("[overflow] this subscriber fell behind\n");
        break;
    case GOSSIP_EVENT_OTHER:
        printf("[%s] %s\n", e->type, e->data);
        break;
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *url = argc > 1 ? argv[1] : NULL;
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    const char *keys[] = {"example"};
    const char *values[] = {"simple_cluster_c"};
    gossip_client_t *client;
    gossip_member_t *members = NULL, *self = NULL;
    gossip_subscription_t *sub = NULL;
    size_t count = 0, i;
    struct timespec start, now;
    int rc = 0;

    client = gossip_client_create(url, NULL);
    if (client == NULL) {
        fprintf(stderr, "simple_cluster_c: cannot create the client\n");
        return 1;
    }
    if (gossip_self(client, &self) != GOSSIP_OK) {
        rc = fail(client, "self");
        goto out;
    }
    printf("connected to agent %s (gossip %s)\n", self->id, self->address);
    gossip_members_free(self, 1);

    if (gossip_members(client, NULL, &members, &count) != GOSSIP_OK) {
        rc = fail(client, "members");
        goto out;
    }
    printf("%zu members:\n", count);
    for (i = 0; i < count; i++) print_member(&members[i]);
    gossip_members_free(members, count);

    /* subscribe before changing metadata; the change reaches the other agents as a
     * metadata-changed event (run the example against a second agent to see it arrive) */
    if (gossip_events_open(client, NULL, &sub) != GOSSIP_OK) {
        rc = fail(client, "events");
        goto out;
    }
    if (gossip_set_metadata(client, keys, values, 1) != GOSSIP_OK) {
        rc = fail(client, "set metadata");
        goto out;
    }
    printf("set metadata example=simple_cluster_c; events for %d s:\n", seconds);

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        gossip_event_t *event = NULL;
        long elapsed_ms;
        gossip_result_t r;
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed_ms = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
        if (elapsed_ms >= seconds * 1000L) break;
        r = gossip_poll_event(sub, &event, (int)(seconds * 1000L - elapsed_ms));
        if (r == GOSSIP_OK) {
            print_event(event);
            gossip_event_free(event);
        } else if (r != GOSSIP_TIMEOUT) {
            fprintf(stderr, "simple_cluster_c: events: %s\n", gossip_events_last_error(sub)->message);
            rc = 1;
            break;
        }
    }
    if (gossip_delete_metadata(client, "example") != GOSSIP_OK && rc == 0)
        rc = fail(client, "delete metadata");
out:
    gossip_events_close(sub);
    gossip_client_destroy(client);
    return rc;
}

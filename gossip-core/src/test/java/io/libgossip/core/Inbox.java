package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;

/** A {@link MessageHandler} that records everything it is given, for tests. */
final class Inbox implements MessageHandler {
  /** One outcome of something this node sent: the id and what happened. */
  record Outcome(long id, String what, Object detail) {}

  final List<DirectMessage> messages = new ArrayList<>();
  final List<QueryRequest> queries = new ArrayList<>();
  final List<QueryResponse> queryResponses = new ArrayList<>();
  final List<QueryResult> queriesDone = new ArrayList<>();
  final List<Outcome> outcomes = new ArrayList<>();
  final List<UserBroadcast> broadcasts = new ArrayList<>();
  boolean throwing;

  private void maybeThrow() {
    if (throwing) {
      throw new IllegalStateException("handler fails on purpose");
    }
  }

  @Override
  public void onBroadcast(UserBroadcast broadcast) {
    broadcasts.add(broadcast);
  }

  @Override
  public void onMessage(DirectMessage message) {
    messages.add(message);
    maybeThrow();
  }

  @Override
  public void onQuery(QueryRequest query) {
    queries.add(query);
  }

  @Override
  public void onResponse(long requestId, String from, byte[] payload) {
    outcomes.add(
        new Outcome(
            requestId, "response", new String(payload, java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Override
  public void onSendFailed(long id, MessageFailure failure) {
    outcomes.add(new Outcome(id, "failed", failure));
  }

  @Override
  public void onDelivered(long id) {
    outcomes.add(new Outcome(id, "delivered", ""));
  }

  @Override
  public void onQueryResponse(QueryResponse response) {
    queryResponses.add(response);
  }

  @Override
  public void onQueryDone(QueryResult result) {
    queriesDone.add(result);
  }

  /** The outcomes reported for {@code id}. */
  List<Outcome> outcomesOf(long id) {
    return outcomes.stream().filter(o -> o.id() == id).toList();
  }
}

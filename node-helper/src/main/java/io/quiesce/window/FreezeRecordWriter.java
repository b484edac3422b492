package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.ChannelAttempt;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.HelperHandBack;
import io.quiesce.api.v1alpha1.HooksRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.status.Reason;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code status.freeze} (or, when the helper hands the snapshot back without freezing,
 * {@code status.helperHandBack}), {@code status.channelAttempts} and {@code status.hooks}, the node
 * helper's only status fields: a JSON merge patch to the {@code /status} subresource carrying
 * nothing else, so the operator's fields are never touched.
 */
final class FreezeRecordWriter {
  private static final Logger LOG = LoggerFactory.getLogger(FreezeRecordWriter.class);

  private final KubernetesClient client;

  FreezeRecordWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Records the window and, when not null, the channels tried before it ({@code
   * status.channelAttempts}, the helper's other field), in the same patch; a snapshot deleted
   * meanwhile (404) is logged, not an error.
   */
  void write(QuiescedSnapshot snapshot, FreezeRecord record, List<ChannelAttempt> attempts) {
    write(snapshot, record, attempts, null);
  }

  /**
   * As {@link #write(QuiescedSnapshot, FreezeRecord, List)}, with {@code status.hooks} when set.
   */
  void write(
      QuiescedSnapshot snapshot,
      FreezeRecord record,
      List<ChannelAttempt> attempts,
      HooksRecord hooks) {
    String namespace = snapshot.getMetadata().getNamespace();
    String name = snapshot.getMetadata().getName();
    try {
      // the resource built from the snapshot, not from its name: fabric8 GETs a name-only resource
      // before it patches it (one request more per record)
      client
          .resource(snapshot)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", fields(record, attempts, hooks))));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        LOG.info(
            "{}/{} is gone; its freeze record ({}) is not written",
            namespace,
            name,
            record.getReason());
        return;
      }
      throw e;
    }
  }

  /**
   * A hand-back ({@code NoAgentChannel}: nothing frozen, the operator freezes through KubeVirt) is
   * not a freeze record: it goes to {@code helperHandBack}, so that {@code status.freeze} has one
   * writer, whoever ran the freeze.
   */
  static Map<String, Object> fields(FreezeRecord record, List<ChannelAttempt> attempts) {
    return fields(record, attempts, null);
  }

  static Map<String, Object> fields(
      FreezeRecord record, List<ChannelAttempt> attempts, HooksRecord hooks) {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    if (Reason.NO_AGENT_CHANNEL.is(record.getReason())) {
      fields.put("helperHandBack", new HelperHandBack(record.getReason(), record.getError()));
    } else {
      fields.put("freeze", record);
    }
    if (attempts != null) {
      fields.put("channelAttempts", attempts);
    }
    if (hooks != null) {
      fields.put("hooks", hooks);
    }
    return fields;
  }
}

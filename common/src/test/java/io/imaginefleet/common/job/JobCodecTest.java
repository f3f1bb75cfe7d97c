package io.imaginefleet.common.job;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobCodecTest {
    static Job sample() {
        return Job.txt2img(Job.newId(), "tiny-sd", "a red cube", 64, 64, 2, new Requester("1", "2", "3", "m4")).withSeed(42L);
    }

    static String json(Job j) {
        return new String(JobCodec.encode(j), StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsJobAndEvents() {
        Job j = sample().withNegativePrompt("blurry");
        assertThat(JobCodec.decodeJob(JobCodec.encode(j))).isEqualTo(j);
        assertThat(json(j)).contains("\"kind\":\"txt2img\"").contains("\"createdAt\":\"").doesNotContain("maskImage");

        JobEvent done = JobEvent.completed(j.id(), "w1", List.of(Job.resultKey(j.id(), 0)), 42, Map.of("denoise", 10L), List.of("p"), 1);
        assertThat(JobCodec.decodeEvent(JobCodec.encode(done))).isEqualTo(done);
        JobEvent failed = JobEvent.failed(j.id(), "w1", FailureCode.INVALID, "steps: too many", false, 2);
        assertThat(JobCodec.decodeEvent(JobCodec.encode(failed))).isEqualTo(failed);
        assertThat(JobCodec.toJson(failed)).contains("\"type\":\"failed\"");
    }

    private static void assertMalformed(String json, String field, String fragment) {
        assertThatThrownBy(() -> JobCodec.decodeJob(json))
                .isInstanceOf(InvalidJobException.class)
                .satisfies(e -> {
                    InvalidJobException ije = (InvalidJobException) e;
                    assertThat(ije.code()).isEqualTo(FailureCode.MALFORMED);
                    assertThat(ije.field()).isEqualTo(field);
                    assertThat(ije.getMessage()).startsWith(field + ": ").contains(fragment);
                });
    }

    @Test
    void rejectsMalformedRecordsNamingTheField() {
        String ok = json(sample());
        assertMalformed("not json at all", "record", "not valid JSON");
        assertMalformed("[1,2]", "record", "not a JSON object");
        assertMalformed("", "record", "empty");
        assertMalformed(ok.replace("\"schema\":1", "\"schema\":2"), "schema", "unsupported version 2");
        assertMalformed(ok.replace("\"schema\":1,", ""), "schema", "missing");
        assertMalformed(ok.replace("\"schema\":1", "\"schema\":\"1\""), "schema", "integer");
        assertMalformed(ok.replace("\"width\":64,", ""), "width", "missing required field");
        assertMalformed(ok.replaceFirst("\"prompt\":\"a red cube\",", ""), "prompt", "missing required field");
        assertMalformed(ok.replace("\"width\":64", "\"width\":\"64\""), "width", "expected an integer");
        assertMalformed(ok.replace("\"width\":64", "\"width\":64.5"), "width", "expected an integer");
        assertMalformed(ok.replace("\"steps\":2", "\"steps\":true"), "steps", "expected an integer");
        assertMalformed(ok.replace("\"prompt\":\"a red cube\"", "\"prompt\":17"), "prompt", "expected a string");
        assertMalformed(ok.replace("\"kind\":\"txt2img\"", "\"kind\":\"txt2video\""), "kind", "unknown kind 'txt2video'");
        assertMalformed(ok.replace("\"prompt\":\"a red cube\"", "\"prompt\":null"), "prompt", "missing");
        assertMalformed(ok.replace("\"guidance\":7.5", "\"guidance\":\"high\""), "guidance", "expected a number");
        assertMalformed(ok.replace("\"userId\":\"3\"", "\"userId\":3"), "requester.userId", "expected a string");
        assertMalformed(ok.replaceFirst("\"createdAt\":\"[^\"]*\"", "\"createdAt\":\"yesterday\""), "createdAt", "ISO-8601");
        String huge = ok.replace("\"a red cube\"", "\"" + "x".repeat(1 << 20) + "\"");
        assertMalformed(huge, "record", "larger than the limit of " + JobCodec.MAX_RECORD_BYTES);
    }

    @Test
    void ignoresUnknownFieldsAndPeeksIds() {
        Job j = sample();
        String extra = json(j).replace("{\"schema\":1,", "{\"schema\":1,\"futureField\":{\"a\":1},");
        assertThat(JobCodec.decodeJob(extra)).isEqualTo(j);
        assertThat(JobCodec.peekId(json(j).replace("\"schema\":1", "\"schema\":9").getBytes(StandardCharsets.UTF_8))).isEqualTo(j.id());
        assertThat(JobCodec.peekId("nope".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(JobCodec.peekId("{\"id\":\"../../etc\"}".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}

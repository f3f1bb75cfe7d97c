package io.imaginefleet.engine.conformance;

import io.imaginefleet.engine.EngineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity with diffusers: every case of the golden fixture set ({@code fixtures.dir}), one parameterised test per
 * case kind, with the tolerances of {@code sd conformance}.
 */
class ConformanceTest {

    static ConformanceRunner runner;

    static Path fixtures() {
        String dir = System.getProperty("fixtures.dir");
        assertThat(dir).as("system property fixtures.dir (set by surefire)").isNotNull();
        return Path.of(dir);
    }

    @BeforeAll
    static void open() {
        runner = new ConformanceRunner(fixtures(), EngineOptions.cpu());
    }

    @AfterAll
    static void close() {
        if (runner != null) {
            runner.close();
        }
    }

    static void check(String id) {
        CaseResult r = runner.run(runner.caseById(id));
        System.out.println(r.line());
        assertThat(r.passed()).as(r.line()).isTrue();
    }

    static Stream<String> ids(String kind) {
        List<String> ids = new ConformanceRunner(fixtures(), EngineOptions.cpu()).caseIds(kind);
        assertThat(ids).as("cases of kind " + kind).isNotEmpty();
        return ids.stream();
    }

    static Stream<String> tokenizer() { return ids("tokenizer"); }
    static Stream<String> textEncoder() { return ids("text_encoder"); }
    static Stream<String> unet() { return ids("unet"); }
    static Stream<String> vae() { return Stream.concat(ids("vae_decode"), ids("vae_encode")); }
    static Stream<String> scheduler() { return ids("scheduler"); }
    static Stream<String> txt2img() { return ids("txt2img"); }
    static Stream<String> img2img() { return ids("img2img"); }
    static Stream<String> inpaint() { return Stream.of("inpaint", "inpaint_4ch", "inpaint_legacy").flatMap(ConformanceTest::ids); }
    static Stream<String> upscale() { return ids("upscale"); }

    @ParameterizedTest(name = "{0}") @MethodSource("tokenizer")
    void tokenizerCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("textEncoder")
    void textEncoderCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("unet")
    void unetCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("vae")
    void vaeCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("scheduler")
    void schedulerCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("txt2img")
    void txt2imgCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("img2img")
    void img2imgCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("inpaint")
    void inpaintCases(String id) { check(id); }

    @ParameterizedTest(name = "{0}") @MethodSource("upscale")
    void upscaleCases(String id) { check(id); }

    @Test
    void aCorruptedReferenceFailsAndTheSummaryCountsIt() {
        // the runner must be able to fail: a tokenizer case compared against the wrong prompts
        var c = (com.fasterxml.jackson.databind.node.ObjectNode) runner.caseById("tokenizer").deepCopy();
        var prompts = (com.fasterxml.jackson.databind.node.ArrayNode) c.with("inputs").get("prompts");
        prompts.set(0, prompts.get(1));
        CaseResult r = runner.run(c);
        assertThat(r.passed()).isFalse();
        assertThat(r.line()).startsWith("FAIL tokenizer").contains("input_ids");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConformanceRunner.Summary s = runner.runAll(k -> k.equals("tokenizer"), new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("PASS tokenizer").contains("skipped kinds:");
        assertThat(text.strip()).endsWith(s.line());
        assertThat(s.passed()).isEqualTo(1);
        assertThat(s.skipped()).isEqualTo(runner.cases().size() - 1);
    }
}

package io.imaginefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code deploy/app-settings.yaml} against what the apps' own sources read, so the list (and through the
 * other tests, compose and the manifests) cannot drift from the code: environment names in Java string literals
 * and {@code ${VAR}} expressions, {@code application.properties} keys and {@code @ConfigMapping} members (Quarkus
 * maps {@code s3.access-key} to {@code S3_ACCESS_KEY}).
 */
class AppSourcesTest {

    /** Only names in the apps' own namespaces count (not QUARKUS_*, JAVA_*, HOME ...). */
    private static final Pattern OURS = Pattern.compile("(KAFKA|S3|WORKER|DISCORD|BOT)_[A-Z0-9_]+");
    private static final Pattern LITERAL = Pattern.compile("\"(" + OURS.pattern() + ")\"");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(" + OURS.pattern() + ")[:}]");
    private static final Pattern PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([a-z0-9.-]+)\"");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([a-z0-9.-]+)\"");
    private static final Pattern MEMBER = Pattern.compile("^\\s*([\\w.<>?,\\s]+?)\\s+(\\w+)\\(\\)\\s*;", Pattern.MULTILINE);
    private static final Pattern NESTED = Pattern.compile("interface\\s+(\\w+)\\s*\\{");

    /** The local launcher ({@code bin/imagine}) lives in the worker module but is never deployed as the worker. */
    private static final String LAUNCHER = "worker/src/main/java/io/imaginefleet/worker/local/";

    /** Environment names the sources of {@code module} read (common's count for every app), with where each was seen. */
    static Map<String, Set<String>> readBy(String... modules) {
        return readBy(false, modules);
    }

    /** As {@link #readBy(String...)}, only the local launcher's sources when {@code launcher}, never them otherwise. */
    static Map<String, Set<String>> readBy(boolean launcher, String... modules) {
        Map<String, Set<String>> found = new TreeMap<>();
        for (String module : modules) {
            Path main = Repo.path(module + "/src/main");
            if (!Files.isDirectory(main)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(main)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(f -> Repo.root().relativize(f).toString().startsWith(LAUNCHER) == launcher).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Set<String> bound = boundProperties(files);
            files.forEach(f -> scan(f, found, bound));
        }
        return found;
    }

    /** Whether {@code app} is a (Quarkus) app yet: it has its application.properties. */
    static boolean isApp(String app) {
        return Files.isRegularFile(Repo.path(app + "/src/main/resources/application.properties"));
    }

    /**
     * Properties whose application.properties value is a {@code ${ENV}} expression: the app reads that variable,
     * not the property's own environment form.
     */
    private static Set<String> boundProperties(List<Path> files) {
        Set<String> bound = new TreeSet<>();
        for (Path f : files) {
            if (f.toString().endsWith(".properties")) {
                for (String line : Repo.read(f).split("\n")) {
                    String l = line.strip();
                    if (!l.startsWith("#") && l.contains("=") && l.substring(l.indexOf('=')).contains("${")) {
                        bound.add(propertyKey(l.substring(0, l.indexOf('=')).strip()));
                    }
                }
            }
        }
        return bound;
    }

    private static String propertyKey(String key) {
        return key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key; // profile-specific: %dev.s3.bucket
    }

    private static void scan(Path file, Map<String, Set<String>> found, Set<String> bound) {
        String name = file.getFileName().toString();
        String where = Repo.root().relativize(file).toString();
        if (name.endsWith(".java")) {
            String text = Repo.read(file);
            collect(LITERAL.matcher(text), where, found);
            collect(EXPRESSION.matcher(text), where, found);
            Matcher property = PROPERTY.matcher(text);
            while (property.find()) {
                if (!bound.contains(property.group(1))) {
                    add(envName(property.group(1)), where, found);
                }
            }
            Matcher mapping = MAPPING.matcher(text);
            if (mapping.find()) {
                String rest = text.substring(mapping.end());
                int open = rest.indexOf('{');
                members(mapping.group(1), rest.substring(open + 1, closing(rest, open)), where, found, bound);
            }
        } else if (name.endsWith(".properties")) {
            String text = Repo.read(file);
            collect(EXPRESSION.matcher(text), where, found);
            for (String line : text.split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
                    continue;
                }
                String key = propertyKey(l.substring(0, l.indexOf('=')).strip());
                if (bound.contains(key)) {
                    continue;
                }
                add(envName(key), where, found);
            }
        }
    }

    /**
     * The properties of a {@code @ConfigMapping} interface body: each member {@code fooBar()} is {@code prefix.foo-bar};
     * a member returning a nested group interface contributes that group's members under its own name.
     */
    private static void members(String prefix, String body, String where, Map<String, Set<String>> found,
                                Set<String> bound) {
        Map<String, String> groups = new TreeMap<>();
        StringBuilder top = new StringBuilder();
        int from = 0;
        Matcher nested = NESTED.matcher(body);
        while (nested.find(from)) {
            int open = body.indexOf('{', nested.start());
            int close = closing(body, open);
            groups.put(nested.group(1), body.substring(open + 1, close));
            top.append(body, from, nested.start());
            from = close + 1;
        }
        top.append(body.substring(from));
        Matcher member = MEMBER.matcher(top);
        while (member.find()) {
            String type = member.group(1).strip();
            String property = prefix + "." + kebab(member.group(2));
            String simpleType = type.substring(type.lastIndexOf(' ') + 1);
            if (groups.containsKey(simpleType)) {
                members(property, groups.get(simpleType), where, found, bound);
            } else if (!bound.contains(property)) {
                add(envName(property), where, found);
            }
        }
    }

    /** Index of the brace closing the one at {@code open}. */
    private static int closing(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                depth++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return text.length();
    }

    private static void collect(Matcher m, String where, Map<String, Set<String>> found) {
        while (m.find()) {
            add(m.group(1), where, found);
        }
    }

    private static void add(String env, String where, Map<String, Set<String>> found) {
        if (OURS.matcher(env).matches()) {
            found.computeIfAbsent(env, k -> new TreeSet<>()).add(where);
        }
    }

    /** Quarkus' property → environment variable rule. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    @Test
    void quarkusNamingRule() {
        assertThat(envName("s3.access-key")).isEqualTo("S3_ACCESS_KEY");
        assertThat(envName("kafka.bootstrap.servers")).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(kebab("modelS3Prefix")).isEqualTo("model-s3-prefix");
    }

    @Test
    void everySettingTheSourcesReadIsListed() {
        AppSettings settings = AppSettings.load();
        for (String app : settings.apps()) {
            Map<String, Set<String>> read = readBy(app);
            Set<String> missing = new TreeSet<>(read.keySet());
            missing.removeAll(settings.namesFor(app));
            assertThat(missing).as(app + " reads these, but deploy/app-settings.yaml does not list them for it. Add each "
                    + "there and wire it in docker/compose.yaml (service " + app + ") and deploy/base (ConfigMap "
                    + "imagine-" + app + ", or a secretKeyRef for secrets); where: " + read).isEmpty();
        }
        Map<String, Set<String>> shared = readBy("common");
        shared.putAll(readBy(true, "worker"));
        Set<String> missing = new TreeSet<>(shared.keySet());
        missing.removeAll(settings.allNames());
        assertThat(missing).as("common or the local launcher read these, but deploy/app-settings.yaml lists them for no "
                + "app; where: " + shared)
                .isEmpty();
    }

    @Test
    void everyListedSettingIsReadByItsApp() {
        AppSettings settings = AppSettings.load();
        Set<String> checkedApps = new TreeSet<>();
        for (String app : settings.apps()) {
            if (!isApp(app)) {
                continue; // the reverse direction starts once the app exists (its application.properties)
            }
            checkedApps.add(app);
            Set<String> unread = new TreeSet<>(settings.namesFor(app));
            unread.removeAll(readBy("common", app).keySet());
            assertThat(unread).as("listed for " + app + " in deploy/app-settings.yaml (so set in compose and the "
                    + "manifests) but not read by its sources").isEmpty();
        }
        System.out.println("settings read-back checked for apps: " + checkedApps);
    }
}

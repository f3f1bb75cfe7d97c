package io.imaginefleet.bot.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A Discord stand-in on loopback that the unmodified JDA client connects to: REST under {@code /api/v10/}
 * (JDK HttpServer), a gateway WebSocket (HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs), and a
 * fake CDN under {@code /cdn/} serving attachments. Tests send interactions (slash commands, buttons,
 * message context menus, autocomplete) and assert on the recorded REST calls — what a user would see.
 */
public final class DiscordStandIn implements AutoCloseable {

    public static final long APP_ID = 1100000000000000001L;
    public static final long BOT_USER_ID = APP_ID;
    public static final long GUILD_ID = 1200000000000000001L;
    public static final long CHANNEL_ID = 1300000000000000001L;
    /** A guild role that exists in the stand-in's guild (members may hold it; the /admin tests configure it). */
    public static final long OPERATOR_ROLE_ID = 1400000000000000001L;
    public static final String BOT_TOKEN = "stand-in-bot-token-" + UUID.randomUUID();
    private static final long DISCORD_EPOCH = 1420070400000L;
    private static final AtomicLong SEQ = new AtomicLong();

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer http;
    private final Gateway gateway;
    private final List<RestCall> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Cdn> cdn = new ConcurrentHashMap<>();
    private final Map<Long, ObjectNode> messages = new ConcurrentHashMap<>();
    private final Map<String, Long> originalByToken = new ConcurrentHashMap<>();
    private final Map<String, Long> commandIds = new ConcurrentHashMap<>();
    private final AtomicInteger identifies = new AtomicInteger();
    private final List<String> tokens = new CopyOnWriteArrayList<>();

    private record Cdn(byte[] bytes, String contentType, String redirect) {}

    /** Starts REST, CDN and gateway on free loopback ports. */
    public DiscordStandIn() throws IOException, InterruptedException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v10/", this::rest);
        http.createContext("/cdn/", this::cdn);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "discord-stand-in-http");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        gateway = new Gateway();
        gateway.setDaemon(true);
        gateway.setReuseAddr(true);
        gateway.start();
        if (!gateway.started.await(10, TimeUnit.SECONDS)) throw new IOException("gateway did not start");
    }

    /** A fresh snowflake of the current time (JDA treats older interaction ids as expired). */
    public static long snowflake() {
        return ((System.currentTimeMillis() - DISCORD_EPOCH) << 22) | (SEQ.incrementAndGet() & 0x3FFFFF);
    }

    public String restBaseUrl() { return "http://127.0.0.1:" + http.getAddress().getPort() + "/api/v10/"; }
    public String gatewayUrl() { return "ws://127.0.0.1:" + gateway.getPort(); }
    /** Host of the fake CDN as the bot must allow it. */
    public String cdnHost() { return "127.0.0.1"; }
    /** How often a client identified (a restarted bot identifies again). */
    public int identifyCount() { return identifies.get(); }

    /** Serves bytes at a CDN URL and returns the URL. */
    public String serve(String name, byte[] bytes, String contentType) {
        cdn.put(name, new Cdn(bytes, contentType, null));
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/cdn/" + name;
    }

    /** Serves a redirect at a CDN URL to {@code target} and returns the URL. */
    public String serveRedirect(String name, String target) {
        cdn.put(name, new Cdn(null, null, target));
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/cdn/" + name;
    }

    /** The same file under a host name the bot does not allow ("localhost" instead of 127.0.0.1). */
    public String foreignUrl(String name, byte[] bytes, String contentType) {
        serve(name, bytes, contentType);
        return "http://localhost:" + http.getAddress().getPort() + "/cdn/" + name;
    }

    // ------------------------------------------------------------------ recorded calls

    public List<RestCall> calls() { return List.copyOf(calls); }

    /** Calls made with one interaction token, in order. */
    public List<RestCall> callsFor(Interaction i) {
        return calls.stream().filter(c -> i.token().equals(c.token())).toList();
    }

    /** Channel messages posted (not through an interaction). */
    public List<RestCall> channelPosts() {
        return calls.stream().filter(c -> c.method().equals("POST") && c.path().matches("channels/\\d+/messages")).toList();
    }

    /** Waits until some recorded call matches. */
    public RestCall await(Predicate<RestCall> p, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (RestCall c : calls) if (p.test(c)) return c;
            sleep(25);
        }
        throw new AssertionError("no matching Discord call within " + timeout + "; calls were:\n" + describe());
    }

    /** All calls as text, for failure messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (RestCall c : calls) {
            String s = c.toString();
            sb.append("  ").append(s, 0, Math.min(s.length(), 600)).append('\n');
        }
        return sb.toString();
    }

    /** The id of the original (deferred) response message of an interaction. */
    public long originalMessageId(Interaction i) {
        Long id = originalByToken.get(i.token());
        if (id == null) throw new AssertionError("interaction " + i.id() + " has no original message yet");
        return id;
    }

    /** Every interaction token the stand-in issued (for the secrets check). */
    public List<String> issuedTokens() {
        return List.copyOf(tokens);
    }

    /** The latest JSON of a message the stand-in holds (for button clicks on it). */
    public ObjectNode message(long id) { return messages.get(id); }

    // ------------------------------------------------------------------ interactions

    /** A user of the test guild. */
    public record User(long id, String name, List<Long> roles) {
        public User(long id, String name) { this(id, name, List.of()); }
    }

    /** An interaction sent to the bot; its token keys the REST calls that answer it. */
    public record Interaction(long id, String token) {}

    /** A slash command option; attachments go as {@link #attachment}. */
    public record Option(String name, int type, Object value, boolean focused) {
        public static Option string(String name, String v) { return new Option(name, 3, v, false); }
        public static Option integer(String name, long v) { return new Option(name, 4, v, false); }
        public static Option number(String name, double v) { return new Option(name, 10, v, false); }
        public static Option focused(String name, String partial) { return new Option(name, 3, partial, true); }
        public static Option bool(String name, boolean v) { return new Option(name, 5, v, false); }
        /** A subcommand (type 1) carrying its own options (scalars only), e.g. {@code /admin replay job_id:…}. */
        public static Option subcommand(String name, Option... options) { return new Option(name, 1, options, false); }
        public static Option attachment(String name, String url, String filename, String contentType, int size) {
            return new Option(name, 11, new AttachmentRef(url, filename, contentType, size), false);
        }
    }

    /** An attachment referenced by a slash command option. */
    public record AttachmentRef(String url, String filename, String contentType, int size) {}

    /** Sends a slash command. */
    public Interaction slash(User user, String command, Option... options) {
        ObjectNode data = json.createObjectNode();
        data.put("id", String.valueOf(commandIds.getOrDefault(command, 1L)));
        data.put("name", command);
        data.put("type", 1);
        ArrayNode opts = data.putArray("options");
        ObjectNode attachments = json.createObjectNode();
        for (Option o : options) {
            ObjectNode on = opts.addObject();
            on.put("name", o.name()).put("type", o.type());
            if (o.focused()) on.put("focused", true);
            if (o.value() instanceof AttachmentRef a) {
                long aid = snowflake();
                on.put("value", String.valueOf(aid));
                ObjectNode an = attachments.putObject(String.valueOf(aid));
                an.put("id", String.valueOf(aid)).put("filename", a.filename()).put("size", a.size())
                        .put("url", a.url()).put("proxy_url", a.url());
                if (a.contentType() != null) an.put("content_type", a.contentType());
            } else if (o.value() instanceof Option[] sub) {
                ArrayNode so = on.putArray("options");
                for (Option s : sub) putScalar(so.addObject().put("name", s.name()).put("type", s.type()), s.value());
            } else putScalar(on, o.value());
        }
        if (!attachments.isEmpty()) data.putObject("resolved").set("attachments", attachments);
        boolean autocomplete = java.util.Arrays.stream(options).anyMatch(Option::focused);
        return dispatchInteraction(autocomplete ? 4 : 2, user, data, null, GUILD_ID);
    }

    private static void putScalar(ObjectNode on, Object v) {
        if (v instanceof Long l) on.put("value", l);
        else if (v instanceof Integer l) on.put("value", l);
        else if (v instanceof Double d) on.put("value", d);
        else if (v instanceof Boolean b) on.put("value", b);
        else on.put("value", String.valueOf(v));
    }

    /** Sends a slash command from another guild (for the allowlist). */
    public Interaction slashInGuild(long guildId, User user, String command, Option... options) {
        Interaction i = null;
        ObjectNode data = json.createObjectNode();
        data.put("id", String.valueOf(commandIds.getOrDefault(command, 1L))).put("name", command).put("type", 1);
        ArrayNode opts = data.putArray("options");
        for (Option o : options) opts.addObject().put("name", o.name()).put("type", o.type()).put("value", String.valueOf(o.value()));
        return dispatchInteraction(2, user, data, null, guildId);
    }

    /** Clicks a button with {@code customId} on the message {@code messageId} the bot posted earlier. */
    public Interaction click(User user, long messageId, String customId) {
        ObjectNode msg = Objects.requireNonNull(messages.get(messageId), "unknown message " + messageId);
        ObjectNode data = json.createObjectNode();
        data.put("custom_id", customId).put("component_type", 2);
        return dispatchInteraction(3, user, data, msg, GUILD_ID);
    }

    /** Uses the message context-menu command {@code name} on a message with one attachment. */
    public Interaction messageCommand(User user, String name, String attachmentUrl, String filename, String contentType, int size) {
        long mid = snowflake();
        ObjectNode m = messageJson(mid, CHANNEL_ID, json.createObjectNode().put("content", "look at this"), List.of());
        ArrayNode atts = m.putArray("attachments");
        atts.addObject().put("id", String.valueOf(snowflake())).put("filename", filename).put("size", size)
                .put("url", attachmentUrl).put("proxy_url", attachmentUrl).put("content_type", contentType);
        m.set("author", userJson(user));
        ObjectNode data = json.createObjectNode();
        data.put("id", String.valueOf(commandIds.getOrDefault(name, 1L))).put("name", name).put("type", 3)
                .put("target_id", String.valueOf(mid));
        data.putObject("resolved").putObject("messages").set(String.valueOf(mid), m);
        return dispatchInteraction(2, user, data, null, GUILD_ID);
    }

    private Interaction dispatchInteraction(int type, User user, ObjectNode data, ObjectNode message, long guildId) {
        long id = snowflake();
        String token = "itok-" + UUID.randomUUID();
        tokens.add(token);
        ObjectNode d = json.createObjectNode();
        d.put("id", String.valueOf(id)).put("application_id", String.valueOf(APP_ID)).put("type", type)
                .put("token", token).put("version", 1).put("guild_id", String.valueOf(guildId))
                .put("channel_id", String.valueOf(CHANNEL_ID)).put("app_permissions", "2251799813685247")
                .put("locale", "en-US").put("guild_locale", "en-US").put("context", 0);
        d.putArray("entitlements");
        ObjectNode partialGuild = d.putObject("guild");
        partialGuild.put("id", String.valueOf(guildId)).put("locale", "en-US");
        partialGuild.putArray("features");
        d.putObject("authorizing_integration_owners").put("0", String.valueOf(guildId));
        ObjectNode ch = d.putObject("channel");
        ch.put("id", String.valueOf(CHANNEL_ID)).put("type", 0).put("guild_id", String.valueOf(guildId))
                .put("name", "general").put("position", 0).put("nsfw", false).put("permissions", "2251799813685247");
        ch.putArray("permission_overwrites");
        ObjectNode member = d.putObject("member");
        member.set("user", userJson(user));
        ArrayNode roles = member.putArray("roles");
        user.roles().forEach(r -> roles.add(String.valueOf(r)));
        member.put("joined_at", "2024-01-01T00:00:00.000000+00:00").put("permissions", "2251799813685247")
                .put("deaf", false).put("mute", false).put("flags", 0).put("pending", false);
        d.set("data", data);
        if (message != null) d.set("message", message);
        gateway.dispatch("INTERACTION_CREATE", d);
        return new Interaction(id, token);
    }

    private ObjectNode userJson(User u) {
        ObjectNode n = json.createObjectNode();
        n.put("id", String.valueOf(u.id())).put("username", u.name()).put("discriminator", "0")
                .put("global_name", u.name()).putNull("avatar").put("public_flags", 0);
        return n;
    }

    private ObjectNode botUser() {
        ObjectNode n = userJson(new User(BOT_USER_ID, "imagine-bot"));
        n.put("bot", true).put("verified", true).put("mfa_enabled", false).put("flags", 0);
        return n;
    }

    // ------------------------------------------------------------------ REST

    private void rest(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String path = uri.getRawPath().substring("/api/v10/".length());
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            String method = ex.getRequestMethod();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] body = ex.getRequestBody().readAllBytes();
            String ctype = ex.getRequestHeaders().getFirst("Content-Type");
            JsonNode payload = null;
            Map<String, RestCall.Upload> files = new LinkedHashMap<>();
            if (ctype != null && ctype.startsWith("multipart/form-data")) {
                payload = parseMultipart(body, ctype, files);
            } else if (body.length > 0) {
                payload = json.readTree(body);
            }
            RestCall call = new RestCall(method, path, query, payload, files, System.currentTimeMillis());
            if (!path.startsWith("interactions/") && !path.startsWith("webhooks/")
                    && !("Bot " + BOT_TOKEN).equals(auth)) {
                reply(ex, 401, json.createObjectNode().put("message", "401: Unauthorized").put("code", 0));
                return;
            }
            calls.add(call);
            route(ex, call);
        } catch (RuntimeException e) {
            e.printStackTrace();
            reply(ex, 500, json.createObjectNode().put("message", String.valueOf(e)).put("code", 0));
        }
    }

    private void route(HttpExchange ex, RestCall c) throws IOException {
        String[] p = c.path().split("/");
        String m = c.method();
        if (m.equals("GET") && c.path().equals("users/@me")) {
            reply(ex, 200, botUser());
        } else if (m.equals("PUT") && p[0].equals("applications") && c.path().endsWith("/commands")) {
            ArrayNode out = json.createArrayNode();
            for (JsonNode cmd : c.json()) {
                ObjectNode o = ((ObjectNode) cmd.deepCopy());
                long cid = snowflake();
                commandIds.put(cmd.get("name").asText(), cid);
                o.put("id", String.valueOf(cid)).put("application_id", String.valueOf(APP_ID)).put("version", String.valueOf(cid));
                if (!o.has("type")) o.put("type", 1);
                if (!o.has("description")) o.put("description", "");
                out.add(o);
            }
            reply(ex, 200, out);
        } else if (c.isCallback()) {
            if (c.json() != null && c.json().path("type").asInt() == 4) {
                // immediate message reply: becomes @original
                long mid = snowflake();
                ObjectNode msg = messageJson(mid, CHANNEL_ID, c.json().path("data"), List.of());
                messages.put(mid, msg);
                originalByToken.put(c.token(), mid);
            }
            ex.sendResponseHeaders(204, -1);
        } else if (p[0].equals("webhooks") && p.length >= 5 && p[3].equals("messages")) {
            // webhooks/{app}/{token}/messages/{@original|id}
            String token = p[2];
            long mid = p[4].equals("@original") ? originalByToken.computeIfAbsent(token, t -> snowflake()) : Long.parseLong(p[4]);
            if (m.equals("DELETE")) {
                messages.remove(mid);
                ex.sendResponseHeaders(204, -1);
                return;
            }
            ObjectNode msg = m.equals("GET") ? messages.get(mid) : updateMessage(mid, c);
            reply(ex, 200, msg == null ? messageJson(mid, CHANNEL_ID, json.createObjectNode(), List.of()) : msg);
        } else if (p[0].equals("webhooks") && p.length == 3 && m.equals("POST")) {
            long mid = snowflake();
            reply(ex, 200, updateMessage(mid, c));
        } else if (p[0].equals("channels") && p.length == 3 && p[2].equals("messages") && m.equals("POST")) {
            reply(ex, 200, updateMessage(snowflake(), c));
        } else if (p[0].equals("channels") && p.length == 4 && p[2].equals("messages") && m.equals("PATCH")) {
            reply(ex, 200, updateMessage(Long.parseLong(p[3]), c));
        } else if (m.equals("DELETE")) {
            ex.sendResponseHeaders(204, -1);
        } else {
            reply(ex, 404, json.createObjectNode().put("message", "Unknown route " + c.path()).put("code", 0));
        }
    }

    private ObjectNode updateMessage(long mid, RestCall c) {
        ObjectNode prev = messages.get(mid);
        JsonNode body = c.json() == null ? json.createObjectNode() : c.json();
        ObjectNode merged = prev == null ? json.createObjectNode() : prev.deepCopy();
        body.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
        List<String> names = new ArrayList<>();
        c.files().values().forEach(u -> names.add(u.filename()));
        ObjectNode msg = messageJson(mid, CHANNEL_ID, merged, names.isEmpty() && prev != null ? null : names);
        if (prev != null) msg.put("edited_timestamp", OffsetDateTime.now().toString());
        messages.put(mid, msg);
        return msg;
    }

    private ObjectNode messageJson(long id, long channelId, JsonNode body, List<String> fileNames) {
        ObjectNode n = json.createObjectNode();
        n.put("id", String.valueOf(id)).put("channel_id", String.valueOf(channelId)).put("type", 0)
                .put("content", body.path("content").asText("")).put("tts", false).put("mention_everyone", false)
                .put("pinned", false).put("flags", body.path("flags").asInt(0))
                .put("timestamp", OffsetDateTime.now().toString()).putNull("edited_timestamp");
        n.set("author", botUser());
        n.putArray("mentions");
        n.putArray("mention_roles");
        n.putArray("embeds");
        n.set("components", body.has("components") ? body.get("components") : json.createArrayNode());
        ArrayNode atts = n.putArray("attachments");
        if (fileNames == null && body.has("attachments")) {
            atts.addAll((ArrayNode) body.get("attachments"));
        } else if (fileNames != null) {
            for (String f : fileNames) {
                String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/cdn/posted/" + id + "/" + f;
                atts.addObject().put("id", String.valueOf(snowflake())).put("filename", f).put("size", 1)
                        .put("url", url).put("proxy_url", url);
            }
        }
        return n;
    }

    private JsonNode parseMultipart(byte[] body, String ctype, Map<String, RestCall.Upload> files) throws IOException {
        String boundary = null;
        for (String part : ctype.split(";")) {
            part = part.trim();
            if (part.startsWith("boundary=")) boundary = part.substring(9).replace("\"", "");
        }
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        JsonNode payload = null;
        int pos = indexOf(body, delim, 0);
        while (pos >= 0) {
            int start = pos + delim.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') break;
            start += 2; // CRLF
            int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            String headers = new String(body, start, headerEnd - start, StandardCharsets.UTF_8);
            int next = indexOf(body, delim, headerEnd + 4);
            byte[] content = java.util.Arrays.copyOfRange(body, headerEnd + 4, next - 2);
            String name = attr(headers, "name");
            String filename = attr(headers, "filename");
            if ("payload_json".equals(name)) payload = json.readTree(content);
            else if (name != null) files.put(name, new RestCall.Upload(filename, content));
            pos = next;
        }
        return payload;
    }

    private static String attr(String headers, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[; ]" + key + "=\"([^\"]*)\"").matcher(headers);
        return m.find() ? m.group(1) : null;
    }

    private static int indexOf(byte[] data, byte[] pat, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pat.length; i++) {
            for (int j = 0; j < pat.length; j++) if (data[i + j] != pat[j]) continue outer;
            return i;
        }
        return -1;
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getRawPath().substring("/cdn/".length());
            Cdn f = cdn.get(name);
            if (f == null) {
                ex.sendResponseHeaders(404, -1);
            } else if (f.redirect() != null) {
                ex.getResponseHeaders().add("Location", f.redirect());
                ex.sendResponseHeaders(302, -1);
            } else {
                if (f.contentType() != null) ex.getResponseHeaders().add("Content-Type", f.contentType());
                ex.sendResponseHeaders(200, f.bytes().length == 0 ? -1 : f.bytes().length);
                ex.getResponseBody().write(f.bytes());
            }
        }
    }

    private void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = json.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ gateway

    private final class Gateway extends WebSocketServer {
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger seq = new AtomicInteger();
        volatile WebSocket current;

        Gateway() {
            super(new InetSocketAddress("127.0.0.1", 0));
        }

        @Override
        public void onStart() {
            started.countDown();
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            ObjectNode hello = json.createObjectNode().put("op", 10);
            hello.putNull("s");
            hello.putNull("t");
            hello.putObject("d").put("heartbeat_interval", 41250);
            conn.send(hello.toString());
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            try {
                JsonNode n = json.readTree(message);
                int op = n.path("op").asInt();
                if (op == 1) {
                    conn.send("{\"op\":11,\"d\":null,\"s\":null,\"t\":null}");
                } else if (op == 2) {
                    identifies.incrementAndGet();
                    current = conn;
                    ObjectNode ready = json.createObjectNode();
                    ready.put("v", 10).put("session_id", UUID.randomUUID().toString())
                            .put("resume_gateway_url", gatewayUrl());
                    ready.set("user", botUser());
                    ready.putArray("guilds").addObject().put("id", String.valueOf(GUILD_ID)).put("unavailable", true);
                    ready.putObject("application").put("id", String.valueOf(APP_ID)).put("flags", 0);
                    ready.putArray("private_channels");
                    ready.putArray("relationships");
                    ready.putArray("presences");
                    ready.putArray("guild_join_requests");
                    send(conn, "READY", ready);
                    send(conn, "GUILD_CREATE", guildJson());
                } else if (op == 6) {
                    conn.send("{\"op\":9,\"d\":false,\"s\":null,\"t\":null}");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void dispatch(String type, ObjectNode d) {
            long end = System.currentTimeMillis() + 10_000;
            while ((current == null || !current.isOpen()) && System.currentTimeMillis() < end) sleep(20);
            if (current == null || !current.isOpen()) throw new IllegalStateException("no bot connected to the gateway");
            send(current, type, d);
        }

        private synchronized void send(WebSocket conn, String type, JsonNode d) {
            ObjectNode n = json.createObjectNode().put("op", 0).put("t", type).put("s", seq.incrementAndGet());
            n.set("d", d);
            conn.send(n.toString());
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            if (conn == current) current = null;
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) started.countDown();
        }
    }

    private ObjectNode guildJson() {
        ObjectNode g = json.createObjectNode();
        String gid = String.valueOf(GUILD_ID);
        g.put("id", gid).put("name", "Test guild").put("owner_id", "1").put("unavailable", false)
                .put("member_count", 2).put("large", false).put("verification_level", 0)
                .put("explicit_content_filter", 0).put("default_message_notifications", 0).put("mfa_level", 0)
                .put("premium_tier", 0).put("premium_subscription_count", 0).put("nsfw_level", 0)
                .put("preferred_locale", "en-US").put("system_channel_flags", 0).put("afk_timeout", 300)
                .putNull("icon").putNull("splash").putNull("banner").putNull("description").putNull("vanity_url_code")
                .put("max_members", 1000).put("premium_progress_bar_enabled", false)
                .put("joined_at", "2024-01-01T00:00:00.000000+00:00");
        g.putArray("features");
        ObjectNode everyone = g.putArray("roles").addObject();
        everyone.put("id", gid).put("name", "@everyone").put("permissions", "2251799813685247")
                .put("position", 0).put("color", 0).put("hoist", false).put("managed", false).put("mentionable", false)
                .put("flags", 0);
        everyone.putObject("colors").put("primary_color", 0).putNull("secondary_color").putNull("tertiary_color");
        ObjectNode operators = ((ArrayNode) g.get("roles")).addObject(); // a role JDA resolves on members (for /admin by role)
        operators.put("id", String.valueOf(OPERATOR_ROLE_ID)).put("name", "operators").put("permissions", "0")
                .put("position", 1).put("color", 0).put("hoist", false).put("managed", false).put("mentionable", false)
                .put("flags", 0);
        operators.putObject("colors").put("primary_color", 0).putNull("secondary_color").putNull("tertiary_color");
        ObjectNode ch = g.putArray("channels").addObject();
        ch.put("id", String.valueOf(CHANNEL_ID)).put("type", 0).put("name", "general").put("position", 0)
                .put("guild_id", gid).put("nsfw", false);
        ch.putArray("permission_overwrites");
        ObjectNode self = g.putArray("members").addObject();
        self.set("user", botUser());
        self.putArray("roles");
        self.put("joined_at", "2024-01-01T00:00:00.000000+00:00").put("deaf", false).put("mute", false).put("flags", 0);
        for (String k : List.of("emojis", "stickers", "threads", "voice_states", "presences", "stage_instances",
                "guild_scheduled_events", "soundboard_sounds")) g.putArray(k);
        return g;
    }

    @Override
    public void close() throws InterruptedException {
        gateway.stop(500);
        http.stop(0);
    }
}

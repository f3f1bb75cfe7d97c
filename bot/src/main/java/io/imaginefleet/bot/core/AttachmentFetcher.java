package io.imaginefleet.bot.core;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Downloads attachments, only from the allowed hosts (Discord's CDN by default): redirects are followed by hand and
 * only while they stay on an allowed host; the size is capped before and while reading.
 */
public final class AttachmentFetcher {
    private static final int MAX_REDIRECTS = 3;
    private final List<String> allowedHosts;
    private final long maxBytes;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** @param allowedHosts host names, or host:port entries, compared case-insensitively */
    public AttachmentFetcher(List<String> allowedHosts, long maxBytes) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.maxBytes = maxBytes;
    }

    /** The bytes at {@code url}; {@code label} names the input in error messages. */
    public byte[] fetch(String label, String url) throws InputRefusedException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InputRefusedException("The " + label + " link is not a valid URL.");
        }
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkHost(label, uri, hop > 0);
            HttpResponse<InputStream> resp;
            try {
                resp = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new InputRefusedException("The " + label + " could not be downloaded (" + e.getClass().getSimpleName() + ").");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InputRefusedException("The " + label + " download was interrupted.");
            }
            int status = resp.statusCode();
            if (status >= 300 && status < 400) {
                close(resp);
                String loc = resp.headers().firstValue("Location").orElse(null);
                if (loc == null) throw new InputRefusedException("The " + label + " link redirects nowhere.");
                uri = uri.resolve(loc);
                continue;
            }
            if (status != 200) {
                close(resp);
                throw new InputRefusedException("The " + label + " could not be downloaded (HTTP " + status + ").");
            }
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                close(resp);
                throw tooLarge(label, declared);
            }
            try (InputStream in = resp.body()) {
                byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (data.length > maxBytes) throw tooLarge(label, data.length);
                return data;
            } catch (IOException e) {
                throw new InputRefusedException("The " + label + " download broke off (" + e.getClass().getSimpleName() + ").");
            }
        }
        throw new InputRefusedException("The " + label + " link redirects too often.");
    }

    /** Whether {@code url} is on an allowed host (no network access). */
    public boolean allowed(String url) {
        try {
            URI u = URI.create(url);
            return hostAllowed(u);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void checkHost(String label, URI uri, boolean redirected) throws InputRefusedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InputRefusedException("The " + label + " link must be an http(s) URL.");
        }
        if (!hostAllowed(uri)) {
            throw new InputRefusedException("The " + label + (redirected ? " link redirects to " : " is on ")
                    + (uri.getHost() == null ? "an unknown host" : "the host " + uri.getHost())
                    + ", which is not Discord's CDN; only Discord attachments are accepted.");
        }
    }

    private boolean hostAllowed(URI uri) {
        if (uri.getHost() == null) return false;
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String hostPort = uri.getPort() < 0 ? host : host + ":" + uri.getPort();
        return allowedHosts.contains(host) || allowedHosts.contains(hostPort);
    }

    private InputRefusedException tooLarge(String label, long size) {
        return new InputRefusedException("The " + label + " is too large (" + (size / 1024) + " KiB; at most "
                + (maxBytes / 1024) + " KiB are accepted).");
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}

package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.job.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import net.dv8tion.jda.api.utils.MarkdownSanitizer;

/** The texts and buttons users see. Button ids: {@code imagine:<u|v|r|x>:<jobId>[:<index>]}. */
public final class Messages {
    public static final String BUTTON_PREFIX = "imagine:";

    private Messages() {}

    /** The prompt as shown in messages: markdown escaped, shortened. */
    public static String prompt(Job job) {
        String p = job.prompt() == null || job.prompt().isBlank() ? "(no prompt)" : job.prompt().replaceAll("\\s+", " ");
        if (p.length() > 300) p = p.substring(0, 300) + "…";
        return "**" + MarkdownSanitizer.escape(p) + "**";
    }

    public static String what(Job job) {
        return switch (job.kind()) {
            case TXT2IMG -> "";
            case IMG2IMG -> " (variation)";
            case INPAINT -> " (inpaint)";
            case UPSCALE -> " (upscale ×4)";
        };
    }

    public static String queued(Job job, int position) {
        return "⏳ " + prompt(job) + what(job) + " — queued — position " + position;
    }

    public static String running(Job job, String detail) {
        return "🎨 " + prompt(job) + what(job) + " — " + detail;
    }

    public static String progress(Job job, int step, int total) {
        int cells = 10;
        int done = total <= 0 ? 0 : Math.min(cells, Math.round(cells * (float) step / total));
        int pct = total <= 0 ? 0 : Math.min(100, Math.round(100f * step / total));
        return "🎨 " + prompt(job) + what(job) + " — step " + step + "/" + total + " `" + "▰".repeat(done)
                + "▱".repeat(cells - done) + "` " + pct + "%";
    }

    public static String parameters(Job job, Long seed) {
        StringBuilder sb = new StringBuilder();
        sb.append(job.model()).append(" · ");
        if (job.kind() == JobKind.UPSCALE) sb.append(job.width() * 4).append('×').append(job.height() * 4);
        else sb.append(job.width()).append('×').append(job.height());
        sb.append(" · ").append(job.steps()).append(" steps · guidance ").append(fmt(job.guidance()))
                .append(" · ").append(job.scheduler());
        if (seed != null) sb.append(" · seed ").append(seed);
        if (job.strength() != null) sb.append(" · strength ").append(fmt(job.strength()));
        if (job.negativePrompt() != null && !job.negativePrompt().isBlank()) {
            String n = job.negativePrompt().replaceAll("\\s+", " ");
            sb.append(" · negative: ").append(n.length() > 100 ? n.substring(0, 100) + "…" : n);
        }
        return "`" + sb.toString().replace("`", "'") + "`";
    }

    public static String completed(Job job, Long seed, String mention) {
        return (mention == null ? "" : mention + " ") + "✅ " + prompt(job) + what(job) + "\n" + parameters(job, seed);
    }

    public static String failed(Job job, String code, String message, String mention) {
        return (mention == null ? "" : mention + " ") + "❌ " + prompt(job) + what(job) + " — could not be made: "
                + plainReason(code, message);
    }

    public static String cancelled(Job job) {
        return "🚫 " + prompt(job) + what(job) + " — cancelled.";
    }

    /** A failure in plain words. */
    public static String plainReason(String code, String message) {
        String m = message == null || message.isBlank() ? "" : message.trim();
        if (m.length() > 500) m = m.substring(0, 500) + "…";
        String lead = code == null ? "" : switch (code) {
            case FailureCode.INVALID, FailureCode.MALFORMED -> "the request was not valid";
            case FailureCode.UNKNOWN_MODEL -> "that model is not available";
            case FailureCode.BAD_INPUT -> "the input image could not be used";
            case FailureCode.EXPIRED -> "it waited too long in the queue";
            case FailureCode.DELIVERY_LIMIT -> "the workers kept failing on it";
            case FailureCode.ENGINE_ERROR -> "the image generator ran into an error";
            case FailureCode.UNAVAILABLE -> "a service the workers need is unavailable";
            default -> "";
        };
        if (lead.isEmpty()) return m.isEmpty() ? "unknown error." : MarkdownSanitizer.escape(m);
        return lead + (m.isEmpty() ? "." : " (" + MarkdownSanitizer.escape(m) + ").");
    }

    /** Validation failures, naming the option and the allowed range. */
    public static String invalid(List<Violation> violations) {
        StringBuilder sb = new StringBuilder("❌ That request cannot be run:");
        for (Violation v : violations) sb.append("\n• **").append(optionName(v.field())).append("** ").append(v.message());
        return sb.toString();
    }

    /** Maps contract field names to the slash-command option names users typed. */
    public static String optionName(String field) {
        return switch (field) {
            case "negativePrompt" -> "negative";
            case "inputImage" -> "image";
            case "maskImage" -> "mask";
            default -> field.toLowerCase(Locale.ROOT);
        };
    }

    public static ActionRow cancelRow(String jobId) {
        return ActionRow.of(Button.secondary(BUTTON_PREFIX + "x:" + jobId, Emoji.fromUnicode("❌")));
    }

    /** U1–Un and V1–Vn and 🔄 for a finished job, as the kind allows. */
    public static List<ActionRow> resultRows(Job job) {
        List<ActionRow> rows = new ArrayList<>();
        int n = Math.max(1, Math.min(4, job.count()));
        if (job.kind() == JobKind.UPSCALE) return rows;
        List<Button> u = new ArrayList<>();
        for (int i = 1; i <= n; i++) u.add(Button.secondary(BUTTON_PREFIX + "u:" + job.id() + ":" + i, "U" + i));
        rows.add(ActionRow.of(u));
        List<Button> v = new ArrayList<>();
        if (job.kind() != JobKind.INPAINT) {
            for (int i = 1; i <= n; i++) v.add(Button.secondary(BUTTON_PREFIX + "v:" + job.id() + ":" + i, "V" + i));
        }
        v.add(Button.secondary(BUTTON_PREFIX + "r:" + job.id(), Emoji.fromUnicode("🔄")));
        rows.add(ActionRow.of(v));
        return rows;
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}

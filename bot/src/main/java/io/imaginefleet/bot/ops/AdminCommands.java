package io.imaginefleet.bot.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.imaginefleet.bot.discord.CommandFamily;
import net.dv8tion.jda.api.entities.ISnowflake;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.DefaultMemberPermissions;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandData;

/**
 * The operators' {@code /admin} command family in Discord: {@code /admin dlq} (list failed jobs, with filters),
 * {@code /admin replay job_id [send] [force]} (a dry run unless {@code send:true}; a job already replayed is
 * refused unless {@code force:true}) and {@code /admin job job_id} (the job's timeline). The command is hidden
 * from everyone but server administrators ({@code default_member_permissions = 0}; admins may grant it to a
 * role in the server's integration settings) and works only in servers; on top of that each use is checked
 * against {@link OperatorPolicy}. Answers are ephemeral. The replayed job keeps its requester, so the bot
 * posts the new result in the original channel.
 */
@ApplicationScoped
public class AdminCommands extends ListenerAdapter implements CommandFamily {

    private static final Logger LOG = Logger.getLogger(AdminCommands.class);
    static final String NAME = "admin";
    static final int DISCORD_LIMIT = 1900;

    private final OperatorPolicy policy;
    private final Properties kafka;
    private final ExecutorService work = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "admin-commands");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public AdminCommands(@ConfigProperty(name = "bot.operator.user-ids") Optional<String> userIds,
                         @ConfigProperty(name = "bot.operator.role-ids") Optional<String> roleIds,
                         @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092") String bootstrap) {
        this(OperatorPolicy.parse(userIds.orElse(""), roleIds.orElse("")), OpsConfig.kafkaProperties(System.getenv(), bootstrap));
    }

    public AdminCommands(OperatorPolicy policy, Properties kafka) {
        this.policy = policy;
        this.kafka = kafka;
    }

    @PreDestroy
    void stop() {
        work.shutdownNow();
    }

    @Override
    public List<CommandData> commands() {
        return List.of(Commands.slash(NAME, "Operator tools: failed jobs, replay, job lookup")
                .setDefaultPermissions(DefaultMemberPermissions.DISABLED)
                .setContexts(InteractionContextType.GUILD)
                .addSubcommands(
                        new SubcommandData("dlq", "List failed jobs in the dead-letter queue")
                                .addOption(OptionType.STRING, "since", "failed after (ISO time, date, or age like 2h)")
                                .addOption(OptionType.STRING, "user", "requester's user id")
                                .addOption(OptionType.STRING, "error", "error class")
                                .addOption(OptionType.STRING, "model", "model name"),
                        new SubcommandData("replay", "Replay a failed job (dry run unless send is true)")
                                .addOption(OptionType.STRING, "job_id", "the failed job's id", true)
                                .addOption(OptionType.BOOLEAN, "send", "really send it (default: dry run)")
                                .addOption(OptionType.BOOLEAN, "force", "send even if it was replayed before"),
                        new SubcommandData("job", "Show a job's timeline")
                                .addOption(OptionType.STRING, "job_id", "the job's id", true)));
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
        if (!NAME.equals(event.getName())) {
            return;
        }
        List<String> roles = event.getMember() == null ? List.of()
                : event.getMember().getRoles().stream().map(ISnowflake::getId).toList();
        if (!policy.isOperator(event.getUser().getId(), roles)) {
            LOG.infof("refused /admin %s from user %s (not an operator)", event.getSubcommandName(), event.getUser().getId());
            event.reply(policy.configured() ? "You are not an operator of this bot."
                    : "You are not an operator of this bot (no operators are configured: BOT_OPERATOR_USER_IDS / BOT_OPERATOR_ROLE_IDS).")
                    .setEphemeral(true).queue();
            return;
        }
        event.deferReply(true).queue();
        String sub = event.getSubcommandName() == null ? "" : event.getSubcommandName();
        String user = event.getUser().getId();
        Args a = new Args(str(event, "since"), str(event, "user"), str(event, "error"), str(event, "model"), str(event, "job_id"),
                bool(event, "send"), bool(event, "force"));
        work.execute(() -> {
            String text;
            try {
                text = answer(sub, a, user);
            } catch (OpsException | IllegalArgumentException e) {
                text = "⚠️ " + e.getMessage();
            } catch (RuntimeException e) {
                LOG.warnf(e, "/admin %s failed", sub);
                text = "⚠️ /admin " + sub + " failed: " + e.getClass().getSimpleName();
            }
            event.getHook().editOriginal(clip(text)).queue();
        });
    }

    /** The options of one /admin use. */
    record Args(String since, String user, String error, String model, String jobId, boolean send, boolean force) {
    }

    /** The reply text for a subcommand (runs Kafka I/O; never on JDA's event thread). */
    String answer(String sub, Args a, String operatorUserId) {
        TopicScanner scanner = new TopicScanner(kafka, Duration.ofSeconds(30));
        switch (sub) {
            case "dlq" -> {
                DlqFilter f = new DlqFilter(Set.of(), a.since() == null ? null : TimeArg.parse(a.since(), Clock.systemUTC()), null,
                        a.user(), a.error(), a.model());
                List<DlqRecord> rows = new DlqReader(scanner).list(f);
                List<String> lines = new ArrayList<>();
                lines.add(rows.size() + " failed job(s)");
                List<DlqRecord> newestFirst = new ArrayList<>(rows);
                java.util.Collections.reverse(newestFirst);
                for (DlqRecord r : newestFirst) {
                    lines.add(FleetCtl.time(r.failedAt()) + "  " + r.jobId() + "  <@" + r.userId() + ">  " + r.kind() + "  "
                            + r.errorClass() + "  ×" + r.attempts() + "  " + FleetCtl.oneLine(r.errorMessage(), 80));
                }
                return String.join("\n", lines);
            }
            case "replay" -> {
                Optional<DlqRecord> r = new DlqReader(scanner).show(a.jobId());
                if (r.isEmpty()) {
                    return "Job " + a.jobId() + " is not in the dead-letter queue.";
                }
                Replayer replayer = new Replayer(kafka, scanner);
                Replayer.Plan plan = replayer.plan(List.of(r.get()), a.force());
                Replayer.Item item = plan.items().get(0);
                return switch (item.decision()) {
                    case ALREADY_REPLAYED -> "Refused: " + a.jobId() + " was already replayed as " + String.join(", ", item.earlier())
                            + ". Use force:true to send it again.";
                    case NOT_A_JOB -> "Refused: the DLQ record of " + a.jobId() + " is not a job (malformed message).";
                    case SEND -> {
                        if (!a.send()) {
                            yield "Dry run: would send " + a.jobId() + " (" + r.get().kind() + ", " + r.get().errorClass()
                                    + ") again as a new job for <@" + r.get().userId() + ">. Run again with send:true."
                                    + (item.problems().isEmpty() ? "" : "\nWarning: it still breaks the job rules and will fail again: "
                                    + String.join("; ", item.problems()));
                        }
                        replayer.execute(plan, 0, "discord:" + operatorUserId);
                        LOG.infof("operator %s replayed %s as %s", operatorUserId, a.jobId(), item.newJobId());
                        yield "Replayed " + a.jobId() + " as " + item.newJobId() + "; the result will be posted in the original channel.";
                    }
                };
            }
            case "job" -> {
                JobTimeline.View v = new JobTimeline(scanner).of(a.jobId());
                if (!v.found()) {
                    return "No job " + a.jobId() + " on the queue, the events or the DLQ.";
                }
                List<String> lines = new ArrayList<>();
                lines.add("Job " + a.jobId() + ": " + v.state());
                for (JobTimeline.Entry e : v.events()) {
                    lines.add(FleetCtl.time(e.at()) + "  " + e.type() + (e.workerId().isEmpty() ? "" : " [" + e.workerId() + "]") + "  " + e.detail());
                }
                if (v.dlq() != null) {
                    lines.add("in DLQ: " + v.dlq().errorClass() + " — " + FleetCtl.oneLine(v.dlq().errorMessage(), 100));
                }
                return String.join("\n", lines);
            }
            default -> {
                return "Unknown subcommand " + sub;
            }
        }
    }

    static String clip(String s) {
        return s.length() <= DISCORD_LIMIT ? s : s.substring(0, DISCORD_LIMIT - 20) + "\n… (more: fleetctl)";
    }

    private static String str(SlashCommandInteractionEvent e, String name) {
        OptionMapping o = e.getOption(name);
        return o == null ? null : o.getAsString().trim();
    }

    private static boolean bool(SlashCommandInteractionEvent e, String name) {
        OptionMapping o = e.getOption(name);
        return o != null && o.getAsBoolean();
    }
}
